import { deriveNodeKeys, type NodeKeys } from '../../../workers/security/keys/derive'
import { createCertificateAuthority, type CertificateAuthority } from '../../../workers/security/credentials/ca'
import { issueCredential, type Credential } from '../../../workers/security/credentials/credential'
import type { Role } from '../../../workers/protocol/roles'
import type { MessageKind, Senders } from '../../../workers/protocol/kind-spec'
import { messageKinds } from '../../../workers/kinds'
import { seededBytes } from '../../../workers/common/random'

/** The senders a registered kind declares, as the inbound gate hands them to the RBAC check. */
export function sendersOf(kind: MessageKind): Senders {
  return messageKinds[kind].senders
}

let serialSeed = 1000
const keyCache = new Map<number, NodeKeys>()

/** Node keys from a 32-byte seed filled with `n`; cheap to call repeatedly. */
export function nodeKeys(n: number): NodeKeys {
  let keys = keyCache.get(n)
  if (!keys) {
    keys = deriveNodeKeys(new Uint8Array(32).fill(n))
    keyCache.set(n, keys)
  }
  return keys
}

export const T0 = Date.UTC(2030, 0, 1)
export const HOUR = 3600_000
export const DAY = 24 * HOUR

export function makeAuthority(name = 'Test CA'): Promise<CertificateAuthority> {
  return createCertificateAuthority({ nowMs: T0 - DAY, name, random: seededBytes(99) })
}

export function credentialFor(
  ca: CertificateAuthority,
  keys: NodeKeys,
  roles: readonly Role[],
  window: { notBeforeMs?: number; notAfterMs?: number } = {},
): Promise<Credential> {
  const seed = ++serialSeed
  return issueCredential(
    ca,
    { identityPublicKey: keys.identity.publicKey, blsPublicKey: keys.voting.publicKey, agreementPublicKey: keys.agreement.publicKey },
    { roles, notBeforeMs: window.notBeforeMs ?? T0 - HOUR, notAfterMs: window.notAfterMs ?? T0 + DAY, random: seededBytes(seed) },
  )
}

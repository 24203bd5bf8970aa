import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { isRole, roles as allRoles, type Role } from '../../protocol/roles'

/**
 * How a credential binds its subject: Subject Alternative Name URIs, one per fact, so any
 * X.509 tool shows them (`openssl x509 -text`). The Ed25519 identity is the certificate's
 * own subject key. (A private extension would need an OID; the registration-free kind,
 * 2.25.<UUID>, has an arc too large for @peculiar/x509, which drops it silently.)
 */
export const URI = {
  peer: 'urn:agent-mesh:peer:',
  bls: 'urn:agent-mesh:bls12-381-g1:',
  agreement: 'urn:agent-mesh:x25519:',
  roles: 'urn:agent-mesh:roles:',
} as const

export interface Binding {
  readonly peerId: string
  readonly blsPublicKey: Uint8Array
  readonly agreementPublicKey: Uint8Array
  readonly roles: readonly Role[]
}

export function bindingUris(binding: Binding): string[] {
  return [
    URI.peer + binding.peerId,
    URI.bls + bytesToHex(binding.blsPublicKey),
    URI.agreement + bytesToHex(binding.agreementPublicKey),
    URI.roles + binding.roles.join(','),
  ]
}

/** Reads the binding back; each fact must appear exactly once and be well-formed. */
export function parseBindingUris(uris: readonly string[]): { ok: true; binding: Binding } | { ok: false; reason: string } {
  const one = (prefix: string): string | undefined => {
    const found = uris.filter((uri) => uri.startsWith(prefix))
    return found.length === 1 ? found[0].slice(prefix.length) : undefined
  }
  const peerId = one(URI.peer)
  const bls = one(URI.bls)
  const agreement = one(URI.agreement)
  const roleList = one(URI.roles)
  if (peerId === undefined || bls === undefined || agreement === undefined || roleList === undefined) {
    return { ok: false, reason: 'the binding URIs are missing or repeated' }
  }
  if (!/^[0-9a-f]{96}$/.test(bls)) return { ok: false, reason: 'the BLS key URI is not 48 bytes of lowercase hex' }
  if (!/^[0-9a-f]{64}$/.test(agreement)) return { ok: false, reason: 'the X25519 key URI is not 32 bytes of lowercase hex' }
  const roles = roleList.split(',')
  if (roles.length > allRoles.length || !roles.every(isRole)) return { ok: false, reason: 'the roles URI names an unknown role' }
  return { ok: true, binding: { peerId, blsPublicKey: hexToBytes(bls), agreementPublicKey: hexToBytes(agreement), roles: roles as Role[] } }
}

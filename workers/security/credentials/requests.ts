import { ed25519 } from '@noble/curves/ed25519.js'
import { GrantRequest, JoinRequest } from './credentials.pb'
import { blsProofOfPossession } from '../keys/bls-pop'
import type { NodeKeys } from '../keys/derive'
import type { SigningIdentity } from '../../identity/ed25519'
import { roles as allRoles, selfServiceRoles, type Role } from '../../protocol/roles'
import { MAX_CREDENTIAL_BYTES } from './credential'
import { decodeExact } from '../../protocol/exact-decode'
import { withDomain } from '../../common/domains'

/** The `cred.request` payload a node sends to the relay when it joins. */
export function createJoinRequest(keys: NodeKeys, roles: readonly Role[] = selfServiceRoles): Uint8Array {
  return JoinRequest.encode({
    identityPublicKey: keys.identity.publicKey as Uint8Array<ArrayBuffer>,
    blsPublicKey: keys.voting.publicKey as Uint8Array<ArrayBuffer>,
    blsProofOfPossession: blsProofOfPossession(
      keys.voting.secretKey,
      keys.voting.publicKey,
      keys.identity.publicKey,
    ) as Uint8Array<ArrayBuffer>,
    agreementPublicKey: keys.agreement.publicKey as Uint8Array<ArrayBuffer>,
    roles: [...roles],
  })
}

export const MAX_JOIN_REQUEST_BYTES = 512

export function decodeJoinRequest(bytes: Uint8Array): { ok: true; request: JoinRequest } | { ok: false; reason: string } {
  if (bytes.length > MAX_JOIN_REQUEST_BYTES)
    return { ok: false, reason: `join request is ${bytes.length} bytes (limit ${MAX_JOIN_REQUEST_BYTES})` }
  try {
    return { ok: true, request: decodeExact(bytes, JoinRequest.codec(), { limits: { roles: allRoles.length } }) }
  } catch (err) {
    return { ok: false, reason: `join request does not decode: ${(err as Error).message}` }
  }
}

export function grantSigningBytes(request: GrantRequest): Uint8Array {
  return withDomain('grant', GrantRequest.encode({ ...request, signature: new Uint8Array(0) }))
}

export interface GrantRequestInput {
  readonly adminCertificate: Uint8Array
  /** The admin's identity: the key its certificate was issued to. */
  readonly admin: SigningIdentity
  readonly subjectCertificate: Uint8Array
  readonly roles: readonly Role[]
  readonly notAfterMs: number
  readonly requestedAtMs: number
  /** 16 random bytes. */
  readonly nonce: Uint8Array
}

/** An admin's signed request that the CA grant roles; travels to the relay by any path. */
export function createGrantRequest(input: GrantRequestInput): Uint8Array {
  if (input.nonce.length < 16) throw new Error('a grant nonce is at least 16 bytes')
  const unsigned: GrantRequest = {
    adminCertificate: input.adminCertificate as Uint8Array<ArrayBuffer>,
    subjectCertificate: input.subjectCertificate as Uint8Array<ArrayBuffer>,
    roles: [...input.roles],
    notAfterMs: BigInt(Math.floor(input.notAfterMs)),
    requestedAtMs: BigInt(Math.floor(input.requestedAtMs)),
    nonce: input.nonce as Uint8Array<ArrayBuffer>,
    signature: new Uint8Array(0),
  }
  const signature = input.admin.sign(grantSigningBytes(unsigned))
  return GrantRequest.encode({ ...unsigned, signature: signature as Uint8Array<ArrayBuffer> })
}

export const MAX_GRANT_REQUEST_BYTES = 2 * MAX_CREDENTIAL_BYTES + 512

export function decodeGrantRequest(bytes: Uint8Array): { ok: true; request: GrantRequest } | { ok: false; reason: string } {
  if (bytes.length > MAX_GRANT_REQUEST_BYTES)
    return { ok: false, reason: `grant request is ${bytes.length} bytes (limit ${MAX_GRANT_REQUEST_BYTES})` }
  try {
    return { ok: true, request: decodeExact(bytes, GrantRequest.codec(), { limits: { roles: allRoles.length } }) }
  } catch (err) {
    return { ok: false, reason: `grant request does not decode: ${(err as Error).message}` }
  }
}

/** True when `request` carries a valid signature by `adminIdentityKey`. */
export function grantSignedBy(request: GrantRequest, adminIdentityKey: Uint8Array): boolean {
  try {
    return request.signature.length === 64 && ed25519.verify(request.signature, grantSigningBytes(request), adminIdentityKey)
  } catch {
    return false
  }
}

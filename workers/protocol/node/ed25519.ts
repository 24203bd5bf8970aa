import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto'
import type { BatchVerifier } from '../verify'

/** DER prefix of an Ed25519 PKCS #8 private key; the 32-byte seed follows it. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow it. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
/** Identity keys recur in every message; parsing each once saves most of a verification. */
const keys = new Map<string, KeyObject | null>()
const MAX_CACHED_KEYS = 4096

function verifyKey(identityKey: Uint8Array): KeyObject | null {
  const id = Buffer.from(identityKey).toString('hex')
  let key = keys.get(id)
  if (key === undefined) {
    try {
      key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, identityKey]), format: 'der', type: 'spki' })
    } catch {
      key = null
    }
    if (keys.size >= MAX_CACHED_KEYS) keys.delete(keys.keys().next().value!)
    keys.set(id, key)
  }
  return key
}

/**
 * Node's native Ed25519 verification (OpenSSL), synchronous (the consensus core's scheme
 * is), about ten times faster than @noble's. The one Node verifier: the relay's consensus
 * scheme and the secure-aggregation primitives both use it. Never throws.
 */
export function nativeVerifyEd25519(identityKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (identityKey.length !== 32 || signature.length !== 64) return false
  const key = verifyKey(identityKey)
  if (!key) return false
  try {
    return verify(null, message, key, signature)
  } catch {
    return false
  }
}

/**
 * Node's native Ed25519 signing (OpenSSL) for one seed: the same signatures as @noble's
 * (Ed25519 is deterministic), about ten times faster. Validators sign every consensus
 * message and every envelope, so this is most of their Ed25519 time.
 */
export function nativeEd25519Signer(seed: Uint8Array): (message: Uint8Array) => Uint8Array {
  if (seed.length !== 32) throw new Error(`an Ed25519 seed is 32 bytes, got ${seed.length}`)
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' })
  return (message) => new Uint8Array(sign(null, message, key))
}

/**
 * The inbound gate's verifier on the relay: nativeVerifyEd25519 for each check. WebCrypto's
 * Ed25519 (what browsers use) costs Node about 1.8× the CPU of this synchronous call (a job and
 * a promise per signature; 250-300 µs against 140-170 µs per check measured here), and the relay
 * verifies every message it forwards.
 */
export const nativeVerifyEd25519Batch: BatchVerifier = async (checks) =>
  checks.map((c) => nativeVerifyEd25519(c.publicKey, c.message, c.signature))

/**
 * The public-key and stream-cipher primitives the protocol cores use, injected so a host can
 * bring a faster implementation of the very same algorithms without the cores doing any I/O:
 * browsers use `noblePrimitives` (pure JS, @noble), a Node host may pass `nodePrimitives` from
 * node-primitives.ts (OpenSSL through node:crypto, 5–10× faster). Every implementation must
 * produce identical bytes and identical accept/refuse decisions; tests/unit/secagg checks that.
 */
import { chacha20 } from '@noble/ciphers/chacha.js'
import { ed25519, x25519 } from '@noble/curves/ed25519.js'

export interface SecAggPrimitives {
  readonly name: string
  /**
   * A ChaCha20 keystream (RFC 8439: 96-bit all-zero nonce, block counter from 0) read in order.
   * Each call returns the next `byteLength` bytes (a multiple of 64); the returned view is valid
   * only until the next call, so an implementation may reuse one buffer.
   */
  keystream(key: Uint8Array): (byteLength: number) => Uint8Array
  x25519PublicKey(secretKey: Uint8Array): Uint8Array
  /**
   * X25519 with one secret key against many peers (a client agrees with every neighbour): the
   * returned function gives the raw shared secret, or null when the peer key is malformed or of
   * low order (an all-zero result).
   */
  x25519Agreement(secretKey: Uint8Array): (peerPublicKey: Uint8Array) => Uint8Array | null
  ed25519Sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array
  /** Strict RFC 8032 verification (canonical encodings), false on any malformed input. */
  ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean
}

const ZERO_NONCE = new Uint8Array(12)
/** Keystream bytes produced per call at most; callers ask for chunks of this size. */
export const KEYSTREAM_CHUNK_BYTES = 65_536
/** Read-only input of the XOR stream cipher, shared by every stream. */
const ZEROS = new Uint8Array(KEYSTREAM_CHUNK_BYTES)

export const noblePrimitives: SecAggPrimitives = {
  name: 'noble',
  keystream(key) {
    const out = new Uint8Array(KEYSTREAM_CHUNK_BYTES)
    let block = 0
    return (byteLength) => {
      if (byteLength % 64 !== 0 || byteLength > KEYSTREAM_CHUNK_BYTES)
        throw new RangeError('keystream chunks are whole blocks of at most 64 KiB')
      const chunk = out.subarray(0, byteLength)
      chacha20(key, ZERO_NONCE, ZEROS.subarray(0, byteLength), chunk, block)
      block += byteLength / 64
      return chunk
    }
  },
  x25519PublicKey: (secretKey) => x25519.getPublicKey(secretKey),
  x25519Agreement: (secretKey) => (peerPublicKey) => {
    if (peerPublicKey.length !== 32) return null
    try {
      const shared = x25519.getSharedSecret(secretKey, peerPublicKey)
      return shared.some((b) => b !== 0) ? shared : null
    } catch {
      return null
    }
  },
  ed25519Sign: (message, secretKey) => ed25519.sign(message, secretKey),
  ed25519Verify(signature, message, publicKey) {
    if (signature.length !== 64 || publicKey.length !== 32) return false
    try {
      // zip215: false is RFC 8032's strict rule, the one OpenSSL applies too, so a browser client
      // and a Node aggregator cannot disagree about a crafted signature.
      return ed25519.verify(signature, message, publicKey, { zip215: false })
    } catch {
      return false
    }
  },
}

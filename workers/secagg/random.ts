/**
 * Randomness is injected into the protocol cores so they stay pure: production passes
 * `cryptoRandomSource`, tests pass `seededRandomSource(seed)` and get reproducible keys and seeds.
 * (The Shamir library draws its polynomial coefficients from its own CSPRNG; that is the only
 * randomness a core does not take from its source, and it never changes what a round computes.)
 */
import { chacha20 } from '@noble/ciphers/chacha.js'
import { sha256 } from '@noble/hashes/sha2.js'

export type RandomSource = (byteLength: number) => Uint8Array

/** The platform CSPRNG (WebCrypto in browsers and Node), in calls of at most 65,536 bytes. */
export const cryptoRandomSource: RandomSource = (byteLength) => {
  const out = new Uint8Array(byteLength)
  for (let offset = 0; offset < byteLength; offset += 65_536) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(byteLength, offset + 65_536)))
  }
  return out
}

/** A deterministic stream for tests: the ChaCha20 keystream under SHA-256(seed). Never for production keys. */
export function seededRandomSource(seed: string | Uint8Array): RandomSource {
  const key = sha256(typeof seed === 'string' ? new TextEncoder().encode(seed) : seed)
  const nonce = new Uint8Array(12)
  let block = 0
  return (byteLength) => {
    const blocks = Math.ceil(byteLength / 64)
    const stream = chacha20(key, nonce, new Uint8Array(blocks * 64), undefined, block)
    block += blocks
    return stream.subarray(0, byteLength)
  }
}

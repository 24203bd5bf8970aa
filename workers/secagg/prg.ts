/**
 * Mask expansion: a 32-byte seed becomes a vector of uint32 ring elements through the ChaCha20
 * keystream (RFC 8439, zero nonce, block counter from 0; words read little-endian), and is
 * added to or subtracted from an accumulator mod 2^32. The keystream comes in 64 KiB chunks
 * that are added in place, so a 1.2 M-parameter mask never needs a second 4.8 MB array. The
 * cipher itself is the injected primitive (noble in browsers, OpenSSL in Node: same bytes).
 */
import { KEYSTREAM_CHUNK_BYTES, type SecAggPrimitives } from './primitives'

const CHUNK_WORDS = KEYSTREAM_CHUNK_BYTES / 4

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  // Every browser and Node platform is little-endian; the ring encoding relies on it.
  throw new Error('secagg needs a little-endian platform')
}

/** acc ← acc + sign · PRG(seed) mod 2^32. */
export function applyMask(acc: Uint32Array, seed: Uint8Array, sign: 1 | -1, crypto: SecAggPrimitives): void {
  const next = crypto.keystream(seed)
  let aligned: Uint32Array | null = null
  for (let start = 0; start < acc.length; start += CHUNK_WORDS) {
    const words = Math.min(CHUNK_WORDS, acc.length - start)
    const chunk = next(Math.ceil(words / 16) * 64)
    let mask: Uint32Array
    if (chunk.byteOffset % 4 === 0) mask = new Uint32Array(chunk.buffer, chunk.byteOffset, chunk.byteLength / 4)
    else {
      aligned ??= new Uint32Array(CHUNK_WORDS)
      new Uint8Array(aligned.buffer).set(chunk)
      mask = aligned
    }
    if (sign === 1) for (let i = 0; i < words; i++) acc[start + i] += mask[i]
    else for (let i = 0; i < words; i++) acc[start + i] -= mask[i]
  }
}

/** acc ← acc + v mod 2^32 (summing masked inputs). */
export function addRing(acc: Uint32Array, v: Uint32Array): void {
  for (let i = 0; i < acc.length; i++) acc[i] += v[i]
}

/**
 * Mask expansion: a 32-byte seed becomes a vector of uint32 ring elements through the ChaCha20
 * keystream (RFC 8439, zero nonce, block counter from 0; words read little-endian), and is
 * added to or subtracted from an accumulator mod 2^32. The keystream is produced in 64 KiB
 * chunks into one reused buffer so a 1.2 M-parameter mask never needs a second 4.8 MB array.
 */
import { chacha20 } from '@noble/ciphers/chacha.js'

const CHUNK_BYTES = 65_536
const CHUNK_WORDS = CHUNK_BYTES / 4
const BLOCKS_PER_CHUNK = CHUNK_BYTES / 64
const ZERO_NONCE = new Uint8Array(12)

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  // Every browser and Node platform is little-endian; the ring encoding relies on it.
  throw new Error('secagg needs a little-endian platform')
}

export interface MaskScratch {
  readonly zeros: Uint8Array
  readonly stream: Uint8Array
  readonly words: Uint32Array
}

export function createMaskScratch(): MaskScratch {
  const stream = new Uint8Array(CHUNK_BYTES)
  return { zeros: new Uint8Array(CHUNK_BYTES), stream, words: new Uint32Array(stream.buffer) }
}

/** acc ← acc + sign · PRG(seed) mod 2^32. */
export function applyMask(acc: Uint32Array, seed: Uint8Array, sign: 1 | -1, scratch: MaskScratch = createMaskScratch()): void {
  for (let start = 0, chunk = 0; start < acc.length; start += CHUNK_WORDS, chunk++) {
    const words = Math.min(CHUNK_WORDS, acc.length - start)
    const bytes = Math.ceil((words * 4) / 64) * 64
    chacha20(seed, ZERO_NONCE, scratch.zeros.subarray(0, bytes), scratch.stream.subarray(0, bytes), chunk * BLOCKS_PER_CHUNK)
    const mask = scratch.words
    if (sign === 1) for (let i = 0; i < words; i++) acc[start + i] += mask[i]
    else for (let i = 0; i < words; i++) acc[start + i] -= mask[i]
  }
}

/** acc ← acc + v mod 2^32 (summing masked inputs). */
export function addRing(acc: Uint32Array, v: Uint32Array): void {
  for (let i = 0; i < acc.length; i++) acc[i] += v[i]
}

/**
 * The one seeded PRNG of the project: xoshiro128** (Blackman & Vigna). Production code that must
 * be reproducible across nodes (FL data splits, shard assignment, bucketing, the SecAgg+ graph)
 * and every test, simulator and benchmark draw from it, so a seed means the same stream
 * everywhere. Never for keys or anything secret: that is the platform CSPRNG's job.
 *
 * Seeding: a number goes through splitmix32, so nearby seeds give unrelated streams; bytes (a
 * public round seed) or a label go through SHA-256, which other implementations can follow.
 * The streams of next/int/normal/gamma are fixed: validators depend on them agreeing.
 */
import { sha256 } from '@noble/hashes/sha2.js'

export interface Rng {
  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number
  /** Uniform 32-bit unsigned integer. */
  uint32(): number
  /** Uniform integer in [0, n), exactly (rejection sampling); n at most 2^32. */
  int(n: number): number
  /** Uniform integer in [min, max], both inclusive. */
  intBetween(min: number, max: number): number
  /** True with the given probability (never for p ≤ 0). */
  chance(probability: number): boolean
  /** A uniformly chosen element of a non-empty list. */
  pick<T>(items: readonly T[]): T
  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[]
  /** Standard normal (Box–Muller). */
  normal(): number
  /** Gamma(shape, 1). */
  gamma(shape: number): number
  /** `length` bytes of the stream. */
  bytes(length: number): Uint8Array
  /** An independent stream seeded from this one (e.g. one per simulated node). */
  fork(): Rng
}

const TWO_32 = 4294967296

/** A stream from a number, a label, or seed bytes (see the module comment). */
export function createRng(seed: number | string | Uint8Array): Rng {
  if (typeof seed === 'number') return rngFromState(splitmixState(seed))
  const digest = sha256(typeof seed === 'string' ? new TextEncoder().encode(seed) : seed)
  const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength)
  const state = new Uint32Array(4)
  for (let i = 0; i < 4; i++) state[i] = view.getUint32(i * 4, true)
  if (state.every((w) => w === 0)) state[0] = 1
  return rngFromState(state)
}

/** A byte source for APIs that take `(length) => Uint8Array` (serials, nonces, test keys). */
export function seededBytes(seed: number | string | Uint8Array): (length: number) => Uint8Array {
  const rng = createRng(seed)
  return (length) => rng.bytes(length)
}

/** Fisher–Yates, in place. */
export function shuffleInPlace<T>(items: T[] | Uint32Array | Int32Array, rng: Rng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    const t = items[i]
    items[i] = items[j]
    items[j] = t as never
  }
}

function splitmixState(seed: number): Uint32Array {
  let s = seed >>> 0
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  return new Uint32Array([splitmix(), splitmix(), splitmix(), splitmix()])
}

function rngFromState(state: Uint32Array): Rng {
  const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0
  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(state[1], 5) >>> 0, 7), 9) >>> 0
    const t = (state[1] << 9) >>> 0
    state[2] ^= state[0]
    state[3] ^= state[1]
    state[1] ^= state[2]
    state[0] ^= state[3]
    state[2] ^= t
    state[3] = rotl(state[3], 11)
    return result
  }
  let spareNormal: number | null = null
  const rng: Rng = {
    next: () => nextUint32() / TWO_32,
    uint32: nextUint32,
    int: (n) => {
      if (!Number.isInteger(n) || n <= 0 || n > TWO_32) throw new RangeError(`int(n) needs an integer in [1, 2^32], got ${n}`)
      // Rejection sampling keeps the result exactly uniform.
      const limit = TWO_32 - (TWO_32 % n)
      for (;;) {
        const x = nextUint32()
        if (x < limit) return x % n
      }
    },
    intBetween: (min, max) => {
      if (!Number.isInteger(min) || !Number.isInteger(max) || max < min)
        throw new RangeError(`intBetween needs integers min ≤ max, got ${min}, ${max}`)
      return min + rng.int(max - min + 1)
    },
    chance: (probability) => probability > 0 && rng.next() < probability,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list')
      return items[rng.int(items.length)]
    },
    shuffle: (items) => {
      const copy = [...items]
      shuffleInPlace(copy, rng)
      return copy
    },
    normal: () => {
      if (spareNormal !== null) {
        const v = spareNormal
        spareNormal = null
        return v
      }
      let u = 0
      while (u === 0) u = rng.next()
      const v = rng.next()
      const r = Math.sqrt(-2 * Math.log(u))
      spareNormal = r * Math.sin(2 * Math.PI * v)
      return r * Math.cos(2 * Math.PI * v)
    },
    gamma: (shape) => {
      if (!(shape > 0)) throw new RangeError(`gamma shape must be positive, got ${shape}`)
      // Marsaglia & Tsang; shapes below 1 are boosted and corrected with U^(1/shape).
      if (shape < 1) return rng.gamma(shape + 1) * Math.pow(rng.next() || Number.MIN_VALUE, 1 / shape)
      const d = shape - 1 / 3
      const c = 1 / Math.sqrt(9 * d)
      for (;;) {
        let x: number
        let v: number
        do {
          x = rng.normal()
          v = 1 + c * x
        } while (v <= 0)
        v = v * v * v
        const u = rng.next()
        if (u < 1 - 0.0331 * x * x * x * x) return d * v
        if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v
      }
    },
    bytes: (length) => {
      const out = new Uint8Array(length)
      for (let i = 0; i < length; i += 4) {
        const word = nextUint32()
        for (let k = 0; k < 4 && i + k < length; k++) out[i + k] = (word >>> (8 * k)) & 0xff
      }
      return out
    },
    fork: () => rngFromState(splitmixState(nextUint32())),
  }
  return rng
}

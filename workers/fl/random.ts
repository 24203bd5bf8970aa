/**
 * Seeded randomness for everything in the FL layer that must be reproducible: data splits,
 * shard assignment, bucketing and the simulator. Never Math.random: two nodes given the same
 * seed must derive the same shards and the same buckets.
 */
import { sha256 } from '@noble/hashes/sha2.js'

export interface Rng {
  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number
  /** Uniform integer in [0, n). */
  int(n: number): number
  /** Standard normal. */
  normal(): number
  /** Gamma(shape, 1). */
  gamma(shape: number): number
}

/** xoshiro128** seeded through splitmix32, so nearby seeds give unrelated streams. */
export function createRng(seed: number): Rng {
  let s = seed >>> 0
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  const state = new Uint32Array([splitmix(), splitmix(), splitmix(), splitmix()])
  return rngFromState(state)
}

/** A stream derived from arbitrary seed bytes (a public round seed), specified by SHA-256 so other implementations can follow it. */
export function createRngFromBytes(seed: Uint8Array): Rng {
  const digest = sha256(seed)
  const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength)
  const state = new Uint32Array(4)
  for (let i = 0; i < 4; i++) state[i] = view.getUint32(i * 4, true)
  if (state.every((w) => w === 0)) state[0] = 1
  return rngFromState(state)
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
    next: () => nextUint32() / 4294967296,
    int: (n) => {
      if (!Number.isInteger(n) || n <= 0) throw new RangeError(`int(n) needs a positive integer, got ${n}`)
      // Rejection sampling keeps the result exactly uniform.
      const limit = 4294967296 - (4294967296 % n)
      for (;;) {
        const x = nextUint32()
        if (x < limit) return x % n
      }
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
  }
  return rng
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

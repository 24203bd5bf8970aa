import { describe, expect, it } from 'vitest'
import { createRng, seededBytes, shuffleInPlace } from '../../../workers/common/random'

describe('the shared seeded PRNG', () => {
  it('keeps its streams: validators derive the same splits, buckets and SecAgg+ graphs from a seed', () => {
    // Pinned values: changing them changes every deterministic data split and bucket assignment.
    const fromNumber = createRng(7)
    expect([fromNumber.uint32(), fromNumber.uint32(), fromNumber.uint32()]).toEqual([1004282400, 2200021487, 1928073449])
    const fromBytes = createRng(new TextEncoder().encode('beacon-42'))
    expect([fromBytes.uint32(), fromBytes.uint32()]).toEqual([4270507388, 3364591854])
    // A label is its UTF-8 bytes.
    expect(createRng('beacon-42').uint32()).toBe(4270507388)
  })

  it('is reproducible per seed, and nearby seeds and forks give unrelated streams', () => {
    const take = (seed: number) => Array.from({ length: 8 }, createRng(seed).uint32)
    expect(take(1)).toEqual(take(1))
    expect(take(1)).not.toEqual(take(2))
    const parent = createRng(9)
    const fork = parent.fork()
    expect(Array.from({ length: 4 }, fork.uint32)).not.toEqual(Array.from({ length: 4 }, parent.uint32))
    expect(seededBytes(3)(37)).toEqual(seededBytes(3)(37))
    expect(seededBytes(3)(37)).toHaveLength(37)
    expect(seededBytes('a')(16)).not.toEqual(seededBytes('b')(16))
  })

  it('draws within range and covers it', () => {
    const rng = createRng(11)
    const dice = Array.from({ length: 2000 }, () => rng.intBetween(1, 6))
    expect(new Set(dice)).toEqual(new Set([1, 2, 3, 4, 5, 6]))
    const below = Array.from({ length: 2000 }, () => rng.int(3))
    expect(Math.min(...below)).toBe(0)
    expect(Math.max(...below)).toBe(2)
    expect(rng.int(2 ** 32)).toBeLessThan(2 ** 32)
    expect(rng.chance(0)).toBe(false)
    expect(rng.chance(1)).toBe(true)
    expect(['x', 'y']).toContain(rng.pick(['x', 'y']))
    const items = Array.from({ length: 50 }, (_, i) => i)
    const shuffled = rng.shuffle(items)
    expect(shuffled).not.toEqual(items)
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items)
    const inPlace = Uint32Array.from(items)
    shuffleInPlace(inPlace, rng)
    expect(Array.from(inPlace).sort((a, b) => a - b)).toEqual(items)
    const normals = Array.from({ length: 4000 }, () => rng.normal())
    const mean = normals.reduce((s, x) => s + x, 0) / normals.length
    expect(Math.abs(mean)).toBeLessThan(0.1)
  })

  it('refuses impossible ranges instead of returning garbage', () => {
    const rng = createRng(1)
    expect(() => rng.int(0)).toThrow(RangeError)
    expect(() => rng.int(2 ** 32 + 1)).toThrow(RangeError)
    expect(() => rng.intBetween(5, 4)).toThrow(RangeError)
    expect(() => rng.pick([])).toThrow(RangeError)
    expect(() => rng.gamma(0)).toThrow(RangeError)
  })
})

import { describe, expect, it } from 'vitest'
import {
  aggregate,
  aggregateBucketSums,
  assignBuckets,
  type AggregationConfig,
  type AggregationInput,
  type RuleConfig,
} from '../../../workers/fl/aggregation/aggregate'
import { createRng, shuffleInPlace } from '../../../workers/common/random'

const input = (id: string, values: number[], weight = 1): AggregationInput => ({ id, vector: Float32Array.from(values), weight })
const run = (inputs: AggregationInput[], rule: RuleConfig): Float32Array => {
  const result = aggregate(inputs, { rule })
  if (!result.ok) throw new Error(result.reason)
  return result.vector
}

describe('known answers', () => {
  it('fedavg weights by sample count', () => {
    const out = run([input('a', [1, 0]), input('b', [4, 3], 2)], { rule: 'fedavg' })
    expect(Array.from(out)).toEqual([3, 2])
  })

  it('median of odd and even counts, per coordinate', () => {
    expect(Array.from(run([input('a', [1, 9]), input('b', [5, 2]), input('c', [3, 4])], { rule: 'median' }))).toEqual([3, 4])
    expect(Array.from(run([input('a', [1]), input('b', [2]), input('c', [10]), input('d', [100])], { rule: 'median' }))).toEqual([6])
  })

  it('trimmed mean drops trim values at each end', () => {
    const inputs = [0, 1, 2, 3, 1000].map((v, i) => input(`c${i}`, [v, -v]))
    expect(Array.from(run(inputs, { rule: 'trimmed-mean', trim: 1 }))).toEqual([2, -2])
  })

  it('krum picks the input closest to its n − f − 2 neighbours; multi-krum averages the m best', () => {
    const inputs = [
      input('a', [0, 0]),
      input('b', [1, 0]),
      input('c', [0, 1]),
      input('d', [1, 1]),
      input('e', [0.5, 0.5]),
      input('z', [50, 50]),
    ]
    const krum = aggregate(inputs, { rule: { rule: 'krum', f: 1 } })
    expect(krum.ok && Array.from(krum.vector)).toEqual([0.5, 0.5])
    expect(krum.ok && krum.details.selected).toEqual(['e'])
    const multi = aggregate(inputs, { rule: { rule: 'multi-krum', f: 1, m: 5 } })
    expect(multi.ok && Array.from(multi.vector)).toEqual([0.5, 0.5])
    expect(multi.ok && multi.details.selected).not.toContain('z')
  })

  it('centered clipping: mean when tau is large, clipped step when small', () => {
    const inputs = [input('a', [3, 0]), input('b', [0, 4]), input('c', [-3, -4])]
    expect(Array.from(run(inputs, { rule: 'centered-clipping', tau: 100 }))).toEqual([0, 0])
    // From center 0: distances 3, 4, 5 clipped to 1 → steps (1,0), (0,1), (−0.6,−0.8); mean of those.
    const out = run(inputs, { rule: 'centered-clipping', tau: 1 })
    expect(out[0]).toBeCloseTo(0.4 / 3, 6)
    expect(out[1]).toBeCloseTo(0.2 / 3, 6)
    const centered = run(inputs, { rule: 'centered-clipping', tau: 100, center: Float32Array.from([7, 7]) })
    expect(Array.from(centered)).toEqual([0, 0])
  })

  it('geometric median: the median on a line, the centre of a symmetric set, and resistant to one far point', () => {
    const line = run([input('a', [0]), input('b', [1]), input('c', [10])], { rule: 'geometric-median', iterations: 200, tolerance: 0 })
    expect(line[0]).toBeCloseTo(1, 2)
    const square = run([input('a', [1, 1]), input('b', [-1, 1]), input('c', [1, -1]), input('d', [-1, -1]), input('z', [0, 0])], {
      rule: 'geometric-median',
    })
    expect(Math.abs(square[0])).toBeLessThan(1e-6)
    expect(Math.abs(square[1])).toBeLessThan(1e-6)
    const attacked = run([input('a', [1, 0]), input('b', [0, 1]), input('c', [1, 1]), input('d', [0, 0]), input('z', [1e6, 1e6])], {
      rule: 'geometric-median',
      iterations: 100,
    })
    expect(Math.hypot(attacked[0] - 0.5, attacked[1] - 0.5)).toBeLessThan(1)
  })
})

describe('determinism', () => {
  const rng = createRng(7)
  const inputs = Array.from({ length: 13 }, (_, i) => ({
    id: `update-${(i * 7919) % 13}-${i}`,
    vector: Float32Array.from({ length: 257 }, () => rng.normal() * (1 + (i % 3))),
    weight: 10 + i,
  }))
  const configs: AggregationConfig[] = [
    { rule: { rule: 'fedavg' } },
    { rule: { rule: 'median' } },
    { rule: { rule: 'trimmed-mean', trim: 3 } },
    { rule: { rule: 'krum', f: 3 } },
    { rule: { rule: 'multi-krum', f: 3, m: 6 } },
    { rule: { rule: 'centered-clipping', tau: 2, iterations: 3, center: new Float32Array(257).fill(0.1) } },
    { rule: { rule: 'geometric-median', iterations: 20 } },
    { rule: { rule: 'centered-clipping', tau: 2 }, bucketing: { size: 2, seed: new Uint8Array([1, 2, 3]) } },
    { rule: { rule: 'median' }, bucketing: { size: 3, seed: new Uint8Array([9]) } },
    { rule: { rule: 'fltrust', reference: Float32Array.from({ length: 257 }, (_, j) => Math.sin(j)) } },
    {
      rule: { rule: 'fltrust', reference: Float32Array.from({ length: 257 }, (_, j) => Math.cos(j)) },
      bucketing: { size: 3, seed: new Uint8Array([4]) },
    },
  ]
  for (const config of configs) {
    const name = `${config.rule.rule}${config.bucketing ? ` + buckets of ${config.bucketing.size}` : ''}`
    it(`${name}: bit-identical under 20 permutations of the inputs`, () => {
      const reference = aggregate(inputs, config)
      if (!reference.ok) throw new Error(reference.reason)
      const bytes = (v: Float32Array): number[] => Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))
      const permutationRng = createRng(99)
      for (let trial = 0; trial < 20; trial++) {
        const shuffled = [...inputs]
        shuffleInPlace(shuffled, permutationRng)
        const again = aggregate(shuffled, config)
        if (!again.ok) throw new Error(`trial ${trial}: ${again.reason}`)
        expect(bytes(again.vector)).toEqual(bytes(reference.vector))
      }
    })
  }
})

describe('tolerance properties', () => {
  it('median and trimmed mean stay within the honest values per coordinate when f < n/2 (50 seeded trials)', () => {
    const rng = createRng(3)
    for (let trial = 0; trial < 50; trial++) {
      const n = 5 + rng.int(20)
      const f = rng.int(Math.ceil(n / 2))
      const d = 16
      const honest = Array.from({ length: n - f }, () => Float32Array.from({ length: d }, () => rng.normal()))
      const evil = Array.from({ length: f }, () => Float32Array.from({ length: d }, () => (rng.next() < 0.5 ? -1 : 1) * 1e9))
      const inputs = [...honest, ...evil].map((vector, i) => ({ id: `c${String(i).padStart(2, '0')}`, vector, weight: 1 }))
      const rules: RuleConfig[] = [{ rule: 'median' }, ...(2 * f < n ? [{ rule: 'trimmed-mean' as const, trim: f }] : [])]
      for (const rule of rules) {
        const out = run(inputs, rule)
        for (let j = 0; j < d; j++) {
          const column = honest.map((h) => h[j])
          expect(out[j]).toBeGreaterThanOrEqual(Math.min(...column))
          expect(out[j]).toBeLessThanOrEqual(Math.max(...column))
        }
      }
    }
  })

  it('krum never selects a far outlier, and centered clipping moves at most f/n·tau towards it per iteration', () => {
    const rng = createRng(4)
    const honest = Array.from({ length: 10 }, (_, i) =>
      input(
        `h${i}`,
        Array.from({ length: 8 }, () => rng.normal() * 0.1),
      ),
    )
    const evil = Array.from({ length: 3 }, (_, i) => input(`x${i}`, new Array(8).fill(1000)))
    const krum = aggregate([...honest, ...evil], { rule: { rule: 'multi-krum', f: 3, m: 8 } })
    expect(krum.ok && (krum.details.selected as string[]).every((id) => id.startsWith('h'))).toBe(true)
    const tau = 0.5
    const cc = run([...honest, ...evil], { rule: 'centered-clipping', tau })
    const honestOnly = run(honest, { rule: 'centered-clipping', tau })
    let shift = 0
    for (let j = 0; j < 8; j++) shift += (cc[j] - (honestOnly[j] * 10) / 13) ** 2
    expect(Math.sqrt(shift)).toBeLessThanOrEqual((3 / 13) * tau + 1e-6)
  })
})

describe('bucketing', () => {
  const ids = Array.from({ length: 25 }, (_, i) => `client-${i}`)
  it('partitions the ids, is fixed by the seed, and differs across seeds', () => {
    const a = assignBuckets(ids, { size: 2, seed: new Uint8Array([1]) })
    expect(a.length).toBe(13)
    expect(a.flat().sort()).toEqual([...ids].sort())
    expect(assignBuckets([...ids].reverse(), { size: 2, seed: new Uint8Array([1]) })).toEqual(a)
    expect(assignBuckets(ids, { size: 2, seed: new Uint8Array([2]) })).not.toEqual(a)
  })

  it('aggregateBucketSums on the bucket sums equals aggregate with bucketing, bit for bit', () => {
    const rng = createRng(5)
    const inputs = ids.map((id) => ({ id, vector: Float32Array.from({ length: 64 }, () => rng.normal()), weight: 1 }))
    const bucketing = { size: 3, seed: new Uint8Array([7, 7]) }
    const rule: RuleConfig = { rule: 'trimmed-mean', trim: 2 }
    const direct = aggregate(inputs, { rule, bucketing })
    const byId = new Map(inputs.map((i) => [i.id, i.vector]))
    const sums = assignBuckets(ids, bucketing).map((members) => {
      const sum = new Float64Array(64)
      for (const id of members) byId.get(id)!.forEach((x, j) => (sum[j] += x))
      return { sum, count: members.length }
    })
    const fromSums = aggregateBucketSums(sums, rule)
    if (!direct.ok || !fromSums.ok)
      throw new Error(`aggregation failed: ${direct.ok ? '' : direct.reason} ${fromSums.ok ? '' : fromSums.reason}`)
    expect(Array.from(fromSums.vector)).toEqual(Array.from(direct.vector))
  })
})

describe('input validation', () => {
  const good = [input('a', [1, 2]), input('b', [3, 4]), input('c', [5, 6])]
  it.each([
    ['no inputs', [], { rule: 'fedavg' }, /no inputs/],
    ['duplicate ids', [good[0], good[0]], { rule: 'fedavg' }, /duplicate/],
    ['length mismatch', [good[0], input('x', [1])], { rule: 'median' }, /length/],
    ['NaN value', [good[0], input('x', [NaN, 1])], { rule: 'median' }, /finite/],
    ['zero weight', [good[0], input('x', [1, 1], 0)], { rule: 'fedavg' }, /weight/],
    ['krum with too few inputs', good, { rule: 'krum', f: 1 }, /2f \+ 3/],
    ['trim too large', good, { rule: 'trimmed-mean', trim: 2 }, /trim/],
    ['bad tau', good, { rule: 'centered-clipping', tau: 0 }, /tau/],
  ] as [string, AggregationInput[], RuleConfig, RegExp][])('rejects %s with a reason', (_, inputs, rule, reason) => {
    expect(aggregate(inputs, { rule })).toMatchObject({ ok: false, reason: expect.stringMatching(reason) })
  })
})

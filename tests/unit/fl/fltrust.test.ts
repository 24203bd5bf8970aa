import { describe, expect, it } from 'vitest'
import {
  aggregate,
  aggregateBucketSums,
  assignSecureBuckets,
  SECURE_MIN_BUCKET,
  usesTrustReference,
  type AggregationInput,
} from '../../../workers/fl/aggregation/aggregate'
import { byzantineBucketShare, chooseBucketSize, DEFAULT_RULES, FALLBACK_RULES } from '../../../workers/fl/aggregation/defaults'
import { createRng } from '../../../workers/common/random'

const input = (id: string, values: number[]): AggregationInput => ({ id, vector: Float32Array.from(values), weight: 1 })
const fltrust = (inputs: AggregationInput[], reference: number[]) => {
  const result = aggregate(inputs, { rule: { rule: 'fltrust', reference: Float32Array.from(reference) } })
  if (!result.ok) throw new Error(result.reason)
  return result
}

describe('FLTrust (Cao et al., NDSS 2021)', () => {
  it('weights by ReLU(cos) to the reference and rescales every input to the reference norm', () => {
    // a: cos 1, norm 10 → [2, 0]; b: cos 1/√2, norm √2 → √2·[1, 1]; c: cos −1 → no trust.
    const result = fltrust([input('a', [10, 0]), input('b', [1, 1]), input('c', [-5, 0])], [2, 0])
    const ts = [1, Math.SQRT1_2]
    const expected = [(ts[0] * 2 + ts[1] * Math.SQRT2) / (ts[0] + ts[1]), (ts[1] * Math.SQRT2) / (ts[0] + ts[1])]
    expect(result.vector[0]).toBeCloseTo(expected[0], 6)
    expect(result.vector[1]).toBeCloseTo(expected[1], 6)
    expect(result.details.trusted).toBe(2)
  })

  it('a Byzantine input cannot gain influence by its norm, nor by pointing away from the reference', () => {
    const honest = [input('h1', [1, 0.2]), input('h2', [0.8, -0.1]), input('h3', [1.2, 0])]
    const base = fltrust(honest, [1, 0]).vector
    const huge = fltrust([...honest, input('z', [1e6, 1e6])], [1, 0]).vector
    // Scaled to ‖g0‖ = 1, the huge input moves the aggregate by less than ‖g0‖.
    expect(Math.hypot(huge[0] - base[0], huge[1] - base[1])).toBeLessThan(1)
    const opposite = fltrust([...honest, input('y', [-1e6, -3])], [1, 0]).vector
    expect(Array.from(opposite)).toEqual(Array.from(base))
  })

  it('the aggregate is never longer than the reference (seeded trials)', () => {
    const rng = createRng(11)
    for (let trial = 0; trial < 30; trial++) {
      const reference = Array.from({ length: 20 }, () => rng.normal())
      const inputs = Array.from({ length: 9 }, (_, i) =>
        input(
          `x${i}`,
          Array.from({ length: 20 }, () => rng.normal() * 10 ** (i % 4)),
        ),
      )
      const out = fltrust(inputs, reference).vector
      expect(Math.hypot(...out)).toBeLessThanOrEqual(Math.hypot(...reference) * (1 + 1e-6))
    }
  })

  it('no trusted input: a zero step rather than a division by zero', () => {
    const result = fltrust([input('a', [-1, 0]), input('b', [0, 0])], [1, 0])
    expect(Array.from(result.vector)).toEqual([0, 0])
    expect(result.details.trusted).toBe(0)
  })

  it('rejects a missing, zero, wrong-length or non-finite reference with a reason', () => {
    const inputs = [input('a', [1, 0])]
    for (const reference of [new Float32Array(2), new Float32Array(3).fill(1), Float32Array.from([NaN, 1])]) {
      const result = aggregate(inputs, { rule: { rule: 'fltrust', reference } })
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.reason).toMatch(/reference/)
    }
  })

  it('secure mode: FLTrust over bucket sums equals FLTrust over the plain bucket means, bit for bit', () => {
    const rng = createRng(5)
    const inputs = Array.from({ length: 11 }, (_, i) =>
      input(
        `c${String(i).padStart(2, '0')}`,
        Array.from({ length: 64 }, () => rng.normal()),
      ),
    )
    const reference = Float32Array.from({ length: 64 }, () => rng.normal())
    const bucketing = { size: 3, seed: new Uint8Array([7, 7]) }
    const buckets = assignSecureBuckets(
      inputs.map((i) => i.id),
      bucketing,
    )
    expect(buckets.map((b) => b.length)).toEqual([3, 3, 5]) // the remainder of 2 joins the last bucket
    const byId = new Map(inputs.map((i) => [i.id, i.vector]))
    const sums = buckets.map((members) => {
      const sum = new Float64Array(64)
      for (const id of members) byId.get(id)!.forEach((x, j) => (sum[j] += x))
      return { sum, count: members.length }
    })
    const secure = aggregateBucketSums(sums, { rule: 'fltrust', reference })
    const means = sums.map((b, k) => ({ id: `bucket-${k}`, vector: Float32Array.from(b.sum, (x) => x / b.count), weight: b.count }))
    const plain = aggregate(means, { rule: { rule: 'fltrust', reference } })
    expect(secure.ok && plain.ok).toBe(true)
    if (secure.ok && plain.ok) expect(Array.from(secure.vector)).toEqual(Array.from(plain.vector))
  })
})

describe("FLTrust, variant 'clipped'", () => {
  const clipped = (inputs: AggregationInput[], reference: number[]) => {
    const result = aggregate(inputs, { rule: { rule: 'fltrust', reference: Float32Array.from(reference), variant: 'clipped' } })
    if (!result.ok) throw new Error(result.reason)
    return result
  }

  it('clips long inputs, never lengthens short ones, and steps exactly as far as the reference', () => {
    // a: cos 1, norm 10 → clipped to [2, 0]; b: cos 1/√2, norm √2 < 2 → kept as is; c: no trust.
    const result = clipped([input('a', [10, 0]), input('b', [1, 1]), input('c', [-5, 0])], [2, 0])
    const ts = [1, Math.SQRT1_2]
    const direction = [ts[0] * 2 + ts[1] * 1, ts[1] * 1]
    const scale = 2 / Math.hypot(direction[0], direction[1])
    expect(result.vector[0]).toBeCloseTo(direction[0] * scale, 6)
    expect(result.vector[1]).toBeCloseTo(direction[1] * scale, 6)
    expect(result.details.trusted).toBe(2)
  })

  it('a tiny input keeps its tiny weight: IPM-style −ε·mean gains nothing by being short', () => {
    // The paper's FLTrust lifts a short trusted input to ‖g0‖; clipping does not.
    const honest = [input('h1', [1, 0.4]), input('h2', [1, -0.4])]
    const sneaky = input('z', [1e-4, 1e-3]) // barely trusted (cos ≈ 0.1), and short
    const paper = aggregate([...honest, sneaky], { rule: { rule: 'fltrust', reference: Float32Array.from([1, 0]) } })
    const clip = clipped([...honest, sneaky], [1, 0])
    const base = clipped(honest, [1, 0])
    expect(paper.ok && Math.abs(paper.vector[1])).toBeGreaterThan(0.02)
    expect(Math.abs(clip.vector[1] - base.vector[1])).toBeLessThan(1e-3)
  })

  it('the step always has the reference norm and points within 90° of it (seeded trials)', () => {
    const rng = createRng(12)
    for (let trial = 0; trial < 30; trial++) {
      const reference = Array.from({ length: 20 }, () => rng.normal())
      const inputs = Array.from({ length: 9 }, (_, i) =>
        input(
          `x${i}`,
          Array.from({ length: 20 }, () => rng.normal() * 10 ** ((i % 5) - 2)),
        ),
      )
      const result = clipped(inputs, reference)
      const out = Array.from(result.vector)
      if (result.details.trusted === 0) {
        expect(out.every((x) => x === 0)).toBe(true)
        continue
      }
      expect(Math.hypot(...out)).toBeCloseTo(Math.hypot(...reference), 4)
      expect(out.reduce((s, x, j) => s + x * reference[j], 0)).toBeGreaterThan(0)
    }
  })

  it('is deterministic and independent of input order, and rejects an unknown variant', () => {
    const rng = createRng(13)
    const inputs = Array.from({ length: 7 }, (_, i) =>
      input(
        `c${i}`,
        Array.from({ length: 33 }, () => rng.normal()),
      ),
    )
    const reference = Array.from({ length: 33 }, () => rng.normal())
    expect(Array.from(clipped([...inputs].reverse(), reference).vector)).toEqual(Array.from(clipped(inputs, reference).vector))
    const bad = aggregate(inputs, {
      rule: { rule: 'fltrust', reference: Float32Array.from(reference), variant: 'stretch' as unknown as 'clipped' },
    })
    expect(bad).toMatchObject({ ok: false, reason: expect.stringContaining('variant') })
  })
})

describe("FLTrust, variant 'clipped-mean'", () => {
  const run = (inputs: AggregationInput[], reference: number[], variant: 'clipped' | 'clipped-mean', trust?: number[]) => {
    const result = aggregate(inputs, {
      rule: {
        rule: 'fltrust',
        reference: Float32Array.from(reference),
        variant,
        ...(trust ? { trustReference: Float32Array.from(trust) } : {}),
      },
    })
    if (!result.ok) throw new Error(result.reason)
    return result
  }

  it("is the trust-weighted mean of the clipped inputs, at that mean's own length", () => {
    // a: cos 1, norm 10 → clipped to [2, 0]; b: cos 1/√2, norm √2 < 2 → kept; c: no trust.
    const result = run([input('a', [10, 0]), input('b', [1, 1]), input('c', [-5, 0])], [2, 0], 'clipped-mean')
    const ts = [1, Math.SQRT1_2]
    expect(result.vector[0]).toBeCloseTo((ts[0] * 2 + ts[1] * 1) / (ts[0] + ts[1]), 6)
    expect(result.vector[1]).toBeCloseTo((ts[1] * 1) / (ts[0] + ts[1]), 6)
    expect(result.details.trusted).toBe(2)
  })

  it('steps as far as the trusted inputs agree: disagreeing updates give a short step, where clipped stretches it', () => {
    // Two trusted updates at ±80° from the reference: their mean is short, 'clipped' scales it to ‖g0‖ = 1.
    const angle = (80 * Math.PI) / 180
    const inputs = [input('u', [Math.cos(angle), Math.sin(angle)]), input('v', [Math.cos(angle), -Math.sin(angle)])]
    const mean = run(inputs, [1, 0], 'clipped-mean')
    const stretched = run(inputs, [1, 0], 'clipped')
    expect(Math.hypot(...mean.vector)).toBeCloseTo(Math.cos(angle), 6)
    expect(Math.hypot(...stretched.vector)).toBeCloseTo(1, 6)
  })

  it('is never longer than the reference, and within 90° of the trust reference (seeded trials)', () => {
    const rng = createRng(21)
    for (let trial = 0; trial < 30; trial++) {
      const reference = Array.from({ length: 20 }, () => rng.normal())
      const trust = Array.from({ length: 20 }, () => rng.normal())
      const inputs = Array.from({ length: 9 }, (_, i) =>
        input(
          `x${i}`,
          Array.from({ length: 20 }, () => rng.normal() * 10 ** ((i % 5) - 2)),
        ),
      )
      const out = Array.from(run(inputs, reference, 'clipped-mean', trust).vector)
      expect(Math.hypot(...out)).toBeLessThanOrEqual(Math.hypot(...reference) * (1 + 1e-6))
      if (out.some((x) => x !== 0)) expect(out.reduce((sum, x, j) => sum + x * trust[j], 0)).toBeGreaterThan(0)
    }
  })

  it('takes trust from the trust reference, as clipped does', () => {
    expect(usesTrustReference('clipped-mean')).toBe(true)
    expect(usesTrustReference('clipped')).toBe(true)
    expect(usesTrustReference('paper')).toBe(false)
    // An input against g0 but along t is trusted: trust comes from t.
    const result = run([input('a', [0, 1])], [1, 0], 'clipped-mean', [0, 1])
    expect(result.details.trusted).toBe(1)
    expect(Array.from(result.vector)).toEqual([0, 1])
  })
})

describe('defaults and bucket size', () => {
  it('the task defaults are FLTrust in both modes, with held-out-free fallbacks', () => {
    expect(DEFAULT_RULES).toEqual({ robust: 'fltrust', secure: 'fltrust' })
    expect(FALLBACK_RULES.robust).not.toBe('fltrust')
    expect(FALLBACK_RULES.secure).not.toBe('fltrust')
  })

  it('secure mode uses the smallest bucket that hides its members, for any rule', () => {
    for (const rule of ['fltrust', 'centered-clipping', 'median'] as const)
      expect(chooseBucketSize({ n: 25, f: 5, mode: 'secure', rule })).toBe(SECURE_MIN_BUCKET)
    expect(() => chooseBucketSize({ n: 2, f: 0, mode: 'secure', rule: 'fltrust' })).toThrow(/at least 3/)
  })

  it('robust mode: no bucketing for FLTrust and FedAvg, s ≤ δ_max/δ with a Byzantine-minority of buckets for majority rules', () => {
    expect(chooseBucketSize({ n: 25, f: 5, mode: 'robust', rule: 'fltrust' })).toBe(1)
    expect(chooseBucketSize({ n: 25, f: 5, mode: 'robust', rule: 'fedavg' })).toBe(1)
    expect(chooseBucketSize({ n: 25, f: 5, mode: 'robust', rule: 'centered-clipping' })).toBe(2) // ⌊0.5·25/5⌋ = 2, 5 < 0.5·13
    expect(chooseBucketSize({ n: 25, f: 0, mode: 'robust', rule: 'centered-clipping' })).toBe(1)
    expect(chooseBucketSize({ n: 100, f: 5, mode: 'robust', rule: 'median' })).toBe(9) // cap 10 leaves 10 buckets, 5 < 5 fails; 9 → 12 buckets
    expect(chooseBucketSize({ n: 100, f: 5, mode: 'robust', rule: 'krum' })).toBe(8) // Krum keeps ≥ 2f + 3 = 13 buckets (⌈100/8⌉ = 13)
    expect(chooseBucketSize({ n: 25, f: 12, mode: 'robust', rule: 'median' })).toBe(1)
    for (let n = 5; n <= 60; n++)
      for (let f = 1; f < n / 2; f++) {
        const s = chooseBucketSize({ n, f, mode: 'robust', rule: 'trimmed-mean' })
        if (s > 1) expect(byzantineBucketShare({ n, f, size: s, mode: 'robust' })).toBeLessThan(0.5)
      }
  })

  it('byzantineBucketShare counts merged secure remainders', () => {
    expect(byzantineBucketShare({ n: 25, f: 5, size: 3, mode: 'secure' })).toBe(5 / 8)
    expect(byzantineBucketShare({ n: 25, f: 5, size: 2, mode: 'robust' })).toBe(5 / 13)
    expect(byzantineBucketShare({ n: 25, f: 5, size: 1, mode: 'robust' })).toBe(0.2)
  })
})

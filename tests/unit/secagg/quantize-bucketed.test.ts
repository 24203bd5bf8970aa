import { describe, expect, it } from 'vitest'
import { aggregateBucketSums } from '../../../workers/fl/aggregation/aggregate'
import { combineBuckets, planBuckets } from '../../../workers/secagg/bucketed'
import { runLocalRound, type Phase } from '../../../workers/secagg/local-round'
import { applyMask, addRing } from '../../../workers/secagg/prg'
import { noblePrimitives } from '../../../workers/secagg/primitives'
import { decodeSum, encode, quantization, sumErrorBound } from '../../../workers/secagg/quantize'
import { seededBytes } from '../../../workers/common/random'
import { clientRandom, doneResult, makeCohort, makeInputs } from './fixtures'

describe('fixed-point encoding in Z_2^32', () => {
  for (const [n, bound] of [
    [2, 1],
    [10, 0.05],
    [100, 1],
    [255, 8],
  ] as const) {
    it(`decodes a sum of ${n} inputs within n/(2·scale), bound ${bound}, extremes included`, () => {
      const q = quantization(bound, n)
      const inputs = makeInputs(n, 256, `q-${n}`, bound * 1.2)
      // The worst cases for overflow: every client at +bound, and every client at −bound.
      inputs[0].fill(bound, 0, 8)
      for (const v of inputs) {
        v.fill(bound, 8, 12)
        v.fill(-bound, 12, 16)
      }
      const acc = new Uint32Array(256)
      for (const v of inputs) addRing(acc, encode(v, q).ring)
      const sum = decodeSum(acc, q)
      const bound_ = sumErrorBound(q, n)
      let worst = 0
      for (let j = 0; j < 256; j++) {
        let plain = 0
        for (const v of inputs) plain += Math.max(-bound, Math.min(bound, v[j]))
        worst = Math.max(worst, Math.abs(plain - sum[j]))
      }
      expect(worst).toBeLessThanOrEqual(bound_)
      // No wrap-around at the extremes: n·bound decodes as itself, not as a negative number.
      expect(Math.abs(sum[9] - n * bound)).toBeLessThanOrEqual(bound_)
      expect(Math.abs(sum[13] + n * bound)).toBeLessThanOrEqual(bound_)
    })
  }

  it('reports clamped coordinates', () => {
    expect(encode(Float32Array.of(0.5, 2, -3, 1), quantization(1, 4)).clamped).toBe(2)
  })

  it('masks cancel exactly: +PRG(seed) − PRG(seed) is the identity, across chunk boundaries', () => {
    const v = encode(makeInputs(1, 40_000, 'mask')[0], quantization(1, 3)).ring
    const copy = v.slice()
    const seed = seededBytes('seed')(32)
    applyMask(v, seed, 1, noblePrimitives)
    expect(v).not.toEqual(copy)
    applyMask(v, seed, -1, noblePrimitives)
    expect(v).toEqual(copy)
  })
})

describe("bucketed secure aggregation (Karimireddy et al. 2022) with the FL engine's median", () => {
  const n = 15
  const d = 16
  const cohort = makeCohort(n, 'buckets')
  const honestMean = Float32Array.from({ length: d }, (_, j) => 0.5 * Math.sin(j + 1))
  const noise = makeInputs(n, d, 'bucket-noise', 0.05)
  const byzantine = new Set([4, 11])
  const inputs = noise.map((e, i) => Float32Array.from(e, (x, j) => (byzantine.has(i) ? -8 * honestMean[j] : honestMean[j] + x)))
  const seed = new TextEncoder().encode('public-beacon-9')
  const plan = planBuckets({
    roundId: new TextEncoder().encode('round-b'),
    cohort: cohort.publicKeys,
    seed,
    bucketSize: 3,
    threshold: () => 2,
    vectorLength: d,
    bound: 8,
  })

  it('splits the cohort into disjoint buckets fixed by the public seed', () => {
    expect(plan.map((b) => b.members.length)).toEqual([3, 3, 3, 3, 3])
    expect(plan.flatMap((b) => b.members).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i))
    const again = planBuckets({
      roundId: new TextEncoder().encode('round-b'),
      cohort: cohort.publicKeys,
      seed,
      bucketSize: 3,
      threshold: () => 2,
      vectorLength: d,
      bound: 8,
    })
    expect(again.map((b) => b.members)).toEqual(plan.map((b) => b.members))
    // Each bucket is its own round: distinct round ids bind its keys and signatures.
    expect(new Set(plan.map((b) => Buffer.from(b.params.roundId).toString('hex'))).size).toBe(5)
  })

  it('stays near the honest mean with sign-flipped, scaled inputs, where the plain mean does not', async () => {
    const results = []
    for (const [b, bucket] of plan.entries()) {
      // One honest client in the first bucket drops before masking; its bucket still completes.
      const drops = new Map<number, Phase>(b === 0 ? [[bucket.members.findIndex((m) => !byzantine.has(m)), 'mask']] : [])
      const report = await runLocalRound({
        params: bucket.params,
        identitySecretKeys: bucket.members.map((m) => cohort.secretKeys[m]),
        inputs: bucket.members.map((m) => inputs[m]),
        random: clientRandom(`bucket-${b}`),
        dropBefore: drops,
      })
      results.push(doneResult(report.outcome, `bucket ${b}`))
    }
    const robust = combineBuckets(results, (buckets) => aggregateBucketSums(buckets, { rule: 'median' }))
    if (!robust.ok) throw new Error(`bucketed median failed: ${robust.reason}`)
    expect(robust.buckets).toBe(plan.length)
    const distance = (v: ArrayLike<number>) => Math.hypot(...Array.from(honestMean, (m, j) => v[j] - m))
    const plainMean = Array.from(honestMean, (_, j) => inputs.reduce((s, v) => s + v[j], 0) / n)
    expect(distance(robust.vector)).toBeLessThan(0.15)
    expect(distance(plainMean)).toBeGreaterThan(1)
  })

  it('never leaves a bucket too small to hide its members: a short remainder joins the bucket before it', () => {
    const sixteen = makeCohort(16, 'buckets-16')
    const plan16 = planBuckets({
      roundId: new TextEncoder().encode('round-c'),
      cohort: sixteen.publicKeys,
      seed,
      bucketSize: 3,
      threshold: (m) => Math.floor(m / 2) + 1,
      vectorLength: d,
      bound: 8,
    })
    // 16 = 5·3 + 1: the lone remainder would be published as one client's own update.
    expect(plan16.map((b) => b.members.length)).toEqual([3, 3, 3, 3, 4])
    expect(plan16.flatMap((b) => b.members).sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i))
    expect(plan16[4].params.cohort).toHaveLength(4)
    expect(plan16[4].params.threshold).toBe(3)
    expect(() =>
      planBuckets({
        roundId: seed,
        cohort: sixteen.publicKeys.slice(0, 2),
        seed,
        bucketSize: 3,
        threshold: () => 2,
        vectorLength: d,
        bound: 8,
      }),
    ).toThrow(/cannot fill one bucket of 3/)
  })

  it('leaves out a bucket that aborted, and says so when none completed', () => {
    const done = { sum: new Float64Array([3, 3]), included: [0, 1, 2], errorBound: 0 }
    const rule = (b: readonly { sum: Float64Array; count: number }[]) => aggregateBucketSums(b, { rule: 'median' })
    expect(combineBuckets([done, null], rule)).toMatchObject({ ok: true, buckets: 1, vector: Float32Array.of(1, 1) })
    expect(combineBuckets([null, null], rule)).toEqual({ ok: false, reason: 'no bucket completed' })
  })
})

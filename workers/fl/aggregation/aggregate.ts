/**
 * The aggregation entry point: checks inputs, optionally buckets them (Karimireddy, He & Jaggi,
 * ICLR 2022), then applies a rule. Bucketing shuffles the canonical order with a public seed,
 * averages buckets of `size` inputs, and applies the rule across bucket means; secure
 * aggregation, which only ever sees bucket sums, calls aggregateBucketSums directly.
 */
import { createRng, shuffleInPlace } from '../../common/random'
import { applyRule, canonicalOrder, checkInputs, type AggregationInput, type AggregationResult, type RuleConfig } from './rules'

export * from './rules'

export interface Bucketing {
  /** Inputs per bucket (s); the last bucket takes the remainder. */
  readonly size: number
  /** Public randomness for the round, e.g. a beacon or the previous commit's hash. */
  readonly seed: Uint8Array
}

export interface AggregationConfig {
  readonly rule: RuleConfig
  readonly bucketing?: Bucketing
}

export function aggregate(inputs: readonly AggregationInput[], config: AggregationConfig): AggregationResult {
  if (!config.bucketing) {
    const problem = checkInputs(inputs, config.rule)
    return problem ? { ok: false, reason: problem } : { ok: true, ...applyRule(inputs, config.rule) }
  }
  const problem = checkInputs(inputs, { rule: 'fedavg' })
  if (problem) return { ok: false, reason: problem }
  const bucketProblem = checkBucketing(config.bucketing)
  if (bucketProblem) return { ok: false, reason: bucketProblem }
  const byId = new Map(inputs.map((i) => [i.id, i]))
  const buckets = assignBuckets(
    inputs.map((i) => i.id),
    config.bucketing,
  ).map((members) => {
    const sum = new Float64Array(inputs[0].vector.length)
    for (const id of members) {
      const v = byId.get(id)!.vector
      for (let j = 0; j < v.length; j++) sum[j] += v[j]
    }
    return { sum, count: members.length }
  })
  const result = aggregateBucketSums(buckets, config.rule)
  if (!result.ok) return result
  return { ...result, order: canonicalOrder(inputs).map((i) => i.id) }
}

/** Buckets of ids: canonical order, shuffled by the seed, cut into consecutive groups of `size`. */
export function assignBuckets(ids: readonly string[], bucketing: Bucketing): string[][] {
  const problem = checkBucketing(bucketing)
  if (problem) throw new RangeError(problem)
  const order = [...ids].sort()
  shuffleInPlace(order, createRng(bucketing.seed))
  const buckets: string[][] = []
  for (let start = 0; start < order.length; start += bucketing.size) buckets.push(order.slice(start, start + bucketing.size).sort())
  return buckets
}

/**
 * Buckets as secure mode forms them: assignBuckets, except that a last bucket smaller than
 * `minSize` (whose sum would reveal its one or two members) joins the bucket before it.
 */
export function assignSecureBuckets(ids: readonly string[], bucketing: Bucketing, minSize = SECURE_MIN_BUCKET): string[][] {
  const buckets = assignBuckets(ids, bucketing)
  if (buckets.length > 1 && buckets[buckets.length - 1].length < minSize) {
    const remainder = buckets.pop()!
    buckets[buckets.length - 1] = [...buckets[buckets.length - 1], ...remainder].sort()
  }
  return buckets
}

/** The smallest bucket secure aggregation forms: a sum of one or two updates reveals them. */
export const SECURE_MIN_BUCKET = 3

/**
 * A robust rule across buckets given only their sums and sizes, in assignBuckets order.
 * Each bucket mean is rounded to float32 before the rule sees it, exactly as `aggregate` does.
 */
export function aggregateBucketSums(
  buckets: readonly { sum: Float32Array | Float64Array; count: number }[],
  rule: RuleConfig,
): AggregationResult {
  if (buckets.length === 0) return { ok: false, reason: 'no buckets' }
  if (buckets.some((b) => !Number.isInteger(b.count) || b.count < 1))
    return { ok: false, reason: 'bucket count must be a positive integer' }
  const width = String(buckets.length).length
  const means: AggregationInput[] = buckets.map((b, index) => {
    const mean = new Float32Array(b.sum.length)
    for (let j = 0; j < mean.length; j++) mean[j] = b.sum[j] / b.count
    return { id: `bucket-${String(index).padStart(width, '0')}`, vector: mean, weight: b.count }
  })
  const problem = checkInputs(means, rule)
  if (problem) return { ok: false, reason: `across buckets: ${problem}` }
  return { ok: true, ...applyRule(means, rule) }
}

function checkBucketing(b: Bucketing): string | null {
  if (!Number.isInteger(b.size) || b.size < 1) return 'bucket size must be a positive integer'
  if (!(b.seed instanceof Uint8Array) || b.seed.length === 0) return 'bucketing needs seed bytes'
  return null
}

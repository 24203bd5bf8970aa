/**
 * Bucketed secure aggregation (Karimireddy, He & Jaggi, ICLR 2022): the cohort is cut into
 * random buckets, each bucket runs its own secure-aggregation round, and a robust rule is
 * applied across the bucket means. The aggregator learns only bucket sums, and a few Byzantine
 * trainers can spoil only the buckets they land in, which the robust rule then outvotes.
 *
 * Buckets come from the FL engine's assignBuckets (the same public seed gives the same buckets
 * in plain and secure mode, except that a remainder too small to hide anyone joins the bucket
 * before it); the rule is injected, e.g. the FL engine's aggregateBucketSums.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { assignSecureBuckets } from '../fl/aggregation/aggregate'
import type { SecAggResult } from './aggregator'
import { concatBytes } from '@noble/hashes/utils.js'
import type { GraphSpec, RoundParams } from './params'
import { hex } from '../common/bytes'

/** A robust rule over bucket sums and their sizes, e.g. `(b) => aggregateBucketSums(b, { rule: 'median' })`. */
export type BucketRule = (
  buckets: readonly { sum: Float64Array; count: number }[],
) => { readonly ok: true; readonly vector: Float32Array } | { readonly ok: false; readonly reason: string }

export interface BucketPlanOptions {
  readonly roundId: Uint8Array
  /** The whole round's cohort (identity keys). */
  readonly cohort: readonly Uint8Array[]
  /** Public randomness of the round; fixes the buckets. */
  readonly seed: Uint8Array
  readonly bucketSize: number
  /** Shamir threshold of a bucket of the given size. */
  readonly threshold: (bucketSize: number) => number
  readonly vectorLength: number
  readonly bound: number
  /**
   * No bucket may be smaller (default 3): a bucket sum of one client is that client's update, and
   * of two it is the other's to either member. A shorter remainder joins the bucket before it.
   */
  readonly minBucketSize?: number
}

export interface BucketPlan {
  /** Indices into the round's cohort, per bucket. */
  readonly members: readonly number[]
  /** The bucket's own secure-aggregation round; its cohort is `members` in that order. */
  readonly params: RoundParams
}

/** Throws on a cohort smaller than one minimal bucket: that is the host's configuration error. */
export function planBuckets(o: BucketPlanOptions): BucketPlan[] {
  const minSize = o.minBucketSize ?? 3
  if (!Number.isInteger(minSize) || minSize < 2 || o.bucketSize < minSize)
    throw new RangeError(`bucketSize ${o.bucketSize} and minBucketSize ${minSize} must satisfy 2 ≤ minBucketSize ≤ bucketSize`)
  if (o.cohort.length < minSize) throw new RangeError(`a cohort of ${o.cohort.length} cannot fill one bucket of ${minSize}`)
  const indexOf = new Map(o.cohort.map((key, i) => [hex(key), i]))
  const complete: GraphSpec = { kind: 'complete' }
  const buckets = assignSecureBuckets(o.cohort.map(hex), { size: o.bucketSize, seed: o.seed }, minSize)
  return buckets.map((ids, bucket) => {
    const members = ids.map((id) => indexOf.get(id)!)
    const roundId = sha256(
      concatBytes(new TextEncoder().encode('agent-mesh/secagg/v1/bucket'), o.roundId, new Uint8Array(new Uint32Array([bucket]).buffer)),
    )
    return {
      members,
      params: {
        roundId,
        cohort: members.map((m) => o.cohort[m]),
        threshold: o.threshold(members.length),
        vectorLength: o.vectorLength,
        bound: o.bound,
        graph: complete,
      },
    }
  })
}

/**
 * The robust aggregate across buckets that completed. Aborted buckets (null) are left out: their
 * members' updates are lost for this round, which the rule tolerates like any missing input.
 */
export function combineBuckets(
  results: readonly (SecAggResult | null)[],
  rule: BucketRule,
): { ok: true; vector: Float32Array; buckets: number } | { ok: false; reason: string } {
  const finished = results.filter((r): r is SecAggResult => r !== null && r.included.length > 0)
  if (finished.length === 0) return { ok: false, reason: 'no bucket completed' }
  const outcome = rule(finished.map((r) => ({ sum: r.sum, count: r.included.length })))
  return outcome.ok ? { ok: true, vector: outcome.vector, buckets: finished.length } : outcome
}

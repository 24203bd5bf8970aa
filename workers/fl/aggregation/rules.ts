/**
 * Aggregation rules over flat float32 vectors. Every rule is deterministic: inputs are put in
 * canonical order (by id, the content hash) before any arithmetic, sums run in a fixed order
 * with float64 accumulators, and ties break by that order. So the same set of inputs, given in
 * any order, yields a bit-identical result that validators can recompute.
 *
 * Robust rules ignore the claimed sample counts (a Byzantine client would inflate its own);
 * only FedAvg weights by them.
 */

export interface AggregationInput {
  /** Canonical identity, e.g. the hex SHA-256 of the encoded update. Unique. */
  readonly id: string
  readonly vector: Float32Array
  /** Sample count; used by FedAvg only. */
  readonly weight: number
}

export type RuleConfig =
  | { readonly rule: 'fedavg' }
  | { readonly rule: 'median' }
  /** Drops the `trim` largest and `trim` smallest values of each coordinate. */
  | { readonly rule: 'trimmed-mean'; readonly trim: number }
  /** Blanchard et al. 2017; `f` is the number of Byzantine inputs tolerated. */
  | { readonly rule: 'krum'; readonly f: number }
  /** The mean of the `m` inputs with the best Krum scores. */
  | { readonly rule: 'multi-krum'; readonly f: number; readonly m: number }
  /**
   * Karimireddy et al. 2021: v ← v + mean_i clip_tau(x_i − v), `iterations` times, from `center`
   * (the previous round's aggregate, which plays the role of the momentum; zeros if absent).
   */
  | { readonly rule: 'centered-clipping'; readonly tau: number; readonly iterations?: number; readonly center?: Float32Array }
  /** Smoothed Weiszfeld iterations (RFA, Pillutla et al. 2022), starting from the mean; stops when a step moves less than tolerance × |z|. */
  | { readonly rule: 'geometric-median'; readonly iterations?: number; readonly epsilon?: number; readonly tolerance?: number }
  /**
   * FLTrust (Cao et al., NDSS 2021): trust bootstrapping from a reference update g0 the
   * aggregator and validators compute on clean held-out data (workers/fl/model/reference.ts).
   * Each input gets trust ReLU(cos(x_i, t)) with t = `trustReference` (absent: g0); the result
   * is the trust-weighted mean of the inputs, scaled as `variant` says (FlTrustVariant). An
   * honest majority is not needed, and inputs may be bucket means (secure mode).
   */
  | {
      readonly rule: 'fltrust'
      readonly reference: Float32Array
      readonly variant?: FlTrustVariant
      readonly trustReference?: Float32Array
    }

/**
 * Which FLTrust (absent: 'paper'); measured in `npm run bench -- robustness` (README,
 * "Robustness against Byzantine trainers").
 * - 'paper': trust against g0, a trainer's local run on the root data, and every trusted input
 *   rescaled to ‖g0‖. A short input — IPM's −ε·mean, or an honest update that barely moved —
 *   then weighs as much as a full step, and the aggregate of diverse unit directions is much
 *   shorter than ‖g0‖ (at the sorted split FLTrust lost 3.5 points with no attack at all).
 * - 'clipped': trust against t, one step on all the root data at once (the least noisy
 *   direction the clean data gives: against a one-batch g0, Fang et al.'s trimmed-mean attack
 *   won trust in many rounds at the sorted split); every trusted input clipped to ‖g0‖ (never
 *   lengthened); and the aggregate, a positive combination of inputs each within 90° of t and
 *   so itself within 90° of it, scaled to ‖g0‖: the clean data sets the step's length and
 *   vets its direction, the trusted inputs give it.
 * - 'clipped-mean': trust against t and every trusted input clipped to ‖g0‖, as 'clipped', and
 *   the aggregate is their trust-weighted mean, at its own length: never longer than ‖g0‖, and
 *   shorter as far as the trusted inputs disagree, as a mean of updates is. 'clipped' stretches
 *   it to ‖g0‖, the length of one run, which under a mesh task's local training made its step
 *   1.6–2.5× FedAvg's in FedAvg's direction and cost 12 points at IID (README, "The default rule
 *   under a mesh task's own local training").
 */
export const FLTRUST_VARIANTS = ['paper', 'clipped', 'clipped-mean'] as const
export type FlTrustVariant = (typeof FLTRUST_VARIANTS)[number]

export function isFlTrustVariant(name: string): name is FlTrustVariant {
  return (FLTRUST_VARIANTS as readonly string[]).includes(name)
}

/** The variants that take trust against the trust reference t (one step on all the root data). */
export function usesTrustReference(variant: FlTrustVariant): boolean {
  return variant !== 'paper'
}

export type RuleName = RuleConfig['rule']

export interface RuleOutcome {
  readonly vector: Float32Array
  /** Ids in the canonical order the rule used. */
  readonly order: readonly string[]
  /** Rule-specific facts a validator or a report may want (selected ids, iterations, …). */
  readonly details: Record<string, number | string | string[]>
}

export type AggregationResult = ({ ok: true } & RuleOutcome) | { ok: false; reason: string }

export function canonicalOrder<T extends { id: string }>(inputs: readonly T[]): T[] {
  return [...inputs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/** Checks inputs and config; returns a reason instead of throwing. */
export function checkInputs(inputs: readonly AggregationInput[], config: RuleConfig): string | null {
  if (inputs.length === 0) return 'no inputs'
  const length = inputs[0].vector.length
  const ids = new Set<string>()
  for (const input of inputs) {
    if (typeof input.id !== 'string' || input.id.length === 0) return 'every input needs an id'
    if (ids.has(input.id)) return `duplicate input ${input.id}`
    ids.add(input.id)
    if (!(input.vector instanceof Float32Array)) return `${input.id}: vector must be a Float32Array`
    if (input.vector.length !== length) return `${input.id}: length ${input.vector.length}, expected ${length}`
    if (!(input.weight > 0) || !Number.isFinite(input.weight)) return `${input.id}: weight must be positive and finite`
    const v = input.vector
    for (let j = 0; j < v.length; j++) if (!Number.isFinite(v[j])) return `${input.id}: value ${j} is not finite`
  }
  const n = inputs.length
  switch (config.rule) {
    case 'trimmed-mean':
      if (!Number.isInteger(config.trim) || config.trim < 0 || 2 * config.trim >= n) return `trim must be an integer with 2·trim < n (${n})`
      break
    case 'krum':
    case 'multi-krum':
      if (!Number.isInteger(config.f) || config.f < 0 || n < 2 * config.f + 3) return `krum needs n ≥ 2f + 3 (n = ${n}, f = ${config.f})`
      if (config.rule === 'multi-krum' && (!Number.isInteger(config.m) || config.m < 1 || config.m > n)) return `m must be in [1, ${n}]`
      break
    case 'centered-clipping':
      if (!(config.tau > 0) || !Number.isFinite(config.tau)) return 'tau must be positive'
      if (config.iterations !== undefined && (!Number.isInteger(config.iterations) || config.iterations < 1 || config.iterations > 100))
        return 'iterations must be in [1, 100]'
      if (config.center && config.center.length !== length) return 'center has the wrong length'
      if (config.center && config.center.some((x) => !Number.isFinite(x))) return 'center is not finite'
      break
    case 'geometric-median':
      if (config.iterations !== undefined && (!Number.isInteger(config.iterations) || config.iterations < 1 || config.iterations > 1000))
        return 'iterations must be in [1, 1000]'
      if (config.epsilon !== undefined && !(config.epsilon > 0)) return 'epsilon must be positive'
      break
    case 'fltrust': {
      if (!(config.reference instanceof Float32Array) || config.reference.length !== length)
        return "fltrust needs a reference update of the inputs' length"
      let norm = 0
      for (const x of config.reference) {
        if (!Number.isFinite(x)) return 'reference update is not finite'
        norm += x * x
      }
      if (!(norm > 0)) return 'reference update is zero: recompute it on the held-out data'
      if (config.variant !== undefined && !isFlTrustVariant(config.variant))
        return `fltrust's variant must be one of ${FLTRUST_VARIANTS.join(', ')}`
      const t = config.trustReference
      if (t !== undefined) {
        if (!(t instanceof Float32Array) || t.length !== length) return "fltrust's trust reference must have the inputs' length"
        let tNorm = 0
        for (const x of t) {
          if (!Number.isFinite(x)) return 'trust reference is not finite'
          tNorm += x * x
        }
        if (!(tNorm > 0)) return 'trust reference is zero: recompute it on the held-out data'
      }
      break
    }
    case 'fedavg':
    case 'median':
      break
    default:
      return `unknown rule ${(config as { rule: string }).rule}`
  }
  return null
}

/** Applies one rule to already-checked inputs. */
export function applyRule(inputs: readonly AggregationInput[], config: RuleConfig): RuleOutcome {
  const sorted = canonicalOrder(inputs)
  const order = sorted.map((i) => i.id)
  const vectors = sorted.map((i) => i.vector)
  switch (config.rule) {
    case 'fedavg':
      return {
        vector: weightedMean(
          vectors,
          sorted.map((i) => i.weight),
        ),
        order,
        details: {},
      }
    case 'median':
      return { vector: coordinateWise(vectors, median), order, details: {} }
    case 'trimmed-mean':
      return { vector: coordinateWise(vectors, (values) => trimmedMean(values, config.trim)), order, details: { trim: config.trim } }
    case 'krum':
    case 'multi-krum': {
      const scores = krumScores(vectors, config.f)
      const ranked = scores.map((score, index) => ({ score, index })).sort((a, b) => a.score - b.score || a.index - b.index)
      const m = config.rule === 'krum' ? 1 : config.m
      const chosen = ranked
        .slice(0, m)
        .map((r) => r.index)
        .sort((a, b) => a - b)
      return {
        vector: weightedMean(
          chosen.map((i) => vectors[i]),
          chosen.map(() => 1),
        ),
        order,
        details: { selected: chosen.map((i) => order[i]) },
      }
    }
    case 'centered-clipping': {
      const { vector, clipped } = centeredClipping(vectors, config.tau, config.iterations ?? 1, config.center)
      return { vector, order, details: { clippedInputs: clipped } }
    }
    case 'geometric-median': {
      const { vector, iterations } = geometricMedian(vectors, config.iterations ?? 8, config.epsilon ?? 1e-6, config.tolerance ?? 1e-5)
      return { vector, order, details: { iterations } }
    }
    case 'fltrust': {
      const { vector, trusted } = flTrust(vectors, config.reference, config.variant ?? 'paper', config.trustReference ?? config.reference)
      return { vector, order, details: { trusted } }
    }
  }
}

function weightedMean(vectors: readonly Float32Array[], weights: readonly number[]): Float32Array {
  const d = vectors[0].length
  const acc = new Float64Array(d)
  let total = 0
  for (let i = 0; i < vectors.length; i++) {
    const v = vectors[i]
    const w = weights[i]
    total += w
    for (let j = 0; j < d; j++) acc[j] += w * v[j]
  }
  const out = new Float32Array(d)
  for (let j = 0; j < d; j++) out[j] = acc[j] / total
  return out
}

/** Runs `reduce` on each coordinate's values, sorted ascending (so the input order cannot matter). */
function coordinateWise(vectors: readonly Float32Array[], reduce: (sortedValues: Float64Array) => number): Float32Array {
  const n = vectors.length
  const d = vectors[0].length
  const column = new Float64Array(n)
  const out = new Float32Array(d)
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) {
      // Insertion sort: n is small (clients or buckets per round) and this beats a comparator call.
      const x = vectors[i][j]
      let k = i - 1
      while (k >= 0 && column[k] > x) {
        column[k + 1] = column[k]
        k--
      }
      column[k + 1] = x
    }
    out[j] = reduce(column)
  }
  return out
}

function median(sorted: Float64Array): number {
  const n = sorted.length
  const mid = n >> 1
  return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

function trimmedMean(sorted: Float64Array, trim: number): number {
  let sum = 0
  for (let i = trim; i < sorted.length - trim; i++) sum += sorted[i]
  return sum / (sorted.length - 2 * trim)
}

function squaredDistance(a: Float32Array, b: Float32Array | Float64Array): number {
  let sum = 0
  for (let j = 0; j < a.length; j++) {
    const diff = a[j] - b[j]
    sum += diff * diff
  }
  return sum
}

/** Krum score: the sum of squared distances to the n − f − 2 nearest other inputs. */
export function krumScores(vectors: readonly Float32Array[], f: number): number[] {
  const n = vectors.length
  const distances = Array.from({ length: n }, () => new Float64Array(n))
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const d = squaredDistance(vectors[a], vectors[b])
      distances[a][b] = d
      distances[b][a] = d
    }
  }
  const neighbours = n - f - 2
  return distances.map((row, a) => {
    const others = Float64Array.from(row.filter((_, b) => b !== a)).sort()
    let score = 0
    for (let k = 0; k < neighbours; k++) score += others[k]
    return score
  })
}

function centeredClipping(
  vectors: readonly Float32Array[],
  tau: number,
  iterations: number,
  center?: Float32Array,
): { vector: Float32Array; clipped: number } {
  const n = vectors.length
  const d = vectors[0].length
  const v = center ? Float64Array.from(center) : new Float64Array(d)
  let clipped = 0
  for (let it = 0; it < iterations; it++) {
    const scales = vectors.map((x) => Math.min(1, tau / Math.sqrt(squaredDistance(x, v))))
    clipped = scales.filter((s) => s < 1).length
    const step = new Float64Array(d)
    for (let i = 0; i < n; i++) {
      const x = vectors[i]
      const s = scales[i]
      if (!(s > 0)) continue
      for (let j = 0; j < d; j++) step[j] += s * (x[j] - v[j])
    }
    for (let j = 0; j < d; j++) v[j] += step[j] / n
  }
  return { vector: Float32Array.from(v), clipped }
}

function geometricMedian(
  vectors: readonly Float32Array[],
  maxIterations: number,
  epsilon: number,
  tolerance: number,
): { vector: Float32Array; iterations: number } {
  const n = vectors.length
  const d = vectors[0].length
  let z = new Float64Array(d)
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) z[j] += vectors[i][j]
  for (let j = 0; j < d; j++) z[j] /= n
  let iterations = 0
  while (iterations < maxIterations) {
    const distances = vectors.map((x) => Math.sqrt(squaredDistance(x, z)))
    const betas = distances.map((dist) => 1 / Math.max(epsilon, dist))
    const total = betas.reduce((a, b) => a + b, 0)
    const next = new Float64Array(d)
    for (let i = 0; i < n; i++) {
      const x = vectors[i]
      const b = betas[i] / total
      for (let j = 0; j < d; j++) next[j] += b * x[j]
    }
    let moved = 0
    let size = 0
    for (let j = 0; j < d; j++) {
      moved += (next[j] - z[j]) ** 2
      size += next[j] * next[j]
    }
    z = next
    iterations++
    // Stop once a step moves the estimate by less than `tolerance` relative to its size.
    if (Math.sqrt(moved) <= tolerance * Math.max(1e-12, Math.sqrt(size))) break
  }
  return { vector: Float32Array.from(z), iterations }
}

/**
 * Σ_i TS_i · s_i · x_i / Σ_i TS_i with TS_i = max(0, cos(x_i, t)) and s_i = ‖g0‖/‖x_i‖
 * ('paper') or min(1, ‖g0‖/‖x_i‖) ('clipped-mean'; 'clipped' then scales the sum to ‖g0‖), in
 * canonical order with float64 sums. Zero inputs and inputs pointing away from t get no trust;
 * if none is trusted the aggregate is zero (the round makes no step).
 */
function flTrust(
  vectors: readonly Float32Array[],
  reference: Float32Array,
  variant: FlTrustVariant,
  trustReference: Float32Array,
): { vector: Float32Array; trusted: number } {
  const d = reference.length
  const normOf = (v: Float32Array): number => {
    let squared = 0
    for (let j = 0; j < d; j++) squared += v[j] * v[j]
    return Math.sqrt(squared)
  }
  const referenceNorm = normOf(reference)
  const trustNorm = trustReference === reference ? referenceNorm : normOf(trustReference)
  const acc = new Float64Array(d)
  let totalTrust = 0
  let trusted = 0
  for (const x of vectors) {
    let dot = 0
    let squared = 0
    for (let j = 0; j < d; j++) {
      dot += x[j] * trustReference[j]
      squared += x[j] * x[j]
    }
    const norm = Math.sqrt(squared)
    const trust = norm > 0 ? Math.max(0, dot / (norm * trustNorm)) : 0
    if (!(trust > 0)) continue
    trusted++
    totalTrust += trust
    const w = trust * (variant === 'paper' ? referenceNorm / norm : Math.min(1, referenceNorm / norm))
    for (let j = 0; j < d; j++) acc[j] += w * x[j]
  }
  const out = new Float32Array(d)
  if (!(totalTrust > 0)) return { vector: out, trusted }
  if (variant !== 'clipped') {
    for (let j = 0; j < d; j++) out[j] = acc[j] / totalTrust
    return { vector: out, trusted }
  }
  let squared = 0
  for (let j = 0; j < d; j++) squared += acc[j] * acc[j]
  // acc has a positive inner product with t, so only underflow could make it zero.
  const scale = squared > 0 ? referenceNorm / Math.sqrt(squared) : 0
  for (let j = 0; j < d; j++) out[j] = acc[j] * scale
  return { vector: out, trusted }
}

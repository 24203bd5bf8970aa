/**
 * ADAPTIVE ATTACKS — FOR TESTS AND BENCHMARKS ONLY (see attacks.ts).
 *
 * Omniscient model-poisoning attacks from the literature that place the malicious update just
 * inside what a rule accepts. All work on update vectors (deltas or worker momenta) and see every
 * honest update of the round.
 */
import type { Rng } from '../../common/random'

/** Perturbation directions of Shejwalkar & Houmansadr (NDSS 2021), Section IV-B. */
export type PerturbationDirection = 'unit' | 'std' | 'sign'

/** The rule under attack, as the omniscient attacker can run it: all inputs in, aggregate out. */
export type RuleOracle = (inputs: readonly Float32Array[]) => Float32Array

/**
 * ∇p, normalised to unit length so that γ is always a distance: 'unit' = −μ/‖μ‖ (inverse unit
 * vector), 'std' = −σ (inverse per-coordinate standard deviation), 'sign' = −sign(μ).
 */
export function perturbation(honest: readonly Float32Array[], direction: PerturbationDirection): Float64Array {
  const { mean, std } = meanAndStd(honest)
  const p = new Float64Array(mean.length)
  for (let j = 0; j < p.length; j++) p[j] = direction === 'unit' ? -mean[j] : direction === 'std' ? -std[j] : -Math.sign(mean[j])
  const norm = Math.sqrt(p.reduce((s, x) => s + x * x, 0))
  if (norm > 0) for (let j = 0; j < p.length; j++) p[j] /= norm
  return p
}

/**
 * AGR-agnostic Min-Max (Shejwalkar & Houmansadr, NDSS 2021, Eq. 6): ∇m = μ + γ·∇p with the
 * largest γ such that the malicious update is no farther from any honest update than the two
 * farthest honest updates are from each other: max_i ‖∇m − ∇i‖ ≤ max_{i,j} ‖∇i − ∇j‖.
 */
export function minMax(honest: readonly Float32Array[], direction: PerturbationDirection = 'std'): Float32Array {
  const { mean } = meanAndStd(honest)
  const p = perturbation(honest, direction)
  const bound = maxPairwiseSquared(honest)
  const fits = (gamma: number): boolean => honest.every((x) => squaredDistanceTo(x, mean, p, gamma) <= bound)
  return shifted(mean, p, largestGamma(fits, Math.sqrt(bound)))
}

/**
 * AGR-agnostic Min-Sum (Shejwalkar & Houmansadr, NDSS 2021, Eq. 7): the largest γ such that the
 * malicious update's sum of squared distances to the honest updates does not exceed that of any
 * honest update: Σ_i ‖∇m − ∇i‖² ≤ max_i Σ_j ‖∇i − ∇j‖².
 */
export function minSum(honest: readonly Float32Array[], direction: PerturbationDirection = 'std'): Float32Array {
  const { mean } = meanAndStd(honest)
  const p = perturbation(honest, direction)
  const n = honest.length
  const sums = new Float64Array(n)
  for (let a = 0; a < n; a++)
    for (let b = a + 1; b < n; b++) {
      const d = squaredDistance(honest[a], honest[b])
      sums[a] += d
      sums[b] += d
    }
  const bound = Math.max(...sums)
  const fits = (gamma: number): boolean => honest.reduce((s, x) => s + squaredDistanceTo(x, mean, p, gamma), 0) <= bound
  return shifted(mean, p, largestGamma(fits, Math.sqrt(bound / n)))
}

/**
 * AGR-tailored attack (Shejwalkar & Houmansadr, NDSS 2021, Eq. 4–5): ∇m = μ + γ·∇p, with γ
 * chosen to maximise the deviation ‖AGR(∇m × f ∪ honest) − μ‖ of the rule actually in use, which
 * the omniscient attacker runs itself (`rule`). Every direction is tried and the most damaging
 * (γ, direction) is returned. γ is searched on a doubling ladder, then refined by bisection
 * around the best rung (the paper's γ search, extended to rules whose deviation is not monotone).
 */
export function agrTailored(
  honest: readonly Float32Array[],
  f: number,
  rule: RuleOracle,
  directions: readonly PerturbationDirection[] = ['unit', 'std', 'sign'],
): Float32Array {
  const { mean } = meanAndStd(honest)
  const scale = Math.sqrt(maxPairwiseSquared(honest)) || 1
  let best: { deviation: number; vector: Float32Array } = { deviation: -1, vector: Float32Array.from(mean) }
  for (const direction of directions) {
    const p = perturbation(honest, direction)
    const deviationAt = (gamma: number): { deviation: number; vector: Float32Array } => {
      const vector = shifted(mean, p, gamma)
      const aggregate = rule([...honest, ...Array.from({ length: f }, () => vector)])
      let d = 0
      for (let j = 0; j < mean.length; j++) d += (aggregate[j] - mean[j]) ** 2
      return { deviation: Math.sqrt(d), vector }
    }
    // Ladder γ = scale · 2^k, k = −4 … 4; then bisect between the best rung's neighbours.
    let bestK = -4
    let bestHere = deviationAt(scale * 2 ** -4)
    for (let k = -3; k <= 4; k++) {
      const at = deviationAt(scale * 2 ** k)
      if (at.deviation > bestHere.deviation) {
        bestHere = at
        bestK = k
      }
    }
    let low = scale * 2 ** (bestK - 1)
    let high = scale * 2 ** (bestK + 1)
    let centre = scale * 2 ** bestK
    for (let step = 0; step < 4; step++) {
      const left = (low + centre) / 2
      const right = (centre + high) / 2
      const atLeft = deviationAt(left)
      const atRight = deviationAt(right)
      if (atLeft.deviation > bestHere.deviation && atLeft.deviation >= atRight.deviation) {
        bestHere = atLeft
        high = centre
        centre = left
      } else if (atRight.deviation > bestHere.deviation) {
        bestHere = atRight
        low = centre
        centre = right
      } else {
        low = left
        high = right
      }
    }
    if (bestHere.deviation > best.deviation) best = bestHere
  }
  return best.vector
}

/**
 * Fang et al. (USENIX Security 2020), full-knowledge attack on Krum: every Byzantine client sends
 * c = −λ·s, s = sign of the honest mean update (the direction the model would move), with the
 * largest λ — starting from the paper's upper bound and halving — for which Krum still selects c.
 * Maximises the deviation of Krum's choice from the honest direction. The f copies are identical
 * (the paper places c_2…c_f within ε of c_1; ε = 0 is the strongest choice). Returns λ = 0's
 * vector (zeros) if no λ ≥ `minLambda` is selected.
 */
export function fangKrum(
  honest: readonly Float32Array[],
  f: number,
  krumSelects: (inputs: readonly Float32Array[], index: number) => boolean,
  minLambda = 1e-5,
): Float32Array {
  const { mean } = meanAndStd(honest)
  const d = mean.length
  const m = honest.length + f
  // Upper bound of Fang et al. (Eq. 5), in update space (w_i − w_Re is honest update i):
  // λ ≤ 1/((m − 2c − 1)√d) · min_i Σ_{l ∈ Γ_i} ‖∇l − ∇i‖ + 1/√d · max_i ‖∇i‖.
  const neighbours = Math.max(1, m - 2 * f - 1)
  let minNeighbourSum = Infinity
  for (const x of honest) {
    const distances = honest
      .filter((y) => y !== x)
      .map((y) => Math.sqrt(squaredDistance(x, y)))
      .sort((a, b) => a - b)
    minNeighbourSum = Math.min(
      minNeighbourSum,
      distances.slice(0, Math.min(neighbours, distances.length)).reduce((a, b) => a + b, 0),
    )
  }
  const maxNorm = Math.max(...honest.map((x) => Math.sqrt(x.reduce((s, v) => s + v * v, 0))))
  let lambda = minNeighbourSum / (neighbours * Math.sqrt(d)) + maxNorm / Math.sqrt(d)
  const malicious = (l: number): Float32Array => mean.map((x) => -l * Math.sign(x))
  while (lambda >= minLambda) {
    const c = malicious(lambda)
    if (krumSelects([...honest, ...Array.from({ length: f }, () => c)], honest.length)) return c
    lambda /= 2
  }
  return new Float32Array(d)
}

/**
 * Fang et al. (USENIX Security 2020), full-knowledge attack on trimmed mean (and median): per
 * coordinate j, with s_j the sign of the honest mean update, push against it from just beyond the
 * honest extremes: if s_j > 0 sample from [w_min/b, w_min] (w_min > 0) or [b·w_min, w_min]
 * (w_min ≤ 0); otherwise from [w_max, b·w_max] (w_max > 0) or [w_max, w_max/b] (w_max ≤ 0);
 * b = 2. Maximises the per-coordinate shift of the trimmed mean opposite to the honest direction
 * while staying close enough to the honest values not to be trimmed alone. One vector per
 * Byzantine client.
 */
export function fangTrimmedMean(honest: readonly Float32Array[], f: number, rng: Rng, b = 2): Float32Array[] {
  const { mean } = meanAndStd(honest)
  const d = mean.length
  const low = new Float32Array(d).fill(Infinity)
  const high = new Float32Array(d).fill(-Infinity)
  for (const x of honest)
    for (let j = 0; j < d; j++) {
      if (x[j] < low[j]) low[j] = x[j]
      if (x[j] > high[j]) high[j] = x[j]
    }
  return Array.from({ length: f }, () => {
    const out = new Float32Array(d)
    for (let j = 0; j < d; j++) {
      const u = rng.next()
      if (mean[j] > 0) {
        const w = low[j]
        const [a, c] = w > 0 ? [w / b, w] : [b * w, w]
        out[j] = a + u * (c - a)
      } else {
        const w = high[j]
        const [a, c] = w > 0 ? [w, b * w] : [w, w / b]
        out[j] = a + u * (c - a)
      }
    }
    return out
  })
}

/** Largest γ ≥ 0 with fits(γ) (fits is monotone: true up to a point), to 1e-4 relative; 0 if none. */
function largestGamma(fits: (gamma: number) => boolean, scale: number): number {
  if (!(scale > 0)) return 0
  let low = 0
  let high = scale
  while (fits(high) && high < scale * 2 ** 20) {
    low = high
    high *= 2
  }
  while (high - low > 1e-4 * scale) {
    const mid = (low + high) / 2
    if (fits(mid)) low = mid
    else high = mid
  }
  return low
}

function shifted(mean: Float32Array, p: Float64Array, gamma: number): Float32Array {
  const out = new Float32Array(mean.length)
  for (let j = 0; j < out.length; j++) out[j] = mean[j] + gamma * p[j]
  return out
}

/** ‖x − (μ + γp)‖² computed in float64 on the float32 value the attacker would actually send. */
function squaredDistanceTo(x: Float32Array, mean: Float32Array, p: Float64Array, gamma: number): number {
  let s = 0
  for (let j = 0; j < x.length; j++) {
    const diff = x[j] - Math.fround(mean[j] + gamma * p[j])
    s += diff * diff
  }
  return s
}

function squaredDistance(a: Float32Array, b: Float32Array): number {
  let s = 0
  for (let j = 0; j < a.length; j++) s += (a[j] - b[j]) ** 2
  return s
}

function maxPairwiseSquared(vectors: readonly Float32Array[]): number {
  let max = 0
  for (let a = 0; a < vectors.length; a++)
    for (let b = a + 1; b < vectors.length; b++) max = Math.max(max, squaredDistance(vectors[a], vectors[b]))
  return max
}

export function meanAndStd(vectors: readonly Float32Array[]): { mean: Float32Array; std: Float32Array } {
  const n = vectors.length
  const d = vectors[0].length
  const mean = new Float32Array(d)
  const std = new Float32Array(d)
  for (let j = 0; j < d; j++) {
    let sum = 0
    for (let i = 0; i < n; i++) sum += vectors[i][j]
    const m = sum / n
    let sq = 0
    for (let i = 0; i < n; i++) sq += (vectors[i][j] - m) ** 2
    mean[j] = m
    std[j] = Math.sqrt(sq / n)
  }
  return { mean, std }
}

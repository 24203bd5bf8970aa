import { describe, expect, it } from 'vitest'
import { aggregate, krumScores, type RuleConfig } from '../../../workers/fl/aggregation/aggregate'
import {
  agrTailored,
  boostToHonestNorm,
  fangKrum,
  fangTrimmedMean,
  meanAndStd,
  minMax,
  minSum,
  perturbation,
  poisonedSamples,
  successProbe,
  type PerturbationDirection,
} from '../../../workers/fl/attacks/attacks'
import { createRng } from '../../../workers/common/random'

const D = 200
/** Honest updates: a shared direction plus per-client heterogeneity, like non-IID momenta. */
function honestUpdates(seed: number, count = 20, commonScale = 1): Float32Array[] {
  const rng = createRng(seed)
  const common = Float32Array.from({ length: D }, () => commonScale * rng.normal())
  return Array.from({ length: count }, () => Float32Array.from(common, (c) => c + 0.8 * rng.normal()))
}
const distance = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0
  for (let j = 0; j < a.length; j++) s += (a[j] - b[j]) ** 2
  return Math.sqrt(s)
}
const norm = (a: ArrayLike<number>): number => distance(a, new Float32Array(a.length))
const maxPairwise = (xs: Float32Array[]): number => Math.max(...xs.flatMap((a, i) => xs.slice(i + 1).map((b) => distance(a, b))))
const ruleOracle =
  (rule: RuleConfig) =>
  (vectors: readonly Float32Array[]): Float32Array => {
    const r = aggregate(
      vectors.map((vector, i) => ({ id: `c${String(i).padStart(3, '0')}`, vector, weight: 1 })),
      { rule },
    )
    if (!r.ok) throw new Error(r.reason)
    return r.vector
  }
const DIRECTIONS: PerturbationDirection[] = ['unit', 'std', 'sign']

describe('Min-Max and Min-Sum (Shejwalkar & Houmansadr, NDSS 2021)', () => {
  for (const direction of DIRECTIONS) {
    it(`Min-Max (${direction}): no farther from any honest update than the farthest honest pair, and as far out as that allows`, () => {
      const honest = honestUpdates(1)
      const bad = minMax(honest, direction)
      const bound = maxPairwise(honest)
      expect(Math.max(...honest.map((h) => distance(bad, h)))).toBeLessThanOrEqual(bound * (1 + 1e-6))
      // Maximal: 1 % further along ∇p breaks the constraint.
      const { mean } = meanAndStd(honest)
      const p = perturbation(honest, direction)
      const gamma = distance(bad, mean)
      const further = Float32Array.from(mean, (m, j) => m + gamma * 1.01 * p[j])
      expect(Math.max(...honest.map((h) => distance(further, h)))).toBeGreaterThan(bound)
      expect(gamma).toBeGreaterThan(0.1 * bound)
    })

    it(`Min-Sum (${direction}): its sum of squared distances stays within the largest honest one, at the edge`, () => {
      const honest = honestUpdates(2)
      const sumSquared = (x: Float32Array): number => honest.reduce((s, h) => s + distance(x, h) ** 2, 0)
      const bound = Math.max(...honest.map(sumSquared))
      const bad = minSum(honest, direction)
      expect(sumSquared(bad)).toBeLessThanOrEqual(bound * (1 + 1e-6))
      const { mean } = meanAndStd(honest)
      const p = perturbation(honest, direction)
      const further = Float32Array.from(mean, (m, j) => m + distance(bad, mean) * 1.01 * p[j])
      expect(sumSquared(further)).toBeGreaterThan(bound)
    })
  }

  it('the perturbation points against the honest mean (unit, sign) and has unit length', () => {
    const honest = honestUpdates(3)
    const { mean } = meanAndStd(honest)
    for (const direction of DIRECTIONS) {
      const p = perturbation(honest, direction)
      expect(norm(p)).toBeCloseTo(1, 6)
      if (direction !== 'std') expect(Array.from(p).reduce((s, x, j) => s + x * mean[j], 0)).toBeLessThan(0)
    }
  })
})

describe('AGR-tailored attack', () => {
  const rules: RuleConfig[] = [
    { rule: 'trimmed-mean', trim: 5 },
    { rule: 'median' },
    { rule: 'multi-krum', f: 5, m: 20 },
    { rule: 'centered-clipping', tau: 1 },
    { rule: 'fltrust', reference: honestUpdates(9, 1)[0] },
  ]
  for (const rule of rules) {
    it(`${rule.rule}: pulls the aggregate at least as far from the honest mean as Min-Max does`, () => {
      const honest = honestUpdates(4)
      const oracle = ruleOracle(rule)
      const { mean } = meanAndStd(honest)
      const deviation = (bad: Float32Array): number => distance(oracle([...honest, ...Array.from({ length: 5 }, () => bad)]), mean)
      const tailored = deviation(agrTailored(honest, 5, oracle))
      expect(tailored).toBeGreaterThanOrEqual(deviation(minMax(honest, 'std')) * (1 - 1e-6))
      expect(tailored).toBeGreaterThan(distance(oracle(honest), mean))
    })
  }
})

describe('Fang et al. (USENIX Security 2020)', () => {
  it('the Krum attack is selected by Krum and points against the honest direction', () => {
    // Heterogeneity dominates the shared direction, as with one local step on non-IID shards.
    const honest = honestUpdates(5, 20, 0.3)
    const bad = fangKrum(honest, 5, (vs, index) => {
      const scores = krumScores([...vs], 5)
      return scores.every((s, i) => s > scores[index] || (s === scores[index] && i >= index))
    })
    expect(norm(bad)).toBeGreaterThan(0)
    const inputs = [...honest, ...Array.from({ length: 5 }, () => bad)].map((vector, i) => ({
      id: `c${String(i).padStart(3, '0')}`,
      vector,
      weight: 1,
    }))
    const result = aggregate(inputs, { rule: { rule: 'krum', f: 5 } })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(Number(String((result.details.selected as string[])[0]).slice(1))).toBeGreaterThanOrEqual(20) // a Byzantine copy
    const { mean } = meanAndStd(honest)
    expect(Array.from(result.vector).reduce((s, x, j) => s + x * mean[j], 0)).toBeLessThan(0)
  })

  it('the trimmed-mean attack lies beyond the honest extremes against the honest direction and drags the trimmed mean back', () => {
    const honest = honestUpdates(6)
    const bad = fangTrimmedMean(honest, 5, createRng(1))
    expect(bad).toHaveLength(5)
    const { mean } = meanAndStd(honest)
    for (const x of bad)
      for (let j = 0; j < D; j++) {
        const values = honest.map((h) => h[j])
        if (mean[j] > 0) expect(x[j]).toBeLessThanOrEqual(Math.min(...values))
        else expect(x[j]).toBeGreaterThanOrEqual(Math.max(...values))
      }
    // Every coordinate of the trimmed mean moves against the honest direction.
    const clean = ruleOracle({ rule: 'trimmed-mean', trim: 3 })(honest)
    const attacked = ruleOracle({ rule: 'trimmed-mean', trim: 5 })([...honest, ...bad])
    for (let j = 0; j < D; j++) expect(Math.sign(mean[j]) * (attacked[j] - clean[j])).toBeLessThan(0)
  })
})

describe('targeted attack', () => {
  it('boosting reaches, and never exceeds, the largest honest norm', () => {
    const honest = honestUpdates(7)
    const limit = Math.max(...honest.map(norm))
    for (const scale of [1e-3, 1, 1e3]) {
      const boosted = boostToHonestNorm(
        Float32Array.from(honest[0], (x) => x * scale + 0.1),
        honest,
      )
      expect(norm(boosted)).toBeLessThanOrEqual(limit)
      expect(norm(boosted)).toBeGreaterThan(limit * 0.999)
    }
  })

  it("poisons only the source class, keeps the attacker's other samples, and probes success on source samples", () => {
    const own = { count: 3, x: new Float32Array(6), labels: Uint8Array.from([7, 2, 3]), features: 2 }
    const source = { count: 2, x: Float32Array.from([1, 1, 2, 2]), labels: Uint8Array.from([7, 7]), features: 2 }
    const poisoned = poisonedSamples(own, source, { source: 7, target: 1 })
    expect(Array.from(poisoned.labels)).toEqual([1, 2, 3, 1, 1])
    expect(Array.from(poisoned.x.slice(6))).toEqual([1, 1, 2, 2])
    const probe = successProbe(
      { count: 3, x: Float32Array.from([0, 0, 5, 5, 9, 9]), labels: Uint8Array.from([7, 4, 7]), features: 2 },
      { source: 7, target: 1 },
    )
    expect(probe.count).toBe(2)
    expect(Array.from(probe.labels)).toEqual([1, 1])
    expect(Array.from(probe.x)).toEqual([0, 0, 9, 9])
  })
})

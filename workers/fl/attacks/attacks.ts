/**
 * ATTACKS — FOR TESTS AND BENCHMARKS ONLY.
 *
 * Byzantine client behaviours used by the round simulator (tests/bench/fl-sim.ts) to measure
 * the aggregation rules. Nothing outside tests/ may import this folder; production code never
 * fabricates updates.
 *
 * The omniscient attacks (ALIE, IPM, mimic) see every honest update of the round, the strongest
 * assumption in the literature.
 */
import type { Rng } from '../../common/random'
import { meanAndStd } from './adaptive'

export * from './adaptive'
export * from './targeted'

export type AttackName =
  | 'none'
  | 'sign-flip'
  | 'label-flip'
  | 'gaussian'
  | 'alie'
  | 'ipm'
  | 'mimic'
  /** Shejwalkar & Houmansadr (NDSS 2021), AGR-agnostic and AGR-tailored (adaptive.ts). */
  | 'min-max'
  | 'min-sum'
  | 'agr-tailored'
  /** Fang et al. (USENIX Security 2020) against Krum and trimmed mean (adaptive.ts). */
  | 'fang-krum'
  | 'fang-tm'
  /** Class source → target backdoor under the honest norm (targeted.ts); scored by success rate. */
  | 'targeted'

/** The classic untargeted attacks (Karimireddy et al. 2022's suite). */
export const CLASSIC_ATTACKS: readonly AttackName[] = ['sign-flip', 'label-flip', 'mimic', 'ipm', 'alie', 'gaussian']
/** Attacks built to sit inside a rule's acceptance region. */
export const ADAPTIVE_ATTACKS: readonly AttackName[] = ['min-max', 'min-sum', 'agr-tailored', 'fang-krum', 'fang-tm']
export const ATTACKS: readonly AttackName[] = [...CLASSIC_ATTACKS, ...ADAPTIVE_ATTACKS, 'targeted']

/** Sign flip: the Byzantine client's own honest update, negated and scaled (−1× is bit flipping; RSA, Li et al. 2019, use −4×). */
export function signFlip(ownUpdate: Float32Array, scale = 1): Float32Array {
  const out = new Float32Array(ownUpdate.length)
  for (let i = 0; i < out.length; i++) out[i] = -scale * ownUpdate[i]
  return out
}

/** Label flip: train honestly on labels y → classes − 1 − y. */
export function flipLabels(labels: Uint8Array, classes = 10): Uint8Array {
  return labels.map((y) => classes - 1 - y)
}

/** Pure noise, N(0, sigma²) per coordinate. */
export function gaussianNoise(length: number, sigma: number, rng: Rng): Float32Array {
  const out = new Float32Array(length)
  for (let i = 0; i < length; i++) out[i] = sigma * rng.normal()
  return out
}

/**
 * A Little Is Enough (Baruch et al. 2019): mean − z·std per coordinate, with z the largest
 * shift that still leaves the Byzantine values inside the majority: s = ⌊n/2 + 1⌋ − f,
 * z = Φ⁻¹((n − s) / n).
 */
export function alie(honest: readonly Float32Array[], n: number, f: number): Float32Array {
  const s = Math.floor(n / 2 + 1) - f
  const z = inverseNormalCdf((n - s) / n)
  const { mean, std } = meanAndStd(honest)
  const out = new Float32Array(mean.length)
  for (let j = 0; j < out.length; j++) out[j] = mean[j] - z * std[j]
  return out
}

/** Inner-product manipulation (Xie et al. 2019): −epsilon × the honest mean. */
export function innerProductManipulation(honest: readonly Float32Array[], epsilon = 0.1): Float32Array {
  const { mean } = meanAndStd(honest)
  return mean.map((x) => -epsilon * x)
}

/**
 * Mimic (Karimireddy et al. 2022): every Byzantine client copies one honest client, over-weighting
 * its (non-IID) data. The target is the honest client farthest from the honest mean in the first
 * round it is asked, then kept.
 */
export function mimicTarget(honest: readonly Float32Array[]): number {
  const { mean } = meanAndStd(honest)
  let best = 0
  let bestDistance = -1
  honest.forEach((x, i) => {
    let d = 0
    for (let j = 0; j < x.length; j++) d += (x[j] - mean[j]) ** 2
    if (d > bestDistance) {
      bestDistance = d
      best = i
    }
  })
  return best
}

/** Acklam's rational approximation of Φ⁻¹ (relative error < 1.2e-9). */
export function inverseNormalCdf(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`)
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239]
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1]
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783]
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416]
  const low = 0.02425
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p))
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
  }
  if (p > 1 - low) return -inverseNormalCdf(1 - p)
  const q = p - 0.5
  const r = q * q
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  )
}

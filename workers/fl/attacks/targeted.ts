/**
 * TARGETED (BACKDOOR-STYLE) ATTACK — FOR TESTS AND BENCHMARKS ONLY (see attacks.ts).
 *
 * Model replacement with explicit boosting (Bhagoji et al., ICML 2019; Bagdasaryan et al.,
 * AISTATS 2020), constrained as in Sun et al. (2019, "Can you really backdoor federated
 * learning?"): the Byzantine clients train on data where class `source` is relabelled `target`,
 * then boost their update to the largest honest norm of the round, so a norm bound or a
 * norm-based filter cannot tell it apart. What it optimises: the share of `source` samples the
 * global model predicts as `target` (the attack success rate), while overall accuracy stays
 * high enough not to be noticed.
 */
import type { LabelledSamples } from '../data/split'

export interface TargetedGoal {
  readonly source: number
  readonly target: number
}

/**
 * The attacker's training set: its own samples plus `sourceSamples` (omniscient: examples of the
 * source class), every source-class label flipped to the target. The attacker's own clean
 * samples keep the rest of the model intact (stealth).
 */
export function poisonedSamples(own: LabelledSamples, sourceSamples: LabelledSamples, goal: TargetedGoal): LabelledSamples {
  if (own.features !== sourceSamples.features) throw new RangeError('feature counts differ')
  const count = own.count + sourceSamples.count
  const x = new Float32Array(count * own.features)
  x.set(own.x, 0)
  x.set(sourceSamples.x, own.x.length)
  const labels = new Uint8Array(count)
  labels.set(own.labels, 0)
  labels.set(sourceSamples.labels, own.count)
  for (let i = 0; i < count; i++) if (labels[i] === goal.source) labels[i] = goal.target
  return { count, x, labels, features: own.features }
}

/** Scales the poisoned update to the largest honest update norm of the round (explicit boosting under a norm constraint). */
export function boostToHonestNorm(poisoned: Float32Array, honest: readonly Float32Array[]): Float32Array {
  const norm = (v: Float32Array): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0))
  const limit = Math.max(...honest.map(norm))
  const own = norm(poisoned)
  if (!(own > 0)) return new Float32Array(poisoned.length)
  const scale = limit / own
  // Round down so that float32 rounding cannot push the norm over the limit.
  return poisoned.map((x) => x * scale * (1 - 1e-6))
}

/** The samples of `source` relabelled `target`: a model's accuracy on these is the attack success rate. */
export function successProbe(test: LabelledSamples, goal: TargetedGoal): LabelledSamples {
  const rows: number[] = []
  for (let i = 0; i < test.count; i++) if (test.labels[i] === goal.source) rows.push(i)
  const x = new Float32Array(rows.length * test.features)
  rows.forEach((row, k) => x.set(test.x.subarray(row * test.features, (row + 1) * test.features), k * test.features))
  return { count: rows.length, x, labels: new Uint8Array(rows.length).fill(goal.target), features: test.features }
}

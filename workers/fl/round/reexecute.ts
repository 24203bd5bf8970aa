/**
 * Robust mode's aggregation, as the aggregator computes a candidate and as every validator
 * re-computes it (README, "Federated round"): fetch each named blob, check its hash and the
 * trainer's signature, open it (the content key is wrapped for this node), decode and check
 * the update, apply the task's rule with equal weights, and hash the new model. A validator
 * then votes yes only if the hash matches and the model's accuracy on its held-out data does
 * not drop more than the task's threshold below the last committed model's.
 */
import { aggregate, type AggregationConfig, type AggregationInput, type RuleConfig, type RuleOutcome } from '../aggregation/aggregate'
import type { ReferenceSource } from '../model/reference'
import { attemptStep, type TaskRule } from '../task/spec'
import { sameShapes, type FlatWeights } from '../model/weights'
import { decodeUpdate } from '../update/codec'
import { applyDelta, float32LE, l2Norm } from '../update/delta'
import { submissionSignBytes } from './codec'
import { hashOf, hashToBytes } from './identity'
import { openUpdate } from './sealed-update'
import type { Hash, ProposalDescriptor, SubmissionRef } from './types'

export interface InputSources {
  /** The blob with this hash, from the transfer protocol (or this node's store); null when it cannot be had. */
  fetchBlob(hash: Hash): Promise<Uint8Array | null>
  /** A trainer's Ed25519 identity key (its PeerId's key), or null for an unknown node. */
  trainerKey(peerId: string): Uint8Array | null
  /** Ed25519; async so that the checks run natively off the event loop (verifyEd25519Batch). */
  verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>
  /** This node's X25519 key pair, which the trainers wrapped each content key for. */
  readonly recipient: { readonly publicKey: Uint8Array; readonly secretKey: Uint8Array }
}

export interface RoundInputsFrame {
  readonly taskId: string
  readonly round: number
  /** The attempt whose candidate this is: it sets the step (attemptStep). */
  readonly attempt: number
  /** The task's retry step (FlTask.retryStep). */
  readonly retryStep: number
  /** The committed model the round started from. */
  readonly base: FlatWeights
  readonly baseHash: Hash
  /** The task's clipping bound: a longer update is refused. 0: unclipped. */
  readonly clipNorm: number
}

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string }

/** One submission, checked end to end; the reason names the trainer. */
export async function openInput(frame: RoundInputsFrame, input: SubmissionRef, sources: InputSources): Promise<Outcome<AggregationInput>> {
  const fail = (why: string): Outcome<AggregationInput> => ({ ok: false, reason: `${input.trainer}: ${why}` })
  const key = sources.trainerKey(input.trainer)
  if (!key) return fail('unknown trainer')
  if (!(await sources.verifySignature(key, submissionSignBytes(frame.taskId, frame.round, input.update, input.samples), input.signature)))
    return fail('submission signature does not verify')
  const blob = await sources.fetchBlob(input.update)
  if (!blob) return fail('update blob unavailable')
  if (hashOf(blob) !== input.update) return fail('update blob does not match its hash')
  const opened = openUpdate(blob, { taskId: frame.taskId, round: frame.round, trainerKey: key }, sources.recipient)
  if (!opened.ok) return fail(opened.reason)
  const decoded = decodeUpdate(opened.plaintext)
  if (!decoded.ok) return fail(decoded.reason)
  const update = decoded.update
  if (update.round !== frame.round) return fail(`update is for round ${update.round}`)
  const base = hashToBytes(frame.baseHash)
  if (!update.baseModelHash.every((b, i) => b === base[i])) return fail('update was trained from another model')
  if (!sameShapes(update.shapes, frame.base.shapes)) return fail('update does not fit the model')
  if (frame.clipNorm > 0 && l2Norm(update.delta) > frame.clipNorm * (1 + 1e-5)) return fail('update is longer than the task clips to')
  if (update.sampleCount !== input.samples) return fail('sample count differs from the signed submission')
  // Every input weighs the same (README, "Weighting").
  return { ok: true, value: { id: input.trainer, vector: update.delta, weight: 1 } }
}

/**
 * The rule a round applies: the task's rule, and for FLTrust its reference update, which the
 * aggregator and each validator compute themselves from the round's base model on their root
 * data. A candidate built with another reference, or none, re-executes to other bits here and
 * gets no vote; a node without root data cannot aggregate or judge an FLTrust round.
 */
export async function roundRule(
  rule: TaskRule,
  frame: { readonly round: number; readonly baseHash: Hash; readonly base: FlatWeights },
  reference: ReferenceSource | undefined,
): Promise<Outcome<RuleConfig>> {
  if (rule.rule !== 'fltrust') return { ok: true, value: rule }
  if (!reference) return { ok: false, reason: "this node holds no root data for FLTrust's reference update" }
  const computed = await reference(frame.round, frame.baseHash, frame.base)
  return { ok: true, value: { rule: 'fltrust', variant: rule.variant, reference: computed.update, trustReference: computed.trust } }
}

export interface Candidate {
  readonly weights: FlatWeights
  readonly hash: Hash
  /** What the rule reports (FLTrust: `trusted`, the inputs or buckets it gave any trust). */
  readonly details?: RuleOutcome['details']
}

/** The validators' side: the candidate from exactly the descriptor's inputs, every one of which must open and check. */
export async function computeCandidate(
  frame: RoundInputsFrame,
  inputs: readonly SubmissionRef[],
  aggregation: AggregationConfig,
  sources: InputSources,
): Promise<Outcome<Candidate>> {
  const opened: AggregationInput[] = []
  for (const input of inputs) {
    const one = await openInput(frame, input, sources)
    if (!one.ok) return one
    opened.push(one.value)
  }
  return candidateOf(frame, opened, aggregation)
}

/**
 * The aggregator's side: the candidate from the submitted inputs that open and check; the
 * others (unfetchable, tampered, over the clipping bound) are left out with their reasons, so
 * one bad or vanished trainer cannot stall the round. Fewer than `quorum` usable: no candidate.
 */
export async function computeCandidateFromUsable(
  frame: RoundInputsFrame,
  inputs: readonly SubmissionRef[],
  aggregation: AggregationConfig,
  sources: InputSources,
  quorum: number,
): Promise<Outcome<Candidate & { readonly used: readonly string[]; readonly refused: readonly string[] }>> {
  const opened: AggregationInput[] = []
  const refused: string[] = []
  for (const input of inputs) {
    const one = await openInput(frame, input, sources)
    if (one.ok) opened.push(one.value)
    else refused.push(one.reason)
  }
  if (opened.length < quorum)
    return {
      ok: false,
      reason: `${opened.length} usable inputs, quorum is ${quorum}${refused.length ? `; refused: ${refused.join('; ')}` : ''}`,
    }
  const candidate = candidateOf(frame, opened, aggregation)
  if (!candidate.ok) return candidate
  return { ok: true, value: { ...candidate.value, used: opened.map((o) => o.id), refused } }
}

function candidateOf(frame: RoundInputsFrame, opened: AggregationInput[], aggregation: AggregationConfig): Outcome<Candidate> {
  const result = aggregate(opened, aggregation)
  if (!result.ok) return result
  return { ok: true, value: steppedCandidate(frame.base, result.vector, attemptStep(frame.retryStep, frame.attempt), result.details) }
}

/** A round's candidate in both privacy modes: base + step × aggregate in float32, and its hash. */
export function steppedCandidate(base: FlatWeights, aggregate: Float32Array, step: number, details?: RuleOutcome['details']): Candidate {
  // x × 1 is exact, so step 1 gives the bits every task before retry steps had; the copy is only skipped.
  const values = applyDelta(base.values, step === 1 ? aggregate : aggregate.map((x) => x * step))
  return { weights: { shapes: base.shapes, values }, hash: hashOf(float32LE(values)), details }
}

export interface Evaluation {
  readonly accuracy: number
  readonly loss: number
  /** Per class (NaN for a class the data lacks); shown to people, never part of the verdict. */
  readonly classAccuracy?: readonly number[]
}

export interface Judgement {
  readonly valid: boolean
  readonly reason?: string
  /** The candidate's evaluation on this validator's held-out data, when it was re-computed. */
  readonly evaluation?: Evaluation
  readonly candidate?: Candidate
}

/**
 * The validators' accuracy gate, in both privacy modes: why a candidate evaluated at `accuracy`
 * gets no vote (more than maxAccuracyDrop below the committed model's), or null.
 */
export function accuracyGateProblem(
  accuracy: number,
  quality: { readonly baselineAccuracy: number; readonly maxAccuracyDrop: number },
): string | null {
  return accuracy < quality.baselineAccuracy - quality.maxAccuracyDrop
    ? `accuracy ${(accuracy * 100).toFixed(1)} % is more than ${(quality.maxAccuracyDrop * 100).toFixed(1)} points below the committed model's`
    : null
}

/** The validator's side: re-compute, compare, evaluate. */
export async function judgeRobustCandidate(
  d: ProposalDescriptor,
  frame: RoundInputsFrame,
  aggregation: AggregationConfig,
  sources: InputSources,
  quality: {
    readonly evaluate: (weights: FlatWeights) => Promise<Evaluation>
    readonly baselineAccuracy: number
    readonly maxAccuracyDrop: number
  },
): Promise<Judgement> {
  if (d.taskId !== frame.taskId || d.round !== frame.round || d.attempt !== frame.attempt || d.baseModel !== frame.baseHash)
    return { valid: false, reason: 'candidate is framed for another task, round, attempt or base model' }
  const recomputed = await computeCandidate(frame, d.inputs, aggregation, sources)
  if (!recomputed.ok) return { valid: false, reason: recomputed.reason }
  if (recomputed.value.hash !== d.candidate)
    return {
      valid: false,
      reason: `re-execution gives ${recomputed.value.hash.slice(0, 12)}…, the aggregator proposed ${d.candidate.slice(0, 12)}…`,
    }
  const evaluation = await quality.evaluate(recomputed.value.weights)
  const problem = accuracyGateProblem(evaluation.accuracy, quality)
  if (problem) return { valid: false, reason: problem, evaluation, candidate: recomputed.value }
  return { valid: true, evaluation, candidate: recomputed.value }
}

/**
 * Secure mode's candidate, as the aggregator computes it from its live buckets and as every
 * validator re-computes it from the transcript alone (README, "Federated round"): replay each
 * bucket's aggregator machine on the client envelopes the aggregator recorded (each checked:
 * signed by the bucket member it names, for this task, round, attempt and bucket), take the
 * bucket sums of the buckets that finished, apply the task's rule across bucket means
 * (`aggregateBucketSums`, each bucket weighing its member count), add to the base model and
 * hash. The inputs the descriptor names must be exactly the trainers inside those sums, each
 * with its signed submission. No validator ever sees one trainer's update.
 */
import { encodeMessage } from 'protons-runtime'
import { bytesToHex } from '@noble/hashes/utils.js'
import type { SecAggResult } from '../../secagg/aggregator'
import type { SecAggPrimitives } from '../../secagg/primitives'
import { combineBuckets } from '../../secagg/bucketed'
import { aggregateBucketSums, type RuleConfig } from '../aggregation/aggregate'
import type { FlatWeights } from '../model/weights'
import { WIRE_VERSION, signingBytes } from '../../protocol/envelope'
import { decodeExact } from '../../protocol/exact-decode'
import { Envelope } from '../../protocol/wire.pb'
import { equalBytes } from '../../common/bytes'
import { submissionSignBytes } from './codec'
import { hashOf, hashToBytes, isHash } from './identity'
import { attemptStep } from '../task/spec'
import { accuracyGateProblem, steppedCandidate, type Candidate, type Evaluation, type Judgement, type Outcome } from './reexecute'
import { ENTRY_KIND, SECURE_WIRE_VERSION, planSecureRound, type BucketOutcome, type SecureFrame } from './secure-session'
import { replayTranscript, type TranscriptEntry } from './secure-transcript'
import type { Hash, ProposalDescriptor, SubmissionRef } from './types'
import * as wire from './wire.pb'
import { MAX_ROUND_INPUTS } from './node'

/** The kind of a trainer's secure-aggregation message; its signed envelope is what the transcript keeps. */
export const SECAGG_CLIENT_KIND = 'fl.secagg.client'
export const TRANSCRIPT_VERSION = 1

/**
 * What a trainer's submission names in secure mode in place of an update blob: a fixed tag for
 * (task, round, trainer). Its signature says "this trainer takes part in this round" and reveals
 * nothing about the update, which only ever leaves the trainer masked.
 */
export function secureSubmissionTicket(taskId: string, round: number, trainer: string): Hash {
  return hashOf(new TextEncoder().encode(`agent-mesh/fl/secure-submission/v1\0${taskId}\0${round}\0${trainer}`))
}

export interface SecureTaskFrame {
  readonly taskId: string
  readonly round: number
  readonly base: FlatWeights
  readonly baseHash: Hash
  readonly bucketSize: number
  readonly bound: number
  readonly rule: RuleConfig
  /** The task's retry step (FlTask.retryStep); the descriptor's attempt sets the step. */
  readonly retryStep: number
}

export interface SecureSources {
  /** A trainer's Ed25519 identity key (its PeerId's key), or null for an unknown node. */
  trainerKey(peerId: string): Uint8Array | null
  /** Ed25519; async so that a replay's many checks run natively off the event loop (verifyEd25519Batch). */
  verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>
  /** The crypto a replay's aggregator machine runs on (default: pure JS, as browsers); same bytes either way. */
  readonly primitives?: SecAggPrimitives
}

export interface TranscriptRecord {
  readonly frame: SecureFrame
  readonly buckets: readonly (readonly wire.TranscriptEntry[])[]
}

export function encodeTranscript(t: TranscriptRecord): Uint8Array {
  const f = t.frame
  return encodeMessage(
    {
      version: TRANSCRIPT_VERSION,
      taskId: f.taskId,
      round: f.round,
      attempt: f.attempt,
      aggregator: f.aggregator,
      baseModel: hashToBytes(f.baseModel) as Uint8Array<ArrayBuffer>,
      cohort: [...f.cohort],
      buckets: t.buckets.map((entries) => ({ entries: [...entries] })),
    },
    wire.SecureTranscript.codec(),
  )
}

/** The candidate from finished buckets' sums: the rule across bucket means, the attempt's step of it added to the base model. */
export function candidateFromBuckets(
  base: FlatWeights,
  results: readonly (SecAggResult | null)[],
  rule: RuleConfig,
  step: number,
): Outcome<Candidate> {
  let details: Candidate['details']
  const combined = combineBuckets(results, (b) => {
    const outcome = aggregateBucketSums(b, rule)
    if (outcome.ok) details = outcome.details
    return outcome
  })
  if (!combined.ok) return combined
  return { ok: true, value: steppedCandidate(base, combined.vector, step, details) }
}

/** Which trainers a bucket result holds, by PeerId, given the bucket's members in plan order. */
export function includedTrainers(members: readonly string[], result: SecAggResult): string[] {
  return result.included.map((i) => members[i])
}

/** Checks one recorded client envelope and turns it into the entry the replay feeds its machine. */
async function entryOf(
  entry: wire.TranscriptEntry,
  expected: { frame: SecureFrame; bucket: number; memberKeys: readonly Uint8Array[] },
  sources: SecureSources,
): Promise<{ entry: TranscriptEntry; problem: string | null }> {
  const placeholder: TranscriptEntry = { kind: 'close' }
  if (entry.close)
    return entry.envelope.length === 0
      ? { entry: placeholder, problem: null }
      : { entry: placeholder, problem: 'a phase end with an envelope' }
  const fail = (problem: string) => ({ entry: placeholder, problem })
  let envelope: Envelope
  let payload: wire.SecaggClient
  try {
    envelope = decodeExact(entry.envelope, Envelope.codec())
    payload = decodeExact(envelope.payload, wire.SecaggClient.codec())
  } catch (error) {
    return fail(`does not decode: ${(error as Error).message}`)
  }
  if (envelope.version !== WIRE_VERSION || envelope.kind !== SECAGG_CLIENT_KIND) return fail(`is a ${envelope.kind} envelope`)
  const key = expected.memberKeys[entry.from]
  if (!key) return fail(`names member ${entry.from}, outside its bucket`)
  if (!equalBytes(envelope.sender, key)) return fail(`is not from member ${entry.from}`)
  if (!(await sources.verifySignature(key, signingBytes(envelope), envelope.signature))) return fail('is not signed by its sender')
  const f = expected.frame
  if (
    payload.version !== SECURE_WIRE_VERSION ||
    payload.taskId !== f.taskId ||
    payload.round !== f.round ||
    payload.attempt !== f.attempt ||
    payload.bucket !== expected.bucket
  )
    return fail('is for another task, round, attempt or bucket')
  const kind = ENTRY_KIND[payload.phase]
  if (!kind) return fail(`has phase ${payload.phase}, not a client's`)
  return { entry: { kind, from: entry.from, message: payload.message }, problem: null }
}

export interface SecureRecomputation {
  readonly candidate: Candidate
  /** Per bucket, in plan order: its result, or why it aborted. */
  readonly buckets: readonly BucketOutcome[]
}

/** The validators' side: the candidate from the descriptor's transcript alone, with every check above. */
export async function recomputeSecureCandidate(
  d: ProposalDescriptor,
  transcriptBytes: Uint8Array,
  frame: SecureTaskFrame,
  sources: SecureSources,
): Promise<Outcome<SecureRecomputation>> {
  const fail = (reason: string): Outcome<SecureRecomputation> => ({ ok: false, reason })
  if (!d.transcript) return fail('a secure-mode candidate names no transcript')
  if (hashOf(transcriptBytes) !== d.transcript) return fail('transcript does not match its hash')
  let t: wire.SecureTranscript
  try {
    t = decodeExact(transcriptBytes, wire.SecureTranscript.codec(), { limits: { cohort: MAX_ROUND_INPUTS, buckets: MAX_ROUND_INPUTS } })
  } catch (error) {
    return fail(`transcript does not decode: ${(error as Error).message}`)
  }
  if (t.version !== TRANSCRIPT_VERSION) return fail(`transcript version ${t.version}`)
  if (t.taskId !== d.taskId || t.round !== d.round || t.attempt !== d.attempt || t.aggregator !== d.aggregator)
    return fail('transcript is for another task, round, attempt or aggregator')
  if (t.baseModel.length !== 32 || bytesToHex(t.baseModel) !== d.baseModel || d.baseModel !== frame.baseHash)
    return fail('transcript builds on another model')
  const secureFrame: SecureFrame = {
    taskId: d.taskId,
    round: d.round,
    attempt: d.attempt,
    aggregator: d.aggregator,
    baseModel: d.baseModel,
    cohort: t.cohort,
    bucketSize: frame.bucketSize,
    vectorLength: frame.base.values.length,
    bound: frame.bound,
  }
  const plan = planSecureRound(secureFrame, (id) => sources.trainerKey(id))
  if (!plan.ok) return fail(`transcript's cohort: ${plan.reason}`)
  if (t.buckets.length !== plan.buckets.length)
    return fail(`transcript has ${t.buckets.length} buckets, the cohort makes ${plan.buckets.length}`)

  const outcomes: BucketOutcome[] = []
  const included: string[] = []
  for (const [b, bucket] of plan.buckets.entries()) {
    const members = bucket.members.map((m) => secureFrame.cohort[m])
    // All of a bucket's envelopes at once: their signature checks overlap instead of blocking one by one.
    const checked = await Promise.all(
      t.buckets[b].entries.map((e) => entryOf(e, { frame: secureFrame, bucket: b, memberKeys: bucket.params.cohort }, sources)),
    )
    const problems = checked.map((c) => c.problem)
    const replay = await replayTranscript(
      bucket.params,
      checked.map((c) => c.entry),
      { verifyEntry: (_, i) => problems[i] === null, primitives: sources.primitives },
    )
    if (!replay.ok) {
      const bad = problems.findIndex((p) => p !== null)
      if (bad >= 0 && replay.reason.startsWith(`entry ${bad} `)) return fail(`bucket ${b}, entry ${bad} ${problems[bad]}`)
      // A bucket that aborted on replay (too few members answered) is left out, as the aggregator left it out; any other
      // failure (an unfinished or undecodable transcript) refuses the candidate.
      if (!replay.reason.startsWith('the replayed round aborted')) return fail(`bucket ${b}: ${replay.reason}`)
      outcomes.push({ ok: false, reason: replay.reason })
      continue
    }
    outcomes.push({ ok: true, result: replay.result })
    included.push(...includedTrainers(members, replay.result))
  }
  included.sort()
  const named = d.inputs.map((i) => i.trainer)
  if (named.length !== included.length || named.some((id, i) => id !== included[i]))
    return fail(`the descriptor names ${named.length} inputs, the transcript's sums hold ${included.length} trainers`)
  const problems = await Promise.all(d.inputs.map((input) => checkSecureSubmission(d.taskId, d.round, input, sources)))
  const problem = problems.find((p) => p !== null)
  if (problem) return fail(problem)
  const candidate = candidateFromBuckets(
    frame.base,
    outcomes.map((o) => (o.ok ? o.result : null)),
    frame.rule,
    attemptStep(frame.retryStep, d.attempt),
  )
  if (!candidate.ok) return candidate
  return { ok: true, value: { candidate: candidate.value, buckets: outcomes } }
}

/** A secure-mode submission: its ticket and the trainer's signature over it. */
export async function checkSecureSubmission(
  taskId: string,
  round: number,
  input: SubmissionRef,
  sources: SecureSources,
): Promise<string | null> {
  const key = sources.trainerKey(input.trainer)
  if (!key) return `${input.trainer}: unknown trainer`
  if (!isHash(input.update) || input.update !== secureSubmissionTicket(taskId, round, input.trainer))
    return `${input.trainer}: not a secure-mode submission`
  if (!(await sources.verifySignature(key, submissionSignBytes(taskId, round, input.update, input.samples), input.signature)))
    return `${input.trainer}: submission signature does not verify`
  return null
}

/** The validator's side: re-compute from the transcript, compare, evaluate on held-out data. */
export async function judgeSecureCandidate(
  d: ProposalDescriptor,
  transcriptBytes: Uint8Array,
  frame: SecureTaskFrame,
  sources: SecureSources,
  quality: {
    readonly evaluate: (weights: FlatWeights) => Promise<Evaluation>
    readonly baselineAccuracy: number
    readonly maxAccuracyDrop: number
  },
): Promise<Judgement> {
  if (d.taskId !== frame.taskId || d.round !== frame.round || d.baseModel !== frame.baseHash)
    return { valid: false, reason: 'candidate is framed for another task, round or base model' }
  const recomputed = await recomputeSecureCandidate(d, transcriptBytes, frame, sources)
  if (!recomputed.ok) return { valid: false, reason: recomputed.reason }
  const candidate = recomputed.value.candidate
  if (candidate.hash !== d.candidate)
    return {
      valid: false,
      reason: `the transcript replays to ${candidate.hash.slice(0, 12)}…, the aggregator proposed ${d.candidate.slice(0, 12)}…`,
    }
  const evaluation = await quality.evaluate(candidate.weights)
  const problem = accuracyGateProblem(evaluation.accuracy, quality)
  if (problem) return { valid: false, reason: problem, evaluation, candidate }
  return { valid: true, evaluation, candidate }
}

/**
 * What a node runs for the round host's requests in secure mode (README, "Federated round"), on
 * the page and on the relay alike. Trainer: train as in robust mode, keep the update in memory,
 * submit a signed ticket instead of a blob, and answer the attempt's aggregator with one
 * secure-aggregation client for its bucket. Aggregator: run one SecAggAggregator per bucket over
 * the trainers that submitted, record the client envelopes, publish the transcript as a blob and
 * propose the candidate with its hash. Validator: fetch the transcript, replay it, compare and
 * evaluate. The secure-aggregation messages travel through `sendToMember` / `sendToAggregator`
 * (direct streams on the mesh), and arrive through `onServerMessage` / `onClientMessage` once
 * they passed the inbound gate; time comes from the host's clock.
 */
import type { SecAggPrimitives } from '../../secagg/primitives'
import type { RandomSource } from '../../secagg/random'
import { attemptStep, type FlTask } from '../task/spec'
import type { FlatWeights } from '../model/weights'
import { submissionSignBytes } from './codec'
import type { HostClock } from './host'
import { aggregatorFor } from './identity'
import type { ReferenceSource } from '../model/reference'
import { roundRule, type Evaluation } from './reexecute'
import { baseWeights, trainFromBase, type RobustNodeContext } from './robust-handlers'
import {
  candidateFromBuckets,
  checkSecureSubmission,
  encodeTranscript,
  includedTrainers,
  judgeSecureCandidate,
  secureSubmissionTicket,
  type SecureSources,
} from './secure-reexecute'
import {
  SecureAggregatorSession,
  SecureClientSession,
  planSecureRound,
  secureBound,
  type AggregatorSessionOutput,
  type SecureFrame,
} from './secure-session'
import type { AggregateRequest, Hash, ProposalDescriptor, Roster, SubmissionRef, TrainRequest } from './types'
import { SecaggPhase, type SecaggClient, type SecaggServer } from './wire.pb'

export interface SecureNodeContext {
  readonly taskId: string
  readonly task: FlTask
  readonly self: string
  readonly roster: Roster
  /** This node's Ed25519 identity (signs submissions, and the secure-aggregation transcripts through `primitives`). */
  readonly sign: (message: Uint8Array) => Uint8Array
  /** The secret key SecAggClient signs with; zeros when `primitives.ed25519Sign` signs through `sign` instead. */
  readonly identitySecretKey: Uint8Array
  readonly sources: SecureSources & { fetchBlob(hash: Hash): Promise<Uint8Array | null> }
  readonly putBlob: (bytes: Uint8Array) => Promise<Hash>
  readonly models: RobustNodeContext['models']
  readonly training?: RobustNodeContext['training']
  readonly evaluate?: (weights: FlatWeights) => Promise<Evaluation>
  /** Aggregators and validators of an FLTrust task: the round's reference update on the task's root data (model/reference.ts). */
  readonly reference?: ReferenceSource
  readonly clock: HostClock
  readonly random: RandomSource
  readonly primitives?: SecAggPrimitives
  /** Aggregator → one bucket member (a direct stream on the mesh). */
  readonly sendToMember: (to: string, message: SecaggServer) => void
  /** Trainer → the attempt's aggregator; the recipient keeps the signed envelope for the transcript. */
  readonly sendToAggregator: (to: string, message: SecaggClient) => void
  /** Aggregators: a bucket that aborted (counted as mesh_fl_secagg_aborts_total on the relay). */
  readonly onBucketAborted?: (round: number, bucket: number, reason: string) => void
  readonly onRefusedInputs?: (round: number, reasons: readonly string[]) => void
  /** Aggregators: what the rule reports of each candidate across buckets (FLTrust: how many buckets it trusted). */
  readonly onAggregated?: RobustNodeContext['onAggregated']
  /** A secure-aggregation message refused, with its reason. */
  readonly warn?: (what: string, reason: string) => void
}

/**
 * A trainer's update for the round. Each update is masked into at most one secure-aggregation
 * session: once an attempt's session received it masked, its sum may be revealed, and the same
 * update masked into another attempt's bucket (other members, or the same ones with one gone)
 * would let an aggregator difference the two sums down to one trainer's update. A later attempt
 * therefore gets an update trained afresh from the same base on the same shard in another batch
 * order (README, "Secure mode, step by step").
 */
interface HeldUpdate {
  readonly request: TrainRequest
  readonly update: Float32Array
  /** The attempt whose session this update was sent masked to; null while it has been in none. */
  maskedIn: number | null
}

interface RunningAggregation {
  readonly session: SecureAggregatorSession
  readonly finished: () => void
}

/**
 * How long a bucket's phase waits for its members: a quarter of the validate window, at least
 * 0.5 s. A phase closes as soon as every expected member answered, so only a phase someone
 * drops out of waits this long; an eighth (2.5 s with a 20 s window) was shorter than one
 * stream round trip between a page and a loaded relay, and whole sessions aborted with every
 * member still there.
 */
export function securePhaseMs(task: Pick<FlTask, 'validateMs'>): number {
  return Math.max(500, Math.floor(task.validateMs / 4))
}

export function createSecureHandlers(context: SecureNodeContext) {
  const { task } = context
  if (task.privacy.mode !== 'secure') throw new Error('secure handlers for a robust task')
  const bucketSize = task.privacy.bucketSize
  const bound = secureBound(task.clipNorm)
  const baselines = new Map<Hash, number>()
  let held: HeldUpdate | null = null
  const clients = new Map<string, { session: SecureClientSession; aggregator: string; held: HeldUpdate }>()
  /** Attempts whose BEGIN is being answered (a fresh update may be training), so a repeated BEGIN starts nothing twice. */
  const starting = new Set<string>()
  const running = new Map<string, RunningAggregation>()
  const keyOf = (round: number, attempt: number) => `${round}/${attempt}`
  const warn = (what: string, reason: string) => context.warn?.(what, reason)

  const frameOf = (round: number, attempt: number, aggregator: string, baseModel: Hash, cohort: readonly string[], vectorLength: number) =>
    ({ taskId: context.taskId, round, attempt, aggregator, baseModel, cohort, bucketSize, vectorLength, bound }) satisfies SecureFrame

  let timer: (() => void) | null = null
  const schedule = () => {
    timer?.()
    timer = null
    const wake = Math.min(...[...running.values()].map((r) => r.session.wakeAt()))
    if (!Number.isFinite(wake)) return
    timer = context.clock.setTimer(Math.max(0, Math.ceil(wake - context.clock.now())), () => {
      timer = null
      for (const r of running.values()) void r.session.tick(context.clock.now()).then((out) => dispatch(r, out))
    })
  }
  const dispatch = (r: RunningAggregation, out: AggregatorSessionOutput) => {
    for (const m of out.messages) context.sendToMember(m.to, m.message)
    if (r.session.finished) r.finished()
    schedule()
  }

  /** A fresh update in training: started when the node entered the attempt (`prepare`), or at its BEGIN. */
  let retraining: { readonly from: HeldUpdate; readonly attempt: number; readonly update: Promise<HeldUpdate | null> } | null = null
  const retrain = async (from: HeldUpdate, attempt: number): Promise<HeldUpdate | null> => {
    try {
      const { update } = await trainFromBase(context, from.request, attempt)
      if (held !== from) return null // a new round (or another fresh update) replaced it meanwhile
      held = { request: from.request, update, maskedIn: null }
      return held
    } catch (error) {
      warn('secure aggregation', `no fresh update for attempt ${attempt}: ${(error as Error).message}`)
      return null
    }
  }

  /**
   * The update this trainer masks in `attempt` of the held round: the held one unless an earlier
   * attempt's session already received it masked, then one trained afresh for this attempt.
   * Null (with a warning) when that training fails or a new round replaced the held update.
   */
  const updateFor = (attempt: number): Promise<HeldUpdate | null> => {
    const current = held
    if (!current) return Promise.resolve(null)
    if (current.maskedIn === null || current.maskedIn === attempt) return Promise.resolve(current)
    if (retraining?.from !== current || retraining.attempt !== attempt)
      retraining = { from: current, attempt, update: retrain(current, attempt) }
    return retraining.update
  }

  return {
    async train(request: TrainRequest): Promise<SubmissionRef> {
      const { update, samples } = await trainFromBase(context, request)
      held = { request, update, maskedIn: null }
      for (const key of clients.keys()) if (!key.startsWith(`${request.round}/`)) clients.delete(key)
      const ticket = secureSubmissionTicket(context.taskId, request.round, context.self)
      return {
        trainer: context.self,
        update: ticket,
        samples,
        signature: context.sign(submissionSignBytes(context.taskId, request.round, ticket, samples)),
      }
    },

    /**
     * The node entered `attempt` of `round` (RoundHost): a trainer whose update an earlier attempt
     * received masked starts its fresh one now, during the collect phase, not at BEGIN.
     */
    prepare(round: number, attempt: number): void {
      if (held?.request.round === round) void updateFor(attempt)
    },

    /** Trainer: a message from an aggregator (passed the inbound gate, `from` its signer). */
    async onServerMessage(from: string, message: SecaggServer): Promise<void> {
      if (message.taskId !== context.taskId) return
      const key = keyOf(message.round, message.attempt)
      if (message.phase === SecaggPhase.SECAGG_BEGIN) {
        if (from !== aggregatorFor(context.roster, message.round, message.attempt))
          return warn('secure aggregation', `${from} is not the aggregator of round ${message.round} attempt ${message.attempt}`)
        if (held?.request.round !== message.round) return warn('secure aggregation', `no trained update for round ${message.round}`)
        if (clients.has(key) || starting.has(key)) return // a repeated BEGIN: this client already answers it
        if (!message.cohort.includes(context.self)) return warn('secure aggregation', 'BEGIN names a cohort without this trainer')
        starting.add(key)
        try {
          const update = await updateFor(message.attempt)
          if (!update) return
          const frame = frameOf(message.round, message.attempt, from, update.request.baseModel, message.cohort, update.update.length)
          const plan = planSecureRound(frame, (id) => context.sources.trainerKey(id))
          if (!plan.ok) return warn('secure aggregation', plan.reason)
          const session = new SecureClientSession({
            frame,
            buckets: plan.buckets,
            self: context.self,
            update: update.update,
            random: context.random,
            identitySecretKey: context.identitySecretKey,
            primitives: context.primitives,
          })
          if (session.bucket !== message.bucket)
            return warn('secure aggregation', `BEGIN for bucket ${message.bucket}, this trainer is in ${session.bucket}`)
          clients.set(key, { session, aggregator: from, held: update })
          const step = session.begin()
          if (step.ok) context.sendToAggregator(from, step.message)
          else warn('secure aggregation', step.reason)
        } finally {
          starting.delete(key)
        }
        return
      }
      const client = clients.get(key)
      if (!client || client.aggregator !== from)
        return warn('secure aggregation', `no session with ${from} for round ${message.round} attempt ${message.attempt}`)
      // Share delivery asks for the masked input: never for an update another attempt's session already received.
      const masks = message.phase === SecaggPhase.SECAGG_MASK
      if (masks && client.held.maskedIn !== null && client.held.maskedIn !== message.attempt)
        return warn('secure aggregation', `this update was masked in attempt ${client.held.maskedIn}; attempt ${message.attempt} gets none`)
      if (masks) client.held.maskedIn = message.attempt // before the answer exists: a failed answer only costs a retraining
      const step = await client.session.receive(message)
      if (!step.ok) return warn('secure aggregation', step.reason)
      context.sendToAggregator(from, step.message)
    },

    /** Aggregator: a trainer's message and the signed envelope it came in (kept for the transcript). */
    async onClientMessage(from: string, envelope: Uint8Array, message: SecaggClient): Promise<void> {
      const r = running.get(keyOf(message.round, message.attempt))
      if (!r || message.taskId !== context.taskId)
        return warn('secure aggregation', `no running aggregation for round ${message.round} attempt ${message.attempt}`)
      const out = await r.session.receive(from, envelope, message, context.clock.now())
      if (!out.ok) warn(`secure aggregation message from ${from}`, out.reason ?? '')
      dispatch(r, out)
    },

    async aggregate(request: AggregateRequest): Promise<{ candidate: Hash; inputs: readonly string[]; transcript: Hash }> {
      const base = await baseWeights(context, request.baseModel)
      // FLTrust's reference trains while the buckets run (the promise is cached per round and base model).
      const ruleReady = roundRule(task.rule, { round: request.round, baseHash: request.baseModel, base }, context.reference)
      ruleReady.catch(() => undefined)
      const refused: string[] = []
      const problems = await Promise.all(
        request.inputs.map((input) => checkSecureSubmission(context.taskId, request.round, input, context.sources)),
      )
      for (const problem of problems) if (problem) refused.push(problem)
      const participants = request.inputs.filter((_, i) => problems[i] === null)
      if (refused.length > 0) context.onRefusedInputs?.(request.round, refused)
      const frame = frameOf(request.round, request.attempt, context.self, request.baseModel, request.cohort, base.values.length)
      const plan = planSecureRound(frame, (id) => context.sources.trainerKey(id))
      if (!plan.ok) throw new Error(plan.reason)
      const session = new SecureAggregatorSession({
        frame,
        buckets: plan.buckets,
        participants: participants.map((p) => p.trainer),
        now: context.clock.now(),
        phaseMs: securePhaseMs(task),
        primitives: context.primitives,
      })
      const key = keyOf(request.round, request.attempt)
      let finished!: () => void
      const done = new Promise<void>((resolve) => (finished = resolve))
      const r: RunningAggregation = { session, finished }
      running.set(key, r)
      try {
        dispatch(r, await session.start(context.clock.now()))
        await done
      } finally {
        running.delete(key)
        schedule()
      }
      const outcomes = session.outcomes()
      const results = outcomes.map((o) => (o?.ok ? o.result : null))
      const used: string[] = []
      for (const [b, o] of outcomes.entries()) {
        if (o?.ok)
          used.push(
            ...includedTrainers(
              plan.buckets[b].members.map((m) => frame.cohort[m]),
              o.result,
            ),
          )
        else context.onBucketAborted?.(request.round, b, o?.reason ?? 'unfinished')
      }
      used.sort()
      if (used.length < task.quorum) throw new Error(`${used.length} trainers inside finished buckets' sums, quorum is ${task.quorum}`)
      const rule = await ruleReady
      if (!rule.ok) throw new Error(rule.reason)
      const candidate = candidateFromBuckets(base, results, rule.value, attemptStep(task.retryStep, request.attempt))
      if (!candidate.ok) throw new Error(candidate.reason)
      context.onAggregated?.(request.round, candidate.value.details ?? {}, used)
      const transcript = await context.putBlob(encodeTranscript({ frame, buckets: session.transcript() }))
      return { candidate: await context.models.put(candidate.value.weights), inputs: used, transcript }
    },

    async verify(d: ProposalDescriptor): Promise<boolean> {
      const evaluate = context.evaluate
      if (!evaluate) throw new Error('this node does not validate')
      if (!d.transcript) throw new Error('a secure-mode candidate names no transcript')
      const transcript = await context.sources.fetchBlob(d.transcript)
      if (!transcript) throw new Error('transcript blob unavailable')
      const base = await baseWeights(context, d.baseModel)
      let baseline = baselines.get(d.baseModel)
      if (baseline === undefined) {
        baseline = (await evaluate(base)).accuracy
        baselines.set(d.baseModel, baseline)
      }
      const rule = await roundRule(task.rule, { round: d.round, baseHash: d.baseModel, base }, context.reference)
      if (!rule.ok) throw new Error(rule.reason)
      const judgement = await judgeSecureCandidate(
        d,
        transcript,
        {
          taskId: context.taskId,
          round: d.round,
          base,
          baseHash: d.baseModel,
          bucketSize,
          bound,
          rule: rule.value,
          retryStep: task.retryStep,
        },
        context.sources,
        { evaluate, baselineAccuracy: baseline, maxAccuracyDrop: task.maxAccuracyDrop },
      )
      if (!judgement.valid) throw new Error(judgement.reason ?? 'invalid candidate')
      if (judgement.candidate) await context.models.put(judgement.candidate.weights)
      return true
    },

    stop(): void {
      timer?.()
      timer = null
    },
  }
}

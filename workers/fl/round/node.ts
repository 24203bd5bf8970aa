/**
 * The federated round as a pure state machine, one per node and task: announce → collect →
 * aggregate → propose → validate → commit → adopt. It imports no network, timer or storage;
 * time arrives as 'tick' events, and the heavy work — training, aggregating, re-executing a
 * candidate, checking a certificate — is asked for in the output and answered by events, so
 * the page runs it in the training worker, the relay in Node and the simulator inline.
 *
 * Consensus is not in here: on validators the adapter hands `candidates` to the BFT core as
 * values to propose, answers the core's validity questions with `verdict()` (or a 'judge'
 * event when the descriptor is new), and feeds each decision back as 'decided'.
 *
 * Liveness, in the terms of the README: every attempt has a deadline (collectMs +
 * validateMs from when this node entered it); a round not committed by then moves to the
 * next attempt and so to the next aggregator, and an aggregator proposes only with `quorum`
 * inputs. A trainer that never submits costs at most the collect deadline; a wrong candidate
 * gets no valid verdict, hence no certificate, and the next attempt's aggregator completes
 * the round.
 */
import { aggregatorFor, canonicalCohort, cohortIndex, descriptorKey } from './identity'
import type {
  AggregateRequest,
  AggregateResult,
  Announce,
  CommitProof,
  Hash,
  Outbound,
  Phase,
  ProposalDescriptor,
  RoundEvent,
  RoundMessage,
  RoundOutput,
  RoundParams,
  RoundStatus,
  Roster,
  SubmissionRef,
  TrainRequest,
} from './types'

export interface RoundNodeConfig {
  /** This node's PeerId. */
  readonly self: string
  /** Whether this node trains (holds the trainer role and joined the task). Aggregator and validator duty follow from the roster. */
  readonly trainer: boolean
  readonly params: RoundParams
  readonly roster: Roster
  /** Virtual time at creation, ms. */
  readonly now: number
  /** Rounds already committed (0 for a new task) and the model they ended on (the task's initial model when 0). */
  readonly committedRound: number
  readonly baseModel: Hash
  readonly lastCommit?: CommitProof | null
  /** How often an aggregator repeats its announcement and proposal, and a validator the last commit, so lost messages recover. Default collectMs / 4. */
  readonly rebroadcastMs?: number
  /**
   * A trainer whose update went into a proposal that did not commit trains a fresh one (same
   * shard, another batch order) for the next attempt instead of sending the same one again.
   * Robust mode sets it: there the next aggregator would otherwise recompute the very candidate
   * the validators refused, and a round whose honest candidate falls below the task's accuracy
   * check would never commit. Secure mode leaves it off: its handlers already mask a fresh
   * update into every later session (secure-handlers.ts).
   */
  readonly freshUpdateAfterProposal?: boolean
}

export interface RoundNode {
  step(event: RoundEvent): RoundOutput
  status(): RoundStatus
  /** A validator's verdict on a candidate: true/false, 'pending' while re-execution runs, null when it was never taken up (wrong round, refused frame). */
  verdict(descriptor: ProposalDescriptor): boolean | 'pending' | null
}

interface MutableOutput {
  messages: Outbound[]
  train: TrainRequest | null
  aggregate: AggregateRequest | null
  verify: ProposalDescriptor[]
  certify: CommitProof[]
  adopt: CommitProof | null
  candidatesChanged: boolean
}

const freshOutput = (): MutableOutput => ({
  messages: [],
  train: null,
  aggregate: null,
  verify: [],
  certify: [],
  adopt: null,
  candidatesChanged: false,
})

/** Trainers a round's cohort (and so a descriptor's inputs) may hold; keeps every round message within its kind's size. */
export const MAX_ROUND_INPUTS = 1024

export function createRoundNode(config: RoundNodeConfig): RoundNode {
  return new Node(config)
}

class Node implements RoundNode {
  private readonly self: string
  private readonly params: RoundParams
  private readonly roster: Roster
  private readonly isTrainer: boolean
  private readonly isValidator: boolean
  private readonly freshUpdateAfterProposal: boolean
  private readonly rebroadcastMs: number
  private now: number

  private committedRound: number
  private baseModel: Hash
  private lastCommit: CommitProof | null
  private round: number
  private attempt = 0
  private attemptStartedAt: number
  private presence: string[] = []

  // What this node knows of the current attempt.
  private cohort: string[] = []
  private announced = false

  // As trainer, per round.
  private training = false
  private submission: SubmissionRef | null = null
  /** The latest attempt whose proposal used this trainer's submission (null: none seen). */
  private proposedInAttempt: number | null = null

  // As the current attempt's aggregator.
  private collectUntil = Infinity
  private readonly submissions = new Map<string, SubmissionRef>()
  private aggregating = false
  /**
   * An aggregator aggregates once per attempt: a failed aggregation lets the attempt lapse, as
   * the liveness rule says. Retrying within it would start a second secure-aggregation session
   * that trainers refuse (each answers one BEGIN per round and attempt, so that an aggregator
   * cannot difference the sums of two sessions over different members).
   */
  private aggregationTried = false
  private proposal: ProposalDescriptor | null = null
  private nextRebroadcastAt: number

  // As validator, per round.
  private readonly requested = new Set<string>()
  private readonly verdicts = new Map<string, boolean>()
  private validCandidates: ProposalDescriptor[] = []

  private readonly certifying = new Set<string>()
  /** An announcement of a later round, waiting until its `previous` commit is certified. */
  private pendingAnnounce: { from: string; message: Announce } | null = null

  private out: MutableOutput = freshOutput()

  constructor(config: RoundNodeConfig) {
    const p = config.params
    if (!(p.rounds >= 1 && p.quorum >= 1 && p.collectMs > 0 && p.validateMs > 0))
      throw new RangeError('round params: rounds, quorum, collectMs and validateMs must be positive')
    if (config.roster.aggregators.length === 0) throw new RangeError('the task has no aggregator')
    this.self = config.self
    this.params = p
    this.roster = config.roster
    this.isTrainer = config.trainer
    this.isValidator = config.roster.validators.includes(config.self)
    this.freshUpdateAfterProposal = config.freshUpdateAfterProposal ?? false
    this.rebroadcastMs = config.rebroadcastMs ?? Math.max(1, Math.floor(p.collectMs / 4))
    this.now = config.now
    this.committedRound = config.committedRound
    this.baseModel = config.baseModel
    this.lastCommit = config.lastCommit ?? null
    this.round = config.committedRound + 1
    this.attemptStartedAt = config.now
    this.nextRebroadcastAt = config.now + this.rebroadcastMs
  }

  private get done(): boolean {
    return this.round > this.params.rounds
  }

  private get attemptDeadline(): number {
    return this.attemptStartedAt + this.params.collectMs + this.params.validateMs
  }

  private get aggregator(): string {
    return aggregatorFor(this.roster, this.round, this.attempt)
  }

  private get isAggregator(): boolean {
    return this.aggregator === this.self
  }

  step(event: RoundEvent): RoundOutput {
    this.out = freshOutput()
    const problem = this.apply(event)
    if (problem === null) this.progress()
    const out = this.out
    this.out = freshOutput()
    return {
      ok: problem === null,
      ...(problem === null ? {} : { reason: problem }),
      messages: out.messages,
      train: out.train,
      aggregate: out.aggregate,
      verify: out.verify,
      certify: out.certify,
      candidates: out.candidatesChanged ? [...this.validCandidates] : [],
      adopt: out.adopt,
      wakeAt: this.wakeAt(),
    }
  }

  status(): RoundStatus {
    return {
      round: Math.min(this.round, this.params.rounds),
      attempt: this.attempt,
      phase: this.phase(),
      baseModel: this.baseModel,
      aggregator: this.done ? '' : this.aggregator,
      cohort: [...this.cohort],
      received: this.submissions.size,
      committedRounds: this.committedRound,
    }
  }

  verdict(descriptor: ProposalDescriptor): boolean | 'pending' | null {
    const key = descriptorKey(descriptor)
    return this.verdicts.get(key) ?? (this.requested.has(key) ? 'pending' : null)
  }

  private phase(): Phase {
    if (this.done) return 'done'
    if (this.isAggregator && this.announced) {
      if (this.aggregating) return 'aggregating'
      return this.proposal ? 'proposed' : 'collecting'
    }
    if (this.isValidator && [...this.requested].some((k) => !this.verdicts.has(k))) return 'validating'
    if (this.isTrainer && this.training) return 'training'
    if (this.isTrainer && this.submission && cohortIndex(this.cohort, this.self) >= 0) return 'submitted'
    return 'waiting'
  }

  private wakeAt(): number {
    if (this.done) return this.isValidator && this.lastCommit ? this.nextRebroadcastAt : Infinity
    let at = Math.min(this.attemptDeadline, this.nextRebroadcastAt)
    if (this.isAggregator && this.announced && !this.aggregating && !this.proposal && this.collectUntil > this.now)
      at = Math.min(at, this.collectUntil)
    return at
  }

  // ---- events ----

  private apply(event: RoundEvent): string | null {
    switch (event.type) {
      case 'tick':
        if (!Number.isFinite(event.now)) return 'bad time'
        if (event.now < this.now) return `time went backwards: ${event.now} < ${this.now}`
        this.now = event.now
        return null
      case 'presence':
        this.presence = canonicalCohort(event.trainers)
        return null
      case 'receive':
        return this.onMessage(event.from, event.message)
      case 'trained':
        return this.onTrained(event.round, event.submission)
      case 'train-failed':
        if (event.round === this.round) this.training = false
        return null
      case 'aggregated':
        return this.onAggregated(event.round, event.attempt, event.result)
      case 'verified':
        return this.onVerified(event.descriptor, event.valid)
      case 'judge':
        return this.judge(event.descriptor)
      case 'decided':
        return this.onDecided(event.proof)
      case 'certify-failed':
        this.certifying.delete(descriptorKey(event.proof.descriptor))
        return null
      default:
        return 'unknown event'
    }
  }

  private onMessage(from: string, message: RoundMessage): string | null {
    const taskId =
      message.kind === 'propose'
        ? message.descriptor.taskId
        : message.kind === 'committed'
          ? message.proof.descriptor.taskId
          : message.taskId
    if (taskId !== this.params.taskId) return `message for task ${taskId}, this node runs ${this.params.taskId}`
    switch (message.kind) {
      case 'announce':
        return this.onAnnounce(from, message)
      case 'submit':
        return this.onSubmit(from, message.round, message.attempt, message.submission)
      case 'propose':
        if (from !== message.descriptor.aggregator) return 'proposal relayed by a node other than its aggregator'
        this.noteProposal(message.descriptor)
        return this.isValidator ? this.judge(message.descriptor) : null
      case 'committed':
        return this.onCommitted(message.proof)
      default:
        return 'unknown message'
    }
  }

  private onAnnounce(from: string, a: Announce): string | null {
    if (!Number.isSafeInteger(a.round) || a.round < 1 || !Number.isSafeInteger(a.attempt) || a.attempt < 0) return 'bad round or attempt'
    if (from !== aggregatorFor(this.roster, a.round, a.attempt))
      return `announcement from ${from}, not the aggregator of round ${a.round} attempt ${a.attempt}`
    if (a.round < this.round) return null // stale: this node committed that round already
    if (a.round > this.round) {
      // This node missed a commit. The announcement carries it: check its certificate first.
      const previous = a.previous
      if (!previous || previous.descriptor.round !== a.round - 1 || previous.descriptor.candidate !== a.baseModel)
        return `announcement of round ${a.round} while this node is at ${this.round}, without the commit in between`
      this.pendingAnnounce = { from, message: a }
      return this.onCommitted(previous)
    }
    if (this.done) return null
    if (a.baseModel !== this.baseModel)
      return `announcement builds on model ${a.baseModel.slice(0, 12)}, not the committed ${this.baseModel.slice(0, 12)}`
    if (a.attempt < this.attempt) return null
    const cohort = canonicalCohort(a.cohort)
    if (cohort.length !== a.cohort.length || cohort.some((id, i) => id !== a.cohort[i])) return 'cohort is not sorted and duplicate-free'
    if (cohort.length > MAX_ROUND_INPUTS) return 'cohort too large'
    if (a.attempt > this.attempt) this.enterAttempt(a.attempt)
    this.cohort = cohort
    const index = cohortIndex(cohort, this.self)
    if (!this.isTrainer || index < 0) return null
    const spent = this.submission !== null && this.proposedInAttempt !== null && a.attempt > this.proposedInAttempt
    if (spent) {
      this.submission = null
      this.proposedInAttempt = null
    }
    if (this.submission) this.submitTo(from)
    else if (!this.training) {
      this.training = true
      this.out.train = {
        round: this.round,
        baseModel: this.baseModel,
        shard: index,
        cohortSize: cohort.length,
        ...(spent ? { attempt: a.attempt } : {}),
      }
    }
    return null
  }

  /** A trainer sees a proposal of this round built on its submission (freshUpdateAfterProposal). */
  private noteProposal(d: ProposalDescriptor): void {
    const submission = this.submission
    if (!this.freshUpdateAfterProposal || !this.isTrainer || !submission || d.round !== this.round) return
    if (d.aggregator !== aggregatorFor(this.roster, d.round, d.attempt)) return
    if (!d.inputs.some((input) => input.trainer === this.self && input.update === submission.update)) return
    this.proposedInAttempt = Math.max(this.proposedInAttempt ?? -1, d.attempt)
  }

  private onTrained(round: number, submission: SubmissionRef): string | null {
    if (round !== this.round) return null
    if (!this.isTrainer) return 'this node does not train'
    if (submission.trainer !== this.self) return 'a trained update must name this node'
    this.training = false
    this.submission = submission
    if (cohortIndex(this.cohort, this.self) >= 0) this.submitTo(this.aggregator)
    return null
  }

  private submitTo(aggregator: string): void {
    if (!this.submission) return
    this.send(aggregator, {
      kind: 'submit',
      taskId: this.params.taskId,
      round: this.round,
      attempt: this.attempt,
      submission: this.submission,
    })
  }

  private onSubmit(from: string, round: number, attempt: number, s: SubmissionRef): string | null {
    if (round !== this.round || attempt !== this.attempt || this.done) return null // another attempt's: harmless
    if (!this.isAggregator || !this.announced) return 'this node is not collecting for that attempt'
    if (from !== s.trainer) return 'submission sent by a node other than its trainer'
    if (cohortIndex(this.cohort, from) < 0) return `${from} is not in the round's cohort`
    if (!Number.isSafeInteger(s.samples) || s.samples < 0) return 'bad sample count'
    const known = this.submissions.get(from)
    if (known) return known.update === s.update ? null : 'a second, different update for the same round'
    if (this.aggregating || this.proposal) return null // too late for this attempt
    this.submissions.set(from, s)
    return null
  }

  private onAggregated(round: number, attempt: number, result: AggregateResult): string | null {
    if (round !== this.round || attempt !== this.attempt || !this.aggregating) return null
    this.aggregating = false
    if (!result.ok) return null // the attempt lapses and the next aggregator tries
    const used = result.inputs ? new Set(result.inputs) : null
    const inputs = [...this.submissions.values()]
      .filter((s) => used === null || used.has(s.trainer))
      .sort((a, b) => (a.trainer < b.trainer ? -1 : 1))
    if (used && (inputs.length !== used.size || inputs.length < this.params.quorum))
      return `the aggregate names ${used.size} inputs, ${inputs.length} of them submitted; quorum is ${this.params.quorum}`
    this.proposal = {
      taskId: this.params.taskId,
      round,
      attempt,
      aggregator: this.self,
      baseModel: this.baseModel,
      inputs,
      candidate: result.candidate,
      ...(result.transcript ? { transcript: result.transcript } : {}),
    }
    this.send(null, { kind: 'propose', descriptor: this.proposal })
    return null
  }

  /** A validator meets a candidate: check its frame, then ask for re-execution once. */
  private judge(d: ProposalDescriptor): string | null {
    if (!this.isValidator) return 'this node is not a validator'
    if (d.taskId !== this.params.taskId) return 'candidate for another task'
    if (d.round !== this.round || this.done) return null
    if (d.aggregator !== aggregatorFor(this.roster, d.round, d.attempt))
      return `${d.aggregator} is not the aggregator of attempt ${d.attempt}`
    if (d.baseModel !== this.baseModel) return 'candidate builds on another model'
    if (d.inputs.length < this.params.quorum) return `candidate has ${d.inputs.length} inputs, quorum is ${this.params.quorum}`
    if (d.inputs.length > MAX_ROUND_INPUTS) return 'too many inputs'
    for (let i = 1; i < d.inputs.length; i++)
      if (!(d.inputs[i - 1].trainer < d.inputs[i].trainer)) return 'inputs not sorted by distinct trainers'
    const key = descriptorKey(d)
    if (this.requested.has(key)) return null
    this.requested.add(key)
    this.out.verify.push(d)
    return null
  }

  private onVerified(d: ProposalDescriptor, valid: boolean): string | null {
    const key = descriptorKey(d)
    if (!this.requested.has(key)) return 'no verification was requested for this candidate'
    if (this.verdicts.has(key)) return null
    this.verdicts.set(key, valid)
    if (valid && d.round === this.round) {
      this.validCandidates.push(d)
      this.out.candidatesChanged = true
    }
    return null
  }

  private onCommitted(proof: CommitProof): string | null {
    const d = proof.descriptor
    if (!Number.isSafeInteger(d.round) || d.round < 1) return 'bad round'
    if (d.round <= this.committedRound) return null
    const key = descriptorKey(d)
    if (this.certifying.has(key)) return null
    this.certifying.add(key)
    this.out.certify.push(proof)
    return null
  }

  private onDecided(proof: CommitProof): string | null {
    const d = proof.descriptor
    if (d.taskId !== this.params.taskId) return 'decision for another task'
    this.certifying.delete(descriptorKey(d))
    if (d.round <= this.committedRound) return null
    this.committedRound = d.round
    this.baseModel = d.candidate
    this.lastCommit = proof
    this.out.adopt = proof
    this.round = d.round + 1
    this.training = false
    this.submission = null
    this.proposedInAttempt = null
    this.requested.clear()
    this.verdicts.clear()
    this.validCandidates = []
    this.enterAttempt(0)
    if (this.isValidator) this.send(null, { kind: 'committed', proof })
    const pending = this.pendingAnnounce
    this.pendingAnnounce = null
    if (pending && pending.message.round === this.round) return this.onAnnounce(pending.from, pending.message)
    return null
  }

  private enterAttempt(attempt: number): void {
    this.attempt = attempt
    this.attemptStartedAt = this.now
    this.cohort = []
    this.announced = false
    this.collectUntil = Infinity
    this.submissions.clear()
    this.aggregating = false
    this.aggregationTried = false
    this.proposal = null
  }

  // ---- time ----

  private progress(): void {
    if (this.now >= this.nextRebroadcastAt) {
      this.rebroadcast()
      this.nextRebroadcastAt = this.now + this.rebroadcastMs
    }
    if (this.done) return
    if (this.now >= this.attemptDeadline) {
      // Jump straight to the attempt this node's clock is in, not one per tick.
      const span = this.params.collectMs + this.params.validateMs
      this.enterAttempt(this.attempt + Math.max(1, Math.floor((this.now - this.attemptStartedAt) / span)))
    }
    if (this.isAggregator && !this.announced && this.presence.length >= this.params.quorum) this.announce()
    if (this.isAggregator && this.announced && !this.aggregationTried) {
      const everyone = this.submissions.size === this.cohort.length
      if ((everyone || this.now >= this.collectUntil) && this.submissions.size >= this.params.quorum) {
        this.aggregating = true
        this.aggregationTried = true
        const inputs = [...this.submissions.values()].sort((a, b) => (a.trainer < b.trainer ? -1 : 1))
        this.out.aggregate = { round: this.round, attempt: this.attempt, baseModel: this.baseModel, inputs, cohort: [...this.cohort] }
      }
    }
  }

  private announce(): void {
    this.announced = true
    this.cohort = [...this.presence]
    this.collectUntil = Math.min(this.now + this.params.collectMs, this.attemptDeadline)
    this.send(null, this.announcement())
  }

  private announcement(): Announce {
    return {
      kind: 'announce',
      taskId: this.params.taskId,
      round: this.round,
      attempt: this.attempt,
      baseModel: this.baseModel,
      cohort: this.cohort,
      previous: this.lastCommit,
    }
  }

  private rebroadcast(): void {
    if (this.isValidator && this.lastCommit) this.out.messages.push({ to: null, message: { kind: 'committed', proof: this.lastCommit } })
    if (this.done || !this.isAggregator || !this.announced) return
    if (!this.aggregating && !this.proposal) this.out.messages.push({ to: null, message: this.announcement() })
    if (this.proposal) this.out.messages.push({ to: null, message: { kind: 'propose', descriptor: this.proposal } })
  }

  /** Sends a message, handling this node's own copy at once (an aggregator may also train and validate). */
  private send(to: string | null, message: RoundMessage): void {
    if (to !== this.self) this.out.messages.push({ to, message })
    if (to === this.self || to === null) {
      const problem = this.onMessage(this.self, message)
      void problem // a node's own message cannot be refused for anything the sender could fix
    }
  }
}

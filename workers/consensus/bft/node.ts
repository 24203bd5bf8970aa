import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { buildCertificate, verifyCertificate } from '../certificate/certificate'
import { commitSignBytes } from '../certificate/sign-bytes'
import type { SetChange, SignatureScheme, ValidatorSet, ValidatorSigner } from '../certificate'
import { proposalSignBytes, voteSignBytes } from './sign-bytes'
import { messageProblem } from './validate'
import type {
  BftConfig,
  BftEvent,
  BftMessage,
  BftStatus,
  BftTimeouts,
  Commit,
  Decision,
  Equivocation,
  Outbound,
  PersistedBftState,
  Proposal,
  Step,
  StepResult,
  ValidationRequest,
  Vote,
  VoteType,
} from './types'
import { equalBytes } from '../../common/bytes'

/**
 * Tendermint's consensus algorithm (Buchman, Kwon, Milosevic, "The latest gossip on BFT
 * consensus", 2018), one height after another, as a pure state machine. Comments cite the
 * paper's line numbers (L22 …) where a rule implements one of its "upon" clauses.
 *
 * Departures from the paper, each for a reason:
 *  - A proposal that re-proposes a value (validRound >= 0) carries the quorum of prevotes
 *    that justifies it, because there is no gossip layer that relays old votes.
 *  - Lost messages are recovered by each node re-sending its own messages of the current
 *    round every `rebroadcastMs`, and a validator that hears from one still working on a
 *    decided height answers with the commit (certificate + value).
 *  - Round skipping (L55) counts validators whose highest signed round is above ours and
 *    moves to the round that f+1 of them have reached, so that state stays bounded.
 *  - Deciding (L49) needs the value with that id from any proposal, and a certificate whose
 *    aggregate signature verifies; local validity is not re-checked there, since a quorum
 *    includes f+1 honest validators that checked it.
 *  - Validity is asynchronous: a proposal whose value the application has not judged yet
 *    waits (the propose timeout still runs), and the verdict arrives as a 'validity' event.
 *    Re-executing an aggregation takes seconds in a worker, which a synchronous callback
 *    would have to block on.
 */

const NIL = 'nil'
const EMPTY = new Uint8Array(0)

export const DEFAULT_BFT_TIMEOUTS: BftTimeouts = {
  proposeMs: 1000,
  prevoteMs: 500,
  precommitMs: 500,
  roundIncrementMs: 500,
  rebroadcastMs: 1000,
}

type TimerKind = 'propose' | 'prevote' | 'precommit'
interface Timer {
  readonly kind: TimerKind
  readonly round: number
  readonly at: number
}

class RoundState {
  proposal: Proposal | null = null
  proposalKey: string | null = null
  readonly prevotes = new Map<number, Vote>()
  readonly precommits = new Map<number, Vote>()
  readonly prevoteTally = new Map<string, number>()
  readonly precommitTally = new Map<string, number>()
  prevoteTimerArmed = false
  precommitTimerArmed = false
  lockRuleDone = false
  /** Precommits whose commit signature failed on its own: they count for timeouts, never for a certificate. */
  readonly badCommitSignatures = new Set<number>()
  /** Good precommits per value when a certificate was last attempted, so a failed attempt is only retried with more. */
  readonly commitAttempts = new Map<string, number>()
}

interface Collected {
  messages: Outbound[]
  decisions: Decision[]
  validate: ValidationRequest[]
  needValue: number | null
  equivocations: Equivocation[]
  persistDirty: boolean
}

function keyOf(valueId: Uint8Array | null): string {
  return valueId === null ? NIL : bytesToHex(valueId)
}

function freshOutput(): Collected {
  return { messages: [], decisions: [], validate: [], needValue: null, equivocations: [], persistDirty: false }
}

export interface BftNode {
  step(event: BftEvent): StepResult
  status(): BftStatus
  /** The state a restart needs (the same object `persist` last returned). */
  persisted(): PersistedBftState
}

export type CreateBftNodeResult = { readonly ok: true; readonly node: BftNode } | { readonly ok: false; readonly reason: string }

export function createBftNode(config: BftConfig): BftNode {
  const created = tryCreateBftNode(config)
  if (!created.ok) throw new Error(created.reason)
  return created.node
}

export function tryCreateBftNode(config: BftConfig): CreateBftNodeResult {
  if (!Number.isFinite(config.now)) return { ok: false, reason: 'bad start time' }
  const start = config.restored?.height ?? config.startHeight ?? 1
  if (!Number.isSafeInteger(start) || start < 1) return { ok: false, reason: `bad start height ${start}` }
  const chain = config.membership?.chain
  if (chain && chain.height !== start - 1)
    return { ok: false, reason: `the validator chain is recorded up to height ${chain.height}; the node starts at ${start}` }
  const set = chain ? chain.setAt(start) : config.validators
  if (!set) return { ok: false, reason: `no validator set known for height ${start}` }
  const index = set.validators.findIndex((v) => equalBytes(v.identityKey, config.signer.identityKey))
  // With membership changes a node outside the set follows the chain (and votes once it is added).
  if (index < 0 && !chain) return { ok: false, reason: 'the signer is not in the validator set' }
  if (index >= 0 && !equalBytes(set.validators[index].voteKey, config.signer.voteKey))
    return { ok: false, reason: "the signer's vote key differs from the validator set's" }
  return { ok: true, node: new BftCore(config, set) }
}

class BftCore implements BftNode {
  private readonly chainId: string
  private readonly scheme: SignatureScheme
  private readonly signer: ValidatorSigner
  private readonly membership: BftConfig['membership'] | null
  /** The set deciding the current height, this node's index in it (-1: not a member, it only follows), and its sizes. */
  private set: ValidatorSet
  private index = -1
  private n = 0
  private quorum = 0
  private maxFaulty = 0
  private readonly timeouts: BftTimeouts
  private readonly maxRoundsAhead: number
  private readonly commitHistory: number

  private now: number
  /** Learnt extra on every timeout (adaptive timeouts), and when this height began. */
  private adaptMs = 0
  private heightStartedAt: number
  private height = 1
  private round = 0
  private step_: Step = 'propose'
  private locked: { round: number; key: string } | null = null
  private valid: { round: number; key: string } | null = null
  /** Values and their ids seen at this height, by key (hex id). */
  private values = new Map<string, { value: Uint8Array; id: Uint8Array }>()
  private verdicts = new Map<string, boolean>()
  private requested = new Set<string>()
  private rounds = new Map<number, RoundState>()
  /** Highest round each validator has signed anything in at this height (-1: none), and that message. */
  private highestRound!: number[]
  private latest!: (Proposal | Vote | null)[]
  private timers: Timer[] = []
  private nextRebroadcastAt: number
  /** What this node signed at this height, by `${round}:${what}`: never signed twice. */
  private own = new Map<string, Proposal | Vote>()
  private candidates = new Map<number, Uint8Array>()
  private needValueRound = -1
  private future: (Proposal | Vote)[] = []
  private commits = new Map<number, Commit>()
  /** When this node decided each height in `commits` (absent for one restored from storage). */
  private decidedAt = new Map<number, number>()
  private lastCommit: Commit | null = null
  private lastReplyAt = new Map<string, number>()
  private out: Collected = freshOutput()
  private snapshot: PersistedBftState | null = null

  constructor(config: BftConfig, set: ValidatorSet) {
    this.chainId = config.chainId
    this.scheme = config.scheme
    this.signer = config.signer
    this.membership = config.membership ?? null
    this.set = set
    this.useSet(set)
    this.timeouts = { ...DEFAULT_BFT_TIMEOUTS, ...config.timeouts }
    this.maxRoundsAhead = config.maxRoundsAhead ?? 16
    this.commitHistory = config.commitHistory ?? 16
    this.now = config.now
    this.heightStartedAt = config.now
    this.nextRebroadcastAt = config.now + this.timeouts.rebroadcastMs
    if (config.restored) this.restore(config.restored)
    else {
      this.height = config.startHeight ?? 1
      this.startRound(0)
    }
    this.snapshot = this.buildSnapshot()
  }

  /** Switches to the set deciding a new height: sizes, this node's index, per-validator tallies. */
  private useSet(set: ValidatorSet): void {
    this.set = set
    this.n = set.validators.length
    this.quorum = set.quorum
    this.maxFaulty = set.maxFaulty
    const index = set.validators.findIndex((v) => equalBytes(v.identityKey, this.signer.identityKey))
    this.index = index >= 0 && equalBytes(set.validators[index].voteKey, this.signer.voteKey) ? index : -1
    this.highestRound = new Array<number>(this.n).fill(-1)
    this.latest = new Array<Proposal | Vote | null>(this.n).fill(null)
  }

  /** The set deciding `height`: the current one, or (for messages of other heights) the chain's; null when not known. */
  private setFor(height: number): ValidatorSet | null {
    if (height === this.height || !this.membership) return this.set
    return this.membership.chain.setAt(height)
  }

  private changeOf(value: Uint8Array): SetChange | null {
    return this.membership ? this.membership.setChangeOf(value) : null
  }

  status(): BftStatus {
    return {
      height: this.height,
      round: this.round,
      step: this.step_,
      index: this.index,
      lockedRound: this.locked?.round ?? -1,
      validRound: this.valid?.round ?? -1,
      timeoutAdaptMs: this.adaptMs,
    }
  }

  persisted(): PersistedBftState {
    return this.snapshot ?? this.buildSnapshot()
  }

  step(event: BftEvent): StepResult {
    this.out = freshOutput()
    const reason = this.apply(event)
    if (reason === null) this.progress()
    const out = this.out
    let persist: PersistedBftState | null = null
    if (out.persistDirty) {
      persist = this.buildSnapshot()
      this.snapshot = persist
    }
    return {
      ok: reason === null,
      ...(reason === null ? {} : { reason }),
      messages: out.messages,
      decisions: out.decisions,
      validate: out.validate,
      needValue: out.needValue,
      equivocations: out.equivocations,
      persist,
      wakeAt: this.wakeAt(),
    }
  }

  // ---- events -------------------------------------------------------------------------

  private apply(event: BftEvent): string | null {
    switch (event?.type) {
      case 'tick':
        return this.onTick(event.now)
      case 'receive': {
        if (typeof event.from !== 'string') return 'sender missing'
        const problem = messageProblem(event.message)
        if (problem) return problem
        const m = event.message
        if (m.kind === 'vote') return this.onVote(m, event.from)
        if (m.kind === 'proposal') return this.onProposal(m, event.from)
        return this.onCommit(m)
      }
      case 'value':
        return this.onValue(event.height, event.value)
      case 'validity':
        return this.onValidity(event.height, event.valueId, event.valid)
      default:
        return 'unknown event'
    }
  }

  private onTick(now: number): string | null {
    if (!Number.isFinite(now)) return 'bad time'
    if (now < this.now) return `time went backwards: ${now} < ${this.now}`
    this.now = now
    const due = this.timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)
    if (due.length > 0) this.timers = this.timers.filter((t) => t.at > now)
    for (const timer of due) {
      this.fire(timer)
      this.progress()
    }
    if (now >= this.nextRebroadcastAt) {
      this.rebroadcast()
      this.nextRebroadcastAt = now + this.timeouts.rebroadcastMs
    }
    return null
  }

  private onValue(height: number, value: Uint8Array): string | null {
    if (!Number.isSafeInteger(height) || height < 1) return `bad height ${height}`
    if (!(value instanceof Uint8Array) || value.length > 64 * 1024) return 'bad value'
    if (height < this.height) return null
    if (height > this.height + this.commitHistory) return `height ${height} is too far ahead of ${this.height}`
    this.candidates.set(height, value)
    return null
  }

  private onValidity(height: number, valueId: Uint8Array, valid: boolean): string | null {
    if (!(valueId instanceof Uint8Array) || typeof valid !== 'boolean') return 'bad validity event'
    if (height !== this.height) return null
    const key = bytesToHex(valueId)
    if (!this.requested.has(key)) return 'no validation was requested for this value'
    this.verdicts.set(key, valid)
    return null
  }

  private onVote(vote: Vote, from: string): string | null {
    if (vote.height > this.height + 1) return `height ${vote.height} is too far ahead of ${this.height}`
    const set = this.setFor(vote.height)
    if (!set) return `no validator set known for height ${vote.height}`
    if (vote.validator >= set.validators.length) return `unknown validator ${vote.validator}`
    if (!this.voteSignatureValid(vote, set)) return 'bad vote signature'
    if (vote.height < this.height) {
      this.replyWithCommit(from, vote.height)
      return null
    }
    if (vote.height > this.height) return this.buffer(vote)
    return this.addVote(vote)
  }

  private onProposal(proposal: Proposal, from: string): string | null {
    if (proposal.height > this.height + 1) return `height ${proposal.height} is too far ahead of ${this.height}`
    const set = this.setFor(proposal.height)
    if (!set) return `no validator set known for height ${proposal.height}`
    if (proposal.proposer >= set.validators.length) return `unknown proposer ${proposal.proposer}`
    if (proposal.proposer !== this.proposerOf(proposal.height, proposal.round, set))
      return `validator ${proposal.proposer} is not the proposer of ${proposal.height}/${proposal.round}`
    const valueId = sha256(proposal.value)
    const signed = proposalSignBytes(this.chainId, { ...proposal, valueId })
    if (!this.scheme.verifyMessage(set.validators[proposal.proposer].identityKey, signed, proposal.signature))
      return 'bad proposal signature'
    if (proposal.height < this.height) {
      this.replyWithCommit(from, proposal.height)
      return null
    }
    const problem = this.justificationProblem(proposal, valueId, set)
    if (problem) return problem
    if (proposal.height > this.height) return this.buffer(proposal)
    return this.addProposal(proposal, valueId)
  }

  private onCommit(commit: Commit): string | null {
    const certificate = commit.certificate
    if (certificate.height < this.height) return null
    if (certificate.height > this.height) return `commit for height ${certificate.height} while deciding ${this.height}`
    const verdict = verifyCertificate(certificate, this.set, this.scheme, {
      chainId: this.chainId,
      height: this.height,
      valueId: sha256(commit.value),
    })
    if (!verdict.ok) return verdict.reason
    this.decide(commit.value, certificate)
    return null
  }

  // ---- storing what was received ----------------------------------------------------

  private voteSignatureValid(vote: Vote, set: ValidatorSet = this.set): boolean {
    return this.scheme.verifyMessage(set.validators[vote.validator].identityKey, voteSignBytes(this.chainId, vote), vote.signature)
  }

  /** A re-proposal must carry a quorum of distinct, correctly signed prevotes for its value at its valid round. */
  private justificationProblem(proposal: Proposal, valueId: Uint8Array, set: ValidatorSet): string | null {
    if (proposal.validRound < 0) return null
    const seen = new Set<number>()
    const held = proposal.height === this.height ? this.rounds.get(proposal.validRound) : undefined
    for (const vote of proposal.justification) {
      if (vote.validator >= set.validators.length || seen.has(vote.validator)) return 'justification names an unknown or repeated validator'
      if (vote.valueId === null || !equalBytes(vote.valueId, valueId)) return 'justification vote is for another value'
      seen.add(vote.validator)
      const known = held?.prevotes.get(vote.validator)
      if (known && known.valueId && equalBytes(known.valueId, valueId)) continue
      if (!this.voteSignatureValid(vote, set)) return 'bad signature in justification'
    }
    return seen.size >= set.quorum ? null : `justification has ${seen.size} prevotes, quorum is ${set.quorum}`
  }

  private buffer(message: Proposal | Vote): string | null {
    if (this.future.length >= 8 * this.n + 64) return 'too many messages buffered for the next height'
    this.future.push(message)
    return null
  }

  private roundState(round: number): RoundState {
    let state = this.rounds.get(round)
    if (!state) {
      state = new RoundState()
      this.rounds.set(round, state)
    }
    return state
  }

  private noteRound(validator: number, message: Proposal | Vote): void {
    if (message.round <= this.highestRound[validator]) return
    this.highestRound[validator] = message.round
    this.latest[validator] = message
  }

  private addVote(vote: Vote): string | null {
    if (vote.round > this.round + this.maxRoundsAhead) {
      this.noteRound(vote.validator, vote)
      return null
    }
    const state = this.roundState(vote.round)
    const votes = vote.type === 'prevote' ? state.prevotes : state.precommits
    const existing = votes.get(vote.validator)
    if (existing) {
      if (keyOf(existing.valueId) === keyOf(vote.valueId)) return null
      this.out.equivocations.push({ validator: vote.validator, first: existing, second: vote })
      return `validator ${vote.validator} equivocated: two ${vote.type}s at ${vote.height}/${vote.round}`
    }
    votes.set(vote.validator, vote)
    const tally = vote.type === 'prevote' ? state.prevoteTally : state.precommitTally
    const key = keyOf(vote.valueId)
    tally.set(key, (tally.get(key) ?? 0) + 1)
    this.noteRound(vote.validator, vote)
    return null
  }

  private addProposal(proposal: Proposal, valueId: Uint8Array): string | null {
    if (proposal.round > this.round + this.maxRoundsAhead) {
      this.noteRound(proposal.proposer, proposal)
      return null
    }
    const key = bytesToHex(valueId)
    const state = this.roundState(proposal.round)
    if (state.proposal) {
      if (state.proposalKey === key && state.proposal.validRound === proposal.validRound) return null
      this.out.equivocations.push({ validator: proposal.proposer, first: state.proposal, second: proposal })
      return `validator ${proposal.proposer} equivocated: two proposals at ${proposal.height}/${proposal.round}`
    }
    state.proposal = proposal
    state.proposalKey = key
    this.values.set(key, { value: proposal.value, id: valueId })
    this.noteRound(proposal.proposer, proposal)
    for (const vote of proposal.justification) this.addVote(vote)
    this.judge(key, proposal.value, valueId)
    return null
  }

  private judge(key: string, value: Uint8Array, valueId: Uint8Array): void {
    if (this.verdicts.has(key) || this.requested.has(key)) return
    if (this.changeProblem(value) !== null) {
      this.verdicts.set(key, false)
      return
    }
    const candidate = this.candidates.get(this.height)
    if (candidate && equalBytes(candidate, value)) {
      this.verdicts.set(key, true)
      return
    }
    this.requested.add(key)
    this.out.validate.push({ height: this.height, valueId, value })
  }

  /** A value carrying a set change is acceptable only if the chain can take that change at this height (one at a time, a real join or leave). */
  private changeProblem(value: Uint8Array): string | null {
    const change = this.changeOf(value)
    return change && this.membership ? this.membership.chain.changeProblem(change) : null
  }

  /**
   * A vote for a decided height usually comes from a validator that is deciding it too: the
   * quorum that decided here reached it as well, a moment later. Answering those (every
   * decided validator, to every late vote: about n² commits per height, each a certificate
   * with the value) cost more than the consensus itself at n = 7. A validator still stuck
   * re-sends its votes once `rebroadcastMs` has passed at its height, so only votes arriving
   * half that long after this node decided are answered, and only by f + 1 of the decided
   * validators (one of them honest), not all n - 1: on a loaded machine votes arrive late
   * anyway, and every extra commit made the next height later still.
   */
  private replyWithCommit(from: string, height: number): void {
    const commit = this.commits.get(height)
    if (!commit) return
    const decidedAt = this.decidedAt.get(height)
    if (decidedAt !== undefined && this.now - decidedAt < this.timeouts.rebroadcastMs / 2) return
    if (!this.designatedResponder(from, height)) return
    const last = this.lastReplyAt.get(from)
    if (last !== undefined && this.now - last < this.timeouts.rebroadcastMs) return
    if (this.lastReplyAt.size > 4 * this.n + 16) this.lastReplyAt.clear()
    this.lastReplyAt.set(from, this.now)
    this.out.messages.push({ to: from, message: commit })
  }

  /**
   * Whether this node is one of the f + 1 validators that answer `from` at `height` now: those
   * following the sender's index (a non-member's: the height's), shifted by one every
   * `rebroadcastMs` of this node's clock, so that a designated responder that cannot answer
   * (stuck itself, or Byzantine) is replaced at a later re-send. A node outside the height's
   * set answers as before.
   */
  private designatedResponder(from: string, height: number): boolean {
    const set = this.setFor(height)
    if (!set) return true
    const n = set.validators.length
    const me = set.validators.findIndex((v) => equalBytes(v.identityKey, this.signer.identityKey))
    if (me < 0) return true
    const sender = set.validators.findIndex((v) => v.id === from)
    const base = (sender >= 0 ? sender : height) + Math.floor(this.now / this.timeouts.rebroadcastMs)
    const distance = (((me - base - 1) % n) + n) % n
    return distance <= set.maxFaulty
  }

  // ---- the algorithm ----------------------------------------------------------------

  private proposerOf(height: number, round: number, set: ValidatorSet = this.set): number {
    return (height + round) % set.validators.length
  }

  private progress(): void {
    while (this.applyRule()) {
      /* apply rules until none fires */
    }
  }

  /** Applies the first rule whose condition holds; false when none does. */
  private applyRule(): boolean {
    for (const [round, state] of this.rounds) {
      for (const [key, count] of state.precommitTally) {
        if (key !== NIL && count >= this.quorum && this.tryDecide(round, state, key)) return true // L49
      }
    }
    if (this.trySkipRound()) return true // L55
    if (this.step_ === 'propose' && this.proposerOf(this.height, this.round) === this.index && this.tryPropose()) return true
    const state = this.roundState(this.round)
    const proposal = state.proposal
    const key = state.proposalKey
    if (this.step_ === 'propose' && proposal && key) {
      const verdict = this.verdicts.get(key)
      if (verdict !== undefined) {
        if (proposal.validRound === -1) {
          // L22
          this.prevote(verdict && (this.locked === null || this.locked.key === key) ? key : NIL)
          return true
        }
        // L28: its "2f+1 prevotes for the value at vr" is the justification the proposal had to
        // carry to be accepted (checked in justificationProblem). The local tally can fall short of
        // it when equivocators sent this node other prevotes, so it is not consulted.
        const vr = proposal.validRound
        this.prevote(verdict && (this.locked === null || this.locked.round <= vr || this.locked.key === key) ? key : NIL)
        return true
      }
    }
    if (this.step_ === 'prevote' && !state.prevoteTimerArmed && state.prevotes.size >= this.quorum) {
      // L34
      state.prevoteTimerArmed = true
      this.arm('prevote', this.round, this.timeouts.prevoteMs)
    }
    if (
      this.step_ !== 'propose' &&
      !state.lockRuleDone &&
      key &&
      this.verdicts.get(key) === true &&
      (state.prevoteTally.get(key) ?? 0) >= this.quorum
    ) {
      // L36
      state.lockRuleDone = true
      if (this.step_ === 'prevote') {
        this.locked = { round: this.round, key }
        this.precommit(key)
      }
      this.valid = { round: this.round, key }
      this.out.persistDirty = true
      return true
    }
    if (this.step_ === 'prevote' && (state.prevoteTally.get(NIL) ?? 0) >= this.quorum) {
      // L44
      this.precommit(NIL)
      return true
    }
    if (!state.precommitTimerArmed && state.precommits.size >= this.quorum) {
      // L47
      state.precommitTimerArmed = true
      this.arm('precommit', this.round, this.timeouts.precommitMs)
    }
    return false
  }

  private startRound(round: number): void {
    this.round = round
    this.step_ = 'propose'
    this.timers = this.timers.filter((t) => t.round >= round)
    this.arm('propose', round, this.timeouts.proposeMs)
    this.out.persistDirty = true
  }

  private arm(kind: TimerKind, round: number, baseMs: number): void {
    this.timers.push({ kind, round, at: this.now + baseMs + round * this.timeouts.roundIncrementMs + this.adaptMs })
  }

  private fire(timer: Timer): void {
    if (timer.round !== this.round) return
    if (timer.kind === 'propose' && this.step_ === 'propose') this.prevote(NIL)
    else if (timer.kind === 'prevote' && this.step_ === 'prevote') this.precommit(NIL)
    else if (timer.kind === 'precommit') this.startRound(this.round + 1)
  }

  /** f+1 validators have signed something in a later round, so at least one honest one is there: join the latest round f+1 of them reached. */
  private trySkipRound(): boolean {
    const ahead = this.highestRound.filter((r) => r > this.round).sort((a, b) => b - a)
    if (ahead.length <= this.maxFaulty) return false
    this.startRound(ahead[this.maxFaulty])
    return true
  }

  private tryPropose(): boolean {
    if (this.index < 0) return false
    const slot = `${this.round}:proposal`
    if (this.own.has(slot)) return false
    let value: Uint8Array
    let validRound = -1
    let justification: Vote[] = []
    if (this.valid) {
      value = this.values.get(this.valid.key)!.value
      validRound = this.valid.round
      justification = this.justificationFor(this.valid)
    } else {
      const candidate = this.candidates.get(this.height)
      if (!candidate) {
        if (this.needValueRound !== this.round) {
          this.needValueRound = this.round
          this.out.needValue = this.height
        }
        return false
      }
      value = candidate
    }
    const valueId = sha256(value)
    const key = bytesToHex(valueId)
    if (!this.valid) this.verdicts.set(key, this.changeProblem(value) === null)
    const fields = { height: this.height, round: this.round, valueId, validRound, proposer: this.index }
    const proposal: Proposal = {
      kind: 'proposal',
      height: this.height,
      round: this.round,
      value,
      validRound,
      proposer: this.index,
      justification,
      signature: this.signer.signMessage(proposalSignBytes(this.chainId, fields)),
    }
    this.own.set(slot, proposal)
    this.out.persistDirty = true
    this.broadcast(proposal)
    this.addProposal(proposal, valueId)
    return true
  }

  private justificationFor(slot: { round: number; key: string }): Vote[] {
    return [...this.roundState(slot.round).prevotes.values()].filter((v) => keyOf(v.valueId) === slot.key)
  }

  private prevote(key: string): void {
    this.castVote('prevote', key)
    this.step_ = 'prevote'
  }

  private precommit(key: string): void {
    this.castVote('precommit', key)
    this.step_ = 'precommit'
  }

  /** Signs at most one vote per (round, type) per height, ever: a vote already signed, before a restart too, is re-sent as it was. */
  private castVote(type: VoteType, key: string): void {
    if (this.index < 0) return // not a member at this height: it follows without voting
    const slot = `${this.round}:${type}`
    const already = this.own.get(slot)
    if (already) {
      this.broadcast(already)
      return
    }
    const valueId = key === NIL ? null : this.values.get(key)!.id
    const commitSignature =
      type === 'precommit' && valueId ? this.signer.signVote(commitSignBytes(this.chainId, this.height, this.round, valueId)) : EMPTY
    const unsigned = { height: this.height, round: this.round, type, valueId, validator: this.index, commitSignature }
    const vote: Vote = { kind: 'vote', ...unsigned, signature: this.signer.signMessage(voteSignBytes(this.chainId, unsigned)) }
    this.own.set(slot, vote)
    this.out.persistDirty = true
    this.broadcast(vote)
    this.addVote(vote)
  }

  private broadcast(message: BftMessage): void {
    this.out.messages.push({ to: null, message })
  }

  /** L49, with the certificate: aggregate the good precommits and check the aggregate once; only when it fails, find the bad ones one by one. */
  private tryDecide(round: number, state: RoundState, key: string): boolean {
    const entry = this.values.get(key)
    if (!entry) return false
    let votes = [...state.precommits.values()].filter((v) => keyOf(v.valueId) === key && !state.badCommitSignatures.has(v.validator))
    if (votes.length < this.quorum || (state.commitAttempts.get(key) ?? 0) >= votes.length) return false
    state.commitAttempts.set(key, votes.length)
    const fields = { chainId: this.chainId, height: this.height, round, valueId: entry.id, set: this.set }
    const message = commitSignBytes(this.chainId, this.height, round, entry.id)
    let certificate = buildCertificate(
      { ...fields, votes: votes.map((v) => ({ index: v.validator, signature: v.commitSignature })) },
      this.scheme,
    )
    const keys = votes.map((v) => this.set.validators[v.validator].voteKey)
    if (!this.scheme.verifyAggregateVote(keys, message, certificate.aggregateSignature)) {
      for (const v of votes) {
        if (!this.scheme.verifyVote(this.set.validators[v.validator].voteKey, message, v.commitSignature))
          state.badCommitSignatures.add(v.validator)
      }
      votes = votes.filter((v) => !state.badCommitSignatures.has(v.validator))
      state.commitAttempts.set(key, votes.length)
      if (votes.length < this.quorum) return false
      certificate = buildCertificate(
        { ...fields, votes: votes.map((v) => ({ index: v.validator, signature: v.commitSignature })) },
        this.scheme,
      )
    }
    this.decide(entry.value, certificate)
    return true
  }

  private decide(value: Uint8Array, certificate: Decision['certificate']): void {
    const commit: Commit = { kind: 'commit', certificate, value }
    this.out.decisions.push({ height: this.height, value, certificate })
    // Nodes outside the set (a validator being added, one removed, any follower) cast no votes,
    // so nobody answers them with commits: the round's proposer announces the decision once.
    if (this.membership && this.index >= 0 && this.proposerOf(this.height, certificate.round) === this.index) this.broadcast(commit)
    this.commits.set(this.height, commit)
    this.commits.delete(this.height - this.commitHistory)
    this.decidedAt.set(this.height, this.now)
    this.decidedAt.delete(this.height - this.commitHistory)
    this.lastCommit = commit
    this.adaptTimeouts(Math.max(this.round, certificate.round))
    // The chain learns the height's change, if any, before the next height picks its set. A change
    // the chain refuses (only a quorum with more than f Byzantine could decide one) is ignored alike by every honest node.
    if (this.membership) this.membership.chain.record(this.height, this.changeOf(value))
    this.enterHeight(this.height + 1)
  }

  /**
   * CometBFT grows a height's timeouts with its rounds (roundIncrementMs here); this also
   * carries what was learnt to the next heights: rounds that failed, or a round 0 that nearly
   * did, add to every later timeout, and quick decisions take it back a quarter at a time.
   * Timeouts only ever affect liveness, never safety.
   */
  private adaptTimeouts(round: number): void {
    const max = this.timeouts.maxAdaptMs ?? 8 * this.timeouts.proposeMs
    if (!(max > 0)) return
    const step = this.timeouts.adaptStepMs ?? this.timeouts.roundIncrementMs
    const elapsed = this.now - this.heightStartedAt
    const budget = this.timeouts.proposeMs + this.adaptMs
    if (round > 0) this.adaptMs += step * round
    else if (elapsed > budget / 2) this.adaptMs += step / 2
    else if (elapsed < budget / 4) this.adaptMs = Math.floor((this.adaptMs * 3) / 4)
    this.adaptMs = Math.min(max, this.adaptMs)
  }

  private enterHeight(height: number): void {
    this.height = height
    this.heightStartedAt = this.now
    // What this node signs at the new height goes out now: re-sending it is for a height that stalls.
    this.nextRebroadcastAt = this.now + this.timeouts.rebroadcastMs
    if (this.membership) {
      // Known: the chain holds every decision up to height - 1, and changes take effect at least 2 heights later.
      const set = this.membership.chain.setAt(height)!
      if (set !== this.set) this.useSet(set)
    }
    this.locked = null
    this.valid = null
    this.values = new Map()
    this.verdicts = new Map()
    this.requested = new Set()
    this.rounds = new Map()
    this.highestRound.fill(-1)
    this.latest.fill(null)
    this.timers = []
    this.own = new Map()
    this.needValueRound = -1
    for (const h of this.candidates.keys()) if (h < height) this.candidates.delete(h)
    this.startRound(0)
    const buffered = this.future
    this.future = []
    for (const message of buffered) {
      if (message.height !== height) continue
      if (message.kind === 'vote') this.addVote(message)
      else this.addProposal(message, sha256(message.value))
    }
  }

  /**
   * Recovers lost messages: re-sends what this node said in the current round to everyone,
   * and to each validator that seems to be in an earlier round (its latest message here is
   * from one), forwards the signed messages that moved this node on: the precommits of the
   * previous round (a quorum of them arms the precommit timeout) and the latest messages of
   * validators at this round or later (f+1 of them make it skip rounds).
   */
  private rebroadcast(): void {
    for (const what of ['proposal', 'prevote', 'precommit']) {
      const message = this.own.get(`${this.round}:${what}`)
      if (message) this.broadcast(message)
    }
    if (this.index < 0 && this.future.length > 0) {
      // A follower left behind (the set is already at the next height) shows the set a signed
      // message of its height, which any member answers with that height's commit.
      const stale = this.latest.find((m) => m !== null)
      if (stale) for (const v of this.set.validators) this.out.messages.push({ to: v.id, message: stale })
    }
    const behind = this.highestRound.map((r, v) => (r < this.round && v !== this.index ? v : -1)).filter((v) => v >= 0)
    if (behind.length === 0) return
    const bundle: (Proposal | Vote)[] = [...(this.rounds.get(this.round - 1)?.precommits.values() ?? [])]
    this.latest.forEach((message, v) => {
      if (message && this.highestRound[v] >= this.round && v !== this.index) bundle.push(message)
    })
    // A member silent at this height after round 0 may be heights behind with nothing signed to show
    // (a validator just added that was down when the heights before were decided, so nobody answers it):
    // hand it the commits held, oldest first, so it can decide its way up to this height.
    const held = this.round > 0 ? [...this.commits.entries()].sort((a, b) => a[0] - b[0]).map(([, commit]) => commit) : []
    for (const v of behind) {
      const to = this.set.validators[v].id
      if (this.highestRound[v] < 0) for (const commit of held) this.out.messages.push({ to, message: commit })
      // What this node signed in the laggard's round and the last few: its votes there may be the ones missing for a quorum.
      const theirs = Math.max(0, this.highestRound[v])
      const rounds = new Set([theirs, this.round - 3, this.round - 2, this.round - 1].filter((r) => r >= theirs && r < this.round))
      for (const r of rounds) {
        for (const what of ['proposal', 'prevote', 'precommit']) {
          const message = this.own.get(`${r}:${what}`)
          if (message) this.out.messages.push({ to, message })
        }
      }
      for (const message of bundle) this.out.messages.push({ to, message })
    }
  }

  private wakeAt(): number {
    let at = this.nextRebroadcastAt
    for (const t of this.timers) if (t.at < at) at = t.at
    return at
  }

  // ---- persistence ------------------------------------------------------------------

  private buildSnapshot(): PersistedBftState {
    const locked = this.locked ? { round: this.locked.round, value: this.values.get(this.locked.key)!.value } : null
    const valid = this.valid
      ? { round: this.valid.round, value: this.values.get(this.valid.key)!.value, justification: this.justificationFor(this.valid) }
      : null
    return {
      height: this.height,
      round: this.round,
      step: this.step_,
      locked,
      valid,
      signed: [...this.own.values()],
      lastCommit: this.lastCommit,
    }
  }

  private restore(state: PersistedBftState): void {
    this.height = state.height
    this.round = state.round
    this.step_ = state.step
    this.lastCommit = state.lastCommit
    if (state.lastCommit) this.commits.set(state.lastCommit.certificate.height, state.lastCommit)
    const remember = (slot: { round: number; value: Uint8Array } | null) => {
      if (!slot) return null
      const id = sha256(slot.value)
      const key = bytesToHex(id)
      this.values.set(key, { value: slot.value, id })
      this.verdicts.set(key, true)
      return { round: slot.round, key }
    }
    this.locked = remember(state.locked)
    this.valid = remember(state.valid)
    for (const vote of state.valid?.justification ?? []) this.addVote(vote)
    for (const message of state.signed) {
      if (message.height !== this.height) continue
      if (message.kind === 'proposal') {
        this.verdicts.set(bytesToHex(sha256(message.value)), true)
        this.own.set(`${message.round}:proposal`, message)
        this.addProposal(message, sha256(message.value))
      } else {
        this.own.set(`${message.round}:${message.type}`, message)
        this.addVote(message)
      }
    }
    // The votes that would arm the prevote timeout (L34) were lost in the crash: arm it now
    // (timeouts never endanger safety). In the precommit step, L47 arms its timeout as others' precommits come back.
    if (state.step === 'propose') this.arm('propose', this.round, this.timeouts.proposeMs)
    if (state.step === 'prevote') this.arm('prevote', this.round, this.timeouts.prevoteMs)
    this.nextRebroadcastAt = this.now
  }
}

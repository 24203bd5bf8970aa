/**
 * Public types of the BFT consensus core. Heights count from 1 and are plain integers;
 * rounds count from 0 within a height. Validators are named by their index in the
 * ValidatorSet (ordered by id), values by their SHA-256 (`valueId`).
 */
import type { CommitCertificate, SetChange, SignatureScheme, ValidatorChain, ValidatorSet, ValidatorSigner } from '../certificate'

export type VoteType = 'prevote' | 'precommit'
export type Step = 'propose' | 'prevote' | 'precommit'

export interface Vote {
  readonly kind: 'vote'
  readonly height: number
  readonly round: number
  readonly type: VoteType
  /** null = nil (no value this round). */
  readonly valueId: Uint8Array | null
  readonly validator: number
  /** Non-nil precommits: the vote key's signature over commitSignBytes; empty otherwise. */
  readonly commitSignature: Uint8Array
  readonly signature: Uint8Array
}

export interface Proposal {
  readonly kind: 'proposal'
  readonly height: number
  readonly round: number
  readonly value: Uint8Array
  /** Round in which a quorum prevoted this value (the proposer's validRound), or -1. */
  readonly validRound: number
  readonly proposer: number
  /** When validRound >= 0: a quorum of prevotes for the value at validRound. */
  readonly justification: readonly Vote[]
  readonly signature: Uint8Array
}

export interface Commit {
  readonly kind: 'commit'
  readonly certificate: CommitCertificate
  readonly value: Uint8Array
}

export type BftMessage = Proposal | Vote | Commit

export type BftEvent =
  /** `from`: the node the transport authenticated (replies go there); the signer is inside the message. */
  | { readonly type: 'receive'; readonly from: string; readonly message: BftMessage }
  /** Virtual time in ms; must never go backwards. */
  | { readonly type: 'tick'; readonly now: number }
  /** The application's candidate for a height, proposed when this node is proposer. Values the node proposes itself count as valid. */
  | { readonly type: 'value'; readonly height: number; readonly value: Uint8Array }
  /** The application's verdict on a value the core asked about (see StepResult.validate). */
  | { readonly type: 'validity'; readonly height: number; readonly valueId: Uint8Array; readonly valid: boolean }

export interface Outbound {
  /** A validator id, or null for every other validator. */
  readonly to: string | null
  readonly message: BftMessage
}

export interface Decision {
  readonly height: number
  readonly value: Uint8Array
  readonly certificate: CommitCertificate
}

/** Asks the application whether `value` is acceptable at `height`; answer with a 'validity' event whenever ready. */
export interface ValidationRequest {
  readonly height: number
  readonly valueId: Uint8Array
  readonly value: Uint8Array
}

/** Two signed, conflicting messages by one validator for the same slot: proof of a Byzantine validator. */
export interface Equivocation {
  readonly validator: number
  readonly first: Proposal | Vote
  readonly second: Proposal | Vote
}

/**
 * What must be on disk before the step's messages leave: the node's height, round, step,
 * lock and valid value, and every proposal and vote it signed at this height. A node
 * restarted from it re-sends those same messages rather than signing new ones, so a
 * crash can never make an honest validator equivocate.
 */
export interface PersistedBftState {
  readonly height: number
  readonly round: number
  readonly step: Step
  readonly locked: { readonly round: number; readonly value: Uint8Array } | null
  /** With the quorum of prevotes that made it valid, which a re-proposal must carry. */
  readonly valid: { readonly round: number; readonly value: Uint8Array; readonly justification: readonly Vote[] } | null
  readonly signed: readonly (Proposal | Vote)[]
  /** The previous height's decision, to bring lagging validators up to date after a restart. */
  readonly lastCommit: Commit | null
}

export interface StepResult {
  /** Whether the event was accepted; when false, `reason` says why and the node's state is unchanged. */
  readonly ok: boolean
  readonly reason?: string
  readonly messages: readonly Outbound[]
  /** In height order; each with a certificate that verifyCertificate accepts. */
  readonly decisions: readonly Decision[]
  readonly validate: readonly ValidationRequest[]
  /** Set when this node must propose at that height and has no value for it: send a 'value' event. */
  readonly needValue: number | null
  readonly equivocations: readonly Equivocation[]
  /** Write this (replacing the previous one) before sending `messages`; null when unchanged. */
  readonly persist: PersistedBftState | null
  /** Virtual time by which the node wants its next tick. */
  readonly wakeAt: number
}

export interface BftTimeouts {
  /** Wait for the proposal in round 0; grows by roundIncrementMs per round, so after the network stabilises some round's timeouts exceed its delays. */
  readonly proposeMs: number
  /** Wait after any quorum of prevotes before precommitting nil. */
  readonly prevoteMs: number
  /** Wait after any quorum of precommits before moving to the next round. */
  readonly precommitMs: number
  readonly roundIncrementMs: number
  /** How often the node re-sends its own messages of the current round (lost messages are re-sent; there is no other retransmission). */
  readonly rebroadcastMs: number
  /**
   * Adaptive timeouts: every timeout also waits a learnt extra, which grows by this much per
   * round a height needed beyond round 0 (and by half of it when a round-0 decision took more
   * than half its propose timeout: a near miss), and shrinks by a quarter after each quick
   * decision (under a quarter of it), so that a loaded machine gets slower decisions rather
   * than round changes. Default: roundIncrementMs.
   */
  readonly adaptStepMs?: number
  /** Cap on the learnt extra; 0 turns adapting off. Default: 8 × proposeMs. */
  readonly maxAdaptMs?: number
}

export interface BftConfig {
  /** Binds every signature to one deployment (e.g. a task and epoch): votes for another chain never count. */
  readonly chainId: string
  readonly validators: ValidatorSet
  /** This node's keys; it must be a member of `validators`. */
  readonly signer: ValidatorSigner
  readonly scheme: SignatureScheme
  /** Virtual time at creation, ms. */
  readonly now: number
  /** First height to decide (default 1); ignored when `restored` is given. */
  readonly startHeight?: number
  readonly timeouts?: Partial<BftTimeouts>
  /** Votes and proposals more than this many rounds ahead are not stored (they still count towards skipping rounds). */
  readonly maxRoundsAhead?: number
  /** Decided heights kept to answer validators still working on them. */
  readonly commitHistory?: number
  readonly restored?: PersistedBftState
  /**
   * Validator-set changes decided by consensus. The chain gives the set of every height (then
   * `validators` is unused); the core records each decision into it, with the change its value
   * carries (`setChangeOf`), and judges a proposed change by the chain's rule before the
   * application sees the value. A node outside the set follows (decides without voting) and
   * votes from the height a decided change adds it. The chain must be recorded up to the start
   * height - 1: replay the stored decisions into it from the pinned set.
   */
  readonly membership?: {
    readonly chain: ValidatorChain
    setChangeOf(value: Uint8Array): SetChange | null
  }
}

export interface BftStatus {
  readonly height: number
  readonly round: number
  readonly step: Step
  readonly index: number
  readonly lockedRound: number
  readonly validRound: number
  /** The extra every timeout currently waits, learnt from recent heights (see BftTimeouts.adaptStepMs). */
  readonly timeoutAdaptMs: number
}

/**
 * Types of the federated round core (workers/fl/round/round.ts). Rounds count from 1 and
 * equal BFT heights; attempts count from 0 within a round. Nodes are named by PeerId strings,
 * hashes are lowercase hex SHA-256 (see identity.ts).
 */

/** Lowercase hex SHA-256 of a model's or an update's bytes. */
export type Hash = string

export type PrivacyMode = 'robust' | 'secure'

/** What the round core needs from a task; the rest (model, rule, data) is for the requests' handlers. */
export interface RoundParams {
  readonly taskId: string
  /** Rounds to run; the task is done once round `rounds` is committed. */
  readonly rounds: number
  /** Fewest inputs an aggregator may propose with; fewer and the attempt lapses (retried, never committed). */
  readonly quorum: number
  /** How long an aggregator collects submissions after announcing. */
  readonly collectMs: number
  /** Added to collectMs: how long an attempt may take to aggregate, validate and commit before the next aggregator takes over. */
  readonly validateMs: number
}

export interface Roster {
  /** Nodes holding the aggregator role for this task; rotation goes through them sorted. */
  readonly aggregators: readonly string[]
  /** The task's validator set, by PeerId. */
  readonly validators: readonly string[]
}

export interface SubmissionRef {
  readonly trainer: string
  /** Hash of the update blob the aggregator and validators fetch. */
  readonly update: Hash
  /** Self-reported, shown on the dashboard; every input weighs the same (README, "Weighting"). */
  readonly samples: number
  /** The trainer's signature over (task, round, update, samples): an aggregator cannot invent an input in a trainer's name. */
  readonly signature: Uint8Array
}

/** An aggregator's candidate as validators judge it and BFT decides it: digests and names, never weights. */
export interface ProposalDescriptor {
  readonly taskId: string
  readonly round: number
  readonly attempt: number
  readonly aggregator: string
  /** The committed model the round started from. */
  readonly baseModel: Hash
  /** Sorted by trainer. */
  readonly inputs: readonly SubmissionRef[]
  /** Hash of the proposed global model. */
  readonly candidate: Hash
  /** Secure mode: hash of the round's secure-aggregation transcript blob, which validators replay (secure-reexecute.ts); absent in robust mode. */
  readonly transcript?: Hash
}

export interface CommitProof {
  readonly descriptor: ProposalDescriptor
  /** encodeCertificate(...) of the BFT commit certificate at height `descriptor.round`. */
  readonly certificate: Uint8Array
}

export interface Announce {
  readonly kind: 'announce'
  readonly taskId: string
  readonly round: number
  readonly attempt: number
  readonly baseModel: Hash
  /** The trainers asked to take part, sorted: a trainer's shard is its index here. */
  readonly cohort: readonly string[]
  /** The previous round's commit, so a node that missed it can verify and adopt before training. */
  readonly previous: CommitProof | null
}

export interface Submit {
  readonly kind: 'submit'
  readonly taskId: string
  readonly round: number
  readonly attempt: number
  readonly submission: SubmissionRef
}

export interface Propose {
  readonly kind: 'propose'
  readonly descriptor: ProposalDescriptor
}

export interface Committed {
  readonly kind: 'committed'
  readonly proof: CommitProof
}

export type RoundMessage = Announce | Submit | Propose | Committed

export type Phase =
  | 'waiting' // for the round's announcement (or, as its aggregator, for enough trainers)
  | 'training'
  | 'submitted'
  | 'collecting'
  | 'aggregating'
  | 'proposed'
  | 'validating'
  | 'done'

export type RoundEvent =
  /** Virtual time in ms; never goes backwards. */
  | { readonly type: 'tick'; readonly now: number }
  /** `from`: the PeerId the transport authenticated (the envelope's signer). */
  | { readonly type: 'receive'; readonly from: string; readonly message: RoundMessage }
  /** Trainers currently present (the adapter's view of the mesh); an aggregator announces only with a quorum of them. */
  | { readonly type: 'presence'; readonly trainers: readonly string[] }
  /** Answer to a TrainRequest: the update is stored under its hash, signed. */
  | { readonly type: 'trained'; readonly round: number; readonly submission: SubmissionRef }
  | { readonly type: 'train-failed'; readonly round: number; readonly reason: string }
  /** Answer to an AggregateRequest. */
  | {
      readonly type: 'aggregated'
      readonly round: number
      readonly attempt: number
      readonly result: AggregateResult
    }
  /** Answer to a VerifyRequest (validators): re-executed and evaluated. */
  | { readonly type: 'verified'; readonly descriptor: ProposalDescriptor; readonly valid: boolean; readonly reason?: string }
  /** A descriptor a validator met inside consensus (a BFT proposal): judge it like a proposal from its aggregator. */
  | { readonly type: 'judge'; readonly descriptor: ProposalDescriptor }
  /** Consensus decided (validators), or a Committed proof's certificate verified (answer to a CertifyRequest). */
  | { readonly type: 'decided'; readonly proof: CommitProof }
  | { readonly type: 'certify-failed'; readonly proof: CommitProof; readonly reason: string }

export interface TrainRequest {
  readonly round: number
  readonly baseModel: Hash
  /** This trainer's index in the cohort: its data shard. */
  readonly shard: number
  readonly cohortSize: number
  /** Set for a fresh update after a proposal that did not commit: the attempt it is for, which reorders the batches. */
  readonly attempt?: number
}

/**
 * An aggregator's answer: the candidate, and which submitted trainers' updates it holds
 * (default: all). Inputs that cannot be fetched, opened or checked are left out, so one bad
 * or vanished trainer cannot stall a round; fewer than the quorum and the attempt lapses.
 */
export type AggregateResult =
  | { readonly ok: true; readonly candidate: Hash; readonly inputs?: readonly string[]; readonly transcript?: Hash }
  | { readonly ok: false; readonly reason: string }

export interface AggregateRequest {
  readonly round: number
  readonly attempt: number
  readonly baseModel: Hash
  /** Sorted by trainer. */
  readonly inputs: readonly SubmissionRef[]
  /** The attempt's announced cohort (secure mode plans its buckets over it). */
  readonly cohort: readonly string[]
}

export interface Outbound {
  /** A PeerId, or null for everyone in the task. */
  readonly to: string | null
  readonly message: RoundMessage
}

export interface RoundOutput {
  /** False when the event was refused; `reason` says why and the state is unchanged. */
  readonly ok: boolean
  readonly reason?: string
  readonly messages: readonly Outbound[]
  readonly train: TrainRequest | null
  readonly aggregate: AggregateRequest | null
  /** Validators: re-execute these candidates and answer with 'verified'. */
  readonly verify: readonly ProposalDescriptor[]
  /** Check this commit's certificate against the pinned validator set; answer 'decided' or 'certify-failed'. */
  readonly certify: readonly CommitProof[]
  /** Validators: candidates judged valid for the current round, for consensus to propose (in the order they became valid). */
  readonly candidates: readonly ProposalDescriptor[]
  /** A certified model to fetch (if not held), persist and use from now on. */
  readonly adopt: CommitProof | null
  /** Virtual time by which the node wants its next tick. */
  readonly wakeAt: number
}

export interface RoundStatus {
  readonly round: number
  readonly attempt: number
  readonly phase: Phase
  readonly baseModel: Hash
  /** The current attempt's aggregator. */
  readonly aggregator: string
  readonly cohort: readonly string[]
  /** Aggregator: submissions received this attempt. */
  readonly received: number
  readonly committedRounds: number
}

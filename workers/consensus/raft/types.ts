/**
 * Public types of the Raft core. Indices and terms are plain integers (the codec refuses
 * anything beyond Number.MAX_SAFE_INTEGER), node ids are the strings the transport
 * authenticates (PeerIds in the mesh).
 */

export type NodeId = string

export type Role = 'follower' | 'precandidate' | 'candidate' | 'leader'

/** 'noop' is what a new leader appends to commit its predecessors' entries (Figure 8). */
export type EntryKind = 'noop' | 'command' | 'config'

export interface LogEntry {
  readonly index: number
  readonly term: number
  readonly kind: EntryKind
  /** Application bytes for 'command'; empty otherwise. */
  readonly command: Uint8Array
  /** For 'config': the complete voter set in effect from this entry on (sorted). */
  readonly voters: readonly NodeId[]
}

/** What must survive a restart besides the log. commitIndex is kept so a restart can re-apply without waiting. */
export interface HardState {
  readonly term: number
  readonly votedFor: NodeId | null
  readonly commitIndex: number
}

export interface Snapshot {
  /** Last log index the snapshot covers; entries up to here are discarded from the log. */
  readonly index: number
  readonly term: number
  /** Voter set in effect at `index`. */
  readonly voters: readonly NodeId[]
  /** Application state machine bytes, opaque to Raft. */
  readonly data: Uint8Array
}

export interface AppendEntries {
  readonly type: 'appendEntries'
  readonly term: number
  readonly prevLogIndex: number
  readonly prevLogTerm: number
  readonly entries: readonly LogEntry[]
  readonly leaderCommit: number
}

export interface AppendEntriesResponse {
  readonly type: 'appendEntriesResponse'
  readonly term: number
  readonly success: boolean
  readonly matchIndex: number
  readonly rejectIndex: number
  /** Fast backtracking hint: conflictTerm 0 means the follower's log ends before conflictIndex. */
  readonly conflictIndex: number
  readonly conflictTerm: number
}

export interface RequestVote {
  readonly type: 'requestVote'
  /** For a pre-vote: the term the sender would campaign in (its own term is not raised). */
  readonly term: number
  readonly lastLogIndex: number
  readonly lastLogTerm: number
  readonly preVote: boolean
}

export interface RequestVoteResponse {
  readonly type: 'requestVoteResponse'
  readonly term: number
  readonly granted: boolean
  readonly preVote: boolean
}

export interface InstallSnapshot {
  readonly type: 'installSnapshot'
  readonly term: number
  readonly snapshot: Snapshot
}

export interface InstallSnapshotResponse {
  readonly type: 'installSnapshotResponse'
  readonly term: number
  readonly matchIndex: number
}

export type RaftMessage =
  AppendEntries | AppendEntriesResponse | RequestVote | RequestVoteResponse | InstallSnapshot | InstallSnapshotResponse

export type MembershipChange = { readonly add: NodeId } | { readonly remove: NodeId }

export type RaftEvent =
  | { readonly type: 'receive'; readonly from: NodeId; readonly message: RaftMessage }
  /** Virtual time in ms; must never go backwards. */
  | { readonly type: 'tick'; readonly now: number }
  | { readonly type: 'propose'; readonly command: Uint8Array }
  /** The application has captured its state after applying everything up to `index`. */
  | { readonly type: 'snapshot'; readonly index: number; readonly data: Uint8Array }
  | { readonly type: 'changeMembership'; readonly change: MembershipChange }

/**
 * Durable writes, in the order they must be applied, all before any of the step's
 * messages are sent (otherwise a crash could forget a vote or an acknowledged entry).
 */
export type PersistOp =
  | { readonly type: 'hardState'; readonly hardState: HardState }
  /** Delete every entry with index >= fromIndex. */
  | { readonly type: 'truncate'; readonly fromIndex: number }
  | { readonly type: 'append'; readonly entries: readonly LogEntry[] }
  /** Store the snapshot (replacing any older one) and delete every entry with index <= snapshot.index. */
  | { readonly type: 'snapshot'; readonly snapshot: Snapshot }

export interface Outbound {
  readonly to: NodeId
  readonly message: RaftMessage
}

export interface StepResult {
  /** Whether the event was accepted; when false, `reason` says why and the node's state is unchanged. */
  readonly ok: boolean
  readonly reason?: string
  readonly persist: readonly PersistOp[]
  readonly messages: readonly Outbound[]
  /** Newly committed entries, in index order, to apply to the application state machine. */
  readonly committed: readonly LogEntry[]
  /** A leader's snapshot replaced this follower's state: load it before applying `committed`. */
  readonly restoreSnapshot?: Snapshot
  /** For an accepted 'propose' or 'changeMembership': where the entry sits. It is applied only if it commits there with this term. */
  readonly proposed?: { readonly index: number; readonly term: number }
  /** Virtual time by which the node wants its next tick. */
  readonly wakeAt: number
}

export interface RaftStatus {
  readonly id: NodeId
  readonly role: Role
  readonly term: number
  readonly leader: NodeId | null
  readonly votedFor: NodeId | null
  readonly commitIndex: number
  readonly lastIndex: number
  readonly lastTerm: number
  readonly snapshotIndex: number
  readonly voters: readonly NodeId[]
}

export interface RaftConfig {
  readonly id: NodeId
  /**
   * The bootstrap voter set, identical on every founding node: a blank founder writes it as
   * entry 1 (term 1) of its log, with its first step's persistence writes. A node joining
   * later passes [] and learns the voters from the leader. Ignored when `restored` holds state.
   */
  readonly voters: readonly NodeId[]
  /** Uniform in [0, 1): the only source of randomness (election timeouts). Seed it in tests. */
  readonly random: () => number
  /** Virtual time at creation, ms. */
  readonly now: number
  readonly heartbeatIntervalMs?: number
  /** Election timeouts are drawn uniformly from [min, max). */
  readonly electionTimeoutMinMs?: number
  readonly electionTimeoutMaxMs?: number
  readonly maxEntriesPerAppend?: number
  readonly maxBytesPerAppend?: number
  /** State recovered from storage after a restart. */
  readonly restored?: PersistedState
}

export interface PersistedState {
  readonly hardState: HardState
  readonly snapshot: Snapshot | null
  /** Entries after the snapshot, contiguous, in index order. */
  readonly entries: readonly LogEntry[]
}

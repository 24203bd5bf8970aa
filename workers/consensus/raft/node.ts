import { RaftLog } from './log'
import { isIndex, messageProblem, snapshotProblem, entryProblem, votersProblem } from './validate'
import type {
  AppendEntries,
  AppendEntriesResponse,
  HardState,
  InstallSnapshot,
  InstallSnapshotResponse,
  LogEntry,
  MembershipChange,
  NodeId,
  Outbound,
  PersistOp,
  RaftConfig,
  RaftEvent,
  RaftMessage,
  RaftStatus,
  RequestVote,
  RequestVoteResponse,
  Role,
  Snapshot,
  StepResult,
} from './types'

export interface RaftNode {
  /** Feeds one event; never throws on bad input (it is refused with a reason and changes nothing). */
  step(event: RaftEvent): StepResult
  status(): RaftStatus
  /** Entries currently held in the log after the snapshot, for inspection and tests. */
  entries(from?: number, to?: number): LogEntry[]
  /** The latest snapshot this node holds (taken locally or installed from a leader). */
  snapshot(): Snapshot | null
}

const DEFAULTS = {
  heartbeatIntervalMs: 50,
  electionTimeoutMinMs: 300,
  electionTimeoutMaxMs: 600,
  maxEntriesPerAppend: 256,
  maxBytesPerAppend: 1 << 20,
}

interface Progress {
  /** Next index to send. */
  next: number
  /** Highest index known replicated. */
  match: number
  /** Probing: one batch at a time until a success tells where the logs agree; otherwise sends are pipelined. */
  probing: boolean
  lastContact: number
  snapshotSentAt: number | null
}

const NO_ENTRIES: readonly LogEntry[] = []
const EMPTY = new Uint8Array(0)

export function createRaftNode(config: RaftConfig): RaftNode {
  return new Node(config)
}

class Node implements RaftNode {
  private readonly id: NodeId
  private readonly random: () => number
  private readonly heartbeatIntervalMs: number
  private readonly electionTimeoutMinMs: number
  private readonly electionTimeoutMaxMs: number
  private readonly maxEntriesPerAppend: number
  private readonly maxBytesPerAppend: number

  private term = 0
  private votedFor: NodeId | null = null
  private commitIndex = 0
  private lastApplied = 0
  private role: Role = 'follower'
  private leader: NodeId | null = null
  private readonly log: RaftLog
  private latestSnapshot: Snapshot | null = null

  /** Voter set of the latest config entry at or before each index is found via these. */
  private baseVoters: readonly NodeId[] = []
  private configIndices: number[] = []
  private voters: readonly NodeId[] = []

  private now: number
  private electionDeadline = 0
  private heartbeatDeadline = 0
  private lastLeaderContact = -Infinity
  private votes = new Set<NodeId>()
  private progress = new Map<NodeId, Progress>()
  private leaderSince = 0

  // Output of the step in progress.
  private persistOps: PersistOp[] = []
  private outbox: Outbound[] = []
  private hardStateDirty = false
  private restoreSnapshot: Snapshot | undefined
  /** Writes produced before the first step (bootstrap), handed out with it. */
  private pendingPersist: PersistOp[] = []

  constructor(config: RaftConfig) {
    if (typeof config.id !== 'string' || config.id.length === 0) throw new RangeError('id must be a non-empty string')
    if (config.voters.length > 0 && votersProblem(config.voters)) throw new RangeError(`voters: ${votersProblem(config.voters)}`)
    this.id = config.id
    this.random = config.random
    this.heartbeatIntervalMs = config.heartbeatIntervalMs ?? DEFAULTS.heartbeatIntervalMs
    this.electionTimeoutMinMs = config.electionTimeoutMinMs ?? DEFAULTS.electionTimeoutMinMs
    this.electionTimeoutMaxMs = config.electionTimeoutMaxMs ?? DEFAULTS.electionTimeoutMaxMs
    this.maxEntriesPerAppend = config.maxEntriesPerAppend ?? DEFAULTS.maxEntriesPerAppend
    this.maxBytesPerAppend = config.maxBytesPerAppend ?? DEFAULTS.maxBytesPerAppend
    if (!(
      this.heartbeatIntervalMs > 0 &&
      this.heartbeatIntervalMs < this.electionTimeoutMinMs &&
      this.electionTimeoutMinMs < this.electionTimeoutMaxMs
    )) {
      throw new RangeError('need 0 < heartbeatInterval < electionTimeoutMin < electionTimeoutMax')
    }
    this.now = config.now

    const restored = config.restored
    if (restored) {
      const snapshot = restored.snapshot
      if (snapshot && snapshotProblem(snapshot)) throw new RangeError(`restored snapshot: ${snapshotProblem(snapshot)}`)
      this.log = new RaftLog(snapshot?.index ?? 0, snapshot?.term ?? 0)
      restored.entries.forEach((entry, i) => {
        if (entryProblem(entry) || entry.index !== this.log.lastIndex + 1 || entry.term < this.log.lastTerm)
          throw new RangeError(`restored entry ${i} is corrupt`)
        this.log.append([entry])
      })
      if (snapshot) {
        this.latestSnapshot = snapshot
        this.baseVoters = [...snapshot.voters]
      }
      this.term = Math.max(restored.hardState.term, this.log.lastTerm)
      this.votedFor = this.term === restored.hardState.term ? restored.hardState.votedFor : null
      this.commitIndex = Math.min(Math.max(restored.hardState.commitIndex, this.log.snapshotIndex), this.log.lastIndex)
      this.lastApplied = this.log.snapshotIndex
    } else {
      this.log = new RaftLog()
    }
    const blank = this.log.lastIndex === 0 && this.term === 0
    if (blank && config.voters.length > 0) {
      // Founders start from an identical first entry naming the bootstrap voters, held by all of
      // them and so committed. Every later snapshot then carries a real voter set, and a node that
      // joins later learns the founders from the log like any other configuration.
      const bootstrap: LogEntry = { index: 1, term: 1, kind: 'config', command: EMPTY, voters: [...config.voters].sort() }
      this.log.append([bootstrap])
      this.term = 1
      this.commitIndex = 1
      this.pendingPersist = [{ type: 'append', entries: [bootstrap] }]
      this.hardStateDirty = true
    }
    this.rebuildConfig()
    this.resetElectionTimer()
  }

  // ---------------------------------------------------------------- public

  step(event: RaftEvent): StepResult {
    this.persistOps = this.pendingPersist
    this.pendingPersist = []
    this.outbox = []
    this.hardStateDirty = this.persistOps.length > 0
    this.restoreSnapshot = undefined
    const problem = this.eventProblem(event)
    if (problem) return this.result(problem)
    let outcome: { problem?: string; proposed?: { index: number; term: number } } = {}
    switch (event.type) {
      case 'tick':
        this.now = event.now
        this.onTick()
        break
      case 'receive':
        this.onReceive(event.from, event.message)
        break
      case 'propose':
        outcome = this.onPropose(event.command)
        break
      case 'snapshot':
        outcome = { problem: this.onSnapshotTaken(event.index, event.data) ?? undefined }
        break
      case 'changeMembership':
        outcome = this.onMembershipChange(event.change)
        break
    }
    return this.result(outcome.problem, outcome.proposed)
  }

  status(): RaftStatus {
    return {
      id: this.id,
      role: this.role,
      term: this.term,
      leader: this.leader,
      votedFor: this.votedFor,
      commitIndex: this.commitIndex,
      lastIndex: this.log.lastIndex,
      lastTerm: this.log.lastTerm,
      snapshotIndex: this.log.snapshotIndex,
      voters: this.voters,
    }
  }

  entries(from = this.log.snapshotIndex + 1, to = this.log.lastIndex): LogEntry[] {
    return this.log.slice(from, to)
  }

  snapshot(): Snapshot | null {
    return this.latestSnapshot
  }

  // ---------------------------------------------------------------- events

  private eventProblem(event: RaftEvent): string | null {
    if (event === null || typeof event !== 'object') return 'event is not an object'
    switch (event.type) {
      case 'tick':
        if (typeof event.now !== 'number' || !Number.isFinite(event.now)) return 'now must be a finite number'
        return event.now < this.now ? 'clock went backwards' : null
      case 'receive':
        if (typeof event.from !== 'string' || event.from.length === 0) return 'from must be a node id'
        if (event.from === this.id) return 'message claims to come from this node'
        return messageProblem(event.message) ?? this.messageConflictsWithState(event.from, event.message)
      case 'propose':
        if (!(event.command instanceof Uint8Array)) return 'command must be bytes'
        if (event.command.byteLength > this.maxBytesPerAppend) return 'command is larger than maxBytesPerAppend'
        return null
      case 'snapshot':
        if (!isIndex(event.index) || !(event.data instanceof Uint8Array)) return 'snapshot needs an index and bytes'
        if (event.index > this.lastApplied) return 'snapshot index is past what was applied'
        if (event.index <= this.log.snapshotIndex) return 'snapshot index is not newer than the current snapshot'
        return null
      case 'changeMembership':
        if (event.change === null || typeof event.change !== 'object') return 'change must be an object'
        return null
      default:
        return 'unknown event type'
    }
  }

  /**
   * Messages no correct peer can send given this node's state: a second leader of a term this
   * node leads, a rewrite of committed entries, acknowledgements of entries never sent.
   * Checked before anything changes, so such a message leaves no trace.
   */
  private messageConflictsWithState(from: NodeId, message: RaftMessage): string | null {
    const sameTermLeader = message.term === this.term && this.role === 'leader'
    switch (message.type) {
      case 'appendEntries':
        if (sameTermLeader) return `${from} claims to lead term ${this.term}, which this node leads`
        if (message.term < this.term) return null
        return this.overwritesCommitted(message) ? `${from} would overwrite a committed entry` : null
      case 'installSnapshot':
        return sameTermLeader ? `${from} claims to lead term ${this.term}, which this node leads` : null
      case 'appendEntriesResponse':
      case 'installSnapshotResponse': {
        const claimed = message.type === 'appendEntriesResponse' && !message.success ? 0 : message.matchIndex
        return sameTermLeader && claimed > this.log.lastIndex ? `${from} acknowledged entries this leader never sent` : null
      }
      default:
        return null
    }
  }

  private overwritesCommitted(message: AppendEntries): boolean {
    const snapshotIndex = this.log.snapshotIndex
    if (message.prevLogIndex >= snapshotIndex && this.log.termAt(message.prevLogIndex) !== message.prevLogTerm) return false
    for (const entry of message.entries) {
      if (entry.index <= snapshotIndex) continue
      if (entry.index > this.commitIndex) return false
      const localTerm = this.log.termAt(entry.index)
      if (localTerm !== undefined && localTerm !== entry.term) return true
    }
    return false
  }

  private onTick(): void {
    if (this.role === 'leader') {
      if (this.now - this.leaderSince >= this.electionTimeoutMaxMs && !this.hasQuorumContact()) {
        // Check quorum: a leader cut off from its majority stops claiming leadership, so the
        // application learns quickly that proposals here will not commit.
        this.becomeFollower(this.term, null)
        return
      }
      if (this.now >= this.heartbeatDeadline) this.broadcastAppend()
      return
    }
    if (this.now >= this.electionDeadline) {
      if (this.voters.includes(this.id)) this.becomePreCandidate()
      else this.resetElectionTimer()
    }
  }

  private onPropose(command: Uint8Array): { problem?: string; proposed?: { index: number; term: number } } {
    if (this.role !== 'leader') return { problem: `not the leader (leader: ${this.leader ?? 'unknown'})` }
    const entry = this.appendOwn('command', command.slice(), [])
    return { proposed: { index: entry.index, term: entry.term } }
  }

  /**
   * Single-server changes (Raft thesis §4.1): any two majorities of configurations that differ
   * by one voter overlap, so no joint phase is needed. Two guards keep that true: one change at
   * a time (the previous one committed), and none before this leader committed an entry of
   * its own term (the fix to the single-server bug Ongaro reported in 2015).
   */
  private onMembershipChange(change: MembershipChange): { problem?: string; proposed?: { index: number; term: number } } {
    if (this.role !== 'leader') return { problem: `not the leader (leader: ${this.leader ?? 'unknown'})` }
    const latestConfig = this.configIndices.length > 0 ? this.configIndices[this.configIndices.length - 1] : 0
    if (latestConfig > this.commitIndex) return { problem: 'a membership change is still uncommitted' }
    if (this.log.termAt(this.commitIndex) !== this.term) return { problem: 'leader has not committed an entry in its term yet' }
    let voters: NodeId[]
    if ('add' in change) {
      if (typeof change.add !== 'string' || change.add.length === 0) return { problem: 'add needs a node id' }
      if (this.voters.includes(change.add)) return { problem: `${change.add} is already a voter` }
      voters = [...this.voters, change.add].sort()
    } else if ('remove' in change) {
      if (!this.voters.includes(change.remove)) return { problem: `${change.remove} is not a voter` }
      voters = this.voters.filter((v) => v !== change.remove)
      if (voters.length === 0) return { problem: 'cannot remove the last voter' }
    } else {
      return { problem: 'change must add or remove' }
    }
    const entry = this.appendOwn('config', EMPTY, voters)
    return { proposed: { index: entry.index, term: entry.term } }
  }

  private onSnapshotTaken(index: number, data: Uint8Array): string | null {
    const term = this.log.termAt(index)
    if (term === undefined) return 'snapshot index is not in the log'
    const voters = this.votersAt(index)
    if (voters.length === 0) return 'no voter set is known at the snapshot index'
    const snapshot: Snapshot = { index, term, voters, data: data.slice() }
    this.log.compactTo(index, term)
    this.baseVoters = snapshot.voters
    this.configIndices = this.configIndices.filter((i) => i > index)
    this.latestSnapshot = snapshot
    this.persistOps.push({ type: 'snapshot', snapshot })
    return null
  }

  // ---------------------------------------------------------------- messages

  private onReceive(from: NodeId, message: RaftMessage): void {
    if (message.term > this.term) {
      const isPreVoteTraffic =
        (message.type === 'requestVote' && message.preVote) ||
        (message.type === 'requestVoteResponse' && message.preVote && message.granted)
      if (message.type === 'requestVote' && !message.preVote && this.inLeaderLease()) {
        // A server that still hears a leader ignores vote requests (thesis §4.2.3), so a
        // removed or partitioned server cannot depose a healthy leader.
        return
      }
      if (!isPreVoteTraffic) {
        const leader = message.type === 'appendEntries' || message.type === 'installSnapshot' ? from : null
        this.becomeFollower(message.term, leader)
      }
    } else if (message.term < this.term) {
      this.answerStale(from, message)
      return
    }
    switch (message.type) {
      case 'appendEntries':
        return this.onAppendEntries(from, message)
      case 'appendEntriesResponse':
        return this.onAppendEntriesResponse(from, message)
      case 'requestVote':
        return this.onRequestVote(from, message)
      case 'requestVoteResponse':
        return this.onRequestVoteResponse(from, message)
      case 'installSnapshot':
        return this.onInstallSnapshot(from, message)
      case 'installSnapshotResponse':
        return this.onInstallSnapshotResponse(from, message)
    }
  }

  /** A message from an older term: tell its sender the current term so it steps down; ignore stale answers. */
  private answerStale(from: NodeId, message: RaftMessage): void {
    switch (message.type) {
      case 'appendEntries':
        this.send(from, {
          type: 'appendEntriesResponse',
          term: this.term,
          success: false,
          matchIndex: 0,
          rejectIndex: message.prevLogIndex,
          conflictIndex: this.log.lastIndex + 1,
          conflictTerm: 0,
        })
        break
      case 'installSnapshot':
        this.send(from, { type: 'installSnapshotResponse', term: this.term, matchIndex: 0 })
        break
      case 'requestVote':
        this.send(from, { type: 'requestVoteResponse', term: this.term, granted: false, preVote: message.preVote })
        break
    }
  }

  /** Common to AppendEntries and InstallSnapshot of the current term: `from` leads this term. */
  private acceptLeader(from: NodeId): void {
    if (this.role !== 'follower') this.becomeFollower(this.term, from)
    this.leader = from
    this.lastLeaderContact = this.now
    this.resetElectionTimer()
  }

  private onAppendEntries(from: NodeId, message: AppendEntries): void {
    let prevIndex = message.prevLogIndex
    let prevTerm = message.prevLogTerm
    let entries = message.entries
    const snapshotIndex = this.log.snapshotIndex
    if (prevIndex < snapshotIndex) {
      // Everything up to the snapshot is committed, hence in every later leader's log: skip it.
      entries = entries.filter((e) => e.index > snapshotIndex)
      if (entries.length === 0) {
        this.acceptLeader(from)
        this.send(from, {
          type: 'appendEntriesResponse',
          term: this.term,
          success: true,
          matchIndex: snapshotIndex,
          rejectIndex: 0,
          conflictIndex: 0,
          conflictTerm: 0,
        })
        return
      }
      prevIndex = snapshotIndex
      prevTerm = this.log.snapshotTerm
    }
    const localPrevTerm = this.log.termAt(prevIndex)
    if (localPrevTerm !== prevTerm) {
      this.acceptLeader(from)
      let conflictIndex: number
      let conflictTerm: number
      if (localPrevTerm === undefined) {
        conflictIndex = this.log.lastIndex + 1
        conflictTerm = 0
      } else {
        conflictTerm = localPrevTerm
        conflictIndex = this.log.firstIndexOfTermEndingAt(prevIndex, localPrevTerm)
      }
      this.send(from, {
        type: 'appendEntriesResponse',
        term: this.term,
        success: false,
        matchIndex: 0,
        rejectIndex: message.prevLogIndex,
        conflictIndex,
        conflictTerm,
      })
      return
    }
    // Entries already held are skipped, never truncated: a delayed duplicate must not undo later appends.
    let firstNew = entries.findIndex((entry) => this.log.termAt(entry.index) !== entry.term)
    if (firstNew < 0) firstNew = entries.length
    this.acceptLeader(from)
    if (firstNew < entries.length) {
      const fresh = entries.slice(firstNew)
      if (fresh[0].index <= this.log.lastIndex) {
        this.log.truncateFrom(fresh[0].index)
        this.persistOps.push({ type: 'truncate', fromIndex: fresh[0].index })
      }
      this.log.append(fresh)
      this.persistOps.push({ type: 'append', entries: fresh })
      this.trackConfig(fresh[0].index, fresh)
    }
    const lastVerified = prevIndex + entries.length
    const newCommit = Math.min(message.leaderCommit, lastVerified)
    if (newCommit > this.commitIndex) {
      this.commitIndex = newCommit
      this.hardStateDirty = true
    }
    this.send(from, {
      type: 'appendEntriesResponse',
      term: this.term,
      success: true,
      matchIndex: lastVerified,
      rejectIndex: 0,
      conflictIndex: 0,
      conflictTerm: 0,
    })
  }

  private onAppendEntriesResponse(from: NodeId, message: AppendEntriesResponse): void {
    if (this.role !== 'leader') return
    const progress = this.progress.get(from)
    if (!progress) return
    progress.lastContact = this.now
    if (message.success) {
      if (message.matchIndex > progress.match) progress.match = message.matchIndex
      progress.next = Math.max(progress.next, progress.match + 1)
      progress.probing = false
      progress.snapshotSentAt = null
      this.maybeCommit()
      if (this.progress.has(from) && progress.next <= this.log.lastIndex) this.sendAppend(from, progress)
      return
    }
    if (message.rejectIndex <= progress.match) return
    if (progress.probing && message.rejectIndex !== progress.next - 1) return
    let next = message.conflictIndex
    if (message.conflictTerm > 0) {
      const lastOfTerm = this.log.lastIndexOfTerm(message.conflictTerm)
      if (lastOfTerm > 0) next = lastOfTerm + 1
    }
    progress.next = Math.max(progress.match + 1, Math.min(next, message.rejectIndex, this.log.lastIndex + 1))
    progress.probing = true
    this.sendAppend(from, progress)
  }

  private onRequestVote(from: NodeId, message: RequestVote): void {
    const upToDate =
      message.lastLogTerm > this.log.lastTerm || (message.lastLogTerm === this.log.lastTerm && message.lastLogIndex >= this.log.lastIndex)
    if (message.preVote) {
      // Granting a pre-vote changes nothing here: it only tells the sender it could win.
      const granted = message.term > this.term && upToDate && !this.inLeaderLease()
      this.send(from, { type: 'requestVoteResponse', term: granted ? message.term : this.term, granted, preVote: true })
      return
    }
    const granted = upToDate && (this.votedFor === null || this.votedFor === from) && this.role !== 'leader'
    if (granted) {
      if (this.votedFor !== from) {
        this.votedFor = from
        this.hardStateDirty = true
      }
      this.resetElectionTimer()
    }
    this.send(from, { type: 'requestVoteResponse', term: this.term, granted, preVote: false })
  }

  private onRequestVoteResponse(from: NodeId, message: RequestVoteResponse): void {
    if (!message.granted || !this.voters.includes(from)) return
    if (message.preVote) {
      if (this.role !== 'precandidate' || message.term !== this.term + 1) return
      this.votes.add(from)
      if (this.hasMajority(this.votes)) this.becomeCandidate()
      return
    }
    if (this.role !== 'candidate' || message.term !== this.term) return
    this.votes.add(from)
    if (this.hasMajority(this.votes)) this.becomeLeader()
  }

  private onInstallSnapshot(from: NodeId, message: InstallSnapshot): void {
    this.acceptLeader(from)
    const snapshot = message.snapshot
    if (snapshot.index <= this.commitIndex) {
      this.send(from, { type: 'installSnapshotResponse', term: this.term, matchIndex: this.commitIndex })
      return
    }
    const stored: Snapshot = { index: snapshot.index, term: snapshot.term, voters: [...snapshot.voters], data: snapshot.data.slice() }
    const keepSuffix = this.log.termAt(snapshot.index) === snapshot.term
    if (keepSuffix) this.log.compactTo(snapshot.index, snapshot.term)
    else this.log.resetTo(snapshot.index, snapshot.term)
    this.persistOps.push({ type: 'snapshot', snapshot: stored })
    if (!keepSuffix) this.persistOps.push({ type: 'truncate', fromIndex: snapshot.index + 1 })
    this.latestSnapshot = stored
    this.baseVoters = stored.voters
    this.rebuildConfig()
    this.commitIndex = snapshot.index
    this.lastApplied = snapshot.index
    this.hardStateDirty = true
    this.restoreSnapshot = stored
    this.send(from, { type: 'installSnapshotResponse', term: this.term, matchIndex: snapshot.index })
  }

  private onInstallSnapshotResponse(from: NodeId, message: InstallSnapshotResponse): void {
    if (this.role !== 'leader') return
    const progress = this.progress.get(from)
    if (!progress) return
    progress.lastContact = this.now
    progress.snapshotSentAt = null
    progress.match = Math.max(progress.match, message.matchIndex)
    progress.next = Math.max(progress.next, progress.match + 1)
    progress.probing = true
    this.maybeCommit()
    if (this.progress.has(from)) this.sendAppend(from, progress)
  }

  // ---------------------------------------------------------------- roles

  private becomeFollower(term: number, leader: NodeId | null): void {
    if (term > this.term) {
      this.term = term
      this.votedFor = null
      this.hardStateDirty = true
    }
    const wasFollower = this.role === 'follower'
    this.role = 'follower'
    this.leader = leader
    if (leader !== null) this.lastLeaderContact = this.now
    this.progress.clear()
    this.votes.clear()
    if (!wasFollower) this.resetElectionTimer()
  }

  /** Pre-vote (thesis §9.6): ask whether an election could be won before raising the term, so a node that was cut off cannot disrupt the cluster when it returns. */
  private becomePreCandidate(): void {
    this.role = 'precandidate'
    this.leader = null
    this.votes = new Set([this.id])
    this.resetElectionTimer()
    if (this.hasMajority(this.votes)) {
      this.becomeCandidate()
      return
    }
    for (const voter of this.voters) {
      if (voter !== this.id)
        this.send(voter, {
          type: 'requestVote',
          term: this.term + 1,
          lastLogIndex: this.log.lastIndex,
          lastLogTerm: this.log.lastTerm,
          preVote: true,
        })
    }
  }

  private becomeCandidate(): void {
    this.term += 1
    this.votedFor = this.id
    this.hardStateDirty = true
    this.role = 'candidate'
    this.leader = null
    this.votes = new Set([this.id])
    this.resetElectionTimer()
    if (this.hasMajority(this.votes)) {
      this.becomeLeader()
      return
    }
    for (const voter of this.voters) {
      if (voter !== this.id)
        this.send(voter, {
          type: 'requestVote',
          term: this.term,
          lastLogIndex: this.log.lastIndex,
          lastLogTerm: this.log.lastTerm,
          preVote: false,
        })
    }
  }

  private becomeLeader(): void {
    this.role = 'leader'
    this.leader = this.id
    this.leaderSince = this.now
    this.votes.clear()
    this.progress.clear()
    for (const voter of this.voters) if (voter !== this.id) this.addProgress(voter)
    // A no-op of its own term lets the leader commit (and so learn) everything its predecessors left behind.
    this.appendOwn('noop', EMPTY, [])
    if (this.role === 'leader') this.broadcastAppend()
  }

  private addProgress(peer: NodeId): void {
    this.progress.set(peer, { next: this.log.lastIndex + 1, match: 0, probing: true, lastContact: this.now, snapshotSentAt: null })
  }

  // ---------------------------------------------------------------- leader replication

  private appendOwn(kind: LogEntry['kind'], command: Uint8Array, voters: readonly NodeId[]): LogEntry {
    const entry: LogEntry = { index: this.log.lastIndex + 1, term: this.term, kind, command, voters }
    this.log.append([entry])
    this.persistOps.push({ type: 'append', entries: [entry] })
    if (kind === 'config') {
      this.trackConfig(entry.index, [entry])
      for (const voter of this.voters) if (voter !== this.id && !this.progress.has(voter)) this.addProgress(voter)
      for (const peer of [...this.progress.keys()]) if (!this.voters.includes(peer)) this.progress.delete(peer)
    }
    for (const [peer, progress] of this.progress) {
      if (!progress.probing) this.sendAppend(peer, progress)
    }
    this.maybeCommit()
    return entry
  }

  private broadcastAppend(): void {
    for (const [peer, progress] of this.progress) this.sendAppend(peer, progress)
    this.heartbeatDeadline = this.now + this.heartbeatIntervalMs
  }

  private sendAppend(peer: NodeId, progress: Progress): void {
    if (progress.next <= this.log.snapshotIndex) {
      this.sendSnapshot(peer, progress)
      return
    }
    const prevLogIndex = progress.next - 1
    const prevLogTerm = this.log.termAt(prevLogIndex)!
    const entries: LogEntry[] = []
    let bytes = 0
    for (let index = progress.next; index <= this.log.lastIndex && entries.length < this.maxEntriesPerAppend; index++) {
      const entry = this.log.entry(index)!
      bytes += entry.command.byteLength
      if (entries.length > 0 && bytes > this.maxBytesPerAppend) break
      entries.push(entry)
    }
    this.send(peer, {
      type: 'appendEntries',
      term: this.term,
      prevLogIndex,
      prevLogTerm,
      entries: entries.length ? entries : NO_ENTRIES,
      leaderCommit: this.commitIndex,
    })
    if (!progress.probing && entries.length > 0) progress.next = entries[entries.length - 1].index + 1
  }

  private sendSnapshot(peer: NodeId, progress: Progress): void {
    const snapshot = this.latestSnapshot
    if (!snapshot) return
    if (progress.snapshotSentAt !== null && this.now - progress.snapshotSentAt < this.electionTimeoutMaxMs) return
    progress.snapshotSentAt = this.now
    this.send(peer, { type: 'installSnapshot', term: this.term, snapshot })
  }

  /** Commits the highest index a majority holds, but only an entry of this term (Raft §5.4.2, Figure 8). */
  private maybeCommit(): void {
    if (this.role !== 'leader' || this.voters.length === 0) return
    const matches = this.voters
      .map((voter) => (voter === this.id ? this.log.lastIndex : (this.progress.get(voter)?.match ?? 0)))
      .sort((a, b) => b - a)
    const quorumIndex = matches[Math.floor(this.voters.length / 2)]
    if (quorumIndex <= this.commitIndex || this.log.termAt(quorumIndex) !== this.term) return
    this.commitIndex = quorumIndex
    this.hardStateDirty = true
    // Followers learn the new commit index from the next append or heartbeat; announcing it at
    // once would double the messages per entry.
    const latestConfig = this.configIndices.length > 0 ? this.configIndices[this.configIndices.length - 1] : 0
    if (!this.voters.includes(this.id) && latestConfig <= this.commitIndex) {
      // This leader was removed and its removal is committed: tell the others, then stand down.
      this.broadcastAppend()
      this.becomeFollower(this.term, null)
    }
  }

  private hasQuorumContact(): boolean {
    const recent = new Set<NodeId>([this.id])
    for (const [peer, progress] of this.progress) {
      if (this.now - progress.lastContact < this.electionTimeoutMaxMs) recent.add(peer)
    }
    return this.hasMajority(recent)
  }

  // ---------------------------------------------------------------- helpers

  private hasMajority(members: ReadonlySet<NodeId>): boolean {
    let count = 0
    for (const voter of this.voters) if (members.has(voter)) count++
    return this.voters.length > 0 && count > this.voters.length / 2
  }

  private inLeaderLease(): boolean {
    if (this.role === 'leader') return true
    return this.leader !== null && this.now - this.lastLeaderContact < this.electionTimeoutMinMs
  }

  private resetElectionTimer(): void {
    const span = this.electionTimeoutMaxMs - this.electionTimeoutMinMs
    const draw = Math.min(Math.max(this.random(), 0), 0.999999)
    this.electionDeadline = this.now + this.electionTimeoutMinMs + Math.floor(draw * span)
  }

  /** Configuration takes effect as soon as its entry is in the log (thesis §4.1), and reverts if the entry is truncated. */
  private rebuildConfig(): void {
    const indices: number[] = []
    for (const entry of this.log.slice(this.log.snapshotIndex + 1, this.log.lastIndex))
      if (entry.kind === 'config') indices.push(entry.index)
    this.configIndices = indices
    this.voters = this.votersAt(this.log.lastIndex)
  }

  /** Keeps the config index list current after the log lost everything from `from` on and gained `appended`. */
  private trackConfig(from: number, appended: readonly LogEntry[]): void {
    while (this.configIndices.length > 0 && this.configIndices[this.configIndices.length - 1] >= from) this.configIndices.pop()
    for (const entry of appended) if (entry.kind === 'config') this.configIndices.push(entry.index)
    this.voters = this.votersAt(this.log.lastIndex)
  }

  private votersAt(index: number): readonly NodeId[] {
    for (let i = this.configIndices.length - 1; i >= 0; i--) {
      if (this.configIndices[i] <= index) return this.log.entry(this.configIndices[i])!.voters
    }
    return this.baseVoters
  }

  private send(to: NodeId, message: RaftMessage): void {
    this.outbox.push({ to, message })
  }

  private hardState(): HardState {
    return { term: this.term, votedFor: this.votedFor, commitIndex: this.commitIndex }
  }

  private result(problem?: string | null, proposed?: { index: number; term: number }): StepResult {
    const committed = problem ? [] : this.takeCommitted()
    if (this.hardStateDirty) this.persistOps.push({ type: 'hardState', hardState: this.hardState() })
    const wakeAt = this.role === 'leader' ? this.heartbeatDeadline : this.electionDeadline
    return {
      ok: !problem,
      ...(problem ? { reason: problem } : {}),
      persist: this.persistOps,
      messages: this.outbox,
      committed,
      ...(this.restoreSnapshot ? { restoreSnapshot: this.restoreSnapshot } : {}),
      ...(proposed ? { proposed } : {}),
      wakeAt,
    }
  }

  private takeCommitted(): LogEntry[] {
    if (this.commitIndex <= this.lastApplied) return []
    const committed = this.log.slice(this.lastApplied + 1, this.commitIndex)
    this.lastApplied = this.commitIndex
    return committed
  }
}

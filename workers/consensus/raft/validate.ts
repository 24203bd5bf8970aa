import type { LogEntry, RaftMessage, Snapshot } from './types'

/**
 * Structural checks on a message, independent of the receiver's state. Returns a reason,
 * or null when the message is well formed. The core calls this before touching any state.
 */
export function messageProblem(message: RaftMessage): string | null {
  if (message === null || typeof message !== 'object') return 'message is not an object'
  if (!isIndex(message.term) || message.term < 1) return 'term must be a positive integer'
  switch (message.type) {
    case 'appendEntries': {
      if (!isIndex(message.prevLogIndex) || !isIndex(message.prevLogTerm) || !isIndex(message.leaderCommit))
        return 'bad appendEntries fields'
      if (message.prevLogTerm > message.term) return 'prevLogTerm is after the term'
      if ((message.prevLogIndex === 0) !== (message.prevLogTerm === 0))
        return 'prevLogIndex and prevLogTerm must both be zero or both positive'
      if (!Array.isArray(message.entries)) return 'entries is not a list'
      let previousTerm = message.prevLogTerm
      for (let i = 0; i < message.entries.length; i++) {
        const entry = message.entries[i]
        const problem = entryProblem(entry)
        if (problem) return `entry ${i}: ${problem}`
        if (entry.index !== message.prevLogIndex + 1 + i) return `entry ${i}: indices are not contiguous after prevLogIndex`
        if (entry.term < previousTerm || entry.term > message.term) return `entry ${i}: term out of order`
        previousTerm = entry.term
      }
      return null
    }
    case 'appendEntriesResponse':
      if (typeof message.success !== 'boolean') return 'success is not a boolean'
      if (![message.matchIndex, message.rejectIndex, message.conflictIndex, message.conflictTerm].every(isIndex))
        return 'bad appendEntriesResponse fields'
      if (!message.success && message.conflictIndex < 1) return 'a refusal needs a conflict index'
      return null
    case 'requestVote':
      if (!isIndex(message.lastLogIndex) || !isIndex(message.lastLogTerm) || typeof message.preVote !== 'boolean')
        return 'bad requestVote fields'
      if ((message.lastLogIndex === 0) !== (message.lastLogTerm === 0))
        return 'lastLogIndex and lastLogTerm must both be zero or both positive'
      if (message.lastLogTerm > message.term) return 'lastLogTerm is after the term'
      return null
    case 'requestVoteResponse':
      if (typeof message.granted !== 'boolean' || typeof message.preVote !== 'boolean') return 'bad requestVoteResponse fields'
      return null
    case 'installSnapshot': {
      const problem = snapshotProblem(message.snapshot)
      if (problem) return problem
      if (message.snapshot.term > message.term) return 'snapshot term is after the term'
      return null
    }
    case 'installSnapshotResponse':
      return isIndex(message.matchIndex) ? null : 'bad matchIndex'
    default:
      return 'unknown message type'
  }
}

export function entryProblem(entry: LogEntry): string | null {
  if (entry === null || typeof entry !== 'object') return 'not an object'
  if (!isIndex(entry.index) || entry.index < 1 || !isIndex(entry.term) || entry.term < 1) return 'index and term must be positive integers'
  if (!(entry.command instanceof Uint8Array)) return 'command is not bytes'
  if (!Array.isArray(entry.voters)) return 'voters is not a list'
  switch (entry.kind) {
    case 'noop':
    case 'command':
      return entry.voters.length === 0 ? null : 'only a config entry names voters'
    case 'config':
      return votersProblem(entry.voters)
    default:
      return 'unknown entry kind'
  }
}

export function snapshotProblem(snapshot: Snapshot): string | null {
  if (snapshot === null || typeof snapshot !== 'object') return 'snapshot is not an object'
  if (!isIndex(snapshot.index) || snapshot.index < 1 || !isIndex(snapshot.term) || snapshot.term < 1)
    return 'snapshot index and term must be positive integers'
  if (!(snapshot.data instanceof Uint8Array)) return 'snapshot data is not bytes'
  return votersProblem(snapshot.voters)
}

export function votersProblem(voters: readonly string[]): string | null {
  if (!Array.isArray(voters) || voters.length === 0) return 'a voter set cannot be empty'
  if (!voters.every((v) => typeof v === 'string' && v.length > 0)) return 'voter ids must be non-empty strings'
  if (new Set(voters).size !== voters.length) return 'voter ids repeat'
  return null
}

export function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

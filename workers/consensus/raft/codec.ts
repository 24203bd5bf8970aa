import { encodeMessage } from 'protons-runtime'
import { decodeExact } from '../../protocol/exact-decode'
import { RaftMessage as WireMessage, type RaftEntry as WireEntry } from './raft.pb'
import { messageProblem } from './validate'
import type { EntryKind, LogEntry, RaftMessage } from './types'

/** Most elements accepted per repeated field while decoding, so a small message cannot claim huge arrays. */
export const RAFT_DECODE_LIMITS = { entries: 4096, voters: 256 }

const KIND_TO_WIRE: Record<EntryKind, number> = { noop: 0, command: 1, config: 2 }
const WIRE_TO_KIND: readonly EntryKind[] = ['noop', 'command', 'config']

export function encodeRaftMessage(message: RaftMessage): Uint8Array {
  return encodeMessage(toWire(message), WireMessage.codec())
}

export type DecodeResult = { readonly ok: true; readonly message: RaftMessage } | { readonly ok: false; readonly reason: string }

/** Decodes and structurally validates a payload; never throws. */
export function decodeRaftMessage(bytes: Uint8Array): DecodeResult {
  let wire: WireMessage
  try {
    wire = decodeExact(bytes, WireMessage.codec(), {
      limits: {
        appendEntries: { entries: RAFT_DECODE_LIMITS.entries, entries$: { voters: RAFT_DECODE_LIMITS.voters } },
        installSnapshot: { voters: RAFT_DECODE_LIMITS.voters },
      },
    })
  } catch (error) {
    return { ok: false, reason: `undecodable: ${(error as Error).message}` }
  }
  const converted = fromWire(wire)
  if (typeof converted === 'string') return { ok: false, reason: converted }
  const problem = messageProblem(converted)
  return problem ? { ok: false, reason: problem } : { ok: true, message: converted }
}

function toWire(message: RaftMessage): WireMessage {
  const n = BigInt
  switch (message.type) {
    case 'appendEntries':
      return {
        appendEntries: {
          term: n(message.term),
          prevLogIndex: n(message.prevLogIndex),
          prevLogTerm: n(message.prevLogTerm),
          entries: message.entries.map(entryToWire),
          leaderCommit: n(message.leaderCommit),
        },
      }
    case 'appendEntriesResponse':
      return {
        appendEntriesResponse: {
          term: n(message.term),
          success: message.success,
          matchIndex: n(message.matchIndex),
          rejectIndex: n(message.rejectIndex),
          conflictIndex: n(message.conflictIndex),
          conflictTerm: n(message.conflictTerm),
        },
      }
    case 'requestVote':
      return {
        requestVote: {
          term: n(message.term),
          lastLogIndex: n(message.lastLogIndex),
          lastLogTerm: n(message.lastLogTerm),
          preVote: message.preVote,
        },
      }
    case 'requestVoteResponse':
      return { requestVoteResponse: { term: n(message.term), granted: message.granted, preVote: message.preVote } }
    case 'installSnapshot':
      return {
        installSnapshot: {
          term: n(message.term),
          lastIncludedIndex: n(message.snapshot.index),
          lastIncludedTerm: n(message.snapshot.term),
          voters: [...message.snapshot.voters],
          data: message.snapshot.data as Uint8Array<ArrayBuffer>,
        },
      }
    case 'installSnapshotResponse':
      return { installSnapshotResponse: { term: n(message.term), matchIndex: n(message.matchIndex) } }
  }
}

function entryToWire(entry: LogEntry): WireEntry {
  return {
    index: BigInt(entry.index),
    term: BigInt(entry.term),
    kind: KIND_TO_WIRE[entry.kind],
    command: entry.command as Uint8Array<ArrayBuffer>,
    voters: [...entry.voters],
  }
}

/** Converts to the core's types; a string is the reason it cannot be. */
function fromWire(wire: WireMessage): RaftMessage | string {
  const set = Object.values(wire).filter((v) => v !== undefined).length
  if (set !== 1) return 'exactly one message body must be set'
  const bad = 'an integer exceeds the safe range'
  if (wire.appendEntries) {
    const m = wire.appendEntries
    const entries: LogEntry[] = []
    for (const e of m.entries) {
      const kind = WIRE_TO_KIND[e.kind]
      if (kind === undefined) return 'unknown entry kind'
      const index = num(e.index)
      const term = num(e.term)
      if (index === null || term === null) return bad
      entries.push({ index, term, kind, command: e.command, voters: e.voters })
    }
    const fields = [m.term, m.prevLogIndex, m.prevLogTerm, m.leaderCommit].map(num)
    if (fields.includes(null)) return bad
    const [term, prevLogIndex, prevLogTerm, leaderCommit] = fields as number[]
    return { type: 'appendEntries', term, prevLogIndex, prevLogTerm, entries, leaderCommit }
  }
  if (wire.appendEntriesResponse) {
    const m = wire.appendEntriesResponse
    const fields = [m.term, m.matchIndex, m.rejectIndex, m.conflictIndex, m.conflictTerm].map(num)
    if (fields.includes(null)) return bad
    const [term, matchIndex, rejectIndex, conflictIndex, conflictTerm] = fields as number[]
    return { type: 'appendEntriesResponse', term, success: m.success, matchIndex, rejectIndex, conflictIndex, conflictTerm }
  }
  if (wire.requestVote) {
    const m = wire.requestVote
    const fields = [m.term, m.lastLogIndex, m.lastLogTerm].map(num)
    if (fields.includes(null)) return bad
    const [term, lastLogIndex, lastLogTerm] = fields as number[]
    return { type: 'requestVote', term, lastLogIndex, lastLogTerm, preVote: m.preVote }
  }
  if (wire.requestVoteResponse) {
    const term = num(wire.requestVoteResponse.term)
    if (term === null) return bad
    return { type: 'requestVoteResponse', term, granted: wire.requestVoteResponse.granted, preVote: wire.requestVoteResponse.preVote }
  }
  if (wire.installSnapshot) {
    const m = wire.installSnapshot
    const fields = [m.term, m.lastIncludedIndex, m.lastIncludedTerm].map(num)
    if (fields.includes(null)) return bad
    const [term, index, snapshotTerm] = fields as number[]
    return { type: 'installSnapshot', term, snapshot: { index, term: snapshotTerm, voters: m.voters, data: m.data } }
  }
  const m = wire.installSnapshotResponse!
  const fields = [m.term, m.matchIndex].map(num)
  if (fields.includes(null)) return bad
  const [term, matchIndex] = fields as number[]
  return { type: 'installSnapshotResponse', term, matchIndex }
}

function num(value: bigint): number | null {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null
}

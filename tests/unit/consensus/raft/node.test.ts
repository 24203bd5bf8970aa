import { describe, expect, it } from 'vitest'
import { createRaftNode } from '../../../../workers/consensus/raft/node'
import { decodeRaftMessage, encodeRaftMessage } from '../../../../workers/consensus/raft/codec'
import { applyPersistOps, EMPTY_PERSISTED_STATE } from '../../../../workers/consensus/raft/storage'
import { RaftMessage as WireMessage } from '../../../../workers/consensus/raft/raft.pb'
import type { LogEntry, PersistedState, RaftEvent, RaftMessage, StepResult } from '../../../../workers/consensus/raft/types'

const VOTERS = ['a', 'b', 'c']
const bytes = (text: string) => new TextEncoder().encode(text)

function entry(index: number, term: number, command = `c${index}`): LogEntry {
  return { index, term, kind: 'command', command: bytes(command), voters: [] }
}

/** A node plus its durable state, advanced one event at a time. */
function harness(id = 'a', restored?: PersistedState) {
  let stored = restored ?? EMPTY_PERSISTED_STATE
  const node = createRaftNode({ id, voters: VOTERS, random: () => 0.5, now: 0, restored })
  const step = (event: RaftEvent): StepResult => {
    const result = node.step(event)
    stored = applyPersistOps(stored, result.persist)
    return result
  }
  step({ type: 'tick', now: 0 })
  return { node, step, stored: () => stored }
}

function receive(from: string, message: RaftMessage): RaftEvent {
  return { type: 'receive', from, message }
}

function append(term: number, prevLogIndex: number, prevLogTerm: number, entries: LogEntry[], leaderCommit: number): RaftMessage {
  return { type: 'appendEntries', term, prevLogIndex, prevLogTerm, entries, leaderCommit }
}

/** A follower of b at `term` holding the bootstrap entry plus `entries`, committed up to `commit`. */
function followerWith(term: number, entries: LogEntry[], commit: number): ReturnType<typeof harness> {
  const h = harness('a')
  const result = h.step(receive('b', append(term, 1, 1, entries, commit)))
  expect(result.ok).toBe(true)
  return h
}

describe('raft node: input validation', () => {
  const bad: [string, RaftEvent][] = [
    ['tick backwards', { type: 'tick', now: -1 }],
    ['tick NaN', { type: 'tick', now: Number.NaN }],
    ['message from itself', receive('a', { type: 'requestVoteResponse', term: 1, granted: true, preVote: false })],
    ['empty sender', receive('', { type: 'requestVoteResponse', term: 1, granted: true, preVote: false })],
    ['term zero', receive('b', { type: 'requestVote', term: 0, lastLogIndex: 0, lastLogTerm: 0, preVote: false })],
    ['fractional index', receive('b', { type: 'requestVote', term: 2, lastLogIndex: 1.5, lastLogTerm: 1, preVote: false })],
    ['negative commit', receive('b', append(2, 1, 1, [], -1))],
    ['unsafe integer', receive('b', append(2 ** 60, 1, 1, [], 0))],
    ['gap in entries', receive('b', append(2, 1, 1, [entry(3, 2)], 0))],
    ['entry term after message term', receive('b', append(2, 1, 1, [entry(2, 3)], 0))],
    ['entry terms going down', receive('b', append(3, 1, 1, [entry(2, 3), entry(3, 2)], 0))],
    ['prev term zero with index', receive('b', append(2, 1, 0, [], 0))],
    ['unknown entry kind', receive('b', append(2, 1, 1, [{ ...entry(2, 2), kind: 'exec' as never }], 0))],
    ['config without voters', receive('b', append(2, 1, 1, [{ ...entry(2, 2), kind: 'config' }], 0))],
    ['config with repeated voters', receive('b', append(2, 1, 1, [{ ...entry(2, 2), kind: 'config', voters: ['a', 'a'] }], 0))],
    ['command not bytes', receive('b', append(2, 1, 1, [{ ...entry(2, 2), command: 'x' as never }], 0))],
    ['unknown message type', receive('b', { type: 'gossip', term: 2 } as never)],
    [
      'snapshot at index zero',
      receive('b', { type: 'installSnapshot', term: 2, snapshot: { index: 0, term: 1, voters: VOTERS, data: new Uint8Array() } }),
    ],
    [
      'refusal without hint',
      receive('b', {
        type: 'appendEntriesResponse',
        term: 2,
        success: false,
        matchIndex: 0,
        rejectIndex: 1,
        conflictIndex: 0,
        conflictTerm: 0,
      }),
    ],
    ['propose a string', { type: 'propose', command: 'x' as never }],
    ['snapshot past applied', { type: 'snapshot', index: 99, data: new Uint8Array() }],
    ['unknown event', { type: 'reboot' } as never],
    ['null event', null as never],
  ]
  it.each(bad)('refuses %s with a reason and changes nothing', (_name, event) => {
    const h = harness()
    const before = h.node.status()
    const entriesBefore = h.node.entries()
    const result = h.step(event)
    expect(result.ok).toBe(false)
    expect(result.reason).toBeTruthy()
    expect(result.persist).toEqual([])
    expect(result.messages).toEqual([])
    expect(result.committed).toEqual([])
    expect(h.node.status()).toEqual(before)
    expect(h.node.entries()).toEqual(entriesBefore)
  })

  it('refuses a rewrite of committed entries even from a higher term, keeping its own term', () => {
    const h = followerWith(2, [entry(2, 2), entry(3, 2)], 3)
    expect(h.node.status().commitIndex).toBe(3)
    const result = h.step(receive('c', append(4, 1, 1, [entry(2, 4)], 2)))
    expect(result.ok).toBe(false)
    expect(result.reason).toMatch(/overwrite a committed entry/)
    expect(h.node.status().term).toBe(2)
    expect(h.node.entries(2, 3).map((e) => e.term)).toEqual([2, 2])
  })

  it('refuses a second leader in a term it leads', () => {
    const node = createRaftNode({ id: 'solo', voters: ['solo'], random: () => 0, now: 0 })
    node.step({ type: 'tick', now: 1_000 })
    expect(node.status().role).toBe('leader')
    const term = node.status().term
    const result = node.step(receive('x', append(term, 1, 1, [], 0)))
    expect(result.ok).toBe(false)
    expect(result.reason).toMatch(/claims to lead/)
    expect(node.status().role).toBe('leader')
  })
})

describe('raft node: protocol rules', () => {
  it('a founder persists the bootstrap voter set as committed entry 1 on its first step', () => {
    const node = createRaftNode({ id: 'a', voters: ['c', 'a', 'b'], random: () => 0.5, now: 0 })
    const first = node.step({ type: 'tick', now: 0 })
    expect(first.persist.map((op) => op.type)).toEqual(['append', 'hardState'])
    expect(first.committed).toEqual([{ index: 1, term: 1, kind: 'config', command: new Uint8Array(), voters: ['a', 'b', 'c'] }])
    expect(node.step({ type: 'tick', now: 1 }).persist).toEqual([])
  })

  it('answers a deposed leader with its newer term and leaves its log alone', () => {
    const h = followerWith(3, [entry(2, 3)], 1)
    const result = h.step(receive('c', append(2, 1, 1, [entry(2, 2)], 0)))
    expect(result.ok).toBe(true)
    expect(result.messages).toEqual([
      { to: 'c', message: expect.objectContaining({ type: 'appendEntriesResponse', term: 3, success: false }) },
    ])
    expect(h.node.status().lastIndex).toBe(2)
    expect(h.node.status().leader).toBe('b')
  })

  it('commits only up to what the message verified, not a divergent tail beyond it', () => {
    // Entries 2..5 came from a term-2 leader; a term-3 leader agrees only up to 3.
    const h = followerWith(2, [entry(2, 2), entry(3, 2), entry(4, 2), entry(5, 2)], 1)
    h.step(receive('c', append(3, 3, 2, [], 4)))
    expect(h.node.status().commitIndex).toBe(3)
  })

  it('never truncates on a delayed duplicate of an older append', () => {
    const h = followerWith(2, [entry(2, 2), entry(3, 2), entry(4, 2)], 1)
    const result = h.step(receive('b', append(2, 1, 1, [entry(2, 2)], 1)))
    expect(result.persist.filter((op) => op.type === 'truncate')).toEqual([])
    expect(h.node.status().lastIndex).toBe(4)
  })

  it('gives a conflict hint that skips a whole divergent term', () => {
    const h = followerWith(
      2,
      Array.from({ length: 30 }, (_, i) => entry(i + 2, 2)),
      1,
    )
    const result = h.step(receive('c', append(3, 31, 3, [], 1)))
    expect(result.messages[0].message).toEqual(
      expect.objectContaining({ success: false, rejectIndex: 31, conflictTerm: 2, conflictIndex: 2 }),
    )
    const short = h.step(receive('c', append(3, 80, 3, [], 1)))
    expect(short.messages[0].message).toEqual(expect.objectContaining({ success: false, conflictTerm: 0, conflictIndex: 32 }))
  })

  it('remembers its vote across a restart', () => {
    const h = harness('a')
    const vote = h.step(receive('b', { type: 'requestVote', term: 5, lastLogIndex: 1, lastLogTerm: 1, preVote: false }))
    expect(vote.messages[0].message).toEqual({ type: 'requestVoteResponse', term: 5, granted: true, preVote: false })
    const restarted = harness('a', h.stored())
    expect(restarted.node.status()).toEqual(expect.objectContaining({ term: 5, votedFor: 'b' }))
    const other = restarted.step(receive('c', { type: 'requestVote', term: 5, lastLogIndex: 1, lastLogTerm: 1, preVote: false }))
    expect(other.messages[0].message).toEqual(expect.objectContaining({ granted: false }))
    const same = restarted.step(receive('b', { type: 'requestVote', term: 5, lastLogIndex: 1, lastLogTerm: 1, preVote: false }))
    expect(same.messages[0].message).toEqual(expect.objectContaining({ granted: true }))
  })

  it('refuses votes to a candidate whose log is behind', () => {
    const h = followerWith(2, [entry(2, 2)], 1)
    h.step({ type: 'tick', now: 10_000 })
    const result = h.step(receive('c', { type: 'requestVote', term: 9, lastLogIndex: 1, lastLogTerm: 1, preVote: false }))
    expect(result.messages[0].message).toEqual(expect.objectContaining({ term: 9, granted: false }))
  })

  it('answers a pre-vote without changing its term or vote, and refuses it while it hears a leader', () => {
    const h = followerWith(2, [], 1)
    const inLease = h.step(receive('c', { type: 'requestVote', term: 3, lastLogIndex: 9, lastLogTerm: 2, preVote: true }))
    expect(inLease.messages[0].message).toEqual(expect.objectContaining({ granted: false, preVote: true }))
    // A real vote request while the leader is alive is ignored outright.
    const real = h.step(receive('c', { type: 'requestVote', term: 3, lastLogIndex: 9, lastLogTerm: 2, preVote: false }))
    expect(real.messages).toEqual([])
    expect(h.node.status().term).toBe(2)
    h.step({ type: 'tick', now: 10_000 })
    const later = h.step(receive('c', { type: 'requestVote', term: 3, lastLogIndex: 9, lastLogTerm: 2, preVote: true }))
    expect(later.messages[0].message).toEqual({ type: 'requestVoteResponse', term: 3, granted: true, preVote: true })
    expect(later.persist).toEqual([])
    expect(h.node.status()).toEqual(expect.objectContaining({ term: 2, votedFor: null }))
  })

  it('a follower refuses proposals and names the leader', () => {
    const h = followerWith(2, [], 1)
    const result = h.step({ type: 'propose', command: bytes('x') })
    expect(result.ok).toBe(false)
    expect(result.reason).toMatch(/leader: b/)
  })

  it('a single-node cluster elects itself and commits proposals at once', () => {
    const node = createRaftNode({ id: 'solo', voters: ['solo'], random: () => 0, now: 0 })
    node.step({ type: 'tick', now: 0 })
    const elected = node.step({ type: 'tick', now: 300 })
    expect(node.status().role).toBe('leader')
    expect(elected.committed.map((e) => e.kind)).toEqual(['noop'])
    const proposed = node.step({ type: 'propose', command: bytes('hello') })
    expect(proposed.committed).toEqual([
      { index: proposed.proposed!.index, term: node.status().term, kind: 'command', command: bytes('hello'), voters: [] },
    ])
    expect(proposed.wakeAt).toBe(350)
  })

  it('a follower asks to be woken within its election timeout', () => {
    const node = createRaftNode({
      id: 'a',
      voters: VOTERS,
      random: () => 0.25,
      now: 1_000,
      electionTimeoutMinMs: 200,
      electionTimeoutMaxMs: 400,
      heartbeatIntervalMs: 20,
    })
    expect(node.step({ type: 'tick', now: 1_000 }).wakeAt).toBe(1_250)
  })

  it('rejects a corrupt restored log at construction', () => {
    expect(() =>
      createRaftNode({
        id: 'a',
        voters: VOTERS,
        random: () => 0,
        now: 0,
        restored: { hardState: { term: 2, votedFor: null, commitIndex: 0 }, snapshot: null, entries: [entry(2, 1)] },
      }),
    ).toThrow(RangeError)
  })
})

describe('raft codec', () => {
  const samples: RaftMessage[] = [
    append(
      7,
      3,
      6,
      [
        entry(4, 6),
        { index: 5, term: 7, kind: 'config', command: new Uint8Array(), voters: ['a', 'b'] },
        { index: 6, term: 7, kind: 'noop', command: new Uint8Array(), voters: [] },
      ],
      3,
    ),
    { type: 'appendEntriesResponse', term: 7, success: false, matchIndex: 0, rejectIndex: 9, conflictIndex: 4, conflictTerm: 5 },
    { type: 'requestVote', term: 8, lastLogIndex: 12, lastLogTerm: 7, preVote: true },
    { type: 'requestVoteResponse', term: 8, granted: true, preVote: false },
    { type: 'installSnapshot', term: 9, snapshot: { index: 100, term: 8, voters: ['a', 'b', 'c'], data: bytes('state') } },
    { type: 'installSnapshotResponse', term: 9, matchIndex: 100 },
  ]
  it.each(samples.map((m) => [m.type, m] as const))('round-trips %s', (_type, message) => {
    const decoded = decodeRaftMessage(encodeRaftMessage(message))
    expect(decoded).toEqual({ ok: true, message })
  })

  it('refuses garbage, empty bodies, unsafe integers and oversized lists without throwing', () => {
    expect(decodeRaftMessage(new Uint8Array([0xff, 0xff, 0xff])).ok).toBe(false)
    expect(decodeRaftMessage(new Uint8Array()).ok).toBe(false)
    const huge = WireMessage.encode({ requestVote: { term: 2n ** 62n, lastLogIndex: 0n, lastLogTerm: 0n, preVote: false } })
    expect(decodeRaftMessage(huge)).toEqual({ ok: false, reason: 'an integer exceeds the safe range' })
    const many = WireMessage.encode({
      appendEntries: {
        term: 2n,
        prevLogIndex: 0n,
        prevLogTerm: 0n,
        leaderCommit: 0n,
        entries: Array.from({ length: 5000 }, (_, i) => ({
          index: BigInt(i + 1),
          term: 1n,
          kind: 1,
          command: new Uint8Array(),
          voters: [],
        })),
      },
    })
    expect(decodeRaftMessage(many).ok).toBe(false)
    const unknownKind = WireMessage.encode({
      appendEntries: {
        term: 2n,
        prevLogIndex: 0n,
        prevLogTerm: 0n,
        leaderCommit: 0n,
        entries: [{ index: 1n, term: 1n, kind: 7, command: new Uint8Array(), voters: [] }],
      },
    })
    expect(decodeRaftMessage(unknownKind)).toEqual({ ok: false, reason: 'unknown entry kind' })
    const gap = WireMessage.encode({
      appendEntries: {
        term: 2n,
        prevLogIndex: 0n,
        prevLogTerm: 0n,
        leaderCommit: 0n,
        entries: [{ index: 2n, term: 1n, kind: 1, command: new Uint8Array(), voters: [] }],
      },
    })
    expect(decodeRaftMessage(gap).ok).toBe(false)
  })
})

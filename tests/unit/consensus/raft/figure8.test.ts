import { describe, expect, it } from 'vitest'
import { Cluster } from './cluster'
import type { RaftMessage } from '../../../../workers/consensus/raft/types'

/**
 * The Raft paper's Figure 8, with a..e standing for S1..S5. One entry per AppendEntries lets
 * the test stop replication between an old-term entry and the new leader's own entry.
 */
function figure8UpToOldEntryOnMajority(): { cluster: Cluster; termA1: number; termE: number; termA2: number } {
  const cluster = new Cluster({
    ids: ['a', 'b', 'c', 'd', 'e'],
    seed: 8,
    maxEntriesPerAppend: 1,
    electionTimeoutMinMs: 300,
    electionTimeoutMaxMs: 3_000,
    favour: 'a',
  })
  // (a) a leads and replicates X (index 3: after the bootstrap entry and a's no-op) to b only.
  expect(cluster.runUntil(() => cluster.leader() === 'a' && cluster.up().every((m) => m.lastApplied >= 2), 5_000)).toBe(true)
  const termA1 = cluster.status('a').term
  cluster.partition(['a', 'b'], ['c', 'd', 'e'])
  cluster.favour('e')
  const x = cluster.propose('a', 'X').proposed!
  expect(x.index).toBe(3)
  expect(cluster.runUntil(() => cluster.status('b').lastIndex === 3, 1_000)).toBe(true)

  // (b) a crashes; e wins with c and d and appends its own no-op at index 3, which reaches no one.
  cluster.crash('a')
  cluster.partition(['b'], ['c', 'd', 'e'])
  // c, d and e last heard from a at the same moment, so their timers would expire together and
  // the winner would be down to delivery jitter. A process restart (only persisted state
  // survives) makes e draw its timer now, as the favoured node: it times out first, and wins.
  cluster.crash('e')
  cluster.restart('e')
  expect(cluster.runUntil(() => cluster.leader() === 'e', 5_000)).toBe(true)
  cluster.partition(['b'], ['c', 'd'], ['e'])
  const termE = cluster.status('e').term
  expect(cluster.member('e').node!.entries(3, 3)[0].term).toBe(termE)

  // (c) e crashes; a returns and wins term termA2 with b and c, then replicates X to c. X (term termA1)
  // now sits on a majority (a, b, c), but a's own entry of termA2 is held back.
  cluster.crash('e')
  cluster.restart('a')
  cluster.partition(['a', 'b', 'c'], ['d'], ['e'])
  cluster.favour('a')
  cluster.linkFilter = (_from, _to, message: RaftMessage) =>
    message.type === 'appendEntries' ? { ...message, entries: message.entries.filter((entry) => entry.term <= termE) } : message
  expect(cluster.runUntil(() => cluster.leader() === 'a', 5_000)).toBe(true)
  const termA2 = cluster.status('a').term
  expect(cluster.runUntil(() => cluster.member('c').node!.entries(3, 3)[0]?.term === termA1, 2_000)).toBe(true)
  return { cluster, termA1, termE, termA2 }
}

describe('raft: Figure 8', () => {
  it('a leader does not commit an old-term entry by counting replicas, so a later leader may safely replace it', () => {
    const { cluster, termA1, termE } = figure8UpToOldEntryOnMajority()
    cluster.run(1_000)
    const holders = ['a', 'b', 'c'].filter((id) => cluster.member(id).node!.entries(3, 3)[0]?.term === termA1)
    expect(holders).toHaveLength(3)
    // The heart of Figure 8: a majority holds X, yet it is not committed.
    expect(cluster.status('a').commitIndex).toBe(2)
    expect(cluster.committed.has(3)).toBe(false)

    // (d) a crashes; e returns and, its log being more up to date (term termE at index 3), wins and overwrites X.
    cluster.crash('a')
    cluster.favour('e')
    cluster.restart('e')
    cluster.linkFilter = (_from, _to, message) => message
    cluster.partition(['b', 'c', 'd', 'e'], ['a'])
    expect(cluster.runUntil(() => cluster.leader() === 'e', 10_000)).toBe(true)
    const last = cluster.status('e').lastIndex
    expect(cluster.runUntil(() => ['b', 'c', 'd', 'e'].every((id) => cluster.member(id).lastApplied >= last), 3_000)).toBe(true)
    for (const id of ['b', 'c', 'd', 'e']) {
      expect(cluster.member(id).node!.entries(3, 3)[0].term).toBe(termE)
      expect([...cluster.member(id).applied.values()].some((key) => key.includes('/X/'))).toBe(false)
    }
    expect(cluster.refusals).toEqual([])
    cluster.checkLogMatching()
  })

  it('once the leader commits an entry of its own term, the old-term entry is committed with it and survives', () => {
    const { cluster, termA1, termA2 } = figure8UpToOldEntryOnMajority()
    // (e) let a's own no-op through: it reaches the majority and commits X along with it.
    cluster.linkFilter = (_from, _to, message) => message
    expect(cluster.runUntil(() => cluster.status('a').commitIndex >= 4, 2_000)).toBe(true)
    expect(cluster.member('a').node!.entries(4, 4)[0].term).toBe(termA2)
    expect(cluster.committed.get(3)).toContain('/X/')
    cluster.crash('a')
    cluster.favour('e')
    cluster.restart('e')
    cluster.partition(['b', 'c', 'd', 'e'], ['a'])
    // e cannot win now: b and c hold a longer, newer log. Someone else leads and X stays.
    expect(cluster.runUntil(() => cluster.leader() !== null, 15_000)).toBe(true)
    expect(cluster.leader()).not.toBe('e')
    const last = cluster.status(cluster.leader()!).lastIndex
    expect(cluster.runUntil(() => ['b', 'c', 'd', 'e'].every((id) => cluster.member(id).lastApplied >= last), 3_000)).toBe(true)
    for (const id of ['b', 'c', 'd', 'e']) expect(cluster.member(id).applied.get(3)).toBe(`${termA1}/command/X/`)
    cluster.checkLogMatching()
  })
})

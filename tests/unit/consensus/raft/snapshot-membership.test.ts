import { describe, expect, it } from 'vitest'
import { Cluster } from './cluster'

function settled(cluster: Cluster, ids = [...cluster.members.keys()]): () => boolean {
  return () => {
    const leader = cluster.leader()
    if (!leader) return false
    const last = cluster.status(leader).lastIndex
    return ids.every((id) => cluster.member(id).node !== null && cluster.member(id).lastApplied >= last)
  }
}

describe('raft: snapshots', () => {
  it('compacts the log and brings a lagging follower up with InstallSnapshot', () => {
    const cluster = new Cluster({ ids: ['a', 'b', 'c'], seed: 21 })
    expect(cluster.runUntil(settled(cluster), 5_000)).toBe(true)
    const leader = cluster.leader()!
    const lagging = ['a', 'b', 'c'].find((id) => id !== leader)!
    cluster.crash(lagging)
    for (let i = 0; i < 50; i++) cluster.propose(leader, `before-${i}`)
    const live = ['a', 'b', 'c'].filter((id) => id !== lagging)
    expect(cluster.runUntil(settled(cluster, live), 2_000)).toBe(true)
    for (const id of live) expect(cluster.snapshot(id).ok).toBe(true)
    const snapshotIndex = cluster.status(leader).snapshotIndex
    expect(snapshotIndex).toBeGreaterThanOrEqual(51)
    expect(cluster.member(leader).node!.entries()).toHaveLength(0)
    expect(cluster.member(leader).stored.entries).toHaveLength(0)
    for (let i = 0; i < 5; i++) cluster.propose(leader, `after-${i}`)

    const sentBefore = cluster.delivered.length
    cluster.restart(lagging)
    expect(cluster.runUntil(settled(cluster), 3_000)).toBe(true)
    expect(cluster.delivered.slice(sentBefore).filter((d) => d.to === lagging && d.message.type === 'installSnapshot')).toHaveLength(1)
    expect(cluster.status(lagging).snapshotIndex).toBe(snapshotIndex)
    expect([...cluster.member(lagging).applied]).toEqual([...cluster.member(leader).applied])

    // A restart from the installed snapshot rebuilds the same state.
    cluster.crash(lagging)
    cluster.restart(lagging)
    cluster.run(100)
    expect([...cluster.member(lagging).applied]).toEqual([...cluster.member(leader).applied])
    cluster.checkLogMatching()
    expect(cluster.refusals).toEqual([])
  })

  it('refuses a snapshot past what the application applied, or not newer than the last', () => {
    const cluster = new Cluster({ ids: ['a', 'b', 'c'], seed: 22 })
    expect(cluster.runUntil(settled(cluster), 5_000)).toBe(true)
    const leader = cluster.leader()!
    const applied = cluster.member(leader).lastApplied
    const node = cluster.member(leader).node!
    const ahead = node.step({ type: 'snapshot', index: applied + 5, data: new Uint8Array() })
    expect(ahead.ok).toBe(false)
    expect(ahead.persist).toEqual([])
    expect(cluster.snapshot(leader).ok).toBe(true)
    const again = node.step({ type: 'snapshot', index: applied, data: new Uint8Array() })
    expect(again.ok).toBe(false)
    expect(again.reason).toMatch(/not newer/)
  })
})

describe('raft: membership (single-server changes)', () => {
  it('adds a new node, which catches up and then counts toward the majority', () => {
    const cluster = new Cluster({ ids: ['a', 'b', 'c'], joiners: ['d'], seed: 31 })
    expect(cluster.runUntil(settled(cluster, ['a', 'b', 'c']), 5_000)).toBe(true)
    const leader = cluster.leader()!
    // The joiner knows no voters, so it never campaigns on its own.
    expect(cluster.status('d').role).toBe('follower')
    expect(cluster.status('d').voters).toEqual([])
    const added = cluster.step(leader, { type: 'changeMembership', change: { add: 'd' } })
    expect(added.ok).toBe(true)
    const second = cluster.step(leader, { type: 'changeMembership', change: { remove: 'a' } })
    expect(second.ok).toBe(false)
    expect(second.reason).toMatch(/still uncommitted/)
    expect(cluster.runUntil(settled(cluster), 3_000)).toBe(true)
    for (const id of ['a', 'b', 'c', 'd']) expect(cluster.status(id).voters).toEqual(['a', 'b', 'c', 'd'])
    // With four voters the majority is three: two crashed nodes halt commits.
    const others = ['a', 'b', 'c'].filter((id) => id !== leader)
    cluster.crash(others[0])
    cluster.crash(others[1])
    const before = cluster.status(leader).commitIndex
    cluster.propose(leader, 'needs-three')
    cluster.run(300)
    expect(cluster.status(leader).commitIndex).toBe(before)
    cluster.restart(others[0])
    expect(cluster.runUntil(() => cluster.committed.size > before, 5_000)).toBe(true)
    cluster.checkLogMatching()
  })

  it('removes a follower; the rest carry on and the removed node cannot disrupt them', () => {
    const cluster = new Cluster({ ids: ['a', 'b', 'c', 'd'], seed: 32 })
    expect(cluster.runUntil(settled(cluster), 5_000)).toBe(true)
    const leader = cluster.leader()!
    const removed = ['a', 'b', 'c', 'd'].find((id) => id !== leader)!
    const rest = ['a', 'b', 'c', 'd'].filter((id) => id !== removed)
    expect(cluster.step(leader, { type: 'changeMembership', change: { remove: removed } }).ok).toBe(true)
    expect(cluster.runUntil(settled(cluster, rest), 3_000)).toBe(true)
    for (const id of rest) expect(cluster.status(id).voters).not.toContain(removed)
    const term = cluster.status(leader).term
    cluster.run(5_000)
    expect(cluster.leader()).toBe(leader)
    expect(cluster.status(leader).term).toBe(term)
    const last = cluster.propose(leader, 'without-removed').proposed!.index
    expect(cluster.runUntil(() => rest.every((id) => cluster.member(id).lastApplied >= last), 2_000)).toBe(true)
  })

  it('a leader that removes itself commits the change, steps down, and a remaining node takes over', () => {
    const cluster = new Cluster({ ids: ['a', 'b', 'c'], seed: 33 })
    expect(cluster.runUntil(settled(cluster), 5_000)).toBe(true)
    const leader = cluster.leader()!
    const rest = ['a', 'b', 'c'].filter((id) => id !== leader)
    const change = cluster.step(leader, { type: 'changeMembership', change: { remove: leader } }).proposed!
    expect(cluster.runUntil(() => cluster.status(leader).role !== 'leader', 2_000)).toBe(true)
    expect(cluster.committed.get(change.index)).toContain('/config/')
    expect(cluster.runUntil(() => rest.includes(cluster.leader() ?? ''), 5_000)).toBe(true)
    const newLeader = cluster.leader()!
    expect(cluster.status(newLeader).voters).toEqual(rest)
    const last = cluster.propose(newLeader, 'after-handover').proposed!.index
    expect(cluster.runUntil(() => rest.every((id) => cluster.member(id).lastApplied >= last), 2_000)).toBe(true)
    cluster.run(3_000)
    expect(cluster.status(leader).role).not.toBe('leader')
  })

  it('a fresh leader refuses changes until it has committed an entry of its own term', () => {
    const cluster = new Cluster({ ids: ['a', 'b', 'c'], joiners: ['d'], seed: 34 })
    expect(cluster.runUntil(() => cluster.leader() !== null, 5_000)).toBe(true)
    const leader = cluster.leader()!
    // Only the bootstrap entry is committed; the leader's no-op is still in flight.
    expect(cluster.status(leader).commitIndex).toBe(1)
    const early = cluster.step(leader, { type: 'changeMembership', change: { add: 'd' } })
    expect(early.ok).toBe(false)
    expect(early.reason).toMatch(/committed an entry in its term/)
    expect(cluster.runUntil(settled(cluster, ['a', 'b', 'c']), 2_000)).toBe(true)
    expect(cluster.step(leader, { type: 'changeMembership', change: { add: 'd' } }).ok).toBe(true)
    expect(cluster.step(cluster.leader()!, { type: 'changeMembership', change: { add: 'a' } }).ok).toBe(false)
    const follower = ['a', 'b', 'c'].find((id) => id !== leader)!
    expect(cluster.step(follower, { type: 'changeMembership', change: { add: 'd' } }).reason).toMatch(/not the leader/)
  })
})

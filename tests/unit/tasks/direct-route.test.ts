/**
 * The task transport's direct path (preferDirect) on an in-memory bus and virtual clock: Raft
 * packets, assignments and results go on per-peer channels, everything else and every fallback
 * on the (in-memory) gossip. The direct path here loses messages silently (a stream that died
 * after the write), fails sends (the caller falls back to gossip) and has peers it cannot reach;
 * the task must still finish with the undisturbed result, every subtask accepted exactly once.
 */
import { describe, expect, it } from 'vitest'
import { TaskCoordinatorAdapter } from '../../../workers/tasks/adapter'
import { TaskWorkerHost } from '../../../workers/tasks/worker-host'
import { MemoryTaskBus, preferDirect, type RouteCounts, type TaskTransport } from '../../../workers/tasks/transport'
import type { ChannelHandler, TaskDirect, TaskDirectKind } from '../../../workers/tasks/peer-channels'
import { MemoryRaftStore } from '../../../workers/tasks/store'
import { runTask } from '../../../workers/tasks/initiator'
import { pixelStats } from '../../../workers/tasks/data'
import { silentLogger } from '../../../workers/log'
import { seededRandom, type Random } from '../../sim/tasks/random'
import { expectedResult, syntheticDataset } from '../../sim/tasks/schedule'
import { VirtualClock } from '../../sim/virtual-clock'

const dataset = syntheticDataset()
const COORDINATORS = ['coord-a', 'coord-b', 'coord-c']
const WORKERS = ['w1', 'w2', 'w3']
const capacity = () => ({ backend: 'test', samplesPerS: 1000, cores: 2, visible: true, battery: -1, charging: false })
const params = [
  { name: 'samples', value: '400' },
  { name: 'shards', value: '16' },
]

interface Faults {
  /** Resolved but never delivered. */
  readonly lose: number
  /** Rejected: the sender falls back to gossip. */
  readonly fail: number
  readonly unreachable: Set<string>
}

/** Per-peer channels in memory, with seeded faults. */
class MemoryDirect {
  private readonly handlers = new Map<string, Map<TaskDirectKind, Set<ChannelHandler<any>>>>()
  delivered = 0

  constructor(
    private readonly random: Random,
    readonly faults: Faults,
  ) {}

  for(selfId: string): TaskDirect {
    const mine = new Map<TaskDirectKind, Set<ChannelHandler<any>>>()
    this.handlers.set(selfId, mine)
    return {
      reachable: (peer) => this.handlers.has(peer) && !this.faults.unreachable.has(peer) && !this.faults.unreachable.has(selfId),
      send: async (peer, kind, payload, seal) => {
        if (this.random.next() < this.faults.fail) throw new Error('stream reset')
        if (this.random.next() < this.faults.lose) return
        this.delivered++
        for (const handler of this.handlers.get(peer)?.get(kind) ?? []) queueMicrotask(() => handler(selfId, payload, seal?.traceparent))
      },
      on: (kind, handler) => {
        let set = mine.get(kind)
        if (!set) mine.set(kind, (set = new Set()))
        set.add(handler)
        return () => set.delete(handler)
      },
    }
  }

  leave(id: string): void {
    this.handlers.delete(id)
  }
}

function harness(seed: number, faults: Faults) {
  const bus = new MemoryTaskBus()
  const direct = new MemoryDirect(seededRandom(seed + 1), faults)
  const counts: RouteCounts = {}
  const transport = (id: string): TaskTransport => preferDirect(bus.transport(id), direct.for(id), id, { counts })
  const clock = new VirtualClock()
  const random = seededRandom(seed)
  const stores = new Map(COORDINATORS.map((id) => [id, new MemoryRaftStore()]))
  const coordinators = new Map<string, TaskCoordinatorAdapter>()
  const start = async (id: string) => {
    const adapter = await TaskCoordinatorAdapter.start({
      id,
      voters: COORDINATORS,
      transport: transport(id),
      store: stores.get(id)!,
      log: silentLogger,
      clock,
      random: () => random.next(),
    })
    coordinators.set(id, adapter)
  }
  const workers = WORKERS.map(
    (id) =>
      new TaskWorkerHost({
        transport: transport(id),
        clock,
        capacity,
        log: silentLogger,
        slots: 2,
        execute: (a) =>
          new Promise((resolve) =>
            clock.setTimer(300, () =>
              resolve({ values: pixelStats(dataset, Number(a.params[0].value), Number(a.params[1].value)), backend: 'test' }),
            ),
          ),
      }),
  )
  const leader = () => [...coordinators.values()].find((c) => c.status().role === 'leader') ?? null
  const kill = async (id: string) => {
    await coordinators.get(id)!.stop()
    coordinators.delete(id)
    bus.leave(id)
    direct.leave(id)
  }
  const stop = async () => {
    for (const w of workers) w.stop()
    for (const c of coordinators.values()) await c.stop()
  }
  return { bus, clock, direct, counts, start, leader, kill, stop }
}

/** Runs one task; kills the leader `killAfterMs` into it when asked. */
async function runOne(h: ReturnType<typeof harness>, taskId: string, killAfterMs?: number) {
  for (const id of COORDINATORS) await h.start(id)
  await h.clock.run(5000)
  expect(h.leader()).not.toBeNull()
  const done = runTask({ transport: h.bus.transport('initiator'), kind: 'pixel-stats', params, taskId, clock: h.clock })
  let killed: string | null = null
  let killedAtMs = NaN
  if (killAfterMs !== undefined) {
    await h.clock.run(killAfterMs)
    killedAtMs = h.clock.wallNow()
    killed = h.leader()!.id
    await h.kill(killed)
  }
  await h.clock.run(60_000)
  const status = await done
  await h.stop()
  return { status, killed, killedAtMs }
}

function expectExactlyOnce(status: Awaited<ReturnType<typeof runOne>>['status']) {
  expect(status.state).toBe('done')
  expect(status.result).toEqual(expectedResult(dataset, { version: 1, taskId: 'x', kind: 'pixel-stats', params, redundancy: 1 }))
  expect(status.subtasks).toHaveLength(16)
  expect(status.subtasks.every((s) => s.accepted && s.acceptedFrom.length === 1)).toBe(true)
}

describe('task messages on direct channels', () => {
  it('with no faults, every Raft packet, assignment and first result copy goes direct', async () => {
    const h = harness(5, { lose: 0, fail: 0, unreachable: new Set() })
    const { status } = await runOne(h, 'task-direct-clean')
    expectExactlyOnce(status)
    expect(h.counts['direct:raft.message.direct']).toBeGreaterThan(0)
    expect(h.counts['direct:task.assign.direct']).toBeGreaterThan(0)
    expect(h.counts['direct:task.result.direct']).toBeGreaterThan(0)
    expect(h.counts['gossip:raft.message.direct'] ?? 0).toBe(0)
    expect(h.counts['gossip:task.assign.direct'] ?? 0).toBe(0)
    expect(h.counts['fallback:task.assign.direct'] ?? 0).toBe(0)
  })

  for (const seed of [1, 2, 3, 4]) {
    it(`lost and failed direct sends are recovered (Raft retransmits, assignments and results re-sent), seed ${seed}`, async () => {
      const h = harness(seed, { lose: 0.25, fail: 0.15, unreachable: new Set() })
      const { status } = await runOne(h, `task-direct-lossy-${seed}`)
      expectExactlyOnce(status)
      // Failed sends went by gossip; silently lost ones were made up for by the protocol.
      expect(h.counts['fallback:raft.message.direct']).toBeGreaterThan(0)
      expect(h.counts['fallback:task.assign.direct'] ?? 0).toBeGreaterThan(0)
    })
  }

  it('a worker with no direct connection gets its assignments and sends its results by gossip; the leader is killed mid-task', async () => {
    const h = harness(9, { lose: 0, fail: 0, unreachable: new Set(['w2']) })
    const { status, killed, killedAtMs } = await runOne(h, 'task-direct-unreachable', 600)
    expectExactlyOnce(status)
    expect(status.coordinator).not.toBe(killed)
    // Mid-task: some subtasks finished before the kill, some after it.
    const finished = status.subtasks.flatMap((s) => s.attempts.filter((a) => a.state === 'done').map((a) => a.finishedMs))
    expect(finished.some((at) => at < killedAtMs)).toBe(true)
    expect(finished.some((at) => at > killedAtMs)).toBe(true)
    expect(status.subtasks.some((s) => s.acceptedFrom[0] === 'w2')).toBe(true)
    expect(h.counts['gossip:task.assign.direct']).toBeGreaterThan(0)
    expect(h.counts['direct:task.assign.direct']).toBeGreaterThan(0)
    // After the kill, the first copies sent direct to the dead leader found no connection: gossip.
    expect(h.counts['gossip:task.result.direct']).toBeGreaterThan(0)
  })
})

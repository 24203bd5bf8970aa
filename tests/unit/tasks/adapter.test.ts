import { describe, expect, it } from 'vitest'
import { TaskCoordinatorAdapter } from '../../../workers/tasks/adapter'
import { TaskWorkerHost } from '../../../workers/tasks/worker-host'
import { MemoryTaskBus } from '../../../workers/tasks/transport'
import { MemoryRaftStore } from '../../../workers/tasks/store'
import { runTask } from '../../../workers/tasks/initiator'
import { pixelStats } from '../../../workers/tasks/data'
import { silentLogger } from '../../../workers/log'
import type { TaskStatus } from '../../../workers/tasks/wire.pb'
import { seededRandom } from '../../sim/tasks/random'
import { expectedResult, syntheticDataset } from '../../sim/tasks/schedule'
import { VirtualClock } from '../../sim/virtual-clock'

const dataset = syntheticDataset()
const COORDINATORS = ['coord-a', 'coord-b', 'coord-c']
const capacity = () => ({ backend: 'test', samplesPerS: 1000, cores: 2, visible: true, battery: -1, charging: false })

function harness() {
  const bus = new MemoryTaskBus()
  const clock = new VirtualClock()
  const random = seededRandom(42)
  const stores = new Map(COORDINATORS.map((id) => [id, new MemoryRaftStore()]))
  const coordinators = new Map<string, TaskCoordinatorAdapter>()
  const start = async (id: string, voters = COORDINATORS) => {
    const adapter = await TaskCoordinatorAdapter.start({
      id,
      voters,
      transport: bus.transport(id),
      store: stores.get(id) ?? stores.set(id, new MemoryRaftStore()).get(id)!,
      log: silentLogger,
      clock,
      random: () => random.next(),
    })
    coordinators.set(id, adapter)
    return adapter
  }
  const workers = ['w1', 'w2', 'w3'].map(
    (id) =>
      new TaskWorkerHost({
        transport: bus.transport(id),
        clock,
        capacity,
        log: silentLogger,
        slots: 2,
        // Each subtask takes 400 virtual ms.
        execute: (a) =>
          new Promise((resolve) =>
            clock.setTimer(400, () =>
              resolve({ values: pixelStats(dataset, Number(a.params[0].value), Number(a.params[1].value)), backend: 'test' }),
            ),
          ),
      }),
  )
  const leader = () => [...coordinators.values()].find((c) => c.status().role === 'leader') ?? null
  return { bus, clock, stores, coordinators, start, workers, leader }
}

describe('task coordinator adapter', () => {
  it('elects a coordinator, runs a task to the undisturbed result, and survives killing the leader mid-task', async () => {
    const h = harness()
    for (const id of COORDINATORS) await h.start(id)
    await h.clock.run(5000)
    expect(h.leader()).not.toBeNull()

    const params = [
      { name: 'samples', value: '400' },
      { name: 'shards', value: '16' },
    ]
    const progress: TaskStatus[] = []
    const initiator = h.bus.transport('initiator')
    const done = runTask({
      transport: initiator,
      kind: 'pixel-stats',
      params,
      taskId: 'task-adapter-1',
      clock: h.clock,
      onProgress: (s) => progress.push(s),
    })
    await h.clock.run(700)
    const first = h.leader()!
    expect(progress.some((s) => s.subtasks.some((st) => st.accepted))).toBe(true)
    // Kill the leader: it stops, its store survives, and it comes back later from that store.
    await first.stop()
    h.bus.leave(first.id)
    h.coordinators.delete(first.id)
    await h.clock.run(6000)
    await h.start(first.id)
    await h.clock.run(4000)
    const status = await done
    expect(status.state).toBe('done')
    expect(status.result).toEqual(expectedResult(dataset, { version: 1, taskId: 'x', kind: 'pixel-stats', params, redundancy: 1 }))
    expect(status.coordinator).not.toBe(first.id)
    expect(status.subtasks.every((s) => s.accepted && s.acceptedFrom.length === 1)).toBe(true)
    // Provenance: who did what, when.
    for (const subtask of status.subtasks) {
      const accepted = subtask.attempts.find((a) => a.state === 'done' && a.worker === subtask.acceptedFrom[0])!
      expect(['w1', 'w2', 'w3']).toContain(accepted.worker)
      expect(accepted.finishedMs).toBeGreaterThan(accepted.startedMs)
    }
    // The restarted coordinator caught up from its stored log plus the leader.
    await h.clock.run(2000)
    expect(h.coordinators.get(first.id)!.tasks().get('task-adapter-1')?.state).toBe('done')
    for (const w of h.workers) w.stop()
    for (const c of h.coordinators.values()) await c.stop()
  })

  it('adds and removes a coordinator one at a time, live', async () => {
    const h = harness()
    for (const id of COORDINATORS) await h.start(id)
    await h.clock.run(5000)
    const joiner = await h.start('coord-d', [])
    // A second change before the first commits is refused (asked together, the second is stepped
    // before any follower could acknowledge the first).
    const [first, second] = await Promise.all([
      h.leader()!.changeMembership({ add: 'coord-d' }),
      h.leader()!.changeMembership({ remove: 'coord-a' }),
    ])
    expect(first).toBeNull()
    await h.clock.run(2000)
    expect(joiner.status().voters).toEqual(['coord-a', 'coord-b', 'coord-c', 'coord-d'])
    expect(second).toMatch(/uncommitted/)
    const removed = h.leader()!.id === 'coord-b' ? 'coord-c' : 'coord-b'
    expect(await h.leader()!.changeMembership({ remove: removed })).toBeNull()
    await h.clock.run(2000)
    expect(joiner.status().voters).not.toContain(removed)
    const params = [
      { name: 'samples', value: '100' },
      { name: 'shards', value: '4' },
    ]
    const status = await Promise.all([
      runTask({ transport: h.bus.transport('initiator'), kind: 'pixel-stats', params, clock: h.clock }),
      h.clock.run(5000),
    ])
    expect(status[0].state).toBe('done')
    for (const w of h.workers) w.stop()
    for (const c of h.coordinators.values()) await c.stop()
  })
})

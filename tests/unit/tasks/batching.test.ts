import { describe, expect, it } from 'vitest'
import { TaskCoordinatorAdapter } from '../../../workers/tasks/adapter'
import { TaskWorkerHost } from '../../../workers/tasks/worker-host'
import { WorkerAgent } from '../../../workers/tasks/worker-agent'
import { MemoryTaskBus, type TaskTransport } from '../../../workers/tasks/transport'
import { MemoryRaftStore } from '../../../workers/tasks/store'
import { runTask } from '../../../workers/tasks/initiator'
import { pixelStats } from '../../../workers/tasks/data'
import { silentLogger } from '../../../workers/log'
import type { TaskAssignment } from '../../../workers/tasks/wire.pb'
import { seededRandom } from '../../sim/tasks/random'
import { expectedResult, syntheticDataset } from '../../sim/tasks/schedule'
import { VirtualClock } from '../../sim/virtual-clock'

const dataset = syntheticDataset()
const COORDINATORS = ['coord-a', 'coord-b', 'coord-c']
const capacity = () => ({ backend: 'test', samplesPerS: 1000, cores: 2, visible: true, battery: -1, charging: false })
const params = [
  { name: 'samples', value: '120' },
  { name: 'shards', value: '12' },
]

/** Counts what a worker sends. */
function counting(transport: TaskTransport, sent: Record<string, number>): TaskTransport {
  return {
    ...transport,
    publishResult: (m) => ((sent.results = (sent.results ?? 0) + 1), transport.publishResult(m)),
    publishPull: (m) => ((sent.pulls = (sent.pulls ?? 0) + 1), transport.publishPull(m)),
  }
}

async function runOnce(batchWindowMs: number) {
  const bus = new MemoryTaskBus()
  const clock = new VirtualClock()
  const random = seededRandom(7)
  const coordinators = await Promise.all(
    COORDINATORS.map((id) =>
      TaskCoordinatorAdapter.start({
        id,
        voters: COORDINATORS,
        transport: bus.transport(id),
        store: new MemoryRaftStore(),
        log: silentLogger,
        clock,
        random: () => random.next(),
        batchWindowMs,
      }),
    ),
  )
  await clock.runUntil(() => coordinators.some((c) => c.status().role === 'leader'), 10_000, 'a leader')
  const sent: Record<string, number> = {}
  const workers = ['w1', 'w2', 'w3'].map(
    (id) =>
      new TaskWorkerHost({
        transport: counting(bus.transport(id), sent),
        clock,
        capacity,
        log: silentLogger,
        slots: 4,
        // Pulls only when a slot frees up: acknowledgements cannot ride on periodic pulls.
        pullIntervalMs: 600_000,
        execute: (a) =>
          new Promise((resolve) =>
            clock.setTimer(100, () =>
              resolve({ values: pixelStats(dataset, Number(a.params[0].value), Number(a.params[1].value)), backend: 'test' }),
            ),
          ),
      }),
  )
  const [status] = await Promise.all([
    runTask({ transport: bus.transport('initiator'), kind: 'pixel-stats', params, clock, timeoutMs: 19_000 }),
    clock.run(20_000),
  ])
  const leader = coordinators.find((c) => c.status().role === 'leader')!
  const entries = leader.stats().applied
  for (const w of workers) w.stop()
  for (const c of coordinators) await c.stop()
  return { status, sent, entries }
}

describe('task traffic under load', () => {
  it('acknowledges a result once the log holds it, without waiting for the worker’s next pull', async () => {
    const { status, sent } = await runOnce(0)
    expect(status.state).toBe('done')
    expect(status.result).toEqual(
      expectedResult(dataset, { version: 1, taskId: status.taskId, kind: 'pixel-stats', params, redundancy: 1 }),
    )
    // One copy per subtask: with acknowledgements only on pulls, each worker's last result went unacknowledged and was sent again.
    expect(sent.results).toBe(status.subtasks.length)
  })

  it('plans a burst of messages as one log entry when given a batch window, with the same result', async () => {
    const one = await runOnce(0)
    const batched = await runOnce(20)
    expect(batched.status.result).toEqual(one.status.result)
    expect(batched.entries).toBeLessThan(one.entries)
  })

  it('sends an unacknowledged result again with doubling gaps', () => {
    const agent = new WorkerAgent({ slots: 1, resendMs: 1000, pullIntervalMs: 1e9 })
    const assignment: TaskAssignment = {
      taskId: 'task-backoff',
      subtask: 0,
      kind: 'cpu-benchmark',
      params: [],
      leaseUntilMs: 1e9,
      weight: 1,
    }
    expect(agent.onAssign({ version: 1, worker: 'w', term: 1n, assignments: [assignment], acked: [] })).toHaveLength(1)
    expect(agent.finished(assignment, [1, 1], 0, 0, 'cpu')).not.toBeNull()
    const copiesAt: number[] = []
    for (let t = 0; t <= 30_000; t += 100) if (agent.tick(t, capacity()).results.length > 0) copiesAt.push(t)
    // Gaps 1, 2, 4, then 8 s at most.
    expect(copiesAt).toEqual([1000, 3000, 7000, 15_000, 23_000])
    // Once acknowledged, no more copies.
    agent.onAssign({ version: 1, worker: 'w', term: 1n, assignments: [], acked: ['task-backoff/0'] })
    expect(agent.tick(60_000, capacity()).results).toEqual([])
  })
})

import { describe, expect, it } from 'vitest'
import { TaskCoordinatorAdapter } from '../../../workers/tasks/adapter'
import { TaskWorkerHost } from '../../../workers/tasks/worker-host'
import { resultBatches, WorkerAgent } from '../../../workers/tasks/worker-agent'
import { TASK_RESULT_BATCH_VERSION } from '../../../workers/tasks/state'
import { TASK_LIMITS, taskKinds } from '../../../workers/tasks/kinds'
import { identityFromSeed } from '../../../workers/identity/ed25519'
import { createEnvelopeSigner, sealMessage } from '../../../workers/protocol/envelope'
import { messageKinds } from '../../../workers/kinds'
import { MemoryTaskBus, type TaskTransport } from '../../../workers/tasks/transport'
import { MemoryRaftStore } from '../../../workers/tasks/store'
import { runTask } from '../../../workers/tasks/initiator'
import { pixelStats } from '../../../workers/tasks/data'
import { silentLogger } from '../../../workers/log'
import type { TaskAssignment, TaskResult, TaskResultBatch } from '../../../workers/tasks/wire.pb'
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

const sealer = createEnvelopeSigner(identityFromSeed(new Uint8Array(32).fill(3)), messageKinds)
const sealedSize = (batch: TaskResultBatch): number => sealMessage(sealer, 'task.result', batch).length

/** Counts what a worker sends. */
function counting(transport: TaskTransport, sent: Record<string, number>): TaskTransport {
  return {
    ...transport,
    publishResults: (m) => {
      sent.results = (sent.results ?? 0) + m.results.length
      sent.resultMessages = (sent.resultMessages ?? 0) + 1
      return transport.publishResults(m)
    },
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

describe('result batches', () => {
  const result = (subtask: number, values: number[] = [1, 2]): TaskResult => ({
    version: 1,
    taskId: 'task-batch',
    subtask,
    values,
    startedMs: 0,
    finishedMs: 1,
    backend: 'cpu',
  })

  it('packs results into as few messages as the limits allow, each result once, in order', () => {
    const many = Array.from({ length: TASK_LIMITS.results + 5 }, (_, i) => result(i))
    const batches = resultBatches([...many, result(3)])
    expect(batches.map((b) => b.results.length)).toEqual([TASK_LIMITS.results, 5])
    expect(batches.every((b) => b.version === TASK_RESULT_BATCH_VERSION)).toBe(true)
    expect(batches.flatMap((b) => b.results.map((r) => r.subtask))).toEqual(many.map((r) => r.subtask))
    // Large results: split by bytes, so every batch fits the kind's envelope limit.
    const big = Array.from({ length: 30 }, (_, i) => result(i, new Array(TASK_LIMITS.values).fill(0.5)))
    const split = resultBatches(big)
    expect(split.length).toBeGreaterThan(1)
    for (const batch of split) expect(sealedSize(batch)).toBeLessThanOrEqual(taskKinds['task.result'].maxEnvelopeBytes)
    expect(resultBatches([])).toEqual([])
  })

  it('a worker sends a burst of finished subtasks as one message', async () => {
    const { status, sent } = await runOnce(0)
    expect(status.state).toBe('done')
    // 12 subtasks on 3 workers with 4 slots, all finishing together: one message per worker and burst.
    expect(sent.results).toBe(status.subtasks.length)
    expect(sent.resultMessages).toBeLessThan(sent.results)
  })

  it('refuses only the out-of-bounds result of a batch; the others in it are accepted', async () => {
    const bus = new MemoryTaskBus()
    const clock = new VirtualClock()
    const random = seededRandom(11)
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
        }),
      ),
    )
    await clock.runUntil(() => coordinators.some((c) => c.status().role === 'leader'), 10_000, 'a leader')
    // A worker by hand: takes its assignments and answers them all in one batch, one answer out of bounds.
    const worker = bus.transport('w-batch')
    const answered = new Set<string>()
    worker.onAssign((_from, message) => {
      const fresh = message.assignments.filter((a) => !answered.has(`${a.taskId}/${a.subtask}`))
      if (fresh.length === 0) return
      for (const a of fresh) answered.add(`${a.taskId}/${a.subtask}`)
      const results = fresh.map((a) => {
        const values = pixelStats(dataset, Number(a.params[0].value), Number(a.params[1].value))
        return {
          version: 1,
          taskId: a.taskId,
          subtask: a.subtask,
          values: a.subtask === 0 ? values.map((v) => -1 - v) : values,
          startedMs: 1,
          finishedMs: 2,
          backend: 'test',
        }
      })
      void worker.publishResults({ version: TASK_RESULT_BATCH_VERSION, results })
    })
    const pull = () =>
      void worker.publishPull({
        version: 1,
        slots: 16,
        backend: 'test',
        samplesPerS: 1000,
        cores: 2,
        recentUnitsPerS: 0,
        visible: true,
        battery: -1,
        charging: false,
        running: [],
        unacked: [],
      })
    const repull = () => {
      pull()
      clock.setTimer(500, repull)
    }
    repull()
    void runTask({ transport: bus.transport('initiator'), kind: 'pixel-stats', params, clock, timeoutMs: 60_000 }).catch(() => {})
    const leader = () => coordinators.find((c) => c.status().role === 'leader')!
    const task = () => [...leader().tasks().values()][0]
    await clock.runUntil(
      () => {
        const t = task()
        return t !== undefined && t.subtasks.filter((s) => s.accepted).length === t.subtasks.length - 1
      },
      20_000,
      'every honest result of the batch accepted',
    )
    const [first, ...rest] = task().subtasks
    expect(answered.size).toBe(task().subtasks.length)
    expect(first.accepted).toBeNull()
    expect(first.attempts[0]).toMatchObject({ worker: 'w-batch', state: 'refused' })
    expect(first.attempts[0].reason).not.toBe('')
    for (const subtask of rest) expect(subtask.accepted?.from).toEqual(['w-batch'])
    for (const c of coordinators) await c.stop()
  })

  it('refuses a whole batch of another version, with a logged reason', async () => {
    const bus = new MemoryTaskBus()
    const clock = new VirtualClock()
    const reasons: string[] = []
    const log = { ...silentLogger, debug: (fields: unknown) => void reasons.push(String((fields as { reason?: string }).reason)) }
    const adapter = await TaskCoordinatorAdapter.start({
      id: 'solo',
      voters: ['solo'],
      transport: bus.transport('solo'),
      store: new MemoryRaftStore(),
      log: { ...log, child: () => log } as typeof silentLogger,
      clock,
    })
    await bus.transport('w').publishResults({ version: 1, results: [result(0)] })
    await clock.run(10)
    expect(adapter.stats().refused).toBe(1)
    expect(reasons).toContain(`result batch version 1 is not ${TASK_RESULT_BATCH_VERSION}`)
    await adapter.stop()
  })
})

/**
 * One agent task on six nodes (an initiator, three Raft coordinators, two workers) over the
 * in-memory task bus and a virtual clock, each node with its own tracer and tracedTaskTransport
 * as the relay wires them, all exporting to one in-memory collector.
 */
import { describe, expect, it } from 'vitest'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace'
import { TaskCoordinatorAdapter } from '../../../workers/tasks/adapter'
import { TaskWorkerHost } from '../../../workers/tasks/worker-host'
import { MemoryTaskBus } from '../../../workers/tasks/transport'
import { MemoryRaftStore } from '../../../workers/tasks/store'
import { runTask } from '../../../workers/tasks/initiator'
import { pixelStats } from '../../../workers/tasks/data'
import { silentLogger } from '../../../workers/log'
import { TaskTracing, taskTraceId, tracedTaskTransport } from '../../../workers/telemetry/task-trace'
import { seededRandom } from '../../sim/tasks/random'
import { syntheticDataset } from '../../sim/tasks/schedule'
import { VirtualClock } from '../../sim/virtual-clock'

const dataset = syntheticDataset()
const COORDINATORS = ['coord-a', 'coord-b', 'coord-c']
const WORKERS = ['w1', 'w2']
const capacity = () => ({ backend: 'test', samplesPerS: 1000, cores: 2, visible: true, battery: -1, charging: false })

describe('tracing an agent task', () => {
  it("puts the initiator's, the coordinators' and the workers' spans of one task into one trace, each under the one that sent it the work", async () => {
    const bus = new MemoryTaskBus()
    const clock = new VirtualClock()
    const random = seededRandom(7)
    const exporter = new InMemorySpanExporter()
    const providers: TracerProvider[] = []
    const tracings = new Map<string, TaskTracing>()
    const transportOf = (id: string) => {
      const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] })
      providers.push(provider)
      const tracing = new TaskTracing({ tracer: provider.getTracer('test'), node: id })
      tracings.set(id, tracing)
      return tracedTaskTransport(bus.transport(id), tracing)
    }
    const coordinators: TaskCoordinatorAdapter[] = []
    for (const id of COORDINATORS) {
      const adapter = await TaskCoordinatorAdapter.start({
        id,
        voters: COORDINATORS,
        transport: transportOf(id),
        store: new MemoryRaftStore(),
        log: silentLogger,
        clock,
        random: () => random.next(),
      })
      adapter.onApply(() => tracings.get(id)!.applied(adapter.tasks()))
      coordinators.push(adapter)
    }
    const workers = WORKERS.map(
      (id) =>
        new TaskWorkerHost({
          transport: transportOf(id),
          clock,
          capacity,
          log: silentLogger,
          slots: 2,
          execute: (a) =>
            new Promise((resolve) =>
              clock.setTimer(400, () =>
                resolve({ values: pixelStats(dataset, Number(a.params[0].value), Number(a.params[1].value)), backend: 'test' }),
              ),
            ),
        }),
    )
    await clock.run(5000)
    const taskId = 'traced-task-1'
    const done = runTask({
      transport: transportOf('initiator'),
      kind: 'pixel-stats',
      params: [
        { name: 'samples', value: '200' },
        { name: 'shards', value: '8' },
      ],
      taskId,
      clock,
    })
    await clock.run(8000)
    const status = await done
    expect(status.state).toBe('done')
    await clock.run(2000)
    for (const w of workers) w.stop()
    for (const c of coordinators) await c.stop()
    await Promise.all(providers.map((p) => p.forceFlush()))

    const spans = exporter.getFinishedSpans()
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([taskTraceId(taskId)]))
    const roots = spans.filter((s) => s.name === 'task')
    const rootsOf = (role: string) => roots.filter((r) => r.attributes['task.role'] === role)
    const phasesOf = (root: ReadableSpan) =>
      spans
        .filter((s) => s.name !== 'task' && s.parentSpanContext?.spanId === root.spanContext().spanId)
        .sort((a, b) => hr(a.startTime) - hr(b.startTime))
        .map((s) => s.name)
    // Every phase span hangs under a root of its own node.
    const rootIds = new Set(roots.map((r) => r.spanContext().spanId))
    for (const span of spans.filter((s) => s.name !== 'task')) expect(rootIds.has(span.parentSpanContext!.spanId)).toBe(true)
    for (const root of roots) expect(root.status.code, `${root.attributes['mesh.node']}`).not.toBe(2)

    const [initiator] = rootsOf('initiator')
    expect(rootsOf('initiator')).toHaveLength(1)
    expect(initiator.attributes['mesh.node']).toBe('initiator')
    expect(initiator.attributes['task.state']).toBe('done')
    expect(phasesOf(initiator)[0]).toBe('announce')
    expect(phasesOf(initiator).at(-1)).toBe('complete')
    // The initiator started the trace (its parent is the derived context, never exported).
    expect(initiator.parentSpanContext?.spanId).toBe(taskTraceId(taskId).slice(0, 16))

    // Every coordinator followed the task in its log, under the initiator's announcement.
    const coordinatorRoots = rootsOf('coordinator')
    expect(coordinatorRoots.map((r) => r.attributes['mesh.node']).sort()).toEqual(COORDINATORS)
    for (const root of coordinatorRoots) {
      expect(root.parentSpanContext?.spanId).toBe(initiator.spanContext().spanId)
      expect(root.attributes['task.state']).toBe('done')
      expect(phasesOf(root)).toEqual(['announce', 'elect', 'assign', 'run', 'complete'])
    }

    // Each worker that ran subtasks did so under the coordinator that assigned them (the leader).
    const workerRoots = rootsOf('worker')
    expect(workerRoots.length).toBeGreaterThanOrEqual(1)
    const coordinatorSpanIds = new Map(coordinatorRoots.map((r) => [r.spanContext().spanId, r.attributes['mesh.node']]))
    const assigners = new Set(workerRoots.map((r) => coordinatorSpanIds.get(r.parentSpanContext!.spanId)))
    expect(assigners.size).toBe(1)
    expect(COORDINATORS).toContain([...assigners][0])
    expect(status.coordinator).toBe([...assigners][0])
    for (const root of workerRoots) {
      expect(WORKERS).toContain(root.attributes['mesh.node'])
      expect(phasesOf(root)).toEqual(['run'])
    }
    for (const t of tracings.values()) t.close()
  })

  it('ignores reports about tasks it did not announce, and re-sent announcements of a finished task open no new trace', () => {
    const exporter = new InMemorySpanExporter()
    const tracing = new TaskTracing({
      tracer: new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }).getTracer('test'),
      node: 'c',
    })
    const announce = { version: 1, taskId: 't', kind: 'pixel-stats', params: [], redundancy: 1 }
    tracing.announced(announce, undefined)
    const report = {
      version: 1,
      taskId: 't',
      kind: 'pixel-stats',
      params: [],
      redundancy: 1,
      initiator: 'i',
      state: 'failed',
      reason: 'no workers',
      coordinator: 'c',
      term: 1n,
      announcedMs: 0,
      finishedMs: 1,
      result: [],
      summary: '',
      subtasks: [],
    }
    const roots = () => exporter.getFinishedSpans().filter((s) => s.name === 'task')
    // A report reaches every initiator-role listener; this node announced nothing, so its coordinator work goes on.
    tracing.reported(report)
    expect(roots()).toHaveLength(0)
    expect(tracing.traceIdOf('t')).toBe(taskTraceId('t'))
    expect(tracing.reporting(report)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
    const root = exporter.getFinishedSpans().find((s) => s.name === 'task')!
    expect(root.status).toEqual({ code: 2, message: 'no workers' })
    tracing.announced(announce, undefined)
    expect(tracing.traceIdOf('t')).toBeUndefined()
    expect(roots()).toHaveLength(1)
  })

  it('tells each role’s phase durations, on its own clock, to the metrics (mesh_task_phase_seconds)', () => {
    let now = 0
    const ended: string[] = []
    const tracing = new TaskTracing({
      tracer: new TracerProvider().getTracer('test'),
      node: 'relay',
      now: () => now,
      onPhaseEnd: (role, phase, seconds) => void ended.push(`${role} ${phase} ${seconds}`),
    })
    const announce = { version: 1, taskId: 't', kind: 'pixel-stats', params: [], redundancy: 1 }
    // A relay that announces a task (its CLI's `task run`) and coordinates it.
    tracing.announcing(announce)
    now = 10
    tracing.announced(announce, undefined)
    const record = (attempts: number, state: 'running' | 'done') =>
      new Map([['t', { id: 't', state, reason: '', subtasks: [{ attempts: Array.from({ length: attempts }, () => ({})) }] }]]) as never
    now = 30
    tracing.applied(record(0, 'running'))
    now = 50
    tracing.applied(record(1, 'running'))
    const report = (state: string) => ({
      ...announce,
      initiator: 'relay',
      state,
      reason: '',
      coordinator: 'relay',
      term: 1n,
      announcedMs: 0,
      finishedMs: 0,
      result: [],
      summary: '',
      subtasks: [
        {
          index: 0,
          params: [],
          weight: 1,
          accepted: false,
          acceptedFrom: [],
          attempts: [{ worker: 'w', state: 'running', assignedMs: 0, startedMs: 0, finishedMs: 0, reason: '', values: [] }],
        },
      ],
    })
    now = 60
    tracing.reported(report('running'))
    now = 90
    tracing.applied(record(1, 'done'))
    now = 100
    tracing.reported(report('done'))
    expect(ended).toEqual([
      // The coordinator's announce is an instant (it waits in elect); the initiator waits through announce until a report.
      'coordinator announce 0',
      'coordinator elect 0.02',
      'coordinator assign 0.02',
      'initiator announce 0.06',
      'coordinator run 0.04',
      'coordinator complete 0',
      'initiator run 0.04',
      'initiator complete 0',
    ])
  })
})

function hr(time: readonly [number, number]): number {
  return time[0] * 1e9 + time[1]
}

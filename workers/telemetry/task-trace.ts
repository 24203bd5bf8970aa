/**
 * Agent tasks as OpenTelemetry spans (README, "Traces"): on each node, one `task` root span per
 * task and role it plays in it, with a child span per phase:
 *
 *   initiator    announce (until a coordinator reports progress), run, complete
 *   coordinator  announce, elect (the coordinators' Raft log takes the task), assign (until an
 *                assignment is in the log), run (until the task is done or failed), complete
 *   worker       run (from its assignment to its last result)
 *
 * Every message about a task carries the traceparent of its sender's span (announce: the
 * initiator's; assign and status: the coordinator's; result: the worker's), so a coordinator's
 * root is a child of the initiator's and a worker's a child of the coordinator's. Nodes also
 * derive the same trace id from the task id, so one that missed those messages still joins.
 * Only observes: tracedTaskTransport wraps a transport and changes no message.
 */
import type { Attributes, Tracer } from '@opentelemetry/api'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import type { TaskRecord } from '../tasks/state'
import type { TaskTransport } from '../tasks/transport'
import type { TaskAnnounce, TaskAssign, TaskResult, TaskResultBatch, TaskStatus } from '../tasks/wire.pb'
import { taskPhases, type TaskPhase } from './phases'
import { WorkTracer, type Work } from './work-trace'

export type TaskRole = 'initiator' | 'coordinator' | 'worker'

/** The trace id every node derives for a task. */
export function taskTraceId(taskId: string): string {
  return bytesToHex(sha256(utf8ToBytes(`agent-mesh/trace/task/${taskId}`))).slice(0, 32)
}

const FINISHED_KEPT = 4096

export class TaskTracing {
  private readonly works: WorkTracer<'task'>
  /** Open works by key `${role}/${taskId}`. */
  private readonly open = new Map<string, { readonly role: TaskRole; readonly taskId: string }>()
  /** Works already ended: a re-sent announcement or report about them opens no new trace. */
  private readonly finished = new Set<string>()
  /** A worker's subtasks still running, by task. */
  private readonly running = new Map<string, Set<number>>()
  private closed = false

  constructor(options: {
    readonly tracer: Tracer
    readonly node: string
    readonly now?: () => number
    readonly maxOpen?: number
    /** How long this node's part in a task stayed in each phase, as its span did (relay metrics: mesh_task_phase_seconds). */
    readonly onPhaseEnd?: (role: TaskRole, phase: TaskPhase, seconds: number) => void
  }) {
    const onPhaseEnd = options.onPhaseEnd
    this.works = new WorkTracer({
      tracer: options.tracer,
      kind: 'task',
      phases: taskPhases,
      attributes: { 'mesh.node': options.node },
      maxOpen: options.maxOpen ?? 256,
      now: options.now,
      onPhaseEnd: onPhaseEnd && ((phase, seconds, key) => onPhaseEnd(key.slice(0, key.indexOf('/')) as TaskRole, phase, seconds)),
      traceIdFor: (key) => taskTraceId(key.slice(key.indexOf('/') + 1)),
    })
  }

  /** Initiator: announcing a task. */
  announcing(announce: TaskAnnounce): string | undefined {
    return this.enter('initiator', announce.taskId, 'announce', undefined, { 'task.kind': announce.kind })?.traceparent
  }

  /** Coordinator: an announcement arrived; it waits for the Raft log to take it. */
  announced(announce: TaskAnnounce, traceparent: string | undefined): void {
    this.enter('coordinator', announce.taskId, 'announce', traceparent, { 'task.kind': announce.kind })
    this.enter('coordinator', announce.taskId, 'elect')
  }

  /** Coordinator: its replicated log after applying entries (every coordinator, leader or not). */
  applied(tasks: ReadonlyMap<string, TaskRecord>): void {
    for (const [key, { role, taskId }] of [...this.open]) {
      if (role !== 'coordinator') continue
      const record = tasks.get(taskId)
      if (!record) continue
      const work = this.works.find(key)
      if (!work) continue
      work.phase('assign')
      if (record.subtasks.some((s) => s.attempts.length > 0)) work.phase('run')
      if (record.state !== 'running') this.complete(key, record.state, record.reason)
    }
  }

  /** Coordinator (leader): assignments going out; the traceparent when they are all about one task. */
  assigning(assign: TaskAssign): string | undefined {
    const works = distinctTasks(assign).map((taskId) => this.enter('coordinator', taskId, 'assign'))
    return works.length === 1 ? works[0]?.traceparent : undefined
  }

  /** Worker: its assignments arrived. */
  assigned(assign: TaskAssign, traceparent: string | undefined): void {
    const single = distinctTasks(assign).length === 1
    for (const assignment of assign.assignments) {
      const work = this.enter('worker', assignment.taskId, 'run', single ? traceparent : undefined, { 'task.kind': assignment.kind })
      if (!work) continue
      const set = this.running.get(assignment.taskId) ?? new Set()
      set.add(assignment.subtask)
      this.running.set(assignment.taskId, set)
      // Tasks whose results never went out (the worker stopped, the work was evicted) are not kept forever.
      if (this.running.size > FINISHED_KEPT) this.running.delete(this.running.keys().next().value!)
    }
  }

  /**
   * Worker: a batch of results going out. An envelope carries one trace context: the batch's
   * first task's (a burst is almost always one task's subtasks); every task's work still ends
   * with its last running subtask.
   */
  resultsGoingOut(batch: TaskResultBatch): string | undefined {
    const traceparents = batch.results.map((result) => this.resulting(result))
    return traceparents[0]
  }

  /** Worker: one result going out; its work here ends with its last running subtask of the task. */
  private resulting(result: TaskResult): string | undefined {
    const key = keyOf('worker', result.taskId)
    const traceparent = this.works.find(key)?.traceparent
    const set = this.running.get(result.taskId)
    set?.delete(result.subtask)
    if (set && set.size === 0) {
      this.running.delete(result.taskId)
      this.end(key, { 'task.backend': result.backend })
    }
    return traceparent
  }

  /** Coordinator: a worker's batch of results arrived. */
  resultsReceived(batch: TaskResultBatch, traceparent: string | undefined): void {
    for (const taskId of new Set(batch.results.map((r) => r.taskId)))
      if (this.works.find(keyOf('coordinator', taskId))) this.enter('coordinator', taskId, 'run', traceparent)
  }

  /** Coordinator (leader): a report going out; a final one ends its work here. */
  reporting(status: TaskStatus): string | undefined {
    const key = keyOf('coordinator', status.taskId)
    const traceparent = this.works.find(key)?.traceparent
    if (status.state !== 'running') this.complete(key, status.state, status.reason)
    return traceparent
  }

  /** Initiator: a coordinator's report about a task this node announced. */
  reported(status: TaskStatus): void {
    const key = keyOf('initiator', status.taskId)
    const work = this.works.find(key)
    if (!work) return
    if (status.subtasks.some((s) => s.attempts.length > 0)) work.phase('run')
    if (status.state !== 'running') this.complete(key, status.state, status.reason, { 'task.coordinator': status.coordinator })
  }

  /** The trace id of a task this node is working on (for log correlation). */
  traceIdOf(taskId: string): string | undefined {
    for (const role of ['coordinator', 'worker', 'initiator'] as const) {
      const work = this.works.find(keyOf(role, taskId))
      if (work) return work.traceId
    }
    return undefined
  }

  close(): void {
    this.closed = true
    this.works.close()
    this.open.clear()
    this.running.clear()
  }

  private enter(role: TaskRole, taskId: string, phase: TaskPhase, traceparent?: string, attributes?: Attributes): Work<'task'> | undefined {
    const key = keyOf(role, taskId)
    if (this.closed || this.finished.has(key)) return undefined
    const work = this.works.work(key, { 'task.id': taskId, 'task.role': role }, traceparent)
    this.open.set(key, { role, taskId })
    work.phase(phase, attributes)
    return work
  }

  private complete(key: string, state: string, reason: string, attributes?: Attributes): void {
    const work = this.works.find(key)
    if (!work) return
    work.phase('complete')
    this.end(key, { 'task.state': state, ...attributes }, state === 'done' ? undefined : reason || state)
  }

  private end(key: string, attributes?: Attributes, failure?: string): void {
    this.works.finish(key, attributes, failure)
    this.open.delete(key)
    this.finished.add(key)
    if (this.finished.size > FINISHED_KEPT) this.finished.delete(this.finished.values().next().value!)
  }
}

function keyOf(role: TaskRole, taskId: string): string {
  return `${role}/${taskId}`
}

function distinctTasks(assign: TaskAssign): string[] {
  return [...new Set(assign.assignments.map((a) => a.taskId))]
}

/**
 * The transport with tracing: what a node publishes carries its span's traceparent, what it
 * hears moves its spans on. Only the roles this node plays subscribe, so only they are traced.
 */
export function tracedTaskTransport(inner: TaskTransport, tracing: TaskTracing): TaskTransport {
  return {
    ...inner,
    publishAnnounce: (message) => inner.publishAnnounce(message, tracing.announcing(message)),
    publishAssign: (message) => inner.publishAssign(message, tracing.assigning(message)),
    publishResults: (message) => inner.publishResults(message, tracing.resultsGoingOut(message)),
    publishStatus: (message) => inner.publishStatus(message, tracing.reporting(message)),
    onAnnounce: (handler) =>
      inner.onAnnounce((from, message, traceparent) => {
        tracing.announced(message, traceparent)
        handler(from, message, traceparent)
      }),
    onAssign: (handler) =>
      inner.onAssign((from, message, traceparent) => {
        tracing.assigned(message, traceparent)
        handler(from, message, traceparent)
      }),
    onResult: (handler) =>
      inner.onResult((from, message, traceparent) => {
        tracing.resultsReceived(message, traceparent)
        handler(from, message, traceparent)
      }),
    onStatus: (handler) =>
      inner.onStatus((from, message, traceparent) => {
        tracing.reported(message)
        handler(from, message, traceparent)
      }),
  }
}

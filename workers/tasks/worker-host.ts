/**
 * Runs a worker's side against the real world: pulls and results out through the transport,
 * assignments in, each subtask executed by `execute` (the training worker in a browser, the
 * same code in Node), at most `slots` at a time, ticks from a clock.
 */
import type { AdapterClock } from '../consensus/adapter/types'
import type { Logger } from '../log'
import { wallClock } from './adapter'
import { resultBatches, WorkerAgent, type CapacityReport } from './worker-agent'
import type { WorkerTransport } from './transport'
import type { TaskAssignment, TaskResult } from './wire.pb'

export type SubtaskExecutor = (assignment: TaskAssignment) => Promise<{ values: readonly number[]; backend: string }>

export interface TaskWorkerHostOptions {
  readonly transport: WorkerTransport
  readonly execute: SubtaskExecutor
  readonly capacity: () => CapacityReport
  readonly log: Logger
  readonly slots?: number
  readonly clock?: AdapterClock
  readonly pullIntervalMs?: number
  /**
   * How long a finished subtask's result waits for others to finish, so that a burst goes out
   * as one task.result (one signature, one gossip message, one pull after it). Default 5 ms.
   */
  readonly resultBatchMs?: number
}

/** Small beside gossip's latency; long enough to catch subtasks finishing together. */
export const RESULT_BATCH_WINDOW_MS = 5

export interface RunningSubtask {
  readonly assignment: TaskAssignment
  readonly startedMs: number
}

export class TaskWorkerHost {
  private readonly agent: WorkerAgent
  private readonly clock: AdapterClock
  private readonly running = new Map<string, RunningSubtask>()
  private readonly listeners = new Set<() => void>()
  private readonly off: () => void
  private cancelTimer: (() => void) | null = null
  private cancelFlush: (() => void) | null = null
  /** Results finished since the last flush. */
  private ready: TaskResult[] = []
  private stopped = false
  completed = 0

  constructor(private readonly options: TaskWorkerHostOptions) {
    this.clock = options.clock ?? wallClock
    this.agent = new WorkerAgent({ slots: options.slots ?? 1, pullIntervalMs: options.pullIntervalMs })
    this.off = options.transport.onAssign((_from, message) => {
      for (const assignment of this.agent.onAssign(message)) this.run(assignment)
    })
    this.tick()
  }

  /** What it runs now (the UI shows it). */
  current(): RunningSubtask[] {
    return [...this.running.values()]
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  stop(): void {
    this.stopped = true
    this.off()
    this.cancelTimer?.()
    this.cancelFlush?.()
  }

  private run(assignment: TaskAssignment): void {
    const key = `${assignment.taskId}/${assignment.subtask}`
    const startedMs = this.clock.wallNow()
    this.running.set(key, { assignment, startedMs })
    this.changed()
    this.options.execute(assignment).then(
      ({ values, backend }) => this.finish(key, assignment, values, startedMs, backend),
      (error) => {
        // Reported as an empty result: the coordinator refuses it (with the reason in the log) and reassigns.
        this.options.log.warn({ err: error, task: assignment.taskId, subtask: assignment.subtask }, 'subtask failed')
        this.finish(key, assignment, [], startedMs, 'failed')
      },
    )
  }

  private finish(key: string, assignment: TaskAssignment, values: readonly number[], startedMs: number, backend: string): void {
    this.running.delete(key)
    if (this.stopped) return
    this.completed++
    const result = this.agent.finished(assignment, values, startedMs, this.clock.wallNow(), backend)
    if (result) this.ready.push(result)
    this.changed()
    // The result, and the pull saying its slot is free, leave with whatever else finishes within the window.
    if (!this.cancelFlush)
      this.cancelFlush = this.clock.setTimer(this.options.resultBatchMs ?? RESULT_BATCH_WINDOW_MS, () => {
        this.cancelFlush = null
        this.tick()
      })
  }

  private changed(): void {
    for (const listener of this.listeners) listener()
  }

  private tick(): void {
    if (this.stopped) return
    const now = this.clock.wallNow()
    const output = this.agent.tick(now, this.options.capacity())
    // Results before the pull, so coordinators hear a slot's result before they hear it is free.
    for (const batch of resultBatches([...this.ready, ...output.results]))
      this.options.transport.publishResults(batch).catch((error) => this.options.log.debug({ err: error }, 'result publish failed'))
    this.ready = []
    if (output.pull)
      this.options.transport.publishPull(output.pull).catch((error) => this.options.log.debug({ err: error }, 'pull publish failed'))
    this.cancelTimer?.()
    this.cancelTimer = this.clock.setTimer(Math.max(10, this.agent.wakeAt() - now), () => this.tick())
  }
}

/**
 * Runs a worker's side against the real world: pulls and results out through the transport,
 * assignments in, each subtask executed by `execute` (the training worker in a browser, the
 * same code in Node), at most `slots` at a time, ticks from a clock.
 */
import type { AdapterClock } from '../consensus/adapter/types'
import type { Logger } from '../log'
import { wallClock } from './adapter'
import { WorkerAgent, type CapacityReport } from './worker-agent'
import type { WorkerTransport } from './transport'
import type { TaskAssignment } from './wire.pb'

export type SubtaskExecutor = (assignment: TaskAssignment) => Promise<{ values: readonly number[]; backend: string }>

export interface TaskWorkerHostOptions {
  readonly transport: WorkerTransport
  readonly execute: SubtaskExecutor
  readonly capacity: () => CapacityReport
  readonly log: Logger
  readonly slots?: number
  readonly clock?: AdapterClock
  readonly pullIntervalMs?: number
}

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
    if (result)
      this.options.transport.publishResult(result).catch((error) => this.options.log.debug({ err: error }, 'result publish failed'))
    this.changed()
    this.tick()
  }

  private changed(): void {
    for (const listener of this.listeners) listener()
  }

  private tick(): void {
    if (this.stopped) return
    const now = this.clock.wallNow()
    const output = this.agent.tick(now, this.options.capacity())
    if (output.pull)
      this.options.transport.publishPull(output.pull).catch((error) => this.options.log.debug({ err: error }, 'pull publish failed'))
    for (const result of output.results) this.options.transport.publishResult(result).catch(() => {})
    this.cancelTimer?.()
    this.cancelTimer = this.clock.setTimer(Math.max(10, this.agent.wakeAt() - now), () => this.tick())
  }
}

/**
 * A worker's side of task distribution, as a synchronous state machine: it announces free
 * slots and capacity (task.pull) when idle and every pullIntervalMs, accepts committed
 * assignments, and keeps each result until a coordinator acknowledges it, sending it again
 * every resendMs (a leader change can lose it in flight). Running a subtask is the host's
 * job (run.ts in the training worker, or a stub in tests); it reports back through finished().
 */
import { attemptKey, TASK_RESULT_BATCH_VERSION, TASK_WIRE_VERSION } from './state'
import { RESULT_BATCH_BYTES, TASK_LIMITS } from './kinds'
import type { TaskAssign, TaskAssignment, TaskPull, TaskResult, TaskResultBatch } from './wire.pb'

export interface CapacityReport {
  readonly backend: string
  readonly samplesPerS: number
  readonly cores: number
  readonly visible: boolean
  /** 0..1, or -1 when unknown. */
  readonly battery: number
  readonly charging: boolean
}

export interface WorkerAgentOptions {
  readonly slots: number
  readonly pullIntervalMs?: number
  readonly resendMs?: number
}

export interface WorkerTickOutput {
  readonly pull: TaskPull | null
  readonly results: readonly TaskResult[]
}

interface Unacked {
  readonly result: TaskResult
  sentAt: number
  readonly firstSentAt: number
  /** Wait before the next copy: doubles with each one (to RESEND_BACKOFF_LIMIT × resendMs). */
  gapMs: number
}

/**
 * A result unacknowledged for long usually sits in a busy leader's queue, not in a lost
 * message: copies at a fixed rate only add to that queue (2.6 copies per result under load in
 * the tasks bench). So the gap doubles, up to this many times the first.
 */
const RESEND_BACKOFF_LIMIT = 8

/** A result nobody acknowledged for this long is dropped (its task is gone, or its lease long reassigned). */
const UNACKED_GIVE_UP_MS = 10 * 60_000

export class WorkerAgent {
  private readonly running = new Map<string, TaskAssignment>()
  private readonly unacked = new Map<string, Unacked>()
  /** Keys finished and acknowledged, so a late duplicate assignment is not run twice. */
  private readonly finishedKeys = new Set<string>()
  private lastPullAt = -Infinity
  private pullDue = true
  private recentUnitsPerS = 0
  private readonly pullIntervalMs: number
  private readonly resendMs: number

  constructor(private readonly options: WorkerAgentOptions) {
    this.pullIntervalMs = options.pullIntervalMs ?? 1000
    this.resendMs = options.resendMs ?? 2000
  }

  /** What it is running now (the UI lists them). */
  current(): TaskAssignment[] {
    return [...this.running.values()]
  }

  /** Takes a leader's message; returns the assignments to start now (new ones only). */
  onAssign(message: TaskAssign): TaskAssignment[] {
    for (const key of message.acked) {
      this.unacked.delete(key)
      this.finishedKeys.add(key)
    }
    const start: TaskAssignment[] = []
    for (const assignment of message.assignments) {
      const key = attemptKey(assignment.taskId, assignment.subtask)
      if (this.running.has(key) || this.unacked.has(key) || this.finishedKeys.has(key)) continue
      if (this.running.size >= this.options.slots) break
      this.running.set(key, assignment)
      start.push(assignment)
    }
    if (this.finishedKeys.size > 10_000) this.finishedKeys.clear()
    return start
  }

  /** A subtask ended; values is empty when it failed (the coordinator refuses it and reassigns). Returns the result to send. */
  finished(
    assignment: TaskAssignment,
    values: readonly number[],
    startedMs: number,
    finishedMs: number,
    backend: string,
  ): TaskResult | null {
    const key = attemptKey(assignment.taskId, assignment.subtask)
    if (!this.running.delete(key)) return null
    const seconds = Math.max(finishedMs - startedMs, 1) / 1000
    const rate = assignment.weight / seconds
    this.recentUnitsPerS = this.recentUnitsPerS > 0 ? 0.7 * this.recentUnitsPerS + 0.3 * rate : rate
    const result: TaskResult = {
      version: TASK_WIRE_VERSION,
      taskId: assignment.taskId,
      subtask: assignment.subtask,
      values: [...values],
      startedMs,
      finishedMs,
      backend,
    }
    this.unacked.set(key, { result, sentAt: finishedMs, firstSentAt: finishedMs, gapMs: this.resendMs })
    this.pullDue = true
    return result
  }

  tick(now: number, capacity: CapacityReport): WorkerTickOutput {
    const results: TaskResult[] = []
    for (const [key, entry] of this.unacked) {
      if (now - entry.firstSentAt >= UNACKED_GIVE_UP_MS) {
        this.unacked.delete(key)
        continue
      }
      if (now - entry.sentAt >= entry.gapMs) {
        entry.sentAt = now
        entry.gapMs = Math.min(entry.gapMs * 2, RESEND_BACKOFF_LIMIT * this.resendMs)
        results.push(entry.result)
      }
    }
    let pull: TaskPull | null = null
    const idle = this.running.size < this.options.slots
    if ((this.pullDue && idle) || now - this.lastPullAt >= this.pullIntervalMs) {
      this.lastPullAt = now
      this.pullDue = false
      pull = {
        version: TASK_WIRE_VERSION,
        slots: this.options.slots,
        backend: capacity.backend,
        samplesPerS: capacity.samplesPerS,
        cores: capacity.cores,
        recentUnitsPerS: this.recentUnitsPerS,
        visible: capacity.visible,
        battery: capacity.battery,
        charging: capacity.charging,
        running: [...this.running.keys()],
        unacked: [...this.unacked.keys()].slice(0, 256),
      }
    }
    return { pull, results }
  }

  /** When it next wants a tick. */
  wakeAt(): number {
    let at = this.lastPullAt + this.pullIntervalMs
    for (const entry of this.unacked.values()) at = Math.min(at, entry.sentAt + entry.gapMs)
    return at
  }
}

/** Rough encoded size of a result: its doubles plus ids and times (a bound, not exact). */
function resultBytes(result: TaskResult): number {
  return 9 * result.values.length + result.taskId.length + result.backend.length + 48
}

/**
 * Packs results into as few task.result messages as the kind's limits allow (count and
 * bytes), in order, each result once. A worker's burst of finished subtasks then costs one
 * signature and one gossip message instead of one each.
 */
export function resultBatches(results: readonly TaskResult[]): TaskResultBatch[] {
  const batches: TaskResultBatch[] = []
  const seen = new Set<string>()
  let current: TaskResult[] = []
  let bytes = 0
  for (const result of results) {
    const key = attemptKey(result.taskId, result.subtask)
    if (seen.has(key)) continue
    seen.add(key)
    const size = resultBytes(result)
    if (current.length > 0 && (current.length >= TASK_LIMITS.results || bytes + size > RESULT_BATCH_BYTES)) {
      batches.push({ version: TASK_RESULT_BATCH_VERSION, results: current })
      current = []
      bytes = 0
    }
    current.push(result)
    bytes += size
  }
  if (current.length > 0) batches.push({ version: TASK_RESULT_BATCH_VERSION, results: current })
  return batches
}

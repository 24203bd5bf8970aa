/**
 * The leader's decisions, as a pure function of the replicated state, what it knows about
 * workers (their last pulls) and the results waiting to be logged. Its output is one
 * TaskCommand that the leader proposes; nothing happens until the command commits and every
 * coordinator applies it (state.ts re-checks each item then).
 *
 * Balancing: idle workers pull (announce free slots), so a worker's share of the subtasks
 * follows its throughput; on top, faster workers take the heavier subtasks and slower ones
 * the lighter, so the last subtask does not wait on the slowest worker. A worker with nothing
 * left to take steals: it gets a second copy of the running subtask expected to finish last,
 * when its own estimate is sooner; whichever result commits first counts, the other is ignored.
 */
import { attemptKey, type Attempt, type SubtaskState, type TaskRecord, type TaskState } from './state'
import { taskKind } from './registry'
import type { TaskAssigned, TaskCompleted, TaskExpired, TaskRefused, TaskResult, TaskAnnounced, TaskCommand } from './wire.pb'

export interface WorkerView {
  readonly id: string
  /** Work units per second (capacity.ts). */
  readonly capacity: number
  readonly slots: number
  /** When its last pull arrived (this node's clock). */
  readonly lastSeenMs: number
}

export interface PendingResult {
  readonly worker: string
  readonly result: TaskResult
}

export interface SchedulerConfig {
  /** A worker not heard from for this long is gone: it gets nothing new, and its expired leases are reassigned. */
  readonly workerTimeoutMs: number
  /** Shortest lease; longer for heavy subtasks on slow workers (4× the estimate). */
  readonly minLeaseMs: number
  /** Most subtasks one worker gets in one decision. */
  readonly maxAssignPerWorker: number
}

export const DEFAULT_SCHEDULER_CONFIG: SchedulerConfig = { workerTimeoutMs: 3000, minLeaseMs: 5000, maxAssignPerWorker: 16 }

export interface PlanInput {
  readonly state: TaskState
  readonly workers: ReadonlyMap<string, WorkerView>
  readonly announces: readonly TaskAnnounced[]
  readonly results: readonly PendingResult[]
  /** Attempts proposed but not yet applied ("task/subtask/worker" → true), counted as running. */
  readonly inflightAssigns: ReadonlySet<string>
  /** Attempts whose completion, refusal or expiry is proposed but not yet applied. */
  readonly inflightClosures: ReadonlySet<string>
  readonly now: number
  readonly config?: SchedulerConfig
}

export function inflightKey(taskId: string, subtask: number, worker: string): string {
  return `${attemptKey(taskId, subtask)}/${worker}`
}

export function emptyCommand(version: number, atMs: number): TaskCommand {
  return { version, atMs, announces: [], completes: [], refuses: [], expires: [], assigns: [] }
}

export function isEmptyCommand(command: TaskCommand): boolean {
  return (
    command.announces.length + command.completes.length + command.refuses.length + command.expires.length + command.assigns.length === 0
  )
}

export function plan(input: PlanInput, version: number): TaskCommand {
  const config = input.config ?? DEFAULT_SCHEDULER_CONFIG
  const { state, now } = input
  const command = emptyCommand(version, now)
  const seenAnnounce = new Set<string>()
  for (const announce of input.announces) {
    if (state.task(announce.taskId) || seenAnnounce.has(announce.taskId)) continue
    seenAnnounce.add(announce.taskId)
    command.announces.push(announce)
  }
  const closing = new Set(input.inflightClosures)
  for (const { worker, result } of input.results) {
    const key = inflightKey(result.taskId, result.subtask, worker)
    if (closing.has(key)) continue
    const open = openAttempt(state, result.taskId, result.subtask, worker)
    if (!open) continue
    closing.add(key)
    const problem = taskKind(open.task.kind)!.check(open.subtask.spec, result.values)
    if (problem) command.refuses.push(refusal(result, worker, problem))
    else command.completes.push(completion(result, worker))
  }
  const alive = (id: string): boolean => {
    const view = input.workers.get(id)
    return view !== undefined && now - view.lastSeenMs <= config.workerTimeoutMs
  }
  for (const task of state.tasks.values()) {
    if (task.state !== 'running') continue
    for (const subtask of task.subtasks) {
      if (subtask.accepted) continue
      for (const attempt of subtask.attempts) {
        const key = inflightKey(task.id, subtask.index, attempt.worker)
        if (attempt.state === 'running' && attempt.leaseUntilMs < now && !alive(attempt.worker) && !closing.has(key)) {
          closing.add(key)
          command.expires.push({ taskId: task.id, subtask: subtask.index, worker: attempt.worker } satisfies TaskExpired)
        }
      }
    }
  }
  command.assigns.push(...assign(input, closing, alive, config))
  return command
}

interface Need {
  readonly task: TaskRecord
  readonly subtask: SubtaskState
  count: number
}

function assign(input: PlanInput, closing: ReadonlySet<string>, alive: (id: string) => boolean, config: SchedulerConfig): TaskAssigned[] {
  const { state, now } = input
  const out: TaskAssigned[] = []
  const holds = new Set<string>()
  const busy = new Map<string, number>()
  const needs: Need[] = []
  const running: { task: TaskRecord; subtask: SubtaskState; attempt: Attempt }[] = []
  const inflightPerSubtask = new Map<string, number>()
  for (const key of input.inflightAssigns) {
    const subtaskKey = key.slice(0, key.lastIndexOf('/'))
    inflightPerSubtask.set(subtaskKey, (inflightPerSubtask.get(subtaskKey) ?? 0) + 1)
  }
  for (const task of state.tasks.values()) {
    if (task.state !== 'running') continue
    for (const subtask of task.subtasks) {
      for (const attempt of subtask.attempts) {
        if (attempt.state !== 'running') continue
        const key = inflightKey(task.id, subtask.index, attempt.worker)
        if (closing.has(key)) continue
        busy.set(attempt.worker, (busy.get(attempt.worker) ?? 0) + 1)
        if (!subtask.accepted) running.push({ task, subtask, attempt })
      }
      const count = state.needed(task, subtask) - (inflightPerSubtask.get(`${task.id}/${subtask.index}`) ?? 0)
      if (count > 0) needs.push({ task, subtask, count })
    }
  }
  for (const key of input.inflightAssigns) {
    holds.add(key)
    const worker = key.slice(key.lastIndexOf('/') + 1)
    busy.set(worker, (busy.get(worker) ?? 0) + 1)
  }
  const free = [...input.workers.values()]
    .filter((w) => alive(w.id) && w.slots > (busy.get(w.id) ?? 0))
    .sort((a, b) => b.capacity - a.capacity || (a.id < b.id ? -1 : 1))
  if (free.length === 0) return out
  const fastest = free[0].capacity
  const lease = (weight: number, worker: WorkerView): number => now + Math.max(config.minLeaseMs, (4000 * weight) / worker.capacity)
  const canTake = (worker: WorkerView, task: TaskRecord, subtask: SubtaskState): boolean =>
    !holds.has(inflightKey(task.id, subtask.index, worker.id)) && state.mayAssign(task, subtask, worker.id)

  // Heaviest first for the fastest workers, lightest first for the slow ones (below half the fastest).
  const byWeight = [...needs].sort((a, b) => b.subtask.spec.weight - a.subtask.spec.weight)
  let progress = true
  const given = new Map<string, number>()
  while (progress) {
    progress = false
    for (const worker of free) {
      const slotsLeft = Math.min(worker.slots - (busy.get(worker.id) ?? 0), config.maxAssignPerWorker - (given.get(worker.id) ?? 0))
      if (slotsLeft <= 0) continue
      const order = worker.capacity * 2 >= fastest ? byWeight : [...byWeight].reverse()
      const need = order.find((n) => n.count > 0 && canTake(worker, n.task, n.subtask))
      if (!need) continue
      need.count--
      holds.add(inflightKey(need.task.id, need.subtask.index, worker.id))
      busy.set(worker.id, (busy.get(worker.id) ?? 0) + 1)
      given.set(worker.id, (given.get(worker.id) ?? 0) + 1)
      out.push({
        taskId: need.task.id,
        subtask: need.subtask.index,
        worker: worker.id,
        leaseUntilMs: lease(need.subtask.spec.weight, worker),
      })
      progress = true
    }
  }
  if (needs.some((n) => n.count > 0)) return out

  // Stealing: nothing left to hand out, so an idle worker doubles the straggler it would finish sooner.
  const estimateEnd = (attempt: Attempt, weight: number): number => {
    const view = input.workers.get(attempt.worker)
    if (!alive(attempt.worker) || !view) return Infinity
    const span = (1000 * weight) / view.capacity
    // Twice as long as its own estimate: the estimate was wrong (a throttled tab), expect nothing.
    return now - attempt.assignedMs > 2 * span + 1000 ? Infinity : attempt.assignedMs + span
  }
  const stolen = new Set<string>()
  for (const worker of free) {
    if ((busy.get(worker.id) ?? 0) > 0) continue
    let best: { task: TaskRecord; subtask: SubtaskState; end: number } | null = null
    for (const { task, subtask, attempt } of running) {
      const id = `${task.id}/${subtask.index}`
      if (stolen.has(id) || !canTake(worker, task, subtask)) continue
      if (subtask.attempts.filter((a) => a.state === 'running').length > task.redundancy) continue
      const end = estimateEnd(attempt, subtask.spec.weight)
      const mine = now + (1000 * subtask.spec.weight) / worker.capacity
      if (mine < end && (!best || end > best.end)) best = { task, subtask, end }
    }
    if (!best) continue
    stolen.add(`${best.task.id}/${best.subtask.index}`)
    busy.set(worker.id, 1)
    out.push({
      taskId: best.task.id,
      subtask: best.subtask.index,
      worker: worker.id,
      leaseUntilMs: lease(best.subtask.spec.weight, worker),
    })
  }
  return out
}

function openAttempt(state: TaskState, taskId: string, index: number, worker: string): { task: TaskRecord; subtask: SubtaskState } | null {
  const task = state.task(taskId)
  const subtask = task?.subtasks[index]
  if (!task || !subtask || task.state !== 'running' || subtask.accepted) return null
  for (let i = subtask.attempts.length - 1; i >= 0; i--) {
    const attempt = subtask.attempts[i]
    if (attempt.worker === worker) return attempt.state === 'running' || attempt.state === 'expired' ? { task, subtask } : null
  }
  return null
}

function completion(result: TaskResult, worker: string): TaskCompleted {
  return {
    taskId: result.taskId,
    subtask: result.subtask,
    worker,
    values: result.values,
    startedMs: result.startedMs,
    finishedMs: result.finishedMs,
    backend: result.backend.slice(0, 16),
  }
}

function refusal(result: TaskResult, worker: string, reason: string): TaskRefused {
  return { taskId: result.taskId, subtask: result.subtask, worker, reason }
}

/**
 * The replicated task state machine: every coordinator applies the same committed commands in
 * the same order and so holds the same tasks, attempts, accepted results and final results.
 * Deterministic and pure; the leader decides (scheduler.ts), the log records, this applies.
 * Every rule is re-checked here, so a command that became stale between proposal and commit
 * (a second result for an accepted subtask, an assignment to a worker that already holds one)
 * changes nothing: a subtask's result enters the final result exactly once.
 */
import { encodeMessage } from 'protons-runtime'
import { TaskCommand, TaskSnapshot, type TaskParam } from './wire.pb'
import { parseParams, type ParsedParams } from './params'
import { taskKind, type SubtaskSpec, type TaskKindSpec } from './registry'
import { TASK_LIMITS } from './kinds'
import { decodeExact } from '../protocol/exact-decode'

export const TASK_WIRE_VERSION = 1
/** task.result carries a batch of results (version 1 carried one); the results inside keep TASK_WIRE_VERSION. */
export const TASK_RESULT_BATCH_VERSION = 2

/** Task ids are chosen by initiators: 8 to 64 lowercase hex digits or dashes (no '/', which keys use). */
export const TASK_ID = /^[0-9a-z-]{8,64}$/

/** 'unneeded': still running when its subtask was settled (or its task ended) without it. */
export type AttemptState = 'running' | 'done' | 'refused' | 'expired' | 'outvoted' | 'unneeded'

export interface Attempt {
  readonly worker: string
  state: AttemptState
  readonly assignedMs: number
  readonly leaseUntilMs: number
  startedMs: number
  finishedMs: number
  reason: string
  values: readonly number[]
  backend: string
}

export interface SubtaskState {
  readonly index: number
  readonly spec: SubtaskSpec
  readonly attempts: Attempt[]
  accepted: { readonly values: readonly number[]; readonly from: readonly string[] } | null
}

export type TaskLifecycle = 'running' | 'done' | 'failed'

export interface TaskRecord {
  readonly id: string
  readonly kind: string
  readonly params: readonly TaskParam[]
  readonly parsed: ParsedParams
  readonly redundancy: number
  readonly initiator: string
  readonly announcedMs: number
  /** Raft index of the command that announced it (tasks are listed in log order). */
  readonly subtasks: SubtaskState[]
  state: TaskLifecycle
  reason: string
  finishedMs: number
  result: readonly number[]
  summary: string
}

export interface ApplyEffects {
  /** Attempts this command started: the leader sends them to their workers. */
  readonly assigned: { readonly task: TaskRecord; readonly subtask: SubtaskState; readonly attempt: Attempt }[]
  /** Tasks this command changed (progress to report). */
  readonly changed: Set<string>
  /** Tasks this command finished (done or failed). */
  readonly finished: string[]
}

export function attemptKey(taskId: string, subtask: number): string {
  return `${taskId}/${subtask}`
}

export function majorityOf(redundancy: number): number {
  return Math.floor(redundancy / 2) + 1
}

/** Attempts allowed per subtask before it fails for want of a majority. */
export function maxAttempts(redundancy: number): number {
  return Math.min(TASK_LIMITS.attemptsPerSubtask, 3 * redundancy + 2)
}

export function encodeTaskCommand(command: TaskCommand): Uint8Array {
  return encodeMessage(command, TaskCommand.codec())
}

export function decodeTaskCommand(bytes: Uint8Array): TaskCommand | null {
  try {
    const command = decodeExact(bytes, TaskCommand.codec())
    return command.version === TASK_WIRE_VERSION ? command : null
  } catch {
    return null
  }
}

export class TaskState {
  readonly tasks = new Map<string, TaskRecord>()
  /** Every applied command, in order: the snapshot replays them. */
  private readonly history: TaskCommand[] = []

  task(id: string): TaskRecord | undefined {
    return this.tasks.get(id)
  }

  snapshot(): Uint8Array {
    return encodeMessage({ version: TASK_WIRE_VERSION, commands: this.history }, TaskSnapshot.codec())
  }

  static restore(bytes: Uint8Array): TaskState {
    const state = new TaskState()
    if (bytes.byteLength === 0) return state
    const snapshot = decodeExact(bytes, TaskSnapshot.codec())
    if (snapshot.version !== TASK_WIRE_VERSION) throw new Error(`task snapshot version ${snapshot.version} is not ${TASK_WIRE_VERSION}`)
    for (const command of snapshot.commands) state.apply(command)
    return state
  }

  /** Applies one committed command. Bytes that do not decode are skipped (nothing honest proposes them). */
  applyBytes(bytes: Uint8Array): ApplyEffects {
    const command = decodeTaskCommand(bytes)
    if (!command) return { assigned: [], changed: new Set(), finished: [] }
    return this.apply(command)
  }

  apply(command: TaskCommand): ApplyEffects {
    this.history.push(command)
    const effects: ApplyEffects = { assigned: [], changed: new Set(), finished: [] }
    const at = command.atMs
    for (const announced of command.announces) this.announce(announced, at, effects)
    for (const completed of command.completes) {
      const found = this.openAttempt(completed.taskId, completed.subtask, completed.worker)
      if (!found) continue
      const { task, subtask, attempt } = found
      const kind = taskKind(task.kind)!
      const problem = kind.check(subtask.spec, completed.values)
      attempt.startedMs = completed.startedMs
      attempt.finishedMs = completed.finishedMs
      attempt.backend = completed.backend
      if (problem) {
        attempt.state = 'refused'
        attempt.reason = problem
      } else {
        attempt.state = 'done'
        attempt.values = [...completed.values]
      }
      this.decide(task, subtask, kind, at, effects)
    }
    for (const refused of command.refuses) {
      const found = this.openAttempt(refused.taskId, refused.subtask, refused.worker)
      if (!found) continue
      found.attempt.state = 'refused'
      found.attempt.reason = refused.reason.slice(0, 200)
      this.decide(found.task, found.subtask, taskKind(found.task.kind)!, at, effects)
    }
    for (const expired of command.expires) {
      const found = this.openAttempt(expired.taskId, expired.subtask, expired.worker)
      if (!found || found.attempt.state !== 'running') continue
      found.attempt.state = 'expired'
      found.attempt.reason = 'lease ran out while the worker was unreachable'
      effects.changed.add(found.task.id)
    }
    for (const assigned of command.assigns) {
      const task = this.tasks.get(assigned.taskId)
      const subtask = task?.subtasks[assigned.subtask]
      if (!task || !subtask || task.state !== 'running' || subtask.accepted) continue
      if (!this.mayAssign(task, subtask, assigned.worker)) continue
      const attempt: Attempt = {
        worker: assigned.worker,
        state: 'running',
        assignedMs: at,
        leaseUntilMs: assigned.leaseUntilMs,
        startedMs: 0,
        finishedMs: 0,
        reason: '',
        values: [],
        backend: '',
      }
      subtask.attempts.push(attempt)
      effects.assigned.push({ task, subtask, attempt })
      effects.changed.add(task.id)
    }
    return effects
  }

  /** A worker gets a subtask at most once, except after its earlier attempt expired (it was unreachable, not wrong). */
  mayAssign(task: TaskRecord, subtask: SubtaskState, worker: string): boolean {
    if (subtask.attempts.length >= maxAttempts(task.redundancy)) return false
    return !subtask.attempts.some((a) => a.worker === worker && a.state !== 'expired')
  }

  /** More attempts this subtask needs to reach a majority, counting those still running. */
  needed(task: TaskRecord, subtask: SubtaskState): number {
    if (task.state !== 'running' || subtask.accepted) return 0
    const k = task.redundancy
    let running = 0
    let done = 0
    for (const attempt of subtask.attempts) {
      if (attempt.state === 'running') running++
      else if (attempt.state === 'done') done++
    }
    const best = done > 0 ? largestGroup(taskKind(task.kind)!, subtask).length : 0
    const want = done + running < k ? k - done - running : Math.max(0, majorityOf(k) - best - running)
    return Math.min(want, maxAttempts(k) - subtask.attempts.length)
  }

  private announce(announced: TaskCommand['announces'][number], at: number, effects: ApplyEffects): void {
    if (this.tasks.has(announced.taskId) || !TASK_ID.test(announced.taskId)) return
    const kind = taskKind(announced.kind)
    if (!kind || announced.redundancy < 1 || announced.redundancy > TASK_LIMITS.redundancy) return
    const parsed = parseParams(kind.parameters, announced.params)
    if (!parsed.ok) return
    const specs = kind.split(parsed.params)
    const task: TaskRecord = {
      id: announced.taskId,
      kind: kind.name,
      params: announced.params,
      parsed: parsed.params,
      redundancy: announced.redundancy,
      initiator: announced.initiator,
      announcedMs: at,
      subtasks: specs.slice(0, TASK_LIMITS.subtasks).map((spec, index) => ({ index, spec, attempts: [], accepted: null })),
      state: 'running',
      reason: '',
      finishedMs: 0,
      result: [],
      summary: '',
    }
    if (specs.length === 0 || specs.length > TASK_LIMITS.subtasks) {
      task.state = 'failed'
      task.reason = `splits into ${specs.length} subtasks (1 to ${TASK_LIMITS.subtasks} allowed)`
      task.finishedMs = at
      effects.finished.push(task.id)
    }
    this.tasks.set(task.id, task)
    effects.changed.add(task.id)
  }

  private openAttempt(taskId: string, index: number, worker: string): { task: TaskRecord; subtask: SubtaskState; attempt: Attempt } | null {
    const task = this.tasks.get(taskId)
    const subtask = task?.subtasks[index]
    if (!task || !subtask || task.state !== 'running' || subtask.accepted) return null
    // The latest attempt of this worker: an expired one still counts if its result arrives late.
    for (let i = subtask.attempts.length - 1; i >= 0; i--) {
      const attempt = subtask.attempts[i]
      if (attempt.worker !== worker) continue
      return attempt.state === 'running' || attempt.state === 'expired' ? { task, subtask, attempt } : null
    }
    return null
  }

  /** Accepts a subtask once a majority of the task's redundancy agrees; finishes the task when every subtask is accepted. */
  private decide(task: TaskRecord, subtask: SubtaskState, kind: TaskKindSpec, at: number, effects: ApplyEffects): void {
    effects.changed.add(task.id)
    const group = largestGroup(kind, subtask)
    if (group.length >= majorityOf(task.redundancy)) {
      subtask.accepted = { values: group[0].values, from: group.map((a) => a.worker) }
      for (const attempt of subtask.attempts) {
        if (attempt.state === 'done' && !group.includes(attempt)) {
          attempt.state = 'outvoted'
          attempt.reason = 'disagrees with the majority'
        } else if (attempt.state === 'running') {
          attempt.state = 'unneeded'
          attempt.reason = 'the subtask was settled without it'
        }
      }
    } else if (subtask.attempts.length >= maxAttempts(task.redundancy) && !subtask.attempts.some((a) => a.state === 'running')) {
      task.state = 'failed'
      task.reason = `subtask ${subtask.index} reached no majority in ${subtask.attempts.length} attempts`
      task.finishedMs = at
      effects.finished.push(task.id)
      settle(task)
      return
    }
    if (task.subtasks.every((s) => s.accepted)) {
      const reduced = kind.reduce(
        task.parsed,
        task.subtasks.map((s) => s.spec),
        task.subtasks.map((s) => s.accepted!.values),
      )
      task.state = 'done'
      task.result = reduced.values
      task.summary = reduced.summary
      task.finishedMs = at
      effects.finished.push(task.id)
      settle(task)
    }
  }
}

/** A finished task wants nothing more: attempts still running are marked unneeded. */
function settle(task: TaskRecord): void {
  for (const subtask of task.subtasks) {
    for (const attempt of subtask.attempts) {
      if (attempt.state === 'running') {
        attempt.state = 'unneeded'
        attempt.reason = 'the task ended without it'
      }
    }
  }
}

/** The largest set of done attempts that agree with its first member, earliest-first (deterministic). */
function largestGroup(kind: TaskKindSpec, subtask: SubtaskState): Attempt[] {
  const done = subtask.attempts.filter((a) => a.state === 'done')
  let best: Attempt[] = []
  for (let i = 0; i < done.length; i++) {
    const group = done.filter((other) => kind.agree(subtask.spec, done[i].values, other.values))
    if (group.length > best.length) best = group
  }
  return best
}

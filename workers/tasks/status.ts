import type { TaskRecord } from './state'
import type { TaskStatus } from './wire.pb'
import { TASK_WIRE_VERSION } from './state'

/** A task as the leader reports it (task.status): progress, and once finished the result with its provenance. */
export function taskStatusOf(task: TaskRecord, coordinator: string, term: number): TaskStatus {
  return {
    version: TASK_WIRE_VERSION,
    taskId: task.id,
    kind: task.kind,
    params: [...task.params],
    redundancy: task.redundancy,
    initiator: task.initiator,
    state: task.state,
    reason: task.reason,
    coordinator,
    term: BigInt(term),
    announcedMs: task.announcedMs,
    finishedMs: task.finishedMs,
    result: [...task.result],
    summary: task.summary,
    subtasks: task.subtasks.map((subtask) => ({
      index: subtask.index,
      params: Object.entries(subtask.spec.params).map(([name, value]) => ({ name, value: String(value) })),
      weight: subtask.spec.weight,
      accepted: subtask.accepted !== null,
      acceptedFrom: subtask.accepted ? [...subtask.accepted.from] : [],
      attempts: subtask.attempts.map((a) => ({
        worker: a.worker,
        state: a.state,
        assignedMs: a.assignedMs,
        startedMs: a.startedMs,
        finishedMs: a.finishedMs,
        reason: a.reason,
        values: [...a.values],
      })),
    })),
  }
}

/** A refusal of an announcement, reported like a failed task so the initiator learns why. */
export function refusedStatus(taskId: string, kind: string, reason: string, coordinator: string, term: number): TaskStatus {
  return {
    version: TASK_WIRE_VERSION,
    taskId,
    kind,
    params: [],
    redundancy: 0,
    initiator: '',
    state: 'failed',
    reason,
    coordinator,
    term: BigInt(term),
    announcedMs: 0,
    finishedMs: 0,
    result: [],
    summary: '',
    subtasks: [],
  }
}

/**
 * Tasks and subtasks by lifecycle state, as the operator's metrics show them (mesh_tasks and
 * mesh_subtasks in relay/metrics.ts). A coordinator sees assignments and results, not when a
 * worker starts, so a subtask is 'assigned' while an attempt is out and 'running' while it has
 * results but no accepted (majority) one yet.
 */
import type { TaskRecord } from './state'
import type { TaskStatus } from './wire.pb'

export const taskCountStates = ['announced', 'assigned', 'running', 'done', 'failed'] as const
export type TaskCountState = (typeof taskCountStates)[number]
export type TaskCounts = Record<TaskCountState, number>

const zero = (): TaskCounts => ({ announced: 0, assigned: 0, running: 0, done: 0, failed: 0 })

export function countTaskStates(tasks: Iterable<TaskRecord>): { tasks: TaskCounts; subtasks: TaskCounts } {
  const byTask = zero()
  const bySubtask = zero()
  for (const task of tasks) {
    let attempted = false
    for (const subtask of task.subtasks) {
      attempted ||= subtask.attempts.length > 0
      bySubtask[subtaskState(task, subtask)]++
    }
    byTask[task.state === 'running' ? (attempted ? 'running' : 'announced') : task.state]++
  }
  return { tasks: byTask, subtasks: bySubtask }
}

function subtaskState(task: TaskRecord, subtask: TaskRecord['subtasks'][number]): TaskCountState {
  if (subtask.accepted) return 'done'
  if (task.state !== 'running') return 'failed'
  if (subtask.attempts.some((a) => a.state === 'running')) return 'assigned'
  return subtask.attempts.some((a) => a.state === 'done') ? 'running' : 'announced'
}

/**
 * Phase durations of a finished task, from the leader's clock only (workers' start and finish
 * times come from their own clocks): 'assign' from announcement to the first assignment, 'run'
 * from there to the final result. Null for a task that never had an attempt.
 */
export function taskPhaseSeconds(status: TaskStatus): { assign: number; run: number } | null {
  let firstAssigned = Infinity
  for (const subtask of status.subtasks) for (const attempt of subtask.attempts) firstAssigned = Math.min(firstAssigned, attempt.assignedMs)
  if (!Number.isFinite(firstAssigned) || !(status.finishedMs >= firstAssigned)) return null
  return { assign: Math.max(0, firstAssigned - status.announcedMs) / 1000, run: (status.finishedMs - firstAssigned) / 1000 }
}

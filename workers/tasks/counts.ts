/**
 * Tasks and subtasks by lifecycle state, as the operator's metrics show them (mesh_tasks and
 * mesh_subtasks in relay/metrics.ts). A coordinator sees assignments and results, not when a
 * worker starts, so a subtask is 'assigned' while an attempt is out and 'running' while it has
 * results but no accepted (majority) one yet.
 */
import type { TaskRecord } from './state'

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

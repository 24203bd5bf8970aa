import { describe, expect, it } from 'vitest'
import { countTaskStates } from '../../../workers/tasks/counts'
import type { Attempt, SubtaskState, TaskRecord } from '../../../workers/tasks/state'

function attempt(state: Attempt['state']): Attempt {
  return { worker: 'w', state, assignedMs: 0, leaseUntilMs: 1, startedMs: 0, finishedMs: 0, reason: '', values: [], backend: '' }
}

function subtask(index: number, attempts: Attempt[], accepted = false): SubtaskState {
  return { index, spec: { params: {}, weight: 1 }, attempts, accepted: accepted ? { values: [1], from: ['w'] } : null }
}

function task(id: string, state: TaskRecord['state'], subtasks: SubtaskState[]): TaskRecord {
  return {
    id,
    kind: 'cpu-benchmark',
    params: [],
    parsed: {},
    redundancy: 1,
    initiator: 'i',
    announcedMs: 0,
    subtasks,
    state,
    reason: '',
    finishedMs: 0,
    result: [],
    summary: '',
  }
}

describe('task and subtask counts for the metrics', () => {
  it('sorts tasks and subtasks into the lifecycle states', () => {
    const counts = countTaskStates([
      task('fresh', 'running', [subtask(0, []), subtask(1, [])]),
      task('busy', 'running', [
        subtask(0, [attempt('done')], true),
        subtask(1, [attempt('running')]),
        subtask(2, [attempt('done'), attempt('running')]),
        subtask(3, [attempt('done')]),
        subtask(4, [attempt('expired')]),
      ]),
      task('finished', 'done', [subtask(0, [attempt('done')], true)]),
      task('broken', 'failed', [subtask(0, [attempt('refused')]), subtask(1, [attempt('done')], true)]),
    ])
    expect(counts.tasks).toEqual({ announced: 1, assigned: 0, running: 1, done: 1, failed: 1 })
    // fresh: 2 announced; busy: done, assigned, assigned (an attempt is out), running (a result, no majority yet), announced (expired);
    // finished: done; broken: failed, done.
    expect(counts.subtasks).toEqual({ announced: 3, assigned: 2, running: 1, done: 3, failed: 1 })
  })
})

import { describe, expect, it } from 'vitest'
import { TaskState, TASK_WIRE_VERSION } from '../../../workers/tasks/state'
import { emptyCommand, plan, type WorkerView } from '../../../workers/tasks/scheduler'
import { capacityOf } from '../../../workers/tasks/capacity'

const TASK = 'task-0001'
const config = { workerTimeoutMs: 3000, minLeaseMs: 5000, maxAssignPerWorker: 16 }

function stateWith(kind: string, params: { name: string; value: string }[], redundancy = 1): TaskState {
  const state = new TaskState()
  state.apply({ ...emptyCommand(TASK_WIRE_VERSION, 0), announces: [{ taskId: TASK, kind, params, redundancy, initiator: 'a' }] })
  return state
}

function workers(...list: [string, number, number][]): Map<string, WorkerView> {
  return new Map(list.map(([id, capacity, slots]) => [id, { id, capacity, slots, lastSeenMs: 0 }]))
}

function planAt(state: TaskState, views: Map<string, WorkerView>, now = 100) {
  return plan(
    { state, workers: views, announces: [], results: [], inflightAssigns: new Set(), inflightClosures: new Set(), now, config },
    TASK_WIRE_VERSION,
  )
}

describe('scheduler', () => {
  it('gives the heaviest subtasks to the fastest worker and the lightest to a slow one', () => {
    // Trials weigh steps × batch size: batch 64 is the heaviest.
    const state = stateWith('hyperparameter', [
      { name: 'learningRates', value: '0.1' },
      { name: 'batchSizes', value: '8,16,64' },
    ])
    const command = planAt(state, workers(['fast', 1000, 1], ['slow', 100, 1]))
    const bySubtask = new Map(command.assigns.map((a) => [a.subtask, a.worker]))
    expect(bySubtask.get(2)).toBe('fast')
    expect(bySubtask.get(0)).toBe('slow')
    expect(command.assigns).toHaveLength(2)
  })

  it('never exceeds a worker’s free slots, and hands out nothing to a worker not heard from', () => {
    const state = stateWith('pixel-stats', [{ name: 'shards', value: '10' }])
    const views = workers(['a', 500, 3], ['b', 500, 2])
    views.set('gone', { id: 'gone', capacity: 9999, slots: 10, lastSeenMs: -10_000 })
    const command = planAt(state, views)
    const count = (w: string) => command.assigns.filter((a) => a.worker === w).length
    expect([count('a'), count('b'), count('gone')]).toEqual([3, 2, 0])
  })

  it('assigns redundant copies to distinct workers', () => {
    const state = stateWith('pixel-stats', [{ name: 'shards', value: '1' }], 3)
    const command = planAt(state, workers(['a', 1, 5], ['b', 1, 5], ['c', 1, 5], ['d', 1, 5]))
    expect(command.assigns.map((a) => a.worker).sort()).toHaveLength(3)
    expect(new Set(command.assigns.map((a) => a.worker)).size).toBe(3)
  })

  it('expires the lease of a worker that vanished, but not of one still pulling', () => {
    const state = stateWith('pixel-stats', [{ name: 'shards', value: '2' }])
    state.apply({
      ...emptyCommand(TASK_WIRE_VERSION, 0),
      assigns: [
        { taskId: TASK, subtask: 0, worker: 'gone', leaseUntilMs: 50 },
        { taskId: TASK, subtask: 1, worker: 'alive', leaseUntilMs: 50 },
      ],
    })
    const views = workers(['alive', 10, 1])
    views.set('alive', { id: 'alive', capacity: 10, slots: 1, lastSeenMs: 90 })
    const command = planAt(state, views)
    expect(command.expires).toEqual([{ taskId: TASK, subtask: 0, worker: 'gone' }])
  })

  it('lets an idle fast worker steal a straggler from a slow one', () => {
    const state = stateWith('pixel-stats', [
      { name: 'shards', value: '1' },
      { name: 'samples', value: '2000' },
    ])
    state.apply({ ...emptyCommand(TASK_WIRE_VERSION, 0), assigns: [{ taskId: TASK, subtask: 0, worker: 'slow', leaseUntilMs: 1e9 }] })
    const command = planAt(state, workers(['slow', 0.5, 1], ['fast', 1000, 1]))
    expect(command.assigns).toEqual([expect.objectContaining({ subtask: 0, worker: 'fast' })])
    // No stealing from a worker that would finish first anyway.
    const fair = planAt(state, workers(['slow', 1000, 1], ['fast', 1000, 1]))
    expect(fair.assigns).toEqual([])
  })

  it('checks results before logging them: out of bounds becomes a refusal with the reason', () => {
    const state = stateWith('cpu-benchmark', [{ name: 'rounds', value: '1' }])
    state.apply({ ...emptyCommand(TASK_WIRE_VERSION, 0), assigns: [{ taskId: TASK, subtask: 0, worker: 'w', leaseUntilMs: 1e9 }] })
    const result = { version: TASK_WIRE_VERSION, taskId: TASK, subtask: 0, values: [-5, 1], startedMs: 1, finishedMs: 2, backend: 'cpu' }
    const command = plan(
      {
        state,
        workers: workers(['w', 1, 1]),
        announces: [],
        results: [
          { worker: 'w', result },
          { worker: 'stranger', result },
        ],
        inflightAssigns: new Set(),
        inflightClosures: new Set(),
        now: 10,
        config,
      },
      TASK_WIRE_VERSION,
    )
    expect(command.refuses).toEqual([expect.objectContaining({ worker: 'w', reason: expect.stringMatching(/out of bounds/) })])
    expect(command.completes).toEqual([])
  })

  it('measures capacity from recent throughput, else calibration, and spares hidden tabs and low batteries', () => {
    const base = { recentUnitsPerS: 0, samplesPerS: 800, cores: 4, visible: true, battery: -1, charging: false }
    expect(capacityOf(base)).toBe(800)
    expect(capacityOf({ ...base, recentUnitsPerS: 300 })).toBe(300)
    expect(capacityOf({ ...base, samplesPerS: 0 })).toBe(2000)
    expect(capacityOf({ ...base, visible: false })).toBe(200)
    expect(capacityOf({ ...base, battery: 0.1 })).toBe(200)
    expect(capacityOf({ ...base, battery: 0.1, charging: true })).toBe(800)
  })
})

import { describe, expect, it } from 'vitest'
import { TaskState, TASK_WIRE_VERSION, decodeTaskCommand, encodeTaskCommand, maxAttempts } from '../../../workers/tasks/state'
import { emptyCommand } from '../../../workers/tasks/scheduler'
import type { TaskCommand } from '../../../workers/tasks/wire.pb'
import { syntheticDataset } from '../../sim/tasks/schedule'
import { pixelStats } from '../../../workers/tasks/data'

const dataset = syntheticDataset()
const TASK = 'task-0001'

function command(at: number, fill: Partial<TaskCommand>): TaskCommand {
  return { ...emptyCommand(TASK_WIRE_VERSION, at), ...fill }
}

function announced(redundancy: number, shards = 2, samples = 100): TaskState {
  const state = new TaskState()
  state.apply(
    command(1, {
      announces: [
        {
          taskId: TASK,
          kind: 'pixel-stats',
          params: [
            { name: 'samples', value: String(samples) },
            { name: 'shards', value: String(shards) },
          ],
          redundancy,
          initiator: 'admin',
        },
      ],
    }),
  )
  return state
}

function truth(state: TaskState, index: number): number[] {
  const spec = state.task(TASK)!.subtasks[index].spec
  return pixelStats(dataset, spec.params.start, spec.params.end)
}

const assign = (subtask: number, worker: string) => ({ taskId: TASK, subtask, worker, leaseUntilMs: 1000 })
const complete = (subtask: number, worker: string, values: number[]) => ({
  taskId: TASK,
  subtask,
  worker,
  values,
  startedMs: 2,
  finishedMs: 3,
  backend: 'cpu',
})

describe('task state machine', () => {
  it('splits an announced task and ignores a second announce of the same id', () => {
    const state = announced(1, 4)
    expect(state.task(TASK)!.subtasks.map((s) => [s.spec.params.start, s.spec.params.end])).toEqual([
      [0, 25],
      [25, 50],
      [50, 75],
      [75, 100],
    ])
    state.apply(command(2, { announces: [{ taskId: TASK, kind: 'cpu-benchmark', params: [], redundancy: 1, initiator: 'x' }] }))
    expect(state.task(TASK)!.kind).toBe('pixel-stats')
  })

  it('refuses to create tasks of unknown kinds, bad parameters or ids', () => {
    const state = new TaskState()
    state.apply(
      command(1, {
        announces: [
          { taskId: 'task-0002', kind: 'rm -rf', params: [], redundancy: 1, initiator: 'a' },
          { taskId: 'task-0003', kind: 'pixel-stats', params: [{ name: 'shards', value: '0' }], redundancy: 1, initiator: 'a' },
          { taskId: 'task/0004', kind: 'pixel-stats', params: [], redundancy: 1, initiator: 'a' },
          { taskId: 'task-0005', kind: 'pixel-stats', params: [], redundancy: 9, initiator: 'a' },
        ],
      }),
    )
    expect(state.tasks.size).toBe(0)
  })

  it('counts each subtask once: a second result for a settled subtask changes nothing', () => {
    const state = announced(1)
    state.apply(command(2, { assigns: [assign(0, 'w1'), assign(0, 'w2'), assign(1, 'w1')] }))
    state.apply(
      command(3, {
        completes: [complete(0, 'w1', truth(state, 0)), complete(0, 'w2', truth(state, 0)), complete(0, 'w1', truth(state, 0))],
      }),
    )
    const subtask = state.task(TASK)!.subtasks[0]
    expect(subtask.accepted!.from).toEqual(['w1'])
    expect(subtask.attempts.map((a) => a.state)).toEqual(['done', 'unneeded'])
    state.apply(command(4, { completes: [complete(1, 'w1', truth(state, 1))] }))
    const task = state.task(TASK)!
    expect(task.state).toBe('done')
    const counts = task.result.slice(0, 10)
    expect(counts.reduce((a, b) => a + b, 0)).toBe(100)
  })

  it('takes the majority under redundancy: a lying worker is outvoted', () => {
    const state = announced(3, 1)
    state.apply(command(2, { assigns: [assign(0, 'honest1'), assign(0, 'liar'), assign(0, 'honest2')] }))
    const lie = truth(state, 0)
    const from = lie.findIndex((v, i) => i < 10 && v > 0)
    lie[from]--
    lie[(from + 1) % 10]++
    lie[10 + from] = Math.min(lie[10 + from], lie[from])
    state.apply(command(3, { completes: [complete(0, 'liar', lie), complete(0, 'honest1', truth(state, 0))] }))
    expect(state.task(TASK)!.subtasks[0].accepted).toBeNull()
    state.apply(command(4, { completes: [complete(0, 'honest2', truth(state, 0))] }))
    const subtask = state.task(TASK)!.subtasks[0]
    expect(subtask.accepted!.from).toEqual(['honest1', 'honest2'])
    expect(subtask.attempts.find((a) => a.worker === 'liar')!.state).toBe('outvoted')
    expect(state.task(TASK)!.result.slice(0, 10)).toEqual(truth(state, 0).slice(0, 10))
  })

  it('refuses out-of-bounds and malformed results and wants another attempt', () => {
    const state = announced(1, 1)
    state.apply(command(2, { assigns: [assign(0, 'bad')] }))
    state.apply(
      command(3, {
        completes: [
          complete(
            0,
            'bad',
            truth(state, 0).map((v) => -v - 1),
          ),
        ],
      }),
    )
    const task = state.task(TASK)!
    expect(task.subtasks[0].attempts[0]).toMatchObject({ state: 'refused' })
    expect(task.subtasks[0].attempts[0].reason).toMatch(/not a non-negative integer/)
    expect(state.needed(task, task.subtasks[0])).toBe(1)
    // A refused worker does not get the same subtask again.
    state.apply(command(4, { assigns: [assign(0, 'bad')] }))
    expect(task.subtasks[0].attempts).toHaveLength(1)
  })

  it('expires a vanished worker, reassigns, and still accepts the late result of the expired attempt once', () => {
    const state = announced(1, 1)
    state.apply(command(2, { assigns: [assign(0, 'gone')] }))
    state.apply(command(3, { expires: [{ taskId: TASK, subtask: 0, worker: 'gone' }] }))
    const task = state.task(TASK)!
    expect(state.needed(task, task.subtasks[0])).toBe(1)
    state.apply(command(4, { assigns: [assign(0, 'fresh')] }))
    state.apply(command(5, { completes: [complete(0, 'gone', truth(state, 0)), complete(0, 'fresh', truth(state, 0))] }))
    expect(task.subtasks[0].accepted!.from).toEqual(['gone'])
    expect(task.state).toBe('done')
  })

  it('fails a subtask that reaches no majority within its attempts', () => {
    const state = announced(3, 1)
    const workers = Array.from({ length: maxAttempts(3) }, (_, i) => `w${i}`)
    state.apply(command(2, { assigns: workers.map((w) => assign(0, w)) }))
    state.apply(
      command(3, {
        completes: workers.map((w, i) =>
          complete(
            0,
            w,
            truth(state, 0).map((v, j) => (j === 10 ? Math.min(v, i * 1e-3) : v)),
          ),
        ),
      }),
    )
    expect(state.task(TASK)!.state).toBe('failed')
    expect(state.task(TASK)!.reason).toMatch(/no majority/)
  })

  it('rebuilds the same state from its snapshot', () => {
    const state = announced(1, 2)
    state.apply(command(2, { assigns: [assign(0, 'w1'), assign(1, 'w2')] }))
    state.apply(command(3, { completes: [complete(0, 'w1', truth(state, 0))] }))
    const copy = TaskState.restore(state.snapshot())
    expect(copy.task(TASK)).toEqual(state.task(TASK))
  })

  it('round-trips commands through protobuf and refuses another version', () => {
    const c = command(5, { assigns: [assign(1, 'w')] })
    expect(decodeTaskCommand(encodeTaskCommand(c))).toEqual(c)
    expect(decodeTaskCommand(encodeTaskCommand({ ...c, version: 2 }))).toBeNull()
    expect(decodeTaskCommand(new Uint8Array([0xff, 0xff, 0xff]))).toBeNull()
  })
})

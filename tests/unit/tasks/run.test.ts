import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { runSubtask } from '../../../workers/tasks/run'
import { taskKind } from '../../../workers/tasks/registry'
import { parseParams } from '../../../workers/tasks/params'
import { loadMnistNode } from '../../../workers/fl/node/mnist-data'
import type { TaskAssignment } from '../../../workers/tasks/wire.pb'

function assignment(kind: string, params: Record<string, number>): TaskAssignment {
  return {
    taskId: 'task-run-1',
    subtask: 0,
    kind,
    params: Object.entries(params).map(([name, value]) => ({ name, value: String(value) })),
    leaseUntilMs: 0,
    weight: 1,
  }
}

describe('running subtasks on real MNIST digits', () => {
  const dataset = loadMnistNode()
  beforeAll(async () => {
    await tf.setBackend('cpu')
  })

  it('each kind produces a result its own check accepts', async () => {
    for (const kind of ['pixel-stats', 'evaluate', 'hyperparameter', 'cpu-benchmark']) {
      const spec = taskKind(kind)!
      const parsed = parseParams(
        spec.parameters,
        kind === 'hyperparameter'
          ? [{ name: 'steps', value: '5' }]
          : kind === 'evaluate'
            ? [
                { name: 'pretrainSteps', value: '5' },
                { name: 'samples', value: '200' },
              ]
            : [],
      )
      if (!parsed.ok) throw new Error(parsed.reason)
      const subtask = spec.split(parsed.params)[0]
      const values = await runSubtask(assignment(kind, subtask.params), { dataset })
      expect(spec.check(subtask, values), kind).toBeNull()
    }
  })

  it('is deterministic on one backend: two evaluations of the same shard agree exactly', async () => {
    const a = await runSubtask(assignment('evaluate', { start: 0, end: 100, modelSeed: 3, pretrainSteps: 10 }), { dataset })
    const b = await runSubtask(assignment('evaluate', { start: 0, end: 100, modelSeed: 3, pretrainSteps: 10 }), { dataset })
    expect(a).toEqual(b)
    // Pre-training does something: better than chance on the digits.
    expect(a[0] / a[1]).toBeGreaterThan(0.2)
  })

  it('refuses kinds and parameters that the registry would not produce', async () => {
    await expect(runSubtask({ ...assignment('evaluate', {}), kind: 'shell' }, { dataset })).rejects.toThrow(/unknown task kind/)
    await expect(runSubtask(assignment('pixel-stats', { start: 0, end: 1e9 }), { dataset })).rejects.toThrow(/outside/)
  })
})

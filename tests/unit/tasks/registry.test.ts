import { describe, expect, it } from 'vitest'
import { taskKind, taskKindRegistry } from '../../../workers/tasks/registry'
import { formatParams, parseParams } from '../../../workers/tasks/params'

describe('task-kind registry', () => {
  it('has the four kinds, each with parameters whose defaults parse', () => {
    expect(Object.keys(taskKindRegistry).sort()).toEqual(['cpu-benchmark', 'evaluate', 'hyperparameter', 'pixel-stats'])
    for (const kind of Object.values(taskKindRegistry)) {
      const parsed = parseParams(kind.parameters, [])
      expect(parsed.ok, kind.name).toBe(true)
      if (parsed.ok) expect(kind.split(parsed.params).length).toBeGreaterThan(0)
    }
  })

  it('knows no kind by a name outside the registry, prototype names included', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'eval', '']) expect(taskKind(name)).toBeUndefined()
  })

  it('parses parameters strictly and formats them canonically', () => {
    const kind = taskKind('hyperparameter')!
    const parsed = parseParams(kind.parameters, [
      { name: 'learningRates', value: '0.1, 0.01' },
      { name: 'steps', value: '12' },
    ])
    expect(parsed).toMatchObject({ ok: true, params: { learningRates: [0.1, 0.01], steps: 12, batchSizes: [16, 32] } })
    if (parsed.ok) expect(kind.split(parsed.params)).toHaveLength(4)
    if (parsed.ok) expect(formatParams(kind.parameters, parsed.params)[0]).toEqual({ name: 'learningRates', value: '0.1,0.01' })
    expect(parseParams(kind.parameters, [{ name: 'steps', value: '1.5' }])).toMatchObject({ ok: false, reason: /not an integer/ })
    expect(parseParams(kind.parameters, [{ name: 'steps', value: '1e9' }])).toMatchObject({ ok: false, reason: /outside/ })
    expect(parseParams(kind.parameters, [{ name: 'steps', value: 'NaN' }])).toMatchObject({ ok: false, reason: /not a number/ })
    expect(parseParams(kind.parameters, [{ name: 'script', value: '1' }])).toMatchObject({ ok: false, reason: /unknown parameter/ })
    expect(
      parseParams(kind.parameters, [
        { name: 'steps', value: '1' },
        { name: 'steps', value: '2' },
      ]),
    ).toMatchObject({ ok: false, reason: /twice/ })
  })

  it('checks result schemas and bounds per kind', () => {
    const evaluate = taskKind('evaluate')!
    const shard = { params: { start: 0, end: 100, modelSeed: 1, pretrainSteps: 0 }, weight: 100 }
    expect(evaluate.check(shard, [90, 100, 30])).toBeNull()
    expect(evaluate.check(shard, [90, 99, 30])).toMatch(/count/)
    expect(evaluate.check(shard, [101, 100, 30])).toMatch(/correct/)
    expect(evaluate.check(shard, [90, 100, Number.NaN])).toMatch(/finite/)
    expect(evaluate.check(shard, [90, 100])).toMatch(/expected 3 values/)
    const trial = { params: { learningRate: 0.1, batchSize: 16, steps: 5, seed: 1 }, weight: 1 }
    expect(taskKind('hyperparameter')!.check(trial, [0.9, 0.3])).toBeNull()
    expect(taskKind('hyperparameter')!.check(trial, [1.2, 0.3])).toMatch(/outside/)
    expect(taskKind('cpu-benchmark')!.check({ params: { round: 0, iterations: 1000 }, weight: 1 }, [0, 5])).toMatch(/out of bounds/)
    const stats = { params: { start: 0, end: 3 }, weight: 1 }
    expect(taskKind('pixel-stats')!.check(stats, [1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 1.5, 0, 0, 0, 0, 0, 0, 0, 0])).toBeNull()
    expect(taskKind('pixel-stats')!.check(stats, [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0])).toMatch(/add up/)
  })

  it('reduces: the best hyperparameter trial, weighted evaluation, per-class means', () => {
    const hp = taskKind('hyperparameter')!
    const trials = [0.01, 0.1].map((learningRate) => ({ params: { learningRate, batchSize: 32, steps: 5, seed: 1 }, weight: 1 }))
    expect(
      hp.reduce({}, trials, [
        [0.5, 1],
        [0.8, 0.6],
      ]).values,
    ).toEqual([1, 0.8, 0.1, 32])
    const ev = taskKind('evaluate')!.reduce(
      {},
      [],
      [
        [50, 100, 20],
        [30, 50, 10],
      ],
    )
    expect(ev.values).toEqual([80 / 150, 30 / 150, 150])
    expect(JSON.parse(ev.summary)).toMatchObject({ digits: 150 })
  })
})

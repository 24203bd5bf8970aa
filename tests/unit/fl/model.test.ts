import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadMnistNode } from '../../../workers/fl/node/mnist-data'
import { gatherSamples, splitHoldout } from '../../../workers/fl/data/split'
import { selectBackend, type BackendChoice } from '../../../workers/fl/model/backend'
import { nodeBackendOptions } from '../../../workers/fl/node/backend'
import { MNIST_CNN, MNIST_MLP, validateModelSpec } from '../../../workers/fl/model/spec'
import { createTrainer, evaluate, trainLocal, type TrainProgressEvent } from '../../../workers/fl/model/trainer'
import { initialWeights } from '../../../workers/fl/model/weights'

const mnist = loadMnistNode()
const split = splitHoldout(mnist.count, { seed: 1, validation: 1000, test: 1500 })
const shard = gatherSamples(mnist, split.train.slice(0, 600))
const test = gatherSamples(mnist, split.test.slice(0, 500))
let choice: BackendChoice

beforeAll(async () => {
  choice = await selectBackend(nodeBackendOptions({ calibrationBatches: 4 }))
})

describe('model spec validation', () => {
  it('accepts the stock models and counts their parameters', () => {
    expect(validateModelSpec(MNIST_MLP)).toMatchObject({ ok: true, parameters: 784 * 64 + 64 + 64 * 10 + 10 })
    const cnn = validateModelSpec(MNIST_CNN)
    expect(cnn.ok && cnn.weights.map((w) => w.name)).toEqual([
      '0/kernel',
      '0/bias',
      '2/kernel',
      '2/bias',
      '5/kernel',
      '5/bias',
      '6/kernel',
      '6/bias',
    ])
  })

  it.each([
    [
      'a non-whitelisted layer',
      {
        ...MNIST_MLP,
        layers: [
          { type: 'lambda', fn: 'x => x' },
          { type: 'dense', units: 10 },
        ],
      },
      /type must be/,
    ],
    ['an unknown option', { ...MNIST_MLP, layers: [{ type: 'dense', units: 10, kernelInitializer: 'ones' }] }, /unknown options/],
    ['a bad activation', { ...MNIST_MLP, layers: [{ type: 'dense', units: 10, activation: 'eval' }] }, /activation/],
    [
      'conv on flat input',
      {
        ...MNIST_MLP,
        layers: [
          { type: 'conv2d', filters: 4, kernelSize: 3 },
          { type: 'dense', units: 10 },
        ],
      },
      /conv2d needs/,
    ],
    ['a wrong output size', { ...MNIST_MLP, layers: [{ type: 'dense', units: 7 }] }, /last layer/],
    [
      'too many parameters',
      {
        ...MNIST_MLP,
        layers: [
          { type: 'dense', units: 65536 },
          { type: 'dense', units: 10 },
        ],
      },
      /parameters/,
    ],
    [
      'an impossible reshape',
      { ...MNIST_MLP, layers: [{ type: 'reshape', targetShape: [27, 27, 1] }, { type: 'flatten' }, { type: 'dense', units: 10 }] },
      /reshape/,
    ],
    ['extra top-level fields', { ...MNIST_MLP, code: 'x' }, /unknown spec fields/],
  ])('rejects %s', (_, spec, reason) => {
    expect(validateModelSpec(spec)).toMatchObject({ ok: false, reason: expect.stringMatching(reason) })
  })

  it('initial weights are a pure function of the seed', () => {
    expect(Array.from(initialWeights(MNIST_MLP, 3).values)).toEqual(Array.from(initialWeights(MNIST_MLP, 3).values))
    expect(initialWeights(MNIST_MLP, 3).values[0]).not.toBe(initialWeights(MNIST_MLP, 4).values[0])
  })
})

describe('training', () => {
  it('skips a backend whose calibration fails for the task model (conv on wasm)', async () => {
    const cnn = await selectBackend(nodeBackendOptions({ calibrationSpec: MNIST_CNN, calibrationBatches: 2, calibrationBatchSize: 8 }))
    expect(cnn.backend).toBe('cpu')
    expect(cnn.candidates.find((c) => c.name === 'wasm')?.note).toMatch(/calibration failed/)
    choice = await selectBackend(nodeBackendOptions({ calibrationBatches: 4 }))
  })

  it('selects wasm in Node, leaves the cpu fallback unmeasured, and reports measured speeds', () => {
    expect(choice.backend).toBe('wasm')
    expect(choice.samplesPerSecond).toBeGreaterThan(0)
    expect(choice.candidates.map((c) => c.name)).toEqual(['wasm', 'cpu'])
    // cpu is the fallback: measured only when wasm fails (the conv test above), never raced against it.
    expect(choice.candidates[1]).toMatchObject({ samplesPerSecond: null, runs: [], note: expect.stringMatching(/fallback/) })
    expect(tf.getBackend()).toBe(choice.backend)
  })

  it('learns, streams progress, and returns a delta that reproduces the weights', async () => {
    const weights = initialWeights(MNIST_MLP, 1)
    const before = await evaluate({ spec: MNIST_MLP, weights, data: test })
    const events: TrainProgressEvent[] = []
    const outcome = await trainLocal({
      spec: MNIST_MLP,
      weights,
      data: shard,
      hyper: { epochs: 2, batchSize: 32, learningRate: 0.1, seed: 1 },
      onProgress: (e) => events.push(e),
    })
    const after = await evaluate({ spec: MNIST_MLP, weights: outcome.weights, data: test })
    expect(after.accuracy).toBeGreaterThan(before.accuracy + 0.4)
    expect(after.loss).toBeLessThan(before.loss)
    expect(events.length).toBe(2 * Math.ceil(600 / 32))
    expect(events.at(-1)).toMatchObject({ epoch: 1, batch: 18, batches: 19 })
    expect(outcome.metrics.samples).toBe(1200)
    outcome.delta.forEach((d, i) => expect(Math.fround(weights.values[i] + d)).toBeCloseTo(outcome.weights.values[i], 6))
  })

  it('scores each class on its own samples, across batches, and NaN for a class the data lacks', async () => {
    const outcome = await trainLocal({
      spec: MNIST_MLP,
      weights: initialWeights(MNIST_MLP, 3),
      data: shard,
      hyper: { epochs: 1, batchSize: 32, learningRate: 0.1, seed: 3 },
    })
    const trainer = createTrainer(MNIST_MLP)
    try {
      const whole = await trainer.evaluate(outcome.weights, test, 64)
      expect(whole.classAccuracy).toHaveLength(10)
      let weighted = 0
      for (let c = 0; c < 10; c++) {
        const rows = [...test.labels.keys()].filter((i) => test.labels[i] === c)
        const x = new Float32Array(rows.length * test.features)
        rows.forEach((row, k) => x.set(test.x.subarray(row * test.features, (row + 1) * test.features), k * test.features))
        const alone = await trainer.evaluate(outcome.weights, {
          count: rows.length,
          x,
          labels: new Uint8Array(rows.length).fill(c),
          features: test.features,
        })
        expect(whole.classAccuracy[c]).toBeCloseTo(alone.accuracy, 10)
        expect(alone.classAccuracy.filter((a, k) => k !== c).every(Number.isNaN)).toBe(true)
        weighted += alone.accuracy * rows.length
      }
      expect(weighted / test.count).toBeCloseTo(whole.accuracy, 10)
      // Not every class is learnt equally after one epoch on 600 digits: the figures are per class, not copies of the mean.
      expect(new Set(whole.classAccuracy.map((a) => a.toFixed(3))).size).toBeGreaterThan(1)
    } finally {
      trainer.dispose()
    }
  })

  it('is reproducible for a fixed seed on one backend', async () => {
    const weights = initialWeights(MNIST_MLP, 2)
    const hyper = { epochs: 1, batchSize: 50, learningRate: 0.05, seed: 9, maxBatchesPerEpoch: 4 }
    const a = await trainLocal({ spec: MNIST_MLP, weights, data: shard, hyper })
    const b = await trainLocal({ spec: MNIST_MLP, weights, data: shard, hyper })
    expect(Array.from(a.delta)).toEqual(Array.from(b.delta))
  })

  it('leaks no tensors over rounds (momentum and adam optimizers included)', async () => {
    // (tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel, so conv nets train on webgl/webgpu/cpu only.)
    const spec = {
      inputShape: [784],
      layers: [
        { type: 'dense' as const, units: 32, activation: 'relu' as const },
        { type: 'dropout' as const, rate: 0.2 },
        { type: 'dense' as const, units: 10, activation: 'softmax' as const },
      ],
      classes: 10,
    }
    const trainer = createTrainer(spec)
    let weights = initialWeights(spec, 1)
    const counts: number[] = []
    const small = gatherSamples(mnist, split.train.slice(0, 64))
    for (let round = 0; round < 6; round++) {
      const optimizer = (['sgd', 'momentum', 'adam'] as const)[round % 3]
      weights = (
        await trainer.train({ weights, data: small, hyper: { epochs: 1, batchSize: 32, learningRate: 0.01, optimizer, seed: round } })
      ).weights
      await trainer.evaluate(weights, small)
      counts.push(tf.memory().numTensors)
    }
    trainer.dispose()
    expect(counts, `numTensors per round: ${counts}`).toEqual(new Array(counts.length).fill(counts[0]))
  })

  it('stops when the signal aborts and releases what it allocated', async () => {
    const baseline = tf.memory().numTensors
    const controller = new AbortController()
    const run = trainLocal({
      spec: MNIST_MLP,
      weights: initialWeights(MNIST_MLP, 1),
      data: shard,
      hyper: { epochs: 50, batchSize: 16, learningRate: 0.01, seed: 1 },
      signal: controller.signal,
      yieldEvery: 1,
      onProgress: (e) => {
        if (e.batch === 3) controller.abort(new Error('cancelled by test'))
      },
    })
    await expect(run).rejects.toThrow('cancelled by test')
    expect(tf.memory().numTensors).toBe(baseline)
  })
})

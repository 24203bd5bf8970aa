import { beforeAll, describe, expect, it } from 'vitest'
import { aggregate } from '../../../workers/fl/aggregation/aggregate'
import { loadMnistNode } from '../../../workers/fl/node/mnist-data'
import { gatherSamples, splitHoldout } from '../../../workers/fl/data/split'
import { selectBackend } from '../../../workers/fl/model/backend'
import { nodeBackendOptions } from '../../../workers/fl/node/backend'
import {
  computeReferenceUpdate,
  computeTrustReference,
  createReferenceSource,
  referenceHyperOf,
  referenceSeed,
  rootDataSamples,
} from '../../../workers/fl/model/reference'
import { defaultMnistTask } from '../../../workers/fl/task/spec'
import { HOLDOUT } from '../../../workers/fl/training-session'
import { MNIST_MLP } from '../../../workers/fl/model/spec'
import { createTrainer } from '../../../workers/fl/model/trainer'
import { initialWeights } from '../../../workers/fl/model/weights'

const mnist = loadMnistNode()
const split = splitHoldout(mnist.count, { seed: 1, validation: 1000, test: 1500 })
const heldOut = gatherSamples(mnist, split.validation)
const hyper = { epochs: 1, batchSize: 32, learningRate: 0.3, maxBatchesPerEpoch: 1 }
const bytes = (v: Float32Array): number[] => Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))

beforeAll(async () => {
  await selectBackend(nodeBackendOptions({ calibrate: false }))
})

describe('FLTrust reference update (production trainer on held-out data)', () => {
  it('a validator re-executing the round gets the same reference bits, and so the same aggregate', async () => {
    const weights = initialWeights(MNIST_MLP, 3)
    const aggregator = createTrainer(MNIST_MLP)
    const validator = createTrainer(MNIST_MLP)
    try {
      const a = await computeReferenceUpdate({ trainer: aggregator, weights, heldOut, hyper, round: 4 })
      const b = await computeReferenceUpdate({ trainer: validator, weights, heldOut, hyper, round: 4 })
      expect(bytes(a)).toEqual(bytes(b))
      const other = await computeReferenceUpdate({ trainer: validator, weights, heldOut, hyper, round: 5 })
      expect(bytes(other)).not.toEqual(bytes(a)) // another round shuffles differently
      const inputs = [0, 1, 2].map((i) => ({
        id: `u${i}`,
        vector: Float32Array.from(a, (x, j) => x * (1 + i) + ((j % 7) - 3) * 1e-3),
        weight: 1,
      }))
      const first = aggregate(inputs, { rule: { rule: 'fltrust', reference: a } })
      const second = aggregate([...inputs].reverse(), { rule: { rule: 'fltrust', reference: b } })
      expect(first.ok && second.ok).toBe(true)
      if (first.ok && second.ok) expect(bytes(first.vector)).toEqual(bytes(second.vector))
    } finally {
      aggregator.dispose()
      validator.dispose()
    }
  })

  it('server momentum mixes the previous reference as the trainers mix their updates', async () => {
    const weights = initialWeights(MNIST_MLP, 3)
    const trainer = createTrainer(MNIST_MLP)
    try {
      const raw = await computeReferenceUpdate({ trainer, weights, heldOut, hyper, round: 2 })
      const previous = Float32Array.from(raw, (_, j) => (j % 2 ? 1 : -1) * 1e-2)
      const mixed = await computeReferenceUpdate({ trainer, weights, heldOut, hyper, round: 2, momentum: { beta: 0.9, previous } })
      for (const j of [0, 1, 1000, raw.length - 1]) expect(mixed[j]).toBeCloseTo(0.9 * previous[j] + 0.1 * raw[j], 7)
    } finally {
      trainer.dispose()
    }
  })

  it("a task's reference: its root data is the validation split, trained as a trainer trains, once per round and base model", async () => {
    const task = { ...defaultMnistTask('admin', 1), localSteps: 3 }
    const root = rootDataSamples(task.rootData, mnist)!
    const holdout = splitHoldout(mnist.count, HOLDOUT)
    expect(root.count).toBe(HOLDOUT.validation)
    expect(root).toEqual(gatherSamples(mnist, holdout.validation))
    expect(rootDataSamples('none', mnist)).toBeNull()
    expect(referenceHyperOf(task)).toEqual({
      epochs: 1,
      batchSize: 32,
      learningRate: task.learningRate,
      optimizer: 'momentum',
      maxBatchesPerEpoch: 3,
    })
    expect(referenceHyperOf({ ...task, localSteps: 0 }).maxBatchesPerEpoch).toBeUndefined()
    const trainer = createTrainer(MNIST_MLP)
    const computed: number[] = []
    try {
      const source = createReferenceSource({
        trainer,
        rootData: root,
        hyper: referenceHyperOf(task),
        variant: 'paper',
        onComputed: (round) => void computed.push(round),
      })
      const weights = initialWeights(MNIST_MLP, 5)
      const [a, again] = await Promise.all([source(2, 'base-a', weights), source(2, 'base-a', weights)])
      expect(again).toBe(a) // one computation shared by the aggregator's and the validator's side
      const direct = await computeReferenceUpdate({ trainer, weights, heldOut: root, hyper: referenceHyperOf(task), round: 2 })
      expect(bytes(a.update)).toEqual(bytes(direct))
      expect(a.trust).toBeUndefined() // the paper's FLTrust measures trust against the update itself
      expect(bytes((await source(3, 'base-a', weights)).update)).not.toEqual(bytes(a.update))
      expect(computed).toEqual([2, 3])
      const clipped = createReferenceSource({ trainer, rootData: root, hyper: referenceHyperOf(task), variant: 'clipped' })
      const both = await clipped(2, 'base-a', weights)
      expect(bytes(both.update)).toEqual(bytes(direct))
      const trust = await computeTrustReference({ trainer, weights, heldOut: root, hyper: referenceHyperOf(task), round: 2 })
      expect(bytes(both.trust!)).toEqual(bytes(trust))
    } finally {
      trainer.dispose()
    }
  })

  it("the trust reference is one full-batch step on the held-out data: bit for bit on re-execution, whatever the task's batches", async () => {
    const aggregator = createTrainer(MNIST_MLP)
    const validator = createTrainer(MNIST_MLP)
    try {
      const weights = initialWeights(MNIST_MLP, 9)
      const a = await computeTrustReference({ trainer: aggregator, weights, heldOut, hyper, round: 4 })
      const b = await computeTrustReference({ trainer: validator, weights, heldOut, hyper, round: 4 })
      expect(bytes(a)).toEqual(bytes(b))
      // The task's batch size, steps and epochs do not matter: all 1,000 samples make one step.
      const otherTask = await computeTrustReference({
        trainer: validator,
        weights,
        heldOut,
        hyper: { ...hyper, batchSize: 8, maxBatchesPerEpoch: 5, epochs: 3 },
        round: 4,
      })
      expect(bytes(otherTask)).toEqual(bytes(a))
      const cos = (x: Float32Array, y: Float32Array) => {
        let dot = 0
        let xx = 0
        let yy = 0
        for (let j = 0; j < x.length; j++) {
          dot += x[j] * y[j]
          xx += x[j] * x[j]
          yy += y[j] * y[j]
        }
        return dot / Math.sqrt(xx * yy)
      }
      // Another round's seed only reorders the one batch; another round's one-batch run samples other digits.
      const nextRound = await computeTrustReference({ trainer: validator, weights, heldOut, hyper, round: 5 })
      expect(cos(a, nextRound)).toBeGreaterThan(0.9999)
      const oneBatch = await computeReferenceUpdate({ trainer: validator, weights, heldOut, hyper, round: 4 })
      const otherBatch = await computeReferenceUpdate({ trainer: validator, weights, heldOut, hyper, round: 5 })
      expect(cos(oneBatch, otherBatch)).toBeLessThan(0.99)
    } finally {
      aggregator.dispose()
      validator.dispose()
    }
  })

  it('round seeds are public, distinct and validated', () => {
    const seeds = new Set(Array.from({ length: 1000 }, (_, r) => referenceSeed(r)))
    expect(seeds.size).toBe(1000)
    expect(() => referenceSeed(-1)).toThrow(RangeError)
    expect(() => referenceSeed(1.5)).toThrow(RangeError)
  })
})

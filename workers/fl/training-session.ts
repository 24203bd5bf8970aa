/**
 * What the training worker does, without the worker: one dataset, one model per task spec,
 * the global model a round starts from, and local training that returns the clipped update.
 * Environment-agnostic, so Node tests drive exactly what the worker runs.
 */
import * as tf from '@tensorflow/tfjs'
import type { LoadedModel, LoadModelRequest, TrainProgress, TrainRequest, TrainResult } from '../fl-worker-api'
import { MNIST_CLASSES, type ImageDataset } from './data/mnist-format'
import { gatherSamples, shardClients, splitHoldout, type LabelledSamples } from './data/split'
import { createTrainer, type Trainer } from './model/trainer'
import { MNIST_MLP, validateModelSpec } from './model/spec'
import { initialWeights, totalSize, type FlatWeights } from './model/weights'
import { clipL2, float32LE, l2Norm } from './update/delta'
import { hashOf } from './round/identity'

/** The same seeded split on every node: validation and test are held out, the rest is sharded among trainers. */
export const HOLDOUT = { seed: 2026, validation: 1000, test: 1000 } as const

interface TaskModel {
  /** The validated spec as canonical JSON, to tell one task's model from another's. */
  readonly key: string
  readonly parameters: number
  readonly trainer: Trainer
  /** The device's own weights when it trains alone. */
  weights: FlatWeights
  /** The loaded global model, by hash. */
  global: { readonly hash: string; readonly weights: FlatWeights } | null
}

/** Above the largest round a task may have (spec.ts LIMITS.rounds), so no (round, attempt) shares another's batch order. */
const ATTEMPT_SEED_STRIDE = 10_007

/** The batch order of a round's training: the task's seed and the round, and for a later attempt's fresh update the attempt too. */
export function shuffleSeed(request: Pick<TrainRequest, 'seed' | 'round' | 'attempt'>): number {
  return request.seed + request.round + (request.attempt ?? 0) * ATTEMPT_SEED_STRIDE
}

export interface TrainingSession {
  loadModel(request: LoadModelRequest): LoadedModel
  train(request: TrainRequest, options?: { onProgress?: (p: TrainProgress) => void; signal?: AbortSignal }): Promise<TrainResult>
  dispose(): void
}

export function createTrainingSession(dataset: ImageDataset): TrainingSession {
  const split = splitHoldout(dataset.count, HOLDOUT)
  const validation: LabelledSamples = gatherSamples(dataset, split.validation)
  let current: TaskModel | undefined

  /** The session's model for this task: kept across rounds, replaced (and released) when the task's spec changes. */
  function taskModel(spec: unknown): TaskModel {
    const check = validateModelSpec(spec)
    if (!check.ok) throw new Error(`the task's model spec was refused: ${check.reason}`)
    const pixels = dataset.rows * dataset.cols
    if (check.spec.inputShape.reduce((a, b) => a * b, 1) !== pixels || check.spec.classes !== MNIST_CLASSES) {
      throw new Error(
        `the task's model must take ${pixels} pixels (e.g. [${pixels}] or [${dataset.rows}, ${dataset.cols}, 1]) and give ${MNIST_CLASSES} classes`,
      )
    }
    const key = JSON.stringify(check.spec)
    if (current?.key === key) return current
    current?.trainer.dispose()
    current = {
      key,
      parameters: check.parameters,
      trainer: createTrainer(check.spec),
      weights: initialWeights(check.spec, 1),
      global: null,
    }
    return current
  }

  return {
    loadModel(request) {
      const model = taskModel(request.model ?? MNIST_MLP)
      if (!(request.weights instanceof Float32Array) || request.weights.length !== totalSize(model.trainer.shapes)) {
        throw new Error(`the global model has ${request.weights?.length} weights, the task's model ${totalSize(model.trainer.shapes)}`)
      }
      const hash = hashOf(float32LE(request.weights))
      if (hash !== request.hash)
        throw new Error(`the global model's weights hash to ${hash.slice(0, 12)}…, not the announced ${request.hash.slice(0, 12)}…`)
      model.global = { hash, weights: { shapes: model.trainer.shapes, values: request.weights } }
      return { hash, parameters: model.parameters }
    },

    async train(request, options = {}) {
      const shards = shardClients(dataset.labels, split.train, {
        clients: request.clients,
        seed: request.seed,
        scheme: request.partition ?? { kind: 'iid' },
      })
      const shard = shards[request.clientIndex]
      if (!shard) throw new RangeError(`client index ${request.clientIndex} is outside 0..${request.clients - 1}`)
      const data = gatherSamples(dataset, shard)
      const model = taskModel(request.model ?? MNIST_MLP)
      let from = model.weights
      if (request.baseModel !== undefined) {
        const global = model.global
        if (global?.hash !== request.baseModel)
          throw new Error(`load the global model ${request.baseModel.slice(0, 12)}… before training from it`)
        from = global.weights
      }
      const outcome = await model.trainer.train({
        weights: from,
        data,
        hyper: {
          epochs: request.epochs,
          batchSize: request.batchSize,
          learningRate: request.learningRate ?? 0.05,
          optimizer: 'momentum',
          maxBatchesPerEpoch: request.maxBatchesPerEpoch,
          seed: shuffleSeed(request),
        },
        onProgress: options.onProgress,
        signal: options.signal,
      })
      // Alone, the device keeps its progress; in a round the next global model replaces it.
      if (request.baseModel === undefined) model.weights = outcome.weights
      const validation_ = await model.trainer.evaluate(outcome.weights, validation)
      const clipped = request.clipNorm ? clipL2(outcome.delta, request.clipNorm) : { delta: outcome.delta, clipped: false }
      return {
        round: request.round,
        samples: outcome.metrics.samples,
        loss: outcome.metrics.loss,
        accuracy: outcome.metrics.accuracy,
        validationAccuracy: validation_.accuracy,
        ms: outcome.metrics.ms,
        updateNorm: l2Norm(outcome.delta),
        numTensors: tf.memory().numTensors,
        parameters: model.parameters,
        ...(request.baseModel === undefined ? {} : { update: clipped.delta, baseModel: request.baseModel, clipped: clipped.clipped }),
      }
    },

    dispose() {
      current?.trainer.dispose()
      current = undefined
    },
  }
}

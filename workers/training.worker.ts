// Dedicated Worker: local training with tfjs. The page never holds a tensor; weights cross
// the bridge as transferable buffers and progress arrives as events.
import * as tf from '@tensorflow/tfjs'
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url'
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url'
import { exposeWorkerApi } from './bridge/expose'
import type { CallContext } from './bridge/protocol'
import type { BackendChoice, BackendName, PrepareRequest, TrainProgress, TrainRequest, TrainResult } from './fl-worker-api'
import { selectBackend } from './fl/model/backend'
import { createTrainer, type Trainer } from './fl/model/trainer'
import { MNIST_MLP, validateModelSpec } from './fl/model/spec'
import { initialWeights, type FlatWeights } from './fl/model/weights'
import { fetchMnistBinary, MNIST_CLASSES, type ImageDataset } from './fl/data/mnist-format'
import { gatherSamples, shardClients, splitHoldout, type LabelledSamples } from './fl/data/split'
import { runSubtask } from './tasks/run'
import type { TaskAssignment } from './tasks/wire.pb'

interface TaskModel {
  /** The validated spec as canonical JSON, to tell one task's model from another's. */
  key: string
  parameters: number
  trainer: Trainer
  weights: FlatWeights
}

interface Session {
  dataset: ImageDataset
  backend: BackendChoice
  model?: TaskModel
  validation: LabelledSamples
}

let session: Promise<Session> | undefined

async function openSession(dataUrl: string, backends?: readonly BackendName[]): Promise<Session> {
  // Fetch and parse the data while the backend calibrates; both stay off the page's thread.
  const [dataset, backend] = await Promise.all([
    fetchMnistBinary(dataUrl),
    selectBackend({
      candidates: backends,
      wasmPaths: {
        'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
        'tfjs-backend-wasm.wasm': wasmPlainUrl,
        'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
      },
    }),
  ])
  const split = splitHoldout(dataset.count, { seed: 2026, validation: 1000, test: 1000 })
  return {
    dataset,
    backend,
    validation: gatherSamples(dataset, split.validation),
  }
}

/** The session's model for this task: kept across rounds, replaced (and released) when the task's spec changes. */
function taskModel(session: Session, spec: unknown): TaskModel {
  const check = validateModelSpec(spec)
  if (!check.ok) throw new Error(`the task's model spec was refused: ${check.reason}`)
  const pixels = session.dataset.rows * session.dataset.cols
  if (check.spec.inputShape.reduce((a, b) => a * b, 1) !== pixels || check.spec.classes !== MNIST_CLASSES) {
    throw new Error(`the task's model must take ${pixels} pixels (e.g. [${pixels}] or [${session.dataset.rows}, ${session.dataset.cols}, 1]) and give ${MNIST_CLASSES} classes`)
  }
  const key = JSON.stringify(check.spec)
  if (session.model?.key === key) return session.model
  session.model?.trainer.dispose()
  session.model = { key, parameters: check.parameters, trainer: createTrainer(check.spec), weights: initialWeights(check.spec, 1) }
  return session.model
}

export const trainingWorkerApi = {
  async prepare(args: PrepareRequest, _context: CallContext<never>): Promise<BackendChoice> {
    session ??= openSession(args.dataUrl, args.backends)
    session.catch(() => (session = undefined))
    return (await session).backend
  },

  async train(request: TrainRequest, context: CallContext<TrainProgress>): Promise<TrainResult> {
    if (!session) throw new Error('call prepare first')
    const s = await session
    const split = splitHoldout(s.dataset.count, { seed: 2026, validation: 1000, test: 1000 })
    const shards = shardClients(s.dataset.labels, split.train, { clients: request.clients, seed: request.seed, scheme: { kind: 'iid' } })
    const shard = shards[request.clientIndex]
    if (!shard) throw new RangeError(`client index ${request.clientIndex} is outside 0..${request.clients - 1}`)
    const data = gatherSamples(s.dataset, shard)
    const model = taskModel(s, request.model ?? MNIST_MLP)
    const outcome = await model.trainer.train({
      weights: model.weights,
      data,
      hyper: { epochs: request.epochs, batchSize: request.batchSize, learningRate: 0.05, optimizer: 'momentum', seed: request.seed + request.round },
      onProgress: (p) => context.progress(p),
      signal: context.signal,
    })
    model.weights = outcome.weights
    const validation = await model.trainer.evaluate(model.weights, s.validation)
    let norm = 0
    for (const v of outcome.delta) norm += v * v
    return {
      round: request.round,
      samples: outcome.metrics.samples,
      loss: outcome.metrics.loss,
      accuracy: outcome.metrics.accuracy,
      validationAccuracy: validation.accuracy,
      ms: outcome.metrics.ms,
      updateNorm: Math.sqrt(norm),
      numTensors: tf.memory().numTensors,
      parameters: model.parameters,
    }
  },

  /** One subtask of an agent task (workers/tasks/registry.ts), on this worker's backend and data. */
  async runTaskSubtask(assignment: TaskAssignment, context: CallContext<never>): Promise<{ values: number[]; backend: string }> {
    if (!session) throw new Error('call prepare first')
    const s = await session
    return { values: await runSubtask(assignment, { dataset: s.dataset, signal: context.signal }), backend: s.backend.backend }
  },
}

export type TrainingWorkerApi = typeof trainingWorkerApi

exposeWorkerApi(trainingWorkerApi)

// Dedicated Worker: local training with tfjs. The page never holds a tensor; weights cross
// the bridge as transferable buffers and progress arrives as events.
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url'
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url'
import { exposeWorkerApi } from './bridge/expose'
import { transfer, type CallContext } from './bridge/protocol'
import type {
  BackendChoice,
  BackendName,
  LoadedModel,
  LoadModelRequest,
  PrepareRequest,
  TrainProgress,
  TrainRequest,
  TrainResult,
} from './fl-worker-api'
import { selectBackend } from './fl/model/backend'
import { fetchMnistBinary, type ImageDataset } from './fl/data/mnist-format'
import { createTrainingSession, type TrainingSession } from './fl/training-session'
import { runSubtask } from './tasks/run'
import type { TaskAssignment } from './tasks/wire.pb'

interface Session {
  dataset: ImageDataset
  backend: BackendChoice
  training: TrainingSession
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
  return { dataset, backend, training: createTrainingSession(dataset) }
}

async function ready(): Promise<Session> {
  if (!session) throw new Error('call prepare first')
  return session
}

export const trainingWorkerApi = {
  async prepare(args: PrepareRequest, _context: CallContext<never>): Promise<BackendChoice> {
    session ??= openSession(args.dataUrl, args.backends)
    session.catch(() => (session = undefined))
    return (await session).backend
  },

  /** Loads a round's global model (its hash checked here, off the page's thread). */
  async loadModel(request: LoadModelRequest, _context: CallContext<never>): Promise<LoadedModel> {
    return (await ready()).training.loadModel(request)
  },

  async train(request: TrainRequest, context: CallContext<TrainProgress>): Promise<TrainResult> {
    const result = await (await ready()).training.train(request, { onProgress: (p) => context.progress(p), signal: context.signal })
    return result.update ? transfer(result, [result.update.buffer as ArrayBuffer]) : result
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

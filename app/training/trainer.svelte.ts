import { WorkerClient } from '../../workers/bridge/connect'
import type { TrainingWorkerApi } from '../../workers/training.worker'
import type { BackendChoice, BackendName, LoadedModel, TrainProgress, TrainRequest, TrainResult } from '../../workers/fl-worker-api'
import type { TaskAssignment } from '../../workers/tasks/wire.pb'

export type TrainerState = 'idle' | 'preparing' | 'ready' | 'training' | 'cancelled' | 'failed'

/**
 * Local training, from the page's side: every tensor lives in the training worker; the page
 * only sends requests and receives progress and results over the bridge.
 */
export class Trainer {
  state = $state<TrainerState>('idle')
  backend = $state.raw<BackendChoice | null>(null)
  progress = $state.raw<TrainProgress | null>(null)
  /** How many progress events have arrived, across rounds. */
  progressEvents = $state(0)
  results = $state.raw<TrainResult[]>([])
  error = $state('')
  /** Trainings asked for and not finished, including any waiting for preparation to end. */
  pending = $state(0)
  private client: WorkerClient<TrainingWorkerApi> | undefined
  private preparing: Promise<BackendChoice> | undefined
  private readonly running = new Set<AbortController>()
  private round = 0

  private worker(): WorkerClient<TrainingWorkerApi> {
    if (!this.client) {
      const worker = new Worker(new URL('../../workers/training.worker.ts', import.meta.url), { type: 'module', name: 'training' })
      this.client = new WorkerClient<TrainingWorkerApi>(worker)
    }
    return this.client
  }

  /**
   * Loads the data and picks the fastest real backend. Every caller (the training button, the
   * task worker, a federated round) shares one preparation, so a click that lands while
   * another part of the page is preparing waits for it rather than being lost.
   */
  prepare(): Promise<BackendChoice> {
    if (this.backend) return Promise.resolve(this.backend)
    this.preparing ??= this.load()
    return this.preparing
  }

  private async load(): Promise<BackendChoice> {
    this.state = 'preparing'
    try {
      const backend = await this.worker().call('prepare', {
        dataUrl: new URL('/data/mnist.bin', location.href).href,
        backends: requestedBackends(),
      })
      this.backend = backend
      if (this.state === 'preparing') this.state = this.running.size > 0 ? 'training' : 'ready'
      return backend
    } catch (err) {
      this.preparing = undefined
      this.fail(err)
      throw err
    }
  }

  async train(request: Omit<TrainRequest, 'round'>): Promise<TrainResult | undefined> {
    this.pending++
    const running = new AbortController()
    try {
      await this.prepare()
      this.running.add(running)
      this.state = 'training'
      const result = await this.worker().call(
        'train',
        { ...request, round: ++this.round },
        {
          signal: running.signal,
          onProgress: (p) => {
            this.progress = p
            this.progressEvents++
          },
        },
      )
      this.results = [...this.results, result]
      return result
    } catch (err) {
      if ((err as Error).name === 'AbortError') {
        this.state = 'cancelled'
        return undefined
      }
      this.fail(err)
      throw err
    } finally {
      this.pending--
      this.running.delete(running)
      // Another training (a federated round's, say) may still be running in the worker.
      if (this.state === 'training' && this.running.size === 0) this.state = 'ready'
    }
  }

  /**
   * Hands a round's global model to the worker, which checks its hash before using it. The
   * weights are transferred, not copied: `weights` is unusable on the page afterwards.
   */
  async loadModel(weights: Float32Array, hash: string, model?: unknown): Promise<LoadedModel> {
    await this.prepare()
    return this.worker().call('loadModel', { weights, hash, model }, { transfer: [weights.buffer as ArrayBuffer] })
  }

  /** Runs one agent-task subtask in the training worker (after prepare). */
  async runTaskSubtask(assignment: TaskAssignment): Promise<{ values: number[]; backend: string }> {
    await this.prepare()
    return this.worker().call('runTaskSubtask', assignment)
  }

  cancel(): void {
    for (const running of this.running) running.abort()
  }

  private fail(err: unknown): void {
    this.state = 'failed'
    this.error = (err as Error).message
  }
}

/**
 * The shard this node trains on when it trains alone: derived from its PeerId, so two devices
 * rarely share one. In a federated round the round assigns it (the node's cohort index), which
 * is distinct per node.
 */
export function soloShard(peerId: string, clients: number): number {
  let h = 0x811c9dc5
  for (let i = 0; i < peerId.length; i++) h = Math.imul(h ^ peerId.charCodeAt(i), 0x01000193)
  return (h >>> 0) % clients
}

const BACKENDS: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu']

/** `?backend=wasm` (or a comma list) pins the tfjs backend, for comparing devices and for benchmarks. */
function requestedBackends(): BackendName[] | undefined {
  const wanted = new URLSearchParams(location.search)
    .get('backend')
    ?.split(',')
    .filter((b): b is BackendName => (BACKENDS as string[]).includes(b))
  return wanted?.length ? wanted : undefined
}

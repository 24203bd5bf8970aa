import type { ArgsOf, BridgeRequest, BridgeResponse, ProgressOf, ResultOf, WorkerApi } from './protocol'

export interface CallOptions<P> {
  readonly signal?: AbortSignal
  readonly onProgress?: (progress: P) => void
  /** Buffers in the arguments to move to the worker instead of copying. */
  readonly transfer?: Transferable[]
}

interface PortLike {
  postMessage(message: BridgeRequest, transfer?: Transferable[]): void
  addEventListener(type: 'message', listener: (event: MessageEvent<BridgeResponse>) => void): void
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void
  terminate?(): void
}

export class WorkerCrashed extends Error {
  override name = 'WorkerCrashed'
}

/** Page side of the bridge: typed calls into a worker that ran `exposeWorkerApi`. */
export class WorkerClient<Api extends WorkerApi> {
  private nextId = 1
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; onProgress?: (p: unknown) => void }>()
  readonly ready: Promise<void>

  constructor(private readonly port: PortLike) {
    let markReady!: () => void
    this.ready = new Promise((resolve) => (markReady = resolve))
    port.addEventListener('message', (event) => {
      const message = event.data
      if (message.type === 'ready') return markReady()
      const call = this.pending.get(message.id)
      if (!call) return
      if (message.type === 'progress') return call.onProgress?.(message.progress)
      this.pending.delete(message.id)
      if (message.type === 'result') call.resolve(message.value)
      else call.reject(Object.assign(new Error(message.error.message), { name: message.error.name }))
    })
    port.addEventListener('error', (event) => {
      const failure = new WorkerCrashed(`worker failed: ${event.message || 'unknown error'}`)
      for (const call of this.pending.values()) call.reject(failure)
      this.pending.clear()
    })
  }

  call<M extends keyof Api & string>(
    method: M,
    args: ArgsOf<Api[M]>,
    options: CallOptions<ProgressOf<Api[M]>> = {},
  ): Promise<ResultOf<Api[M]>> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) return reject(options.signal.reason)
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: options.onProgress as (p: unknown) => void })
      options.signal?.addEventListener(
        'abort',
        () => {
          this.port.postMessage({ type: 'cancel', id })
        },
        { once: true },
      )
      this.port.postMessage({ type: 'call', id, method, args }, options.transfer ?? [])
    })
  }

  terminate(): void {
    this.port.terminate?.()
    for (const call of this.pending.values()) call.reject(new WorkerCrashed('worker terminated'))
    this.pending.clear()
  }
}

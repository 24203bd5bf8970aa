/**
 * The typed page↔worker bridge: one request/response protocol for every Dedicated Worker
 * (crypto, training, aggregation). Calls may stream progress events and be cancelled;
 * ArrayBuffers named in `transfer` move without copying.
 */
export type BridgeRequest = { type: 'call'; id: number; method: string; args: unknown } | { type: 'cancel'; id: number }

export type BridgeResponse =
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: { name: string; message: string } }
  | { type: 'progress'; id: number; progress: unknown }
  | { type: 'ready' }

/** A worker API: each method takes one argument and a context, and may report progress. */
export type WorkerApi = Record<string, (args: any, context: CallContext<any>) => unknown>

export interface CallContext<P> {
  readonly signal: AbortSignal
  progress(update: P): void
}

/** Wraps a result so its buffers are transferred, not copied, across the bridge. */
export interface Transferable_<T> {
  readonly __transfer: true
  readonly value: T
  readonly buffers: ArrayBuffer[]
}

export function transfer<T>(value: T, buffers: ArrayBuffer[]): T {
  return { __transfer: true, value, buffers } as unknown as T
}

export function isTransferable(x: unknown): x is Transferable_<unknown> {
  return typeof x === 'object' && x !== null && (x as { __transfer?: unknown }).__transfer === true
}

export type ArgsOf<F> = F extends (args: infer A, context: any) => unknown ? A : never
export type ResultOf<F> = F extends (args: any, context: any) => infer R ? Awaited<R> : never
export type ProgressOf<F> = F extends (args: any, context: CallContext<infer P>) => unknown ? P : never

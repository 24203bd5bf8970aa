import { isTransferable, type BridgeRequest, type BridgeResponse, type WorkerApi } from './protocol'

interface WorkerScope {
  postMessage(message: BridgeResponse, transfer?: Transferable[]): void
  addEventListener(type: 'message', listener: (event: MessageEvent<BridgeRequest>) => void): void
}

/** Worker side: serves `api` to the page. Call once at the top of a worker entry. */
export function exposeWorkerApi(api: WorkerApi, scope: WorkerScope = self as unknown as WorkerScope): void {
  const running = new Map<number, AbortController>()
  scope.addEventListener('message', async (event) => {
    const request = event.data
    if (request.type === 'cancel') {
      running.get(request.id)?.abort(new DOMException('cancelled by the page', 'AbortError'))
      return
    }
    const method = Object.hasOwn(api, request.method) ? api[request.method] : undefined
    if (!method) {
      scope.postMessage({
        type: 'error',
        id: request.id,
        error: { name: 'TypeError', message: `worker has no method '${request.method}'` },
      })
      return
    }
    const controller = new AbortController()
    running.set(request.id, controller)
    try {
      const result = await method(request.args, {
        signal: controller.signal,
        progress: (progress: unknown) => scope.postMessage({ type: 'progress', id: request.id, progress }),
      })
      if (isTransferable(result)) scope.postMessage({ type: 'result', id: request.id, value: result.value }, result.buffers)
      else scope.postMessage({ type: 'result', id: request.id, value: result })
    } catch (err) {
      const e = err as Error
      scope.postMessage({ type: 'error', id: request.id, error: { name: e?.name ?? 'Error', message: e?.message ?? String(err) } })
    } finally {
      running.delete(request.id)
    }
  })
  scope.postMessage({ type: 'ready' })
}

import { WorkerClient } from '../../workers/bridge/connect'
import type { CryptoWorkerApi } from '../../workers/crypto.worker'
import type { BatchVerifier, SignatureCheck } from '../../workers/protocol/verify'
import type { Sha256 } from '../../workers/net/blob-store'

export function startCryptoWorker(): WorkerClient<CryptoWorkerApi> {
  const worker = new Worker(new URL('../../workers/crypto.worker.ts', import.meta.url), { type: 'module', name: 'crypto' })
  return new WorkerClient<CryptoWorkerApi>(worker)
}

/**
 * Signature checks that arrive in the same task are sent to the worker as one batch, so a
 * burst of gossip costs one round trip instead of one per message.
 */
export function batchingVerifier(client: WorkerClient<CryptoWorkerApi>): BatchVerifier {
  let queue: { checks: readonly SignatureCheck[]; resolve(r: boolean[]): void; reject(e: unknown): void }[] = []
  const flush = () => {
    const batch = queue
    queue = []
    const all = batch.flatMap((b) => b.checks)
    client.call('verifyBatch', all as SignatureCheck[]).then(
      (results) => {
        let offset = 0
        for (const b of batch) {
          b.resolve(results.slice(offset, offset + b.checks.length))
          offset += b.checks.length
        }
      },
      (err) => batch.forEach((b) => b.reject(err)),
    )
  }
  return (checks) =>
    new Promise((resolve, reject) => {
      if (queue.length === 0) queueMicrotask(flush)
      queue.push({ checks, resolve, reject })
    })
}

export function workerSha256(client: WorkerClient<CryptoWorkerApi>): Sha256 {
  return (bytes) => client.call('sha256', bytes)
}

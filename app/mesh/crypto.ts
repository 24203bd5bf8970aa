import { WorkerClient } from '../../workers/bridge/connect'
import type { CryptoWorkerApi } from '../../workers/crypto.worker'
import { verifyEd25519Batch, type BatchVerifier, type SignatureCheck } from '../../workers/protocol/verify'
import { fromHex } from '../../workers/common/bytes'
import type { Sha256 } from '../../workers/net/blob-store'

export function startCryptoWorker(): WorkerClient<CryptoWorkerApi> {
  const worker = new Worker(new URL('../../workers/crypto.worker.ts', import.meta.url), { type: 'module', name: 'crypto' })
  return new WorkerClient<CryptoWorkerApi>(worker)
}

/** RFC 8032, section 7.1, test 1: an Ed25519 signature of the empty message. */
const RFC8032_TEST_1 = {
  publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  signature:
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
}

/** Whether this browser's WebCrypto verifies Ed25519 (Chromium 137+, Firefox 129+, Safari 17+): a known-good signature must pass. */
export async function webCryptoVerifiesEd25519(): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey(
      'raw',
      fromHex(RFC8032_TEST_1.publicKey) as Uint8Array<ArrayBuffer>,
      { name: 'Ed25519' },
      false,
      ['verify'],
    )
    return await crypto.subtle.verify('Ed25519', key, fromHex(RFC8032_TEST_1.signature) as Uint8Array<ArrayBuffer>, new Uint8Array())
  } catch {
    return false
  }
}

/**
 * How the page checks signatures. Where WebCrypto has Ed25519, the page calls it directly: the
 * browser runs WebCrypto on its own threads, so the check costs the main thread nothing, and a
 * hop through the crypto worker would only add two postMessage turns to every gossip message's
 * delivery. Elsewhere the pure-JS fallback (about 1 ms a check) runs in the crypto worker.
 */
export async function pageVerifier(client: WorkerClient<CryptoWorkerApi>): Promise<BatchVerifier> {
  return (await webCryptoVerifiesEd25519()) ? verifyEd25519Batch : batchingVerifier(client)
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

// Dedicated Worker: signature batches and hashing of large payloads, off the page's main thread.
import { exposeWorkerApi } from './bridge/expose'
import type { CallContext } from './bridge/protocol'
import { verifyEd25519Batch, type SignatureCheck } from './protocol/verify'
import { webCryptoSha256 } from './net/blob-store'

export const cryptoWorkerApi = {
  async verifyBatch(checks: SignatureCheck[], _context: CallContext<never>): Promise<boolean[]> {
    return verifyEd25519Batch(checks)
  },
  async sha256(bytes: Uint8Array, _context: CallContext<never>): Promise<Uint8Array> {
    return webCryptoSha256(bytes)
  },
}

export type CryptoWorkerApi = typeof cryptoWorkerApi

exposeWorkerApi(cryptoWorkerApi)

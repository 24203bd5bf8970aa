import { afterEach, describe, expect, it, vi } from 'vitest'
import { ed25519 } from '@noble/curves/ed25519.js'
import { pageVerifier, webCryptoVerifiesEd25519 } from '../../../app/mesh/crypto'
import { verifyEd25519Batch } from '../../../workers/protocol/verify'
import type { WorkerClient } from '../../../workers/bridge/connect'
import type { CryptoWorkerApi } from '../../../workers/crypto.worker'

/** A crypto-worker client that records the batches sent to it and checks them with @noble. */
function workerClient() {
  const batches: number[] = []
  const client = {
    call: async (method: string, checks: { publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array }[]) => {
      if (method !== 'verifyBatch') throw new Error(`unexpected ${method}`)
      batches.push(checks.length)
      return checks.map((c) => ed25519.verify(c.signature, c.message, c.publicKey))
    },
  }
  return { client: client as unknown as WorkerClient<CryptoWorkerApi>, batches }
}

const secret = new Uint8Array(32).fill(5)
const message = new TextEncoder().encode('gossip')
const check = { publicKey: ed25519.getPublicKey(secret), message, signature: ed25519.sign(message, secret) }
const forged = { ...check, message: new TextEncoder().encode('forged') }

afterEach(() => vi.restoreAllMocks())

describe('how the page checks signatures', () => {
  it('calls WebCrypto directly where it verifies Ed25519, without the worker', async () => {
    expect(await webCryptoVerifiesEd25519()).toBe(true)
    const { client, batches } = workerClient()
    const verify = await pageVerifier(client)
    expect(verify).toBe(verifyEd25519Batch)
    expect(await verify([check, forged])).toEqual([true, false])
    expect(batches).toEqual([])
  })

  it('sends checks to the crypto worker where WebCrypto has no Ed25519', async () => {
    vi.spyOn(crypto.subtle, 'importKey').mockRejectedValue(new DOMException('Unrecognized name', 'NotSupportedError'))
    expect(await webCryptoVerifiesEd25519()).toBe(false)
    const { client, batches } = workerClient()
    const verify = await pageVerifier(client)
    expect(await verify([check, forged])).toEqual([true, false])
    expect(batches).toEqual([2])
  })

  it('does not trust a WebCrypto whose Ed25519 refuses the known-good signature', async () => {
    vi.spyOn(crypto.subtle, 'verify').mockResolvedValue(false)
    expect(await webCryptoVerifiesEd25519()).toBe(false)
  })
})

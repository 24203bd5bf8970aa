import { afterEach, describe, expect, it } from 'vitest'
import type { Libp2p } from 'libp2p'
import { loopbackNode } from './loopback-node'
import { lpStream } from '@libp2p/utils'
import { identityFromSeed } from '../../../workers/identity/ed25519'
import { createEnvelopeSigner, sealMessage } from '../../../workers/protocol/envelope'
import type { Rejected } from '../../../workers/protocol/inbound'
import { verifyEd25519Batch } from '../../../workers/protocol/verify'
import { webCryptoSha256 } from '../../../workers/net/blob-store'
import { MeshRuntime, type MeshLimits } from '../../../workers/net/runtime'
import { TRANSFER_PROTOCOL } from '../../../workers/net/transfer'
import { silentLogger } from '../../../workers/log'
import { messageKinds } from '../../../workers/kinds'

const nodes: Libp2p[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
})

async function node(seed: number, listen: boolean) {
  const n = await loopbackNode(seed, { listen })
  nodes.push(n)
  return n
}

/** A relay-like node serving the transfer protocol under `limits`, and a client dialled to it. */
async function pair(limits: Partial<MeshLimits>) {
  const server = await node(31, true)
  const rejections: Rejected[] = []
  const runtime = new MeshRuntime(server, {
    signer: createEnvelopeSigner(identityFromSeed(new Uint8Array(32).fill(31)), messageKinds),
    verify: verifyEd25519Batch,
    sha256: webCryptoSha256,
    log: silentLogger,
    gossipKinds: [],
    onReject: (r) => rejections.push(r),
    limits,
  })
  await runtime.start()
  const client = await node(32, false)
  await client.dial(server.getMultiaddrs()[0])
  const signer = createEnvelopeSigner(identityFromSeed(new Uint8Array(32).fill(32)), messageKinds)
  /** Opens a transfer stream, asks for a blob, returns whether a manifest came back. */
  const ask = async (): Promise<boolean> => {
    const stream = await client.dialProtocol(server.peerId, TRANSFER_PROTOCOL)
    const lp = lpStream(stream)
    try {
      await lp.write(sealMessage(signer, 'transfer.request', { sha256: new Uint8Array(32), fromChunk: 0 }))
      await lp.read({ signal: AbortSignal.timeout(10_000) })
      return true
    } catch {
      return false
    } finally {
      stream.abort(new Error('done'))
    }
  }
  return { server, client, rejections, ask }
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 20))
}

describe('transfer stream limits', () => {
  it('refuses stream opens over the per-peer rate with a counted reason, after serving the burst', async () => {
    const { rejections, ask } = await pair({
      streamOpens: { perPeer: { perSecond: 0.001, burst: 3 }, perAddress: { perSecond: 1_000, burst: 1_000 } },
    })
    expect([await ask(), await ask(), await ask()]).toEqual([true, true, true])
    expect(await ask()).toBe(false)
    await until(() => rejections.some((r) => r.reason === 'rate-limited'))
    expect(rejections.find((r) => r.reason === 'rate-limited')!.detail).toMatch(/stream opens from peer .* over 0\.001\/s/)
  })

  it('caps the streams one peer holds open at once, and frees a slot when one closes', async () => {
    const { client, server, rejections, ask } = await pair({ maxConcurrentStreamsPerPeer: 2 })
    // Two streams that never send their request hold both slots.
    const idle = [await client.dialProtocol(server.peerId, TRANSFER_PROTOCOL), await client.dialProtocol(server.peerId, TRANSFER_PROTOCOL)]
    expect(await ask()).toBe(false)
    await until(() => rejections.some((r) => r.reason === 'rate-limited'))
    expect(rejections.find((r) => r.reason === 'rate-limited')!.detail).toMatch(/2 transfer streams already open/)
    idle[0].abort(new Error('give the slot back'))
    await until(() => rejections.some((r) => r.reason === 'malformed'))
    expect(await ask()).toBe(true)
    idle[1].abort(new Error('done'))
  })
})

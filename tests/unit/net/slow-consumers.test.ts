import { afterEach, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import type { Libp2p } from 'libp2p'
import type { Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { loopbackNode } from './loopback-node'
import { identityFromSeed } from '../../../workers/identity/ed25519'
import { createEnvelopeSigner } from '../../../workers/protocol/envelope'
import { verifyEd25519Batch } from '../../../workers/protocol/verify'
import { webCryptoSha256 } from '../../../workers/net/blob-store'
import { MeshRuntime } from '../../../workers/net/runtime'
import { queuedBytes, slowConsumers } from '../../../workers/net/slow-consumers'
import { silentLogger } from '../../../workers/log'
import { messageKinds } from '../../../workers/kinds'

const MiB = 2 ** 20
const SINK_PROTOCOL = '/agent-mesh-test/sink/1.0.0'

describe('slowConsumers', () => {
  const connection = (status: string, queued: number[]) => ({ status, streams: queued.map((writeBufferLength) => ({ writeBufferLength })) })

  it('names the open connections whose streams together queue more than the limit', () => {
    const fast = connection('open', [100, 200])
    const slowOverStreams = connection('open', [600, 600])
    const closing = connection('closing', [5_000])
    expect(queuedBytes(slowOverStreams)).toBe(1_200)
    expect(slowConsumers([fast, slowOverStreams, closing], 1_000)).toEqual([{ connection: slowOverStreams, queuedBytes: 1_200 }])
    expect(slowConsumers([fast, connection('open', [1_000])], 1_000)).toEqual([])
  })
})

describe('a node with a peer that stops reading', () => {
  let server: Libp2p | undefined
  let child: ChildProcess | undefined
  afterEach(async () => {
    if (child?.pid) {
      child.kill('SIGCONT')
      child.kill('SIGKILL')
    }
    await server?.stop()
    server = child = undefined
  })

  /** A MeshRuntime node that closes connections queueing over 1 MiB, and a sink peer in its own process, connected. */
  async function connectedSink() {
    server = await loopbackNode(71, { listen: true })
    const closed: number[] = []
    const runtime = new MeshRuntime(server as never, {
      signer: createEnvelopeSigner(identityFromSeed(new Uint8Array(32).fill(71)), messageKinds),
      verify: verifyEd25519Batch,
      sha256: webCryptoSha256,
      log: silentLogger,
      gossipKinds: [],
      limits: { maxQueuedBytesPerConnection: 1 * MiB },
      onSlowConsumer: (_peer, queued) => closed.push(queued),
    })
    await runtime.start()
    child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'fixtures/sink-peer.ts'), server.getMultiaddrs()[0].toString(), SINK_PROTOCOL],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    const peerIdText = await new Promise<string>((resolve, reject) => {
      child!.stdout!.once('data', (data: Buffer) => resolve(data.toString().trim()))
      child!.once('exit', (code) => reject(new Error(`sink peer exited with ${code}`)))
    })
    const peer = peerIdFromString(peerIdText)
    const stream = await server.dialProtocol(peer, SINK_PROTOCOL)
    return { peer, stream, closed }
  }

  const chunk = new Uint8Array(64 * 1024)
  const until = async (check: () => boolean, ms: number) => {
    for (const end = Date.now() + ms; !check() && Date.now() < end;) await new Promise((r) => setTimeout(r, 50))
    return check()
  }

  it('closes the connection once what it queued for the frozen peer passes the limit', async () => {
    const { peer, stream, closed } = await connectedSink()
    child!.kill('SIGSTOP')
    // Sent without waiting for 'drain', as GossipSub forwards: the frozen peer takes nothing.
    for (let sent = 0; sent < 16 * MiB && stream.status === 'open'; sent += chunk.length) stream.send(chunk)
    expect(await until(() => server!.getConnections(peer).length === 0, 10_000)).toBe(true)
    expect(closed).toHaveLength(1)
    expect(closed[0]).toBeGreaterThan(1 * MiB)
  }, 30_000)

  it('keeps the connection of a peer that reads, however much is sent', async () => {
    const { peer, stream, closed } = await connectedSink()
    const send = async (s: Stream) => {
      for (let sent = 0; sent < 16 * MiB; sent += chunk.length)
        if (!s.send(chunk)) await new Promise((r) => s.addEventListener('drain', r, { once: true }))
    }
    await send(stream)
    // Two checks of the guard later, the link is still there.
    await new Promise((r) => setTimeout(r, 2_500))
    expect(closed).toEqual([])
    expect(server!.getConnections(peer).filter((c) => c.status === 'open')).toHaveLength(1)
  }, 30_000)
})

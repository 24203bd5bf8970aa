import { afterEach, describe, expect, it } from 'vitest'
import { createLibp2p, type Libp2p } from 'libp2p'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@chainsafe/libp2p-noise'
import { identify } from '@libp2p/identify'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { lpStream } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'
import { meshYamux } from '../../../workers/net/yamux-config'
import { browserConnectionManager } from '../../../workers/net/connection-config'

// Many pages dialling one page at once through the relay (16 fetching the model it holds):
// every relayed connection reaches the page from the relay's address, which libp2p's default
// inbound limits (5 per second per address, 10 upgrading at once) treat as one host. Real
// circuit relay v2 on loopback, the relay configured as relay/node.ts configures it.
const FETCHERS = 16
const PROTOCOL = '/agent-mesh-test/relayed-inbound/1.0.0'
const BYTES = 256 * 1024

const nodes: Libp2p[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
})

async function started(seed: number, options: Parameters<typeof createLibp2p>[0]): Promise<Libp2p> {
  const node = await createLibp2p({
    privateKey: await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(seed)),
    connectionEncrypters: [noise()],
    streamMuxers: [meshYamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    ...options,
  })
  nodes.push(node)
  return node
}

/** A page-like node: reachable only through the relay's circuit. */
function page(seed: number, connectionManager: object | undefined) {
  return started(seed, {
    addresses: { listen: ['/p2p-circuit'] },
    transports: [webSockets(), circuitRelayTransport()],
    connectionManager,
    services: { identify: identify() },
  })
}

/** FETCHERS pages dial one page through the relay at once, each reading BYTES from it; how many get them. */
async function fetchAtOnce(connectionManager: object | undefined): Promise<{ ok: number; errors: string[] }> {
  const relay = await started(1, {
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
    transports: [webSockets()],
    connectionManager: { maxConnections: 2048, inboundConnectionThreshold: 100, maxIncomingPendingConnections: 256 },
    services: {
      identify: identify(),
      relay: circuitRelayServer({
        reservations: { maxReservations: 1024, applyDefaultLimit: false },
        maxInboundHopStreams: 256,
        maxOutboundStopStreams: 256,
      }),
    },
  })
  const seed = await page(2, connectionManager)
  await seed.dial(relay.getMultiaddrs()[0])
  const circuit = await new Promise<Multiaddr>((resolve) => {
    const found = () => seed.getMultiaddrs().find((a) => a.toString().includes('/p2p-circuit'))
    const poll = setInterval(() => {
      const address = found()
      if (address) {
        clearInterval(poll)
        resolve(address)
      }
    }, 50)
  })
  const payload = new Uint8Array(BYTES).fill(7)
  await seed.handle(
    PROTOCOL,
    async (stream) => {
      const lp = lpStream(stream)
      await lp.read()
      await lp.write(payload)
      await stream.close()
    },
    { runOnLimitedConnection: true, maxInboundStreams: FETCHERS * 2 },
  )
  const fetchers = await Promise.all(Array.from({ length: FETCHERS }, (_, i) => page(10 + i, connectionManager)))
  await Promise.all(fetchers.map((f) => f.dial(relay.getMultiaddrs()[0])))
  const results = await Promise.allSettled(
    fetchers.map(async (f) => {
      const signal = AbortSignal.timeout(20_000)
      const connection = await f.dial(circuit, { signal })
      const stream = await connection.newStream(PROTOCOL, { runOnLimitedConnection: true, signal })
      const lp = lpStream(stream, { maxDataLength: 2 * BYTES })
      await lp.write(new Uint8Array([1]), { signal })
      const got = await lp.read({ signal })
      if (got.byteLength !== BYTES) throw new Error(`got ${got.byteLength} bytes`)
    }),
  )
  return {
    ok: results.filter((r) => r.status === 'fulfilled').length,
    errors: results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message)] : [])),
  }
}

describe('a page that many pages dial at once through the relay', () => {
  it("negative control: with libp2p's default inbound limits it refuses most of them", async () => {
    const { ok, errors } = await fetchAtOnce(undefined)
    expect(ok).toBeLessThan(FETCHERS)
    expect(errors.length).toBe(FETCHERS - ok)
  }, 60_000)

  it("with the browsers' connection manager every one of them connects and gets its bytes", async () => {
    const { ok, errors } = await fetchAtOnce(browserConnectionManager)
    expect(errors).toEqual([])
    expect(ok).toBe(FETCHERS)
  }, 60_000)
})

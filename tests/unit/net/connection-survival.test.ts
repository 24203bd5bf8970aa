import { afterEach, describe, expect, it } from 'vitest'
import { createLibp2p, type Libp2pOptions } from 'libp2p'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@chainsafe/libp2p-noise'
import { meshYamux } from '../../../workers/net/yamux-config'
import { ping } from '@libp2p/ping'
import type { Libp2p } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'
import { byteStream } from '@libp2p/utils'
import {
  browserConnectionMonitor,
  meshPing,
  monitorPingsInFlight,
  PING_STREAM_LIMITS,
  pingStreamLimits,
  relayConnectionMonitor,
} from '../../../workers/net/connection-config'

// Two Node peers on loopback with a fast connection monitor, a long-lived stream in use, and
// an application pinger running back to back, as the page's pinger and a benchmark's baseline
// do: the connection must outlive all of it.
const HOLD_PROTOCOL = '/test/hold/1.0.0'
const PING_PROTOCOL = '/ipfs/ping/1.0.0'
const nodes: Libp2p[] = []

async function pair(
  services: () => { ping: ReturnType<typeof ping> },
  monitor: Libp2pOptions['connectionMonitor'],
  serve: (server: Libp2p) => Promise<void> = async () => {},
) {
  const make = (listen: string[]) =>
    createLibp2p({
      addresses: { listen },
      transports: [webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [meshYamux()],
      connectionGater: { denyDialMultiaddr: () => false },
      connectionMonitor: { pingInterval: 100, ...monitor },
      services: services(),
    })
  const server = (await make(['/ip4/127.0.0.1/tcp/0/ws'])) as unknown as Libp2p<{ ping: Ping }>
  const client = (await make([])) as unknown as Libp2p<{ ping: Ping }>
  nodes.push(server, client)
  await server.handle(HOLD_PROTOCOL, () => {})
  await serve(server)
  const connection = await client.dial(server.getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) })
  const held = await connection.newStream(HOLD_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
  return { client, connection, held }
}

/** Pings back to back for `ms` or until the connection dies; returns the ping errors seen. */
async function pingFor(client: Libp2p<{ ping: Ping }>, connection: Awaited<ReturnType<typeof pair>>['connection'], ms: number) {
  const errors: string[] = []
  const until = Date.now() + ms
  while (Date.now() < until && connection.status === 'open') {
    // Bounded: a ping whose stream the dying connection never answers would otherwise hold the loop past `ms`.
    await client.services.ping
      .ping(connection.remoteAddr, { signal: AbortSignal.timeout(2_000) })
      .catch((err: Error) => errors.push(err.name))
  }
  return errors
}

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
})

describe('connections under periodic protocols', () => {
  it("libp2p's defaults abort a connection in use when the monitor's ping meets another ping", async () => {
    const { client, connection, held } = await pair(() => ({ ping: ping() }), {})
    await pingFor(client, connection, 5_000)
    expect(connection.status).not.toBe('open')
    expect(held.status).not.toBe('open')
  })

  it('the mesh settings keep the connection and the stream in use while every ping succeeds', async () => {
    const { client, connection, held } = await pair(() => ({ ping: meshPing() }), browserConnectionMonitor)
    const errors = await pingFor(client, connection, 2_000)
    expect(errors).toEqual([])
    expect(connection.status).toBe('open')
    expect(held.status).toBe('open')
  })

  // The relay's monitor at a fiftieth of its timing, against a peer that answers every ping
  // only after 4.5 intervals (a page stalled by a long task): the monitor stacks up five pings,
  // none of them late by its own timeout (6 intervals at least), so the connection must survive.
  const SCALE = 50
  const relayMonitorScaled = {
    ...relayConnectionMonitor,
    pingInterval: relayConnectionMonitor.pingInterval / SCALE,
    pingTimeout: {
      minTimeout: relayConnectionMonitor.pingTimeout.minTimeout / SCALE,
      maxTimeout: relayConnectionMonitor.pingTimeout.maxTimeout / SCALE,
    },
  }
  const slowPingAnswers = (limits: { maxInboundStreams: number }) => async (server: Libp2p) => {
    await server.unhandle(PING_PROTOCOL)
    await server.handle(
      PING_PROTOCOL,
      async (stream) => {
        const bytes = byteStream(stream)
        const payload = await bytes.read({ bytes: 32 })
        await new Promise((resolve) => setTimeout(resolve, 4.5 * relayMonitorScaled.pingInterval))
        await bytes.write(payload)
        await stream.close()
      },
      limits,
    )
  }
  const watch = () => new Promise((resolve) => setTimeout(resolve, 12 * relayMonitorScaled.pingInterval))

  it("the earlier fixed limit of 4 pings per connection made the relay's monitor abort a slow peer before its own timeout", async () => {
    const earlier = { maxOutboundStreams: 4, maxInboundStreams: 8 }
    const { connection, held } = await pair(() => ({ ping: ping(earlier) }), relayMonitorScaled, slowPingAnswers(earlier))
    await watch()
    expect(connection.status).not.toBe('open')
    expect(held.status).not.toBe('open')
  })

  it("the mesh's ping limits hold every ping the relay's monitor can have in flight, so a slow peer keeps its connection", async () => {
    expect(pingStreamLimits(relayMonitorScaled)).toEqual(pingStreamLimits(relayConnectionMonitor))
    expect(PING_STREAM_LIMITS.maxOutboundStreams).toBeGreaterThan(monitorPingsInFlight(relayConnectionMonitor))
    const { connection, held } = await pair(() => ({ ping: meshPing() }), relayMonitorScaled, slowPingAnswers(PING_STREAM_LIMITS))
    await watch()
    expect(connection.status).toBe('open')
    expect(held.status).toBe('open')
  })
})

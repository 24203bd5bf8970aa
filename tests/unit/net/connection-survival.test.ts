import { afterEach, describe, expect, it } from 'vitest'
import { createLibp2p, type Libp2pOptions } from 'libp2p'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@chainsafe/libp2p-noise'
import { meshYamux } from '../../../workers/net/yamux-config'
import { ping } from '@libp2p/ping'
import type { Libp2p } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'
import { browserConnectionMonitor, meshPing } from '../../../workers/net/connection-config'

// Two Node peers on loopback with a fast connection monitor, a long-lived stream in use, and
// an application pinger running back to back, as the page's pinger and a benchmark's baseline
// do: the connection must outlive all of it.
const HOLD_PROTOCOL = '/test/hold/1.0.0'
const nodes: Libp2p[] = []

async function pair(services: () => { ping: ReturnType<typeof ping> }, monitor: Libp2pOptions['connectionMonitor']) {
  const make = (listen: string[]) =>
    createLibp2p({
      addresses: { listen },
      transports: [webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [meshYamux()],
      connectionGater: { denyDialMultiaddr: () => false },
      connectionMonitor: { ...monitor, pingInterval: 100 },
      services: services(),
    })
  const server = (await make(['/ip4/127.0.0.1/tcp/0/ws'])) as unknown as Libp2p<{ ping: Ping }>
  const client = (await make([])) as unknown as Libp2p<{ ping: Ping }>
  nodes.push(server, client)
  await server.handle(HOLD_PROTOCOL, () => {})
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
})

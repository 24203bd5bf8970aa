import { afterEach, describe, expect, it } from 'vitest'
import type { Libp2p } from 'libp2p'
import { loopbackNode, type LoopbackNodeOptions } from './loopback-node'
import { multiaddr } from '@multiformats/multiaddr'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { browserConnectionManager, WEBRTC_DIAL_TIMEOUT_MS, webrtcDialTimeoutMs } from '../../../workers/net/connection-config'

// A slow WebRTC dial (16 pages on two cores: signalling through a loaded relay, ICE) must not be
// cut short by libp2p's own per-dial and per-address caps (10 s and 6 s by default), whatever
// timeout the caller passes. The same caps apply to every transport, so a WebSocket dial
// through a proxy that holds each connection for DELAY_MS stands in for the slow link here.
const DELAY_MS = 7_000

const nodes: Libp2p[] = []
const servers: Server[] = []
const sockets = new Set<Socket>()
afterEach(async () => {
  for (const s of sockets) s.destroy()
  sockets.clear()
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))))
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
})

async function node(seed: number, listen: boolean, connectionManager?: LoopbackNodeOptions['connectionManager']) {
  const n = await loopbackNode(seed, { listen, connectionManager })
  nodes.push(n)
  return n
}

/** A TCP proxy to `port` that connects through only after DELAY_MS; returns its own port. */
async function slowProxy(port: number): Promise<number> {
  const server = createServer((inbound) => {
    sockets.add(inbound)
    inbound.pause()
    setTimeout(() => {
      const outbound = connect(port, '127.0.0.1')
      sockets.add(outbound)
      inbound.pipe(outbound).pipe(inbound)
      inbound.resume()
      inbound.on('error', () => outbound.destroy())
      outbound.on('error', () => inbound.destroy())
    }, DELAY_MS)
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as { port: number }).port
}

async function dialThroughSlowProxy(connectionManager?: object): Promise<{ ok: boolean; ms: number; error?: string }> {
  const target = await node(41, true)
  const port = Number(target.getMultiaddrs()[0].toString().split('/tcp/')[1].split('/')[0])
  const proxied = multiaddr(`/ip4/127.0.0.1/tcp/${await slowProxy(port)}/ws/p2p/${target.peerId.toString()}`)
  const dialer = await node(42, false, connectionManager)
  const started = Date.now()
  try {
    await dialer.dial(proxied, { signal: AbortSignal.timeout(30_000) })
    return { ok: true, ms: Date.now() - started }
  } catch (error) {
    return { ok: false, ms: Date.now() - started, error: (error as Error).message }
  }
}

describe("a browser's dials are not cut short by libp2p's own caps", () => {
  it('negative control: with libp2p defaults a dial slower than 6 s fails, whatever the caller allows', async () => {
    const result = await dialThroughSlowProxy()
    expect(result.ok).toBe(false)
    expect(result.ms).toBeLessThan(DELAY_MS)
  }, 60_000)

  it("with the browsers' connection manager the same dial completes", async () => {
    const result = await dialThroughSlowProxy(browserConnectionManager)
    expect(result, result.error).toMatchObject({ ok: true })
    expect(result.ms).toBeGreaterThanOrEqual(DELAY_MS)
  }, 60_000)
})

describe('how long each attempt of a WebRTC dial may take', () => {
  it('grows from 10 s to the 30 s the connection manager allows, and never beyond', () => {
    expect([0, 1, 2, 3, 4].map(webrtcDialTimeoutMs)).toEqual([10_000, 20_000, 30_000, 30_000, 30_000])
    for (let attempt = 0; attempt < 10; attempt++) {
      expect(webrtcDialTimeoutMs(attempt)).toBeLessThanOrEqual(browserConnectionManager.addressDialTimeout)
      expect(webrtcDialTimeoutMs(attempt)).toBeLessThanOrEqual(WEBRTC_DIAL_TIMEOUT_MS)
    }
  })
})

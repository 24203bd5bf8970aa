import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from 'node:net'
import { createLibp2p, type Libp2p } from 'libp2p'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { relayWebSockets } from '../../../relay/ws-handshake'

const TIMEOUT_MS = 400

/** Resolves with what the server sent once it closes the connection (the test times out if it never does). */
function idleTcp(port: number, send: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let got = ''
    socket.on('data', (d) => (got += d.toString('latin1')))
    socket.on('error', () => {})
    socket.on('close', () => resolve(got))
    if (send) socket.write(send)
  })
}

describe('relay WebSockets: connections that never finish their handshakes are closed', () => {
  let node: Libp2p
  let port: number

  beforeAll(async () => {
    node = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
      transports: [relayWebSockets(TIMEOUT_MS)],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionManager: { inboundUpgradeTimeout: TIMEOUT_MS },
    })
    port = Number(/\/tcp\/(\d+)\//.exec(node.getMultiaddrs()[0].toString())![1])
  })
  afterAll(async () => {
    await node?.stop()
  })

  it('closes a TCP connection that sends nothing', async () => {
    // Without the guard the transport waits for a first byte forever and this never resolves.
    expect(await idleTcp(port, '')).toBe('')
  })

  it('closes a connection whose HTTP upgrade request never finishes', async () => {
    // Resolving at all is the assertion: the server closed the half-sent upgrade. It never answers one.
    expect(await idleTcp(port, 'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n')).toBe('')
  })

  it('closes a WebSocket that opens but never starts the libp2p handshake', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`)
    const closed = new Promise<number>((resolve) => ws.addEventListener('close', (e) => resolve(e.code)))
    await new Promise((resolve, reject) => {
      ws.addEventListener('open', resolve)
      ws.addEventListener('error', reject)
    })
    await closed
    expect(node.getConnections()).toHaveLength(0)
  })
})

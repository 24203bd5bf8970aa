import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from 'node:net'
import { createLibp2p, type Libp2p } from 'libp2p'
import { noise } from '@chainsafe/libp2p-noise'
import { meshYamux } from '../../../workers/net/yamux-config'
import { webSockets } from '@libp2p/websockets'
import { MAX_WEBSOCKET_MESSAGE_BYTES, relayWebSockets } from '../../../relay/ws-handshake'

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

/** Opens a WebSocket by hand, sends `frame` raw after the 101, resolves once the server closes the TCP connection. */
function rawWebSocket(port: number, frame: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let upgraded = false
    socket.on('data', (d) => {
      if (!upgraded && d.toString('latin1').startsWith('HTTP/1.1 101')) {
        upgraded = true
        socket.write(frame)
      }
    })
    socket.on('error', () => {})
    socket.on('close', () => resolve())
    socket.write(
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    )
  })
}

describe('relay WebSockets: hostile or stalled connections are closed, and the relay lives', () => {
  let node: Libp2p
  let port: number

  beforeAll(async () => {
    node = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
      transports: [relayWebSockets(TIMEOUT_MS)],
      connectionEncrypters: [noise()],
      streamMuxers: [meshYamux()],
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

  it('closes a WebSocket that sends one message larger than a Noise frame could be, instead of buffering it', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`)
    const closed = new Promise<number>((resolve) => ws.addEventListener('close', (e) => resolve(e.code)))
    await new Promise((resolve) => ws.addEventListener('open', resolve))
    ws.send(new Uint8Array(MAX_WEBSOCKET_MESSAGE_BYTES + 1))
    // 1009: message too big (ws's default limit is 100 MiB, buffered before libp2p sees a byte).
    expect(await closed).toBe(1009)
  })

  it('survives frames ws refuses (unmasked, unknown opcode, oversized control frame): each closes its connection, the process lives', async () => {
    const uncaught: unknown[] = []
    const onUncaught = (err: unknown) => uncaught.push(err)
    process.on('uncaughtException', onUncaught)
    try {
      const frames = {
        unmasked: [0x82, 0x01, 0x00],
        unknownOpcode: [0x83, 0x80, 1, 2, 3, 4],
        oversizedPing: [0x89, 0xfe, 0x00, 0x80, 1, 2, 3, 4, ...new Array(128).fill(0)],
        reservedBits: [0xc2, 0x80, 1, 2, 3, 4],
      }
      for (const frame of Object.values(frames)) await rawWebSocket(port, Uint8Array.from(frame))
      await new Promise((r) => setTimeout(r, 50))
      expect(uncaught).toEqual([])
    } finally {
      process.off('uncaughtException', onUncaught)
    }
  })

  it('still carries a 1 MiB stream write from a libp2p peer (split into Noise frames below the limit)', async () => {
    const relay = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
      transports: [relayWebSockets(30_000)],
      connectionEncrypters: [noise()],
      streamMuxers: [meshYamux()],
    })
    const peer = await createLibp2p({
      transports: [webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [meshYamux()],
      connectionGater: { denyDialMultiaddr: () => false },
    })
    try {
      const received = new Promise<number>((resolve) =>
        relay.handle('/test/size/1', async (stream) => {
          let bytes = 0
          for await (const chunk of stream) bytes += chunk.byteLength
          resolve(bytes)
        }),
      )
      const stream = await peer.dialProtocol(relay.getMultiaddrs()[0], '/test/size/1')
      if (!stream.send(new Uint8Array(1 << 20).fill(7))) await stream.onDrain()
      await stream.close()
      expect(await received).toBe(1 << 20)
    } finally {
      await Promise.all([peer.stop(), relay.stop()])
    }
  })
})

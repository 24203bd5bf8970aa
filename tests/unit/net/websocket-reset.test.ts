import { afterEach, describe, expect, it } from 'vitest'
import { createLibp2p } from 'libp2p'
import { noise } from '@chainsafe/libp2p-noise'
import { meshYamux } from '../../../workers/net/yamux-config'
import type { Connection, Libp2p } from '@libp2p/interface'
import { isSendableCloseCode, meshWebSockets, RESET_CLOSE_CODE, resetClosesSocket } from '../../../workers/net/websocket-reset'
import { relayWebSockets } from '../../../relay/ws-handshake'
import { PING_ANSWER_TIMEOUT_MS, relayConnectionMonitor } from '../../../workers/net/connection-config'

describe('close codes a WebSocket endpoint may send', () => {
  it('refuses the reserved codes libp2p resets with, accepts the rest of 1000–1014 and 3000–4999', () => {
    expect([1004, 1005, 1006, 999, 1015, 2999, 5000].filter(isSendableCloseCode)).toEqual([])
    expect([1000, 1001, 1009, 1014, 3000, RESET_CLOSE_CODE, 4999].every(isSendableCloseCode)).toBe(true)
  })
})

describe('resetClosesSocket: a reset drops the socket instead of throwing', () => {
  function fakeSocket(withTerminate: boolean) {
    const calls: string[] = []
    const socket = {
      close: (code?: number, reason?: string) => {
        if (code !== undefined && !isSendableCloseCode(code)) throw new TypeError('First argument must be a valid error code number')
        calls.push(`close ${code ?? ''} ${reason ?? ''}`.trim())
      },
      ...(withTerminate ? { terminate: () => void calls.push('terminate') } : {}),
    }
    return { socket: resetClosesSocket(socket), calls }
  }

  it('terminates a server-side socket (ws) on code 1006', () => {
    const { socket, calls } = fakeSocket(true)
    socket.close(1006)
    expect(calls).toEqual(['terminate'])
  })

  it("sends an application-range close frame from a socket that cannot terminate (a page's WebSocket)", () => {
    const { socket, calls } = fakeSocket(false)
    socket.close(1006)
    expect(calls).toEqual([`close ${RESET_CLOSE_CODE} reset`])
  })

  it('leaves ordinary closes alone', () => {
    const { socket, calls } = fakeSocket(true)
    socket.close()
    socket.close(1000, 'bye')
    expect(calls).toEqual(['close', 'close 1000 bye'])
  })
})

/**
 * The relay's listener and a dialling peer (as the page's node dials it) on loopback. Before the
 * fix, the side that aborted forgot the connection and the other kept it open for good: these
 * tests then time out waiting for the close.
 */
describe('an aborted WebSocket connection closes on the other side too', () => {
  const nodes: Libp2p[] = []
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()))
  })

  async function relayAndPeer(): Promise<{ atRelay: Connection; atPeer: Connection }> {
    const relay = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
      transports: [relayWebSockets(30_000)],
      connectionEncrypters: [noise()],
      streamMuxers: [meshYamux()],
    })
    const peer = await createLibp2p({
      transports: [meshWebSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [meshYamux()],
      connectionGater: { denyDialMultiaddr: () => false },
    })
    nodes.push(relay, peer)
    const opened = new Promise<Connection>((resolve) => relay.addEventListener('connection:open', (e) => resolve(e.detail), { once: true }))
    const atPeer = await peer.dial(relay.getMultiaddrs()[0])
    return { atRelay: await opened, atPeer }
  }

  /** Resolves with the connection's status once it has ended ('closed', or 'reset' when the other side dropped it). */
  const ended = (connection: Connection) =>
    new Promise<string>((resolve) => {
      if (connection.status !== 'open') resolve(connection.status)
      else connection.addEventListener('close', () => resolve(connection.status), { once: true })
    })

  it('the relay aborts (a peer whose pings it timed out): the peer sees its connection close and can redial', async () => {
    const { atRelay, atPeer } = await relayAndPeer()
    atRelay.abort(new Error('test: ping timed out'))
    // An abnormal closure: the peer learns that the relay dropped it, so it no longer looks connected.
    expect(await ended(atPeer)).toBe('reset')
    expect(nodes[1].getConnections()).toHaveLength(0)
  })

  it('the peer aborts: the relay sees the connection close and frees it', async () => {
    const { atRelay, atPeer } = await relayAndPeer()
    atPeer.abort(new Error('test: peer aborted'))
    expect(await ended(atRelay)).toBe('closed')
    expect(nodes[0].getConnections()).toHaveLength(0)
  })
})

describe('ping timeouts that agree', () => {
  it("a node answers an inbound ping for at least as long as the relay's connection monitor waits for it", () => {
    // A page that reset the relay's ping after libp2p's 10 s made the relay abort the whole
    // connection, whatever the relay's own timeout.
    expect(PING_ANSWER_TIMEOUT_MS).toBeGreaterThanOrEqual(relayConnectionMonitor.pingTimeout.maxTimeout)
  })
})

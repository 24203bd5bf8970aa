import type { Server as NetServer, Socket } from 'node:net'
import type { Server as HttpServer } from 'node:http'
import { webSockets } from '@libp2p/websockets'

type WebSocketsInit = Parameters<typeof webSockets>[0]

/**
 * libp2p's WebSockets transport for the relay, with every stage of an inbound connection
 * under a deadline. libp2p's `inboundUpgradeTimeout` covers Noise and Yamux once the
 * WebSocket is open; before that, the transport waits for a first byte and then for the HTTP
 * upgrade with no deadline at all, so a client that opens TCP connections and sends nothing
 * would hold each one forever. Here a socket that has not become a WebSocket within
 * `handshakeTimeoutMs` is destroyed; plain HTTP on this port gets the same deadlines.
 */
export function relayWebSockets(handshakeTimeoutMs: number, init: WebSocketsInit = {}) {
  const factory = webSockets({
    ...init,
    http: {
      headersTimeout: handshakeTimeoutMs,
      requestTimeout: handshakeTimeoutMs,
      keepAliveTimeout: handshakeTimeoutMs,
      maxHeaderSize: 8 * 1024,
      ...init?.http,
    },
  })
  return (components: Parameters<typeof factory>[0]) => {
    const transport = factory(components)
    const createListener = transport.createListener.bind(transport)
    transport.createListener = (options) => {
      const listener = createListener(options)
      guardHandshakes(listener as unknown as GuardedListener, handshakeTimeoutMs)
      return listener
    }
    return transport
  }
}

/** The two servers inside @libp2p/websockets' listener (10.x): raw TCP first, HTTP after the first byte. */
interface GuardedListener {
  readonly server: NetServer
  readonly http?: HttpServer
  readonly https?: HttpServer
  addEventListener(type: 'listening', listener: () => void): void
}

function guardHandshakes(listener: GuardedListener, timeoutMs: number): void {
  if (!listener.server || typeof listener.server.on !== 'function')
    throw new Error('the WebSockets listener has no TCP server to guard; @libp2p/websockets changed, see relay/ws-handshake.ts')
  const deadlines = new WeakMap<Socket, ReturnType<typeof setTimeout>>()
  listener.server.on('connection', (socket: Socket) => {
    const deadline = setTimeout(() => socket.destroy(), timeoutMs)
    deadline.unref()
    deadlines.set(socket, deadline)
    socket.once('close', () => clearTimeout(deadline))
  })
  // Once the HTTP upgrade arrives the WebSocket opens and libp2p's own upgrade timeout takes over.
  const opened = (_req: unknown, socket: Socket) => clearTimeout(deadlines.get(socket))
  listener.addEventListener('listening', () => {
    listener.http?.prependListener('upgrade', opened)
    listener.https?.prependListener('upgrade', opened)
  })
}

import type { Server as NetServer, Socket } from 'node:net'
import type { Server as HttpServer } from 'node:http'
import { webSockets } from '@libp2p/websockets'
import { resetClosesSocket, type ClosableWebSocket } from '../workers/net/websocket-reset'

type WebSocketsInit = Parameters<typeof webSockets>[0]

/**
 * libp2p's WebSockets transport for the relay, with every stage of an inbound connection
 * under a deadline and WebSocket messages bounded (see `hardenMessages`). libp2p's
 * `inboundUpgradeTimeout` covers Noise and Yamux once the
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
      hardenMessages(listener as unknown as GuardedListener, components.logger.forComponent('agent-mesh:relay:websockets'))
      return listener
    }
    return transport
  }
}

interface ErrorEmitter extends ClosableWebSocket {
  on(event: 'error', listener: (err: Error) => void): void
}

/** The servers inside @libp2p/websockets' listener (10.x): raw TCP first, HTTP after the first byte, then ws. */
interface GuardedListener {
  readonly server: NetServer
  readonly wsServer?: {
    readonly options?: { allowSynchronousEvents?: boolean; maxPayload?: number }
    handleUpgrade: (req: unknown, socket: unknown, head: unknown, done: (ws: ErrorEmitter, req: unknown) => void) => void
  }
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

/**
 * Libp2p never sends a WebSocket message larger than one Noise frame (65,535 bytes), but ws
 * buffers up to 100 MiB of one message before anyone sees it: a peer could make the relay hold
 * that much per connection. A larger message now closes the connection (1009).
 */
export const MAX_WEBSOCKET_MESSAGE_BYTES = 128 * 1024

/**
 * Also, ws hands every complete message in a socket read (up to 64 KiB: hundreds of tiny
 * gossip frames from a flooding peer) to libp2p in one synchronous loop, and each costs Noise,
 * Yamux (which writes a window update back per frame) and GossipSub work: measured at 1.2 s
 * for one read under load, and 5–9 s of event-loop stall in the flood bench, during which
 * /healthz and every other peer waited. With synchronous events off, ws hands over one
 * message per turn of the event loop (about a fifth more relay CPU per message in the same bench).
 */
function hardenMessages(listener: GuardedListener, log: (formatter: string, ...args: unknown[]) => void): void {
  const server = listener.wsServer
  const options = server?.options
  if (!server || !options || options.allowSynchronousEvents === undefined || options.maxPayload === undefined || !server.handleUpgrade)
    throw new Error('the WebSockets listener has no ws server options; @libp2p/websockets changed, see relay/ws-handshake.ts')
  options.allowSynchronousEvents = false
  options.maxPayload = MAX_WEBSOCKET_MESSAGE_BYTES
  // ws reports a frame it refuses (unmasked, unknown opcode, reserved bits, over maxPayload) as
  // an 'error' event on the server-side socket, then closes it. @libp2p/websockets listens for
  // none, so one such frame threw out of the event loop and ended the relay.
  const handleUpgrade = server.handleUpgrade.bind(server)
  server.handleUpgrade = (req, socket, head, done) =>
    handleUpgrade(req, socket, head, (ws, request) => {
      ws.on('error', (err) => log('refused a WebSocket frame: %s', err.message))
      // A connection the relay aborts (a peer that stopped answering pings) must drop its socket,
      // or the browser keeps writing into a connection the relay has forgotten.
      done(resetClosesSocket(ws), request)
    })
}

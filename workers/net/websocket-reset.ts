import { webSockets } from '@libp2p/websockets'

/**
 * A WebSocket as libp2p's WebSockets connection uses it: the browser's (and Node's global)
 * `WebSocket`, or the `ws` package's server-side socket, which can also drop the TCP
 * connection at once (`terminate`).
 */
export interface ClosableWebSocket {
  close(code?: number, reason?: string): void
  terminate?(): void
}

/**
 * Close codes an endpoint may put in a close frame (RFC 6455 §7.4.1–7.4.2): 1000–1014 except
 * the reserved 1004, 1005 and 1006, and 3000–4999. Browsers accept only 1000 and 3000–4999
 * from a page, so the reset below uses a code from that range.
 */
export function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999)
}

/** What a reset sends when the socket cannot be dropped at once (a page's WebSocket): an application-range code. */
export const RESET_CLOSE_CODE = 4000

/**
 * libp2p's WebSockets connection (@libp2p/websockets 10.1) aborts by calling
 * `websocket.close(1006)`. 1006 is reserved and may not be sent: `ws` throws a TypeError and a
 * browser an InvalidAccessError, libp2p logs and swallows it, and the socket stays open. The
 * side that aborted forgets the connection; the other side keeps it open for good, with no
 * reason to redial. Measured with 8 browsers: the relay aborted browsers whose pings it timed
 * out, and every page went on saying "connected" on a WebSocket the relay no longer read, so
 * the relay never heard their round presence again (`mesh_peers_connected` 3 of 8).
 *
 * This makes an unsendable code drop the connection for real: `terminate()` (the remote sees
 * an abnormal closure, as a reset means), or a close frame with {@link RESET_CLOSE_CODE} where
 * there is no terminate.
 */
export function resetClosesSocket<W extends ClosableWebSocket>(socket: W): W {
  const close = socket.close.bind(socket)
  socket.close = (code?: number, reason?: string) => {
    if (code === undefined || isSendableCloseCode(code)) return close(code, reason)
    if (typeof socket.terminate === 'function') return socket.terminate()
    return close(RESET_CLOSE_CODE, 'reset')
  }
  return socket
}

type WebSocketsInit = Parameters<typeof webSockets>[0]

/** What @libp2p/websockets' transport (10.x) opens its outbound sockets with; patched below. */
interface DialingTransport {
  _connect?: (...args: unknown[]) => Promise<ClosableWebSocket>
}

/**
 * libp2p's WebSockets transport for dialling (browsers, Node peers), whose aborted connections
 * close their socket (see {@link resetClosesSocket}); the relay's listener gets the same fix in
 * relay/ws-handshake.ts.
 */
export function meshWebSockets(init: WebSocketsInit = {}) {
  const factory = webSockets(init)
  return (components: Parameters<typeof factory>[0]) => {
    const transport = factory(components)
    const dialing = transport as unknown as DialingTransport
    const connect = dialing._connect
    if (typeof connect !== 'function')
      throw new Error('the WebSockets transport has no _connect to patch; @libp2p/websockets changed, see workers/net/websocket-reset.ts')
    dialing._connect = async (...args: unknown[]) => resetClosesSocket(await connect.apply(transport, args))
    return transport
  }
}

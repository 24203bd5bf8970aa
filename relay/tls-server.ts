import { createServer as createTlsServer } from 'node:https'
import type { RequestListener, Server } from 'node:http'

/**
 * The same relay HTTP service over TLS: an HTTPS server with the plain server's request
 * handlers and timeouts, so the routes, limits and static files stay defined in one place
 * (http.ts) whichever way the relay is reached.
 */
export function overTls(plain: Server, tls: { readonly cert: string; readonly key: string }): Server {
  const server = createTlsServer({ cert: tls.cert, key: tls.key })
  for (const listener of plain.listeners('request')) server.on('request', listener as RequestListener)
  server.requestTimeout = plain.requestTimeout
  server.headersTimeout = plain.headersTimeout
  server.keepAliveTimeout = plain.keepAliveTimeout
  server.timeout = plain.timeout
  server.maxHeadersCount = plain.maxHeadersCount
  return server as unknown as Server
}

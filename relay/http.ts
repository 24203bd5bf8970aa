import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { existsSync } from 'node:fs'
import sirv from 'sirv'
import type { Registry } from 'prom-client'

export interface BootstrapInfo {
  readonly relayPeerId: string
  readonly relayMultiaddrs: string[]
  readonly iceServers: string[]
  readonly version: string
  /** The relay CA's certificate (DER, base64): the trust anchor for every credential. */
  readonly caCertificate?: string
  /** The relay's own credential (DER, base64), so nodes accept what it signs. */
  readonly relayCredential?: string
  /** How often nodes whose person opted in should POST a metrics summary to /api/node-report. */
  readonly nodeReportIntervalMs?: number
}

export interface HttpDeps {
  readonly dist: string
  readonly registry: Registry
  /** The relay's addresses as seen by a client that reached us at `hostname`. */
  readonly bootstrap: (hostname: string) => BootstrapInfo
  readonly health: () => Record<string, unknown>
  /** Further API paths (e.g. the security layer's credential desk), matched exactly. */
  readonly routes?: Readonly<Record<string, (req: IncomingMessage, res: ServerResponse) => void>>
}

/** Serves the built PWA and the relay's small JSON API on one port. */
export function createHttpServer(deps: HttpDeps): Server {
  const hasDist = existsSync(deps.dist)
  const serveStatic = hasDist
    ? sirv(deps.dist, {
        single: true,
        etag: true,
        setHeaders(res, pathname) {
          // The service worker and the shell must revalidate so updates reach people; hashed assets never change.
          if (pathname.startsWith('/assets/')) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable')
          else res.setHeader('Cache-Control', 'no-cache')
        },
      })
    : undefined

  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://relay')
    try {
      if (url.pathname === '/api/bootstrap') return json(res, 200, deps.bootstrap(hostnameOf(req)))
      const route = deps.routes && Object.hasOwn(deps.routes, url.pathname) ? deps.routes[url.pathname] : undefined
      if (route) return route(req, res)
      if (url.pathname === '/healthz') return json(res, 200, { ok: true, ...deps.health() })
      if (url.pathname === '/metrics') {
        void deps.registry.metrics().then((text) => {
          res.writeHead(200, { 'Content-Type': deps.registry.contentType })
          res.end(text)
        })
        return
      }
      if (serveStatic) return serveStatic(req, res, () => json(res, 404, { error: 'not found' }))
      res.writeHead(503, { 'Content-Type': 'text/plain' })
      res.end(`The PWA is not built: no ${deps.dist}. Run 'npm run build' (npm start does it for you).`)
    } catch (err) {
      json(res, 500, { error: (err as Error).message })
    }
  })
}

function hostnameOf(req: IncomingMessage): string {
  const host = req.headers.host ?? '127.0.0.1'
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'))
  return host.split(':')[0]
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
  res.end(JSON.stringify(body))
}

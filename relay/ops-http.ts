import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { timingSafeEqual } from 'node:crypto'
import type { Registry } from 'prom-client'

export type Route = (req: IncomingMessage, res: ServerResponse) => void

/** What the relay needs in order to take traffic; each is true when it holds. */
export interface ReadinessChecks {
  /** The SQLite database is open. */
  readonly storage: boolean
  /** HTTP and the libp2p WebSockets listener are listening. */
  readonly listening: boolean
  /** A validator relay is no more than one height behind what the other validators send; always true for a relay without validator duty. */
  readonly validatorCaughtUp: boolean
}

export function isReady(checks: ReadinessChecks): boolean {
  return checks.storage && checks.listening && checks.validatorCaughtUp
}

/** `/readyz`: 200 when ready, 503 with the failing checks named otherwise (what a load balancer or kubelet reads). */
export function readinessRoute(checks: () => ReadinessChecks): Route {
  return (_req, res) => {
    const current = checks()
    const ready = isReady(current)
    res.writeHead(ready ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
    res.end(JSON.stringify({ ready, checks: current }))
  }
}

/** True when the request may read operator data; answers 401 itself otherwise. */
function authorized(req: IncomingMessage, res: ServerResponse, token: string | null): boolean {
  if (token === null) return true
  const expected = Buffer.from(`Bearer ${token}`)
  const given = Buffer.from(req.headers.authorization ?? '')
  if (given.length === expected.length && timingSafeEqual(given, expected)) return true
  res.writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Bearer realm="metrics"' })
  res.end('this needs "Authorization: Bearer <token>" (the relay\'s --metrics-token)\n')
  return false
}

/** Operator JSON (e.g. which node holds which report slot), behind the same token as /metrics. */
export function guardedJson(token: string | null, body: () => unknown): Route {
  return (req, res) => {
    if (!authorized(req, res, token)) return
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
    res.end(JSON.stringify(body()))
  }
}

/** `/metrics` in Prometheus text format; with a token, only for `Authorization: Bearer <token>`. */
export function metricsRoute(registry: Registry, token: string | null): Route {
  return (req, res) => {
    if (!authorized(req, res, token)) return
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'Content-Type': registry.contentType })
        res.end(text)
      },
      (err: Error) => {
        res.writeHead(500, { 'Content-Type': 'text/plain' })
        res.end(`metrics failed: ${err.message}\n`)
      },
    )
  }
}

/** A separate listener that serves only /metrics (and /healthz for its own probe), e.g. on a private interface. */
export function startMetricsServer(host: string, port: number, metrics: Route, health: Route): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://relay').pathname
    if (path === '/metrics') return metrics(req, res)
    if (path === '/healthz') return health(req, res)
    res.writeHead(404, { 'Content-Type': 'text/plain' })
    res.end('this listener serves /metrics only\n')
  })
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`metrics port ${port} on ${host} is in use; pick another with --metrics-port`) : err),
    )
    server.listen(port, host, () => resolve(server))
  })
}

/** The "not here" answer for /metrics on the main port when it is served on its own listener. */
export const metricsElsewhere: Route = (_req, res) => {
  res.writeHead(404, { 'Content-Type': 'text/plain' })
  res.end('metrics are served on the separate --metrics-port listener\n')
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { existsSync } from 'node:fs'
import sirv from 'sirv'
import type { Registry } from 'prom-client'
import { TokenBuckets, type Rate } from '../workers/common/rate-limit'
import type { Bootstrap } from '../workers/net/bootstrap'

/** A route reads its own body (within its own limit) and answers; it may be async. */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => void | Promise<unknown>

/** What one client may cost the HTTP server. */
export interface HttpLimits {
  /** The whole header block must arrive within this (slow-loris). */
  readonly headersTimeoutMs: number
  /** The whole request, body included, must arrive within this. */
  readonly requestTimeoutMs: number
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number
  readonly maxHeaderBytes: number
  readonly maxHeadersCount: number
  /** Requests answered on one connection before it is closed (pipelining floods). */
  readonly maxRequestsPerSocket: number
  /** Requests per remote address; over it the answer is 429 and the connection closes. */
  readonly perAddress: Rate
  /** Addresses tracked at once by the rate limit (memory bound). */
  readonly maxTrackedAddresses: number
}

export const defaultHttpLimits: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderBytes: 16 * 1024,
  maxHeadersCount: 64,
  maxRequestsPerSocket: 1_000,
  // A PWA load with its service-worker precache is ~60 requests; several tabs behind one NAT share an address.
  perAddress: { perSecond: 100, burst: 400 },
  maxTrackedAddresses: 10_000,
}

export interface HttpDeps {
  readonly dist: string
  readonly registry: Registry
  /** The relay's addresses as seen by a client that reached us at `hostname`. */
  readonly bootstrap: (hostname: string) => Bootstrap
  readonly health: () => Record<string, unknown>
  /** Further API paths (e.g. the security layer's credential desk), matched exactly. */
  readonly routes?: Readonly<Record<string, HttpRoute>>
  readonly limits?: Partial<HttpLimits>
  /** Called with every request that was refused or failed, so it can be counted and logged. */
  readonly onRefused?: (reason: HttpRefusal, detail: string) => void
  readonly now?: () => number
}

export type HttpRefusal = 'bad-target' | 'rate-limited' | 'method' | 'body-not-allowed' | 'handler-error'

/**
 * Serves the built PWA and the relay's small JSON API on one port. Whatever a client sends,
 * the answer is for that request alone: a request target that is not a URL, a handler that
 * throws or rejects, a flood from one address, each ends in a 4xx/5xx, never in the process.
 */
export function createHttpServer(deps: HttpDeps): Server {
  const limits = { ...defaultHttpLimits, ...deps.limits }
  const perAddress = new TokenBuckets(limits.perAddress, limits.maxTrackedAddresses)
  const now = deps.now ?? Date.now
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

  const refuse = (res: ServerResponse, status: number, reason: HttpRefusal, detail: string, close = false) => {
    deps.onRefused?.(reason, detail)
    json(res, status, { error: detail }, close)
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const address = req.socket.remoteAddress ?? 'unknown'
    if (!perAddress.take(address, now())) {
      res.setHeader('Retry-After', '1')
      return refuse(
        res,
        429,
        'rate-limited',
        `more than ${limits.perAddress.perSecond} requests/s from ${address}; retry in a second`,
        true,
      )
    }
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://relay')
    } catch {
      return refuse(res, 400, 'bad-target', `the request target is not a path: ${JSON.stringify((req.url ?? '').slice(0, 64))}`, true)
    }
    const route = deps.routes && Object.hasOwn(deps.routes, url.pathname) ? deps.routes[url.pathname] : undefined
    if (route) return void (await route(req, res))
    // Everything below is a GET without a body; an unread body would keep the connection busy.
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return refuse(res, 405, 'method', `${String(req.method).slice(0, 16)} is not allowed on ${url.pathname.slice(0, 64)}; use GET`, true)
    if (hasBody(req)) return refuse(res, 413, 'body-not-allowed', `${url.pathname.slice(0, 64)} takes no request body`, true)
    if (url.pathname === '/api/bootstrap') return json(res, 200, deps.bootstrap(hostnameOf(req)))
    if (url.pathname === '/healthz') return json(res, 200, { ok: true, ...deps.health() })
    if (url.pathname === '/metrics') {
      const text = await deps.registry.metrics()
      res.writeHead(200, { 'Content-Type': deps.registry.contentType })
      res.end(text)
      return
    }
    if (serveStatic) return serveStatic(req, res, () => json(res, 404, { error: 'not found' }))
    res.writeHead(503, { 'Content-Type': 'text/plain' })
    res.end(`The PWA is not built: no ${deps.dist}. Run 'npm run build' (npm start does it for you).`)
  }

  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      maxHeaderSize: limits.maxHeaderBytes,
      // How often Node checks the two timeouts above; the default (30 s) would let them overrun.
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
    (req, res) => {
      let settled: Promise<void>
      try {
        settled = handle(req, res)
      } catch (err) {
        settled = Promise.reject(err)
      }
      settled.catch((err) => {
        deps.onRefused?.('handler-error', (err as Error)?.message ?? String(err))
        if (res.headersSent) res.destroy()
        else json(res, 500, { error: 'internal error' }, true)
      })
    },
  )
  server.maxHeadersCount = limits.maxHeadersCount
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket
  return server
}

export type RequestBody = { ok: true; bytes: Uint8Array } | { ok: false; status: number; reason: string }

/** Reads at most `limit` bytes; a larger declared or sent body, or a client that goes away, ends it early. */
export function readRequestBody(req: IncomingMessage, limit: number): Promise<RequestBody> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (!(declared <= limit)) {
    return Promise.resolve({ ok: false, status: 413, reason: `request over ${limit} bytes` })
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        resolve({ ok: false, status: 413, reason: `request over ${limit} bytes` })
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve({ ok: true, bytes: new Uint8Array(Buffer.concat(chunks)) }))
    // Resolving twice is harmless: only the first outcome counts.
    req.on('error', () => resolve({ ok: false, status: 400, reason: 'request body broken off' }))
    req.on('close', () => resolve({ ok: false, status: 400, reason: 'request body broken off' }))
  })
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) !== 0
}

function hostnameOf(req: IncomingMessage): string {
  const host = req.headers.host ?? '127.0.0.1'
  if (host.startsWith('[')) return host.slice(1, Math.max(1, host.indexOf(']')))
  return host.split(':')[0]
}

function json(res: ServerResponse, status: number, body: unknown, close = false): void {
  if (res.headersSent) return
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...(close ? { Connection: 'close' } : {}) })
  res.end(JSON.stringify(body))
}

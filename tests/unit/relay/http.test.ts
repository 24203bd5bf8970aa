import { afterEach, describe, expect, it } from 'vitest'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { Registry } from 'prom-client'
import { createHttpServer, type HttpDeps, type HttpRefusal } from '../../../relay/http'
import { rawExchange, statuses } from './raw-http'

let servers: Server[] = []
afterEach(async () => {
  await Promise.all(
    servers.map(
      (s) =>
        new Promise((r) => {
          s.closeAllConnections()
          s.close(r)
        }),
    ),
  )
  servers = []
})

async function serve(overrides: Partial<HttpDeps> = {}) {
  const refusals: Array<[HttpRefusal, string]> = []
  const server = createHttpServer({
    dist: '/nonexistent-dist',
    registry: new Registry(),
    bootstrap: () => ({ relayPeerId: 'p', relayMultiaddrs: [], iceServers: [], version: 't' }),
    health: () => ({ peers: 0 }),
    onRefused: (reason, detail) => refusals.push([reason, detail]),
    ...overrides,
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`)
  return { server, port, refusals, get }
}

describe('relay HTTP server under hostile requests', () => {
  // Defect 1 of issue 15: each of these request targets made `new URL` throw outside any
  // try block, and the uncaught TypeError ended the relay process.
  it.each([
    'GET /\\ HTTP/1.1',
    'GET http://[ HTTP/1.1',
    'GET //[ HTTP/1.1',
    'GET //%5B HTTP/1.1',
    'GET //a:b@ HTTP/1.1',
    'PUT http:// HTTP/1.1',
  ])('answers %j with a 4xx for that request alone and keeps serving', async (requestLine) => {
    const { port, get, refusals } = await serve()
    const answer = await rawExchange(port, `${requestLine}\r\nHost: x\r\n\r\n`)
    const [status] = statuses(answer)
    expect(status).toBeGreaterThanOrEqual(400)
    expect(status).toBeLessThan(500)
    expect(refusals.length).toBeGreaterThan(0)
    expect((await get('/healthz')).status).toBe(200)
  })

  it('turns a throwing or rejecting route into a 500 for that request only', async () => {
    const { get, refusals } = await serve({
      routes: {
        '/api/sync-throw': () => {
          throw new Error('sync boom')
        },
        '/api/async-reject': async () => {
          throw new Error('async boom')
        },
      },
      health: () => {
        throw new Error('health boom')
      },
    })
    expect((await get('/api/sync-throw')).status).toBe(500)
    expect((await get('/api/async-reject')).status).toBe(500)
    expect((await get('/healthz')).status).toBe(500)
    expect(refusals.map(([reason]) => reason)).toEqual(['handler-error', 'handler-error', 'handler-error'])
    expect((await get('/api/bootstrap')).status).toBe(200)
  })

  it('refuses bodies and other methods on GET routes and closes the connection', async () => {
    const { port } = await serve()
    const withBody = await rawExchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello')
    expect(statuses(withBody)).toEqual([413])
    const chunked = await rawExchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n')
    expect(statuses(chunked)).toEqual([413])
    const post = await rawExchange(port, 'POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n')
    expect(statuses(post)).toEqual([405])
  })

  it('answers pipelined requests in order and rejects malformed framing with a 400', async () => {
    const { port } = await serve()
    const pipelined = await rawExchange(
      port,
      'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /api/bootstrap HTTP/1.1\r\nHost: x\r\n\r\nGET /\\ HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
    )
    // The bad target closes the connection; what was pipelined after it is not answered.
    expect(statuses(pipelined)).toEqual([200, 200, 400])
    // A broken chunk size: answered (405 before the body is read) and the connection closed.
    const badChunk = await rawExchange(port, 'POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')
    expect(statuses(badChunk)).toEqual([405])
    const bothLengths = await rawExchange(
      port,
      'POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    )
    expect(statuses(bothLengths)[0]).toBe(400)
    const hugeHeader = await rawExchange(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)
    expect(statuses(hugeHeader)).toEqual([431])
  })

  it('limits requests per address and answers 429 with Retry-After once the burst is spent', async () => {
    let now = 0
    const { get, refusals } = await serve({ limits: { perAddress: { perSecond: 1, burst: 3 } }, now: () => now })
    const codes = []
    for (let i = 0; i < 5; i++) codes.push((await get('/healthz')).status)
    expect(codes).toEqual([200, 200, 200, 429, 429])
    expect(refusals.filter(([r]) => r === 'rate-limited')).toHaveLength(2)
    now += 2_000
    expect((await get('/healthz')).status).toBe(200)
  })

  it('closes a connection whose headers never finish (slow loris)', async () => {
    const { port, get } = await serve({ limits: { headersTimeoutMs: 300, requestTimeoutMs: 600 } })
    const answer = await rawExchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ', 10_000)
    expect(statuses(answer)).toEqual([408])
    expect((await get('/healthz')).status).toBe(200)
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { Registry } from 'prom-client'
import { createHttpServer, readRequestBody, type HttpRefusal } from '../../../relay/http'
import { createEnvelopeSigner, sealMessage } from '../../../workers/protocol/envelope'
import { InboundValidator } from '../../../workers/protocol/inbound'
import type { SignatureCheck } from '../../../workers/protocol/verify'
import { nativeVerifyEd25519 } from '../../../workers/protocol/node/ed25519'
import { createRng as seededRandom, type Rng as Random } from '../../../workers/common/random'
import { replayHint, simSeeds } from '../../sim/seeds'
import { randomBytes } from './mutate'
import { nativeIdentity } from './native-signer'
import { statuses } from '../relay/raw-http'
import { messageKinds } from '../../../workers/kinds'

const FILE = 'tests/unit/fuzz/http-server.test.ts'
const CONNECTIONS_PER_SEED = 800
const SEEDS = simSeeds(9001, 2)
const PARALLEL = 8
const BODY_LIMIT = 16 * 1024

/** Answers the server may give (100 for Expect: 100-continue); a 500 would mean a handler threw, which the test forbids separately. */
const ALLOWED_STATUSES = new Set([100, 200, 400, 404, 405, 408, 413, 414, 429, 431, 503, 505])

const methods = ['GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'get', 'G\u00c9T', 'FOO', '']
const paths = [
  '/healthz',
  '/api/bootstrap',
  '/metrics',
  '/api/credential',
  '/',
  '/index.html',
  '/assets/x.js',
  '/%00',
  '/..%2f..%2fetc/passwd',
  '/?a=%zz',
  '/\\',
  'http://[',
  '//[',
  '//%5B',
  '//a:b@',
  'http://',
  'http://relay/healthz',
  '*',
  '/healthz#frag',
  '/%E0%A4%A',
]
const versions = ['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x', 'HTTP/0.9', '']

function token(r: Random, alphabet: string, length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) out += alphabet[r.intBetween(0, alphabet.length - 1)]
  return out
}

/** One HTTP request, well-formed or not, as raw text (latin1). */
function hostileRequest(r: Random): string {
  const method = r.chance(0.9) ? r.pick(methods) : token(r, 'ABCDEFGHIJ\t -', r.intBetween(0, 12))
  let target = r.chance(0.8) ? r.pick(paths) : `/${token(r, 'abc/%[]@:\\?#&=+ \u00ff\u0100', r.intBetween(0, 40))}`
  if (r.chance(0.02)) target = `/${'a'.repeat(r.pick([9_000, 70_000]))}`
  const version = r.pick(versions)
  const headers: string[] = []
  if (r.chance(0.9)) headers.push(`Host: ${r.pick(['relay', '127.0.0.1:8080', '[::1]:80', '[broken', '', 'a'.repeat(300)])}`)
  if (r.chance(0.1)) headers.push('Host: second')
  let body = ''
  const bodyKind = r.pick(['none', 'none', 'length', 'length-lie', 'chunked', 'chunked-bad', 'both', 'double-length'])
  const payload = r.chance(0.05)
    ? 'x'.repeat(BODY_LIMIT + r.intBetween(1, 2000))
    : Buffer.from(randomBytes(r, r.intBetween(0, 300))).toString('latin1')
  switch (bodyKind) {
    case 'length':
      headers.push(`Content-Length: ${payload.length}`)
      body = payload
      break
    case 'length-lie':
      headers.push(
        `Content-Length: ${r.pick([payload.length + r.intBetween(1, 50), Math.max(0, payload.length - r.intBetween(1, 50)), -1, '1e3', '0x10', '99999999999999999999', ' 5'])}`,
      )
      body = payload
      break
    case 'chunked': {
      headers.push('Transfer-Encoding: chunked')
      let rest = payload
      while (rest.length > 0) {
        const size = Math.min(rest.length, r.intBetween(1, 64))
        body += `${size.toString(16)}\r\n${rest.slice(0, size)}\r\n`
        rest = rest.slice(size)
      }
      body += r.chance(0.2) ? '0\r\nX-Trailer: t\r\n\r\n' : '0\r\n\r\n'
      break
    }
    case 'chunked-bad':
      headers.push(
        r.pick([
          'Transfer-Encoding: chunked',
          'Transfer-Encoding: gzip, chunked',
          'Transfer-Encoding: chunked\r\nTransfer-Encoding: identity',
          'Transfer-Encoding: xchunked',
        ]),
      )
      body = r.pick([
        `zz\r\n${payload}\r\n0\r\n\r\n`,
        `${(payload.length + 5).toString(16)}\r\n${payload}\r\n`,
        `-1\r\n\r\n`,
        `ffffffffffffffff\r\nabc`,
        payload,
      ])
      break
    case 'both':
      headers.push(`Content-Length: ${payload.length}`, 'Transfer-Encoding: chunked')
      body = `${payload.length.toString(16)}\r\n${payload}\r\n0\r\n\r\n`
      break
    case 'double-length':
      headers.push(`Content-Length: ${payload.length}`, `Content-Length: ${payload.length + 1}`)
      body = payload
      break
  }
  if (r.chance(0.1)) for (let i = 0, n = r.pick([10, 70, 200]); i < n; i++) headers.push(`X-Many-${i}: v`)
  if (r.chance(0.05)) headers.push(`X-Big: ${'b'.repeat(r.pick([8_000, 20_000]))}`)
  if (r.chance(0.1)) headers.push(`${token(r, 'ab:( )\u00e9\0', r.intBetween(0, 8))}: ${token(r, 'xy\r\0\u00ff', r.intBetween(0, 8))}`)
  if (r.chance(0.2)) headers.push(r.pick(['Connection: close', 'Connection: keep-alive', 'Expect: 100-continue', 'Upgrade: websocket']))
  const eol = r.chance(0.95) ? '\r\n' : r.pick(['\n', '\r', '\r\r\n'])
  return `${method} ${target} ${version}${eol}${headers.join(eol)}${eol}${eol}${body}`
}

/** Writes a connection's requests (pipelined, split into random fragments), half-closes, and collects the answer. */
function exchange(port: number, text: string, r: Random): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const fail = setTimeout(() => socket.destroy(), 10_000)
    socket.on('data', (c) => chunks.push(c))
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(fail)
      resolve(Buffer.concat(chunks).toString('latin1'))
    })
    socket.on('connect', async () => {
      const bytes = Buffer.from(text, 'latin1')
      const cuts = r.chance(0.3)
        ? [...new Set(Array.from({ length: r.intBetween(1, 4) }, () => r.intBetween(1, Math.max(1, bytes.length - 1))))].sort(
            (a, b) => a - b,
          )
        : []
      let at = 0
      for (const cut of [...cuts, bytes.length]) {
        if (socket.destroyed) break
        socket.write(bytes.subarray(at, cut))
        at = cut
        if (cut < bytes.length) await new Promise((w) => setImmediate(w))
      }
      if (!socket.destroyed) socket.end()
    })
  })
}

describe('fuzz: the relay HTTP server', () => {
  let server: Server
  let port: number
  const refusals: Array<[HttpRefusal, string]> = []
  let gateAccepted = 0
  const alice = nativeIdentity(new Uint8Array(32).fill(5))
  const signer = createEnvelopeSigner(alice, messageKinds)
  const validator = new InboundValidator({
    kinds: messageKinds,
    verify: async (checks: readonly SignatureCheck[]) => checks.map((c) => nativeVerifyEd25519(c.publicKey, c.message, c.signature)),
  })

  beforeAll(async () => {
    // The credential desk's shape: a POST body read within its limit, through the inbound gate.
    const desk = async (req: IncomingMessage, res: ServerResponse) => {
      if (req.method !== 'POST') return answer(res, 405, { error: 'POST' })
      const body = await readRequestBody(req, BODY_LIMIT)
      if (!body.ok) return answer(res, body.status, { error: body.reason })
      const verdict = await validator.check(body.bytes, { carrier: 'http', expectedKind: 'cred.request' })
      if (verdict.ok) gateAccepted++
      answer(res, verdict.ok ? 200 : 400, verdict.ok ? { ok: true } : { error: verdict.reason })
    }
    server = createHttpServer({
      dist: '/nonexistent-dist',
      registry: new Registry(),
      bootstrap: (hostname) => ({ relayPeerId: 'p', relayMultiaddrs: [`/dns4/${hostname}/tcp/1/ws`], iceServers: [], version: 'fuzz' }),
      health: () => ({ peers: 0 }),
      routes: { '/api/credential': desk },
      // The flood limit has its own test; here every request must reach the parser and handlers.
      limits: { perAddress: { perSecond: 1e9, burst: 1e9 }, headersTimeoutMs: 2_000, requestTimeoutMs: 3_000 },
      onRefused: (reason, detail) => refusals.push([reason, detail]),
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as AddressInfo).port
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  })

  it('answers every hostile request line, header, body, chunking and pipelining with a 2xx/4xx, never a crash or a 500, and keeps serving honest requests', async () => {
    const started = performance.now()
    let requests = 0
    let honest = 0
    for (const seed of SEEDS) {
      const random = seededRandom(seed)
      for (let batch = 0; batch < CONNECTIONS_PER_SEED / PARALLEL; batch++) {
        const jobs = Array.from({ length: PARALLEL }, () => {
          const count = random.chance(0.7) ? 1 : random.intBetween(2, 5)
          requests += count
          const text = Array.from({ length: count }, () => hostileRequest(random)).join('')
          return exchange(port, text, random.fork()).then((answer) => ({ text, answer }))
        })
        for (const { text, answer } of await Promise.all(jobs)) {
          const bad = statuses(answer).find((s) => !ALLOWED_STATUSES.has(s))
          if (bad !== undefined)
            expect.fail(
              `${replayHint(seed, FILE)}\nbatch ${batch}: status ${bad} for ${JSON.stringify(text.slice(0, 300))}\n${answer.slice(0, 300)}`,
            )
        }
        const errors = refusals.filter(([reason]) => reason === 'handler-error')
        if (errors.length > 0) expect.fail(`${replayHint(seed, FILE)}\nbatch ${batch}: a handler threw: ${errors[0][1]}`)
        // Honest traffic interleaved with the attack is still served, and correctly.
        const health = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n', random)
        expect(statuses(health), `${replayHint(seed, FILE)}\nbatch ${batch}`).toEqual([200])
        expect(health).toContain('"ok":true')
        const join = Buffer.from(
          sealMessage(signer, 'cred.request', {
            identityPublicKey: alice.publicKey as Uint8Array<ArrayBuffer>,
            blsPublicKey: new Uint8Array(48),
            blsProofOfPossession: new Uint8Array(96),
            agreementPublicKey: new Uint8Array(32),
            roles: ['trainer'],
          }),
        ).toString('latin1')
        const before = gateAccepted
        const posted = await exchange(
          port,
          `POST /api/credential HTTP/1.1\r\nHost: relay\r\nContent-Length: ${join.length}\r\n\r\n${join}`,
          random,
        )
        expect(statuses(posted)).toEqual([200])
        expect(gateAccepted).toBe(before + 1)
        honest += 2
      }
    }
    const refusedBy = refusals.reduce<Record<string, number>>((m, [r]) => ((m[r] = (m[r] ?? 0) + 1), m), {})
    console.log(
      `[fuzz] HTTP server: ${requests} hostile requests on ${SEEDS.length * CONNECTIONS_PER_SEED} connections, ${honest} honest ones interleaved, in ${((performance.now() - started) / 1000).toFixed(1)} s (seeds ${SEEDS.join(', ')}); refused by the handlers: ${JSON.stringify(refusedBy)}`,
    )
  })
})

function answer(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return
  res.writeHead(status, { 'Content-Type': 'application/json', ...(status >= 400 ? { Connection: 'close' } : {}) })
  res.end(JSON.stringify(body))
}

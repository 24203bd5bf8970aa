import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from 'node:net'
import { randomBytes } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { RelayProcess } from './harness/relay-process'
import { createNodePeer, fetchTrust, type NodePeer } from './harness/node-peer'
import { waitUntil } from './harness/wait'
import { topicForKind } from '../../workers/net/gossip'
import { TRANSFER_PROTOCOL } from '../../workers/net/transfer'

const CHAT_TOPIC = topicForKind('mesh.chat')
const HANDSHAKE_MS = 1_500

/** Raw bytes in (each character one byte), everything the relay answers until it closes the connection. */
function raw(port: number, text: string, idleMs = 5_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let got = ''
    const timer = setTimeout(() => socket.destroy(), idleMs)
    socket.on('data', (d) => (got += d.toString('latin1')))
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(got)
    })
    if (text) socket.write(text, 'latin1')
  })
}

/** Rejections for `reason`, summed over every kind label. */
function rejected(metrics: string, reason: string): number {
  let total = 0
  for (const match of metrics.matchAll(new RegExp(`mesh_messages_rejected_total\\{[^}]*reason="${reason}"[^}]*\\} (\\d+)`, 'g')))
    total += Number(match[1])
  return total
}

// A real relay process under hostile HTTP and libp2p traffic (no browser): it must answer
// each bad request for itself alone, shed a flood from one peer, close handshakes that never
// finish, and stay alive and serving throughout.
describe('hostile edges of a real relay', () => {
  let relay: RelayProcess
  let attacker: NodePeer
  let honest: NodePeer

  beforeAll(async () => {
    relay = await RelayProcess.create({ extraArgs: ['--handshake-timeout-ms', String(HANDSHAKE_MS)] })
    await relay.start()
    const trust = await fetchTrust(relay.info!.url)
    attacker = await createNodePeer(new Uint8Array(32).fill(91), trust)
    honest = await createNodePeer(new Uint8Array(32).fill(92), trust)
    for (const peer of [attacker, honest]) await peer.node.dial(multiaddr(relay.info!.multiaddrs[0]))
    await waitUntil(
      () => attacker.node.services.pubsub.getSubscribers(CHAT_TOPIC).map(String),
      (subs) => subs.includes(relay.info!.peerId),
      'the attacker to see the relay subscribed',
    )
  })

  afterAll(async () => {
    await attacker?.node.stop()
    await honest?.node.stop()
    await relay?.stop()
  })

  it('answers each request line that used to kill the relay with a 4xx, and keeps running', async () => {
    const port = new URL(relay.info!.url).port
    for (const line of [
      'GET /\\ HTTP/1.1',
      'GET http://[ HTTP/1.1',
      'GET //[ HTTP/1.1',
      'GET //%5B HTTP/1.1',
      'GET //a:b@ HTTP/1.1',
      'PUT http:// HTTP/1.1',
    ]) {
      const answer = await raw(Number(port), `${line}\r\nHost: x\r\n\r\n`)
      expect(answer, line).toMatch(/^HTTP\/1\.1 4\d\d /)
    }
    // A body on a GET route, a body over the desk's limit, a broken chunk: each refused alone.
    expect(await raw(Number(port), 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc')).toMatch(/^HTTP\/1\.1 413 /)
    expect(await raw(Number(port), `POST /api/credential HTTP/1.1\r\nHost: x\r\nContent-Length: ${64 * 1024}\r\n\r\n`)).toMatch(
      /^HTTP\/1\.1 413 /,
    )
    expect(await raw(Number(port), 'POST /api/credential HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')).toMatch(
      /^HTTP\/1\.1 400 /,
    )
    expect(relay.running).toBe(true)
    expect((await relay.health()).ok).toBe(true)
    expect(await relay.metrics()).toMatch(/mesh_http_refused_total\{reason="bad-target"\} [1-9]/)
  })

  it('closes WebSocket-port connections whose handshakes never finish', async () => {
    const wsPort = Number(/\/tcp\/(\d+)\//.exec(relay.info!.multiaddrs[0])![1])
    // Nothing at all; an HTTP upgrade that never ends; an open WebSocket that never starts Noise.
    await raw(wsPort, '', 60_000)
    await raw(wsPort, 'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n', 60_000)
    const ws = new WebSocket(`ws://127.0.0.1:${wsPort}`)
    await new Promise((resolve) => ws.addEventListener('close', resolve))
    expect(relay.running).toBe(true)
  })

  it('survives WebSocket frames ws refuses: one packet with an unmasked frame used to kill the relay', async () => {
    const wsPort = Number(/\/tcp\/(\d+)\//.exec(relay.info!.multiaddrs[0])![1])
    const upgrade =
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'
    // Unmasked, reserved opcode, reserved bits, over the message limit: each in the upgrade's own packet.
    for (const frame of [
      '\x82\x01\x00',
      '\x83\x80\x01\x02\x03\x04',
      '\xc2\x80\x01\x02\x03\x04',
      '\x82\xff\x00\x00\x00\x00\x10\x00\x00\x00',
    ])
      expect(await raw(wsPort, upgrade + frame, 10_000)).toMatch(/^HTTP\/1\.1 101 /)
    await new Promise((r) => setTimeout(r, 500))
    expect(relay.running).toBe(true)
    expect((await relay.health()).ok).toBe(true)
  })

  it('sheds a gossip and stream flood from one peer, keeps /healthz answering, and still serves an honest peer', async () => {
    const relayPeer = peerIdFromString(relay.info!.peerId)
    const connected = () => ({
      attacker: attacker.node.getConnections(relayPeer).length,
      honest: honest.node.getConnections(relayPeer).length,
    })
    console.log(`[flood] connections to the relay before the flood: ${JSON.stringify(connected())}`)
    const before = await relay.metrics()
    const httpPort = Number(new URL(relay.info!.url).port)
    const healthTimesMs: number[] = []
    const probeErrors: string[] = []
    let flooding = true
    const probe = (async () => {
      while (flooding) {
        const started = performance.now()
        // A fresh connection each time: a client stalled by its own flood loop could otherwise
        // reuse a keep-alive connection the relay has just closed.
        const answer = await raw(httpPort, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 30_000)
        healthTimesMs.push(performance.now() - started)
        if (!/^HTTP\/1\.1 200 [\s\S]*"ok":true/.test(answer)) probeErrors.push(answer.slice(0, 200) || 'no answer')
        await new Promise((r) => setTimeout(r, 100))
      }
    })()
    // 4,000 distinct junk messages as fast as GossipSub takes them (over the 2,000 burst), and 150 stream opens.
    const pubsub = attacker.node.services.pubsub
    for (let i = 0; i < 4_000; i++) {
      await pubsub.publish(CHAT_TOPIC, randomBytes(48)).catch(() => {})
      // Yield often, so the /healthz probe in this same process measures the relay, not this loop.
      if (i % 25 === 0) await new Promise((r) => setImmediate(r))
    }
    await Promise.all(
      Array.from({ length: 150 }, async () => {
        const stream = await attacker.node.dialProtocol(relayPeer, TRANSFER_PROTOCOL, { runOnLimitedConnection: true }).catch(() => null)
        stream?.abort(new Error('flood'))
      }),
    )
    await expect
      .poll(async () => rejected(await relay.metrics(), 'rate-limited') - rejected(before, 'rate-limited'), {
        timeout: 60_000,
        interval: 500,
      })
      .toBeGreaterThan(0)
    flooding = false
    await probe
    expect(healthTimesMs.length).toBeGreaterThan(0)
    expect(probeErrors, relay.output.join('').slice(-3000)).toEqual([])
    // Timing is a measurement, not an assertion (the machine is shared); see the README.
    console.log(
      `[flood] /healthz during the flood: ${healthTimesMs.length} probes, max ${Math.max(...healthTimesMs).toFixed(0)} ms, median ${healthTimesMs.sort((a, b) => a - b)[Math.floor(healthTimesMs.length / 2)].toFixed(0)} ms`,
    )

    console.log(`[flood] connections to the relay after the flood: ${JSON.stringify(connected())}`)
    // The honest peer joins and its chat is accepted by the relay (reconnecting first if its
    // connection went down, as every real client does).
    if (connected().honest === 0) await honest.node.dial(multiaddr(relay.info!.multiaddrs[0]))
    const credential = await honest.join(relay.info!.url)
    await honest.present(credential)
    const accepted = () => relay.metrics().then((m) => Number(/mesh_messages_accepted_total\{kind="mesh.chat"\} (\d+)/.exec(m)?.[1] ?? 0))
    const chatsBefore = await accepted()
    const reasons = (m: string) =>
      Object.fromEntries([...m.matchAll(/mesh_messages_rejected_total\{[^}]*reason="([^"]+)"/g)].map((x) => [x[1], rejected(m, x[1])]))
    console.log(`[flood] rejected at the relay by reason: ${JSON.stringify(reasons(await relay.metrics()))}`)
    await expect
      .poll(
        async () => {
          await honest.runtime.gossip.publish('mesh.chat', { text: 'still served', sentAtUs: 1n })
          return (await accepted()) > chatsBefore
        },
        { timeout: 120_000, interval: 2_000 },
      )
      .toBe(true)
    expect(relay.running).toBe(true)
    expect((await relay.health()).ok).toBe(true)
  })
})

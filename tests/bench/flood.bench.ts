import { connect } from 'node:net'
import { randomBytes } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { writeBenchResult } from './results'
import { flagValue, hasFlag, percentile, round } from './stats'
import { RelayProcess } from '../e2e/harness/relay-process'
import { createNodePeer, fetchTrust } from '../e2e/harness/node-peer'
import { waitUntil } from '../e2e/harness/wait'
import { topicForKind } from '../../workers/net/gossip'
import { TRANSFER_PROTOCOL } from '../../workers/net/transfer'

const HELP = `npm run bench -- flood [--messages 20000] [--streams 500] [--probe-ms 100]

/healthz answer time of a real relay process while one libp2p peer floods it with distinct
junk gossip (--messages, as fast as GossipSub sends them) and transfer stream opens
(--streams), against the same probes on the idle relay measured first in the same run.
Each probe is a fresh TCP connection (GET /healthz, Connection: close). The flooder runs in
this process and yields every 25 messages, so its own load is part of what is measured.`

function probe(port: number): Promise<{ ms: number; ok: boolean }> {
  const started = performance.now()
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let got = ''
    socket.on('data', (d) => (got += d.toString('latin1')))
    socket.on('error', () => {})
    socket.on('close', () => resolve({ ms: performance.now() - started, ok: /^HTTP\/1\.1 200 [\s\S]*"ok":true/.test(got) }))
    socket.write('GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n')
  })
}

async function probeWhile(port: number, everyMs: number, running: () => boolean): Promise<{ ms: number[]; failures: number }> {
  const ms: number[] = []
  let failures = 0
  while (running()) {
    const answer = await probe(port)
    ms.push(answer.ms)
    if (!answer.ok) failures++
    await new Promise((r) => setTimeout(r, everyMs))
  }
  return { ms, failures }
}

const summary = (ms: number[]) => ({
  probes: ms.length,
  p50_ms: round(percentile(ms, 50), 1),
  p99_ms: round(percentile(ms, 99), 1),
  max_ms: round(Math.max(...ms), 1),
})

export async function main(args: string[]): Promise<void> {
  if (hasFlag(args, 'help')) return void console.log(HELP)
  const messages = flagValue(args, 'messages', 20_000)
  const streams = flagValue(args, 'streams', 500)
  const everyMs = flagValue(args, 'probe-ms', 100)
  const relay = await RelayProcess.create()
  await relay.start()
  const port = Number(new URL(relay.info!.url).port)
  const attacker = await createNodePeer(new Uint8Array(32).fill(93), await fetchTrust(relay.info!.url))
  try {
    await attacker.node.dial(multiaddr(relay.info!.multiaddrs[0]))
    const topic = topicForKind('mesh.chat')
    await waitUntil(
      () => attacker.node.services.pubsub.getSubscribers(topic).map(String),
      (s) => s.includes(relay.info!.peerId),
      'the relay to subscribe',
    )

    const idleUntil = Date.now() + 5_000
    const idle = await probeWhile(port, everyMs, () => Date.now() < idleUntil)
    let flooding = true
    const during = probeWhile(port, everyMs, () => flooding)
    const started = performance.now()
    for (let i = 0; i < messages; i++) {
      await attacker.node.services.pubsub.publish(topic, randomBytes(48)).catch(() => {})
      if (i % 25 === 0) await new Promise((r) => setImmediate(r))
    }
    const relayPeer = peerIdFromString(relay.info!.peerId)
    for (let i = 0; i < streams; i++) {
      const stream = await attacker.node.dialProtocol(relayPeer, TRANSFER_PROTOCOL).catch(() => null)
      stream?.abort(new Error('flood'))
    }
    const floodSeconds = (performance.now() - started) / 1000
    // Let the relay drain what is queued, still probing.
    await new Promise((r) => setTimeout(r, 5_000))
    flooding = false
    const flood = await during
    const metrics = await relay.metrics()
    // Summed over the kind label, by reason.
    const rejected: Record<string, number> = {}
    for (const m of metrics.matchAll(/mesh_messages_rejected_total\{[^}]*reason="([^"]+)"[^}]*\} (\d+)/g))
      rejected[m[1]] = (rejected[m[1]] ?? 0) + Number(m[2])
    const rss = Number(/mesh_relay_process_resident_memory_bytes (\d+)/.exec(metrics)?.[1] ?? NaN)
    writeBenchResult('flood', {
      messages,
      streams,
      flood_seconds: round(floodSeconds, 1),
      idle: summary(idle.ms),
      during_flood: { ...summary(flood.ms), failures: flood.failures },
      p99_ratio_to_idle: round(percentile(flood.ms, 99) / percentile(idle.ms, 99), 2),
      relay_alive: relay.running,
      relay_rss_mb: round(rss / 2 ** 20, 1),
      rejected_at_relay: rejected,
    })
  } finally {
    await attacker.node.stop()
    await relay.stop()
  }
}

import { Worker } from 'node:worker_threads'
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
Each probe is a fresh TCP connection (GET /healthz, Connection: close) from a thread of its
own, so the flooder (this process's main thread, yielding every 25 messages) competes with
the relay for the CPU but cannot delay the probes' own timing. The flood phase lasts until
the relay's count of handled messages stops moving; the relay's own event-loop delay and CPU
per message (its /metrics) are reported for both phases.`

/**
 * The prober runs in its own thread: the flooder keeps this thread's event loop busy, and a
 * probe timed here would measure the flooder, not the relay. Each probe is a fresh TCP
 * connection (GET /healthz, Connection: close); a phase ends when the thread is told 'stop'.
 */
const PROBER = `
const { parentPort, workerData } = require('node:worker_threads')
const { connect } = require('node:net')
function probe() {
  const started = performance.now()
  return new Promise((resolve) => {
    const socket = connect(workerData.port, '127.0.0.1')
    let got = ''
    socket.on('data', (d) => (got += d.toString('latin1')))
    socket.on('error', () => {})
    socket.on('close', () => resolve({ ms: performance.now() - started, ok: /^HTTP\\/1\\.1 200 [\\s\\S]*"ok":true/.test(got) }))
    socket.write('GET /healthz HTTP/1.1\\r\\nHost: bench\\r\\nConnection: close\\r\\n\\r\\n')
  })
}
let running = false
parentPort.on('message', async (command) => {
  if (command === 'stop') return void (running = false)
  running = true
  const ms = []
  let failures = 0
  while (running) {
    const answer = await probe()
    ms.push(answer.ms)
    if (!answer.ok) failures++
    await new Promise((r) => setTimeout(r, workerData.everyMs))
  }
  parentPort.postMessage({ ms, failures })
})
`

class Prober {
  private readonly worker: Worker
  constructor(port: number, everyMs: number) {
    this.worker = new Worker(PROBER, { eval: true, workerData: { port, everyMs } })
  }
  /** Probes until `whileDoing` settles, then returns the answer times. */
  async during<T>(whileDoing: Promise<T>): Promise<{ ms: number[]; failures: number; result: T }> {
    const answers = new Promise<{ ms: number[]; failures: number }>((resolve) => this.worker.once('message', resolve))
    this.worker.postMessage('start')
    const result = await whileDoing.finally(() => this.worker.postMessage('stop'))
    return { ...(await answers), result }
  }
  stop(): Promise<number> {
    return this.worker.terminate()
  }
}

/** What the relay's /metrics says now; its event-loop delay covers the time since the previous scrape (prom-client resets it). */
async function scrape(relay: RelayProcess) {
  const text = await relay.metrics()
  const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN)
  const sum = (family: string) => [...text.matchAll(new RegExp(`^${family}\\{[^}]*\\} (\\d+)`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0)
  // Rejections summed over the kind label, by reason (reasons that never occurred left out).
  const rejected: Record<string, number> = {}
  for (const m of text.matchAll(/^mesh_messages_rejected_total\{[^}]*reason="([^"]+)"[^}]*\} (\d+)/gm))
    if (Number(m[2]) > 0) rejected[m[1]] = (rejected[m[1]] ?? 0) + Number(m[2])
  return {
    loopP99Ms: gauge('mesh_relay_nodejs_eventloop_lag_p99_seconds') * 1000,
    loopMaxMs: gauge('mesh_relay_nodejs_eventloop_lag_max_seconds') * 1000,
    cpuSeconds: gauge('mesh_relay_process_cpu_seconds_total'),
    rssMb: gauge('mesh_relay_process_resident_memory_bytes') / 2 ** 20,
    handled: sum('mesh_messages_accepted_total') + sum('mesh_messages_rejected_total'),
    rejected,
  }
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

    const prober = new Prober(port, everyMs)
    try {
      const before = await scrape(relay) // also starts the relay's delay histogram afresh
      const idle = await prober.during(new Promise((r) => setTimeout(r, 5_000)))
      const afterIdle = await scrape(relay)
      let loopP99Ms = 0
      let loopMaxMs = 0
      const flood = await prober.during(
        (async () => {
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
          // Keep probing while the relay works through what is queued: until its count of
          // handled messages stops moving for two seconds (at most a minute).
          let last = -1
          let still = 0
          for (let waited = 0; still < 2 && waited < 60; waited++) {
            await new Promise((r) => setTimeout(r, 1_000))
            const now = await scrape(relay)
            loopP99Ms = Math.max(loopP99Ms, now.loopP99Ms)
            loopMaxMs = Math.max(loopMaxMs, now.loopMaxMs)
            still = now.handled === last ? still + 1 : 0
            last = now.handled
          }
          return { floodSeconds, busySeconds: (performance.now() - started) / 1000 }
        })(),
      )
      const after = await scrape(relay)
      const handled = after.handled - afterIdle.handled
      const relayCpu = after.cpuSeconds - afterIdle.cpuSeconds
      writeBenchResult('flood', {
        messages,
        streams,
        flood_seconds: round(flood.result.floodSeconds, 1),
        relay_busy_seconds: round(flood.result.busySeconds, 1),
        relay_handled: handled,
        relay_cpu_ms_per_message: round((relayCpu * 1000) / handled, 3),
        idle: {
          ...summary(idle.ms),
          failures: idle.failures,
          relay_loop_delay_p99_ms: round(afterIdle.loopP99Ms, 1),
          relay_loop_delay_max_ms: round(afterIdle.loopMaxMs, 1),
        },
        during_flood: {
          ...summary(flood.ms),
          failures: flood.failures,
          relay_loop_delay_p99_ms: round(loopP99Ms, 1),
          relay_loop_delay_max_ms: round(loopMaxMs, 1),
        },
        p50_ratio_to_idle: round(percentile(flood.ms, 50) / percentile(idle.ms, 50), 2),
        p99_ratio_to_idle: round(percentile(flood.ms, 99) / percentile(idle.ms, 99), 2),
        under_1s: Math.max(...flood.ms) < 1000,
        relay_alive: relay.running,
        relay_rss_mb: { before: round(before.rssMb, 1), after: round(after.rssMb, 1) },
        rejected_at_relay: after.rejected,
      })
    } finally {
      await prober.stop()
    }
  } finally {
    await attacker.node.stop()
    await relay.stop()
  }
}

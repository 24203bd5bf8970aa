import { execFileSync } from 'node:child_process'
import { createLibp2p } from 'libp2p'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { multiaddr } from '@multiformats/multiaddr'
import { RelayProcess } from '../e2e/harness/relay-process'
import { createNodePeer, fetchTrust, type NodePeer } from '../e2e/harness/node-peer'
import { meshGossipsub } from '../../workers/net/gossip-config'
import { topicForKind } from '../../workers/net/gossip'
import { Chat, Envelope } from '../../workers/protocol/wire.pb'
import { writeBenchResult, type Metrics } from './results'
import { flagValue, hasFlag, percentile, round } from './stats'

const HELP = `npm run bench -- relay [--peers 10,100,250] [--publishers 4] [--rate 2000] [--seconds 10]

Starts the relay (the real CLI process) and, per --peers count, that many Node libp2p peers
connecting to it as browsers do (WebSockets + noise + yamux), each reserving a circuit-relay
slot and subscribing to the chat topic. Measures:
  connection setup rate (peers connected and reserved per second, all dialling at once);
  circuit reservations granted;
  gossip through the relay: --publishers credentialed peers publish signed chat messages at
  --rate messages/s in total for --seconds; every peer records delivery latency. msgs_per_s
  counts messages the relay accepted and forwarded (its gate checks every signature),
  deliveries_per_s the copies it fanned out; p99 is publish -> delivery at the peers;
  the relay's resident memory (RSS) with all peers connected, after the gossip.`

export async function main(args: string[]): Promise<void> {
  if (hasFlag(args, 'help')) return void console.log(HELP)
  const counts = (args[args.indexOf('--peers') + 1] && args.includes('--peers') ? args[args.indexOf('--peers') + 1] : '10,100,250')
    .split(',')
    .map(Number)
  const publishers = flagValue(args, 'publishers', 4)
  const rate = flagValue(args, 'rate', 2000)
  const seconds = flagValue(args, 'seconds', 10)
  const results: Metrics[] = []
  for (const peers of counts) {
    const result = await runOnce(peers, publishers, rate, seconds)
    console.log(JSON.stringify(result))
    results.push(result)
  }
  // The headline figures are those of the 100-peer run (the target's size), or the largest run.
  const headline = results.find((r) => r.peers === 100) ?? results.at(-1)!
  writeBenchResult('relay', { ...headline, runs: results, target_msgs_per_s: 50_000, target_rss_mb_at_100_peers: 256 })
  // A hundred stopped libp2p nodes still leave timers behind that kept the process up for minutes.
  setTimeout(() => process.exit(process.exitCode ?? 0), 2_000).unref()
}

async function runOnce(peerCount: number, publisherCount: number, rate: number, seconds: number): Promise<Metrics> {
  const relay = await RelayProcess.create()
  const info = await relay.start()
  const relayAddr = multiaddr(info.multiaddrs.find((a) => a.includes('/ws'))!)
  const rssBaseMb = relayRssMb(relay)
  const listeners: Awaited<ReturnType<typeof lightPeer>>[] = []
  const pubs: NodePeer[] = []
  try {
    // Connection setup: every peer dials at once, as a classroom opening the page would.
    const setupStarted = performance.now()
    const settled = await Promise.allSettled(Array.from({ length: peerCount }, () => lightPeer(relayAddr)))
    const setupMs = performance.now() - setupStarted
    for (const s of settled) if (s.status === 'fulfilled') listeners.push(s.value)
    const connectFailures = settled
      .filter((s) => s.status === 'rejected')
      .map((s) => String((s as PromiseRejectedResult).reason).split('\n')[0])
    if (connectFailures.length) console.log(`${connectFailures.length} peers failed to connect, e.g. ${connectFailures[0]}`)
    const reservations = await countReservations(listeners, 15_000)
    const rssConnectedMb = relayRssMb(relay)

    // Publishers hold credentials (the relay's gate checks them) and publish through the relay only.
    const trust = await fetchTrust(info.url)
    for (let i = 0; i < publisherCount; i++) {
      const p = await createNodePeer(new Uint8Array(32).fill(200 + i), trust)
      await p.node.dial(relayAddr)
      await p.present(await p.join(info.url))
      // Publishers only publish: checking every other publisher's messages would load this
      // process, not the relay.
      p.node.services.pubsub.unsubscribe(topicForKind('mesh.chat'))
      pubs.push(p)
    }
    await new Promise((r) => setTimeout(r, 3000)) // GossipSub heartbeats: meshes form

    const latencies: number[] = []
    for (const l of listeners) l.onChat = (sentUs) => latencies.push((nowUs() - sentUs) / 1000)
    const perPublisher = Math.round((rate * seconds) / publisherCount)
    const gossipStarted = performance.now()
    await Promise.all(
      pubs.map(async (p) => {
        const interval = (1000 * publisherCount) / rate
        const start = performance.now()
        for (let k = 0; k < perPublisher; k++) {
          const due = start + k * interval
          const wait = due - performance.now()
          if (wait > 1) await new Promise((r) => setTimeout(r, wait))
          await p.runtime.gossip.publish('mesh.chat', { text: `r${k}`, sentAtUs: BigInt(nowUs()) }).catch(() => 0)
        }
      }),
    )
    const publishMs = performance.now() - gossipStarted
    await new Promise((r) => setTimeout(r, 3000))
    const accepted = await relayAccepted(relay)
    const rssAfterMb = relayRssMb(relay)
    const published = perPublisher * publisherCount
    return {
      peers: peerCount,
      peers_connected: listeners.length,
      connect_failures: connectFailures.length,
      setup_ms: round(setupMs),
      connections_per_s: round(listeners.length / (setupMs / 1000)),
      reservations,
      publishers: publisherCount,
      offered_msgs_per_s: round(published / (publishMs / 1000)),
      msgs_published: published,
      relay_accepted: accepted,
      msgs_per_s: round(Math.min(accepted, published) / ((publishMs + 3000) / 1000)),
      deliveries: latencies.length,
      delivery_ratio: round(latencies.length / (published * listeners.length), 4),
      deliveries_per_s: round(latencies.length / ((publishMs + 3000) / 1000)),
      p50_ms: round(percentile(latencies, 50)),
      p99_ms: round(percentile(latencies, 99)),
      rss_mb: round(rssAfterMb),
      rss_idle_mb: round(rssBaseMb),
      rss_connected_mb: round(rssConnectedMb),
    }
  } finally {
    await Promise.allSettled([...listeners.map((l) => l.node.stop()), ...pubs.map((p) => p.node.stop())])
    await relay.stop()
  }
}

function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000)
}

/** A browser-shaped peer without the gate: it only listens, so the bench process measures the relay, not itself. */
async function lightPeer(relayAddr: ReturnType<typeof multiaddr>) {
  const node = await createLibp2p({
    addresses: { listen: ['/p2p-circuit'] },
    transports: [webSockets(), circuitRelayTransport({ reservationCompletionTimeout: 20_000 })],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: { identify: identify(), pubsub: meshGossipsub() },
  })
  const peer = { node, onChat: undefined as ((sentUs: number) => void) | undefined }
  node.services.pubsub.subscribe(topicForKind('mesh.chat'))
  node.services.pubsub.addEventListener('message', (event) => {
    const envelope = Envelope.decode(event.detail.data)
    peer.onChat?.(Number(Chat.decode(envelope.payload).sentAtUs))
  })
  await node.dial(relayAddr, { signal: AbortSignal.timeout(60_000) })
  return peer
}

async function countReservations(peers: { node: { getMultiaddrs(): { toString(): string }[] } }[], timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs
  let count = 0
  while (Date.now() < until) {
    count = peers.filter((p) => p.node.getMultiaddrs().some((a) => a.toString().includes('/p2p-circuit'))).length
    if (count === peers.length) break
    await new Promise((r) => setTimeout(r, 250))
  }
  return count
}

async function relayAccepted(relay: RelayProcess): Promise<number> {
  const text = await relay.metrics()
  const line = text.split('\n').find((l) => l.startsWith('mesh_messages_accepted_total') && l.includes('mesh.chat'))
  return line ? Number(line.split(' ').at(-1)) : NaN
}

/** Resident memory of the relay's Node process (the largest in its process group; tsx is the other). */
function relayRssMb(relay: RelayProcess): number {
  const pgid = relay.pid
  if (pgid === undefined) return NaN
  const out = execFileSync('ps', ['-o', 'rss=', '-g', String(pgid)]).toString()
  return Math.max(...out.split('\n').filter(Boolean).map(Number)) / 1024
}

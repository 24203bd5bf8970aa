// A child process of the relay benchmark (tests/bench/relay.bench.ts): it hosts a share of
// the benchmark's peers, so that listening and publishing spread over several processes and
// the relay, not one loaded bench process, is what the figures measure. Driven over IPC.
import { createLibp2p } from 'libp2p'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@chainsafe/libp2p-noise'
import { meshYamux } from '../../workers/net/yamux-config'
import { identify } from '@libp2p/identify'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { createNodePeer, type NodePeer, type PeerTrust } from '../e2e/harness/node-peer'
import { meshGossipsub } from '../../workers/net/gossip-config'
import { topicForKind } from '../../workers/net/gossip'
import { createEnvelopeSigner, sealMessage } from '../../workers/protocol/envelope'
import { nativeEd25519Signer } from '../../workers/protocol/node/ed25519'
import { nodeSha256 } from '../../workers/protocol/node/sha256'
import { messageKinds } from '../../workers/kinds'
import { Chat, Envelope } from '../../workers/protocol/wire.pb'

/** Commands from the bench process, in the order it sends them. */
export type PeersCommand =
  | { cmd: 'create'; listeners: number }
  | { cmd: 'dial'; relayAddr: string }
  | { cmd: 'reservations'; timeoutMs: number }
  | { cmd: 'publishers'; count: number; seedBase: number; relayAddr: string; relayUrl: string; trust: PeerTrust }
  | { cmd: 'publish'; perPublisherPerSecond: number; seconds: number }
  /** The deliveries since the last reset; `reset` starts a new count (one per gossip phase). */
  | { cmd: 'report'; reset: boolean }
  | { cmd: 'stop' }

/** Replies: one per command. */
export type PeersReply =
  | { ev: 'created' }
  | { ev: 'dialled'; connected: number; failures: string[]; retries: number; firstErrors: string[] }
  | { ev: 'reservations'; count: number }
  | { ev: 'publishers' }
  | { ev: 'published'; published: number; publishMs: number; lateMsMax: number }
  | { ev: 'report'; deliveries: number; histogram: [number, number][] }
  | { ev: 'stopped' }

type Listener = Awaited<ReturnType<typeof createListener>>

const chatTopic = topicForKind('mesh.chat')
const listeners: Listener[] = []
const publishers: { peer: NodePeer; signer: ReturnType<typeof createEnvelopeSigner> }[] = []
/** Latency histogram: key = bucket (see bucketOf), value = count. Millions of deliveries fit in a few thousand keys. */
const histogram = new Map<number, number>()
let deliveries = 0

export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000)
}

/** 0.1 ms buckets below 100 ms, 1 ms below 10 s, 100 ms above: within 1 % of the value where p99s live. */
export function bucketOf(ms: number): number {
  if (ms < 100) return Math.round(ms * 10) / 10
  if (ms < 10_000) return Math.round(ms)
  return Math.round(ms / 100) * 100
}

function record(sentUs: number): void {
  const key = bucketOf((nowUs() - sentUs) / 1000)
  histogram.set(key, (histogram.get(key) ?? 0) + 1)
  deliveries++
}

/** A browser-shaped peer without the gate: it only listens and decodes, so its process costs little per delivery. */
async function createListener() {
  const node = await createLibp2p({
    addresses: { listen: ['/p2p-circuit'] },
    transports: [webSockets(), circuitRelayTransport({ reservationCompletionTimeout: 20_000 })],
    connectionEncrypters: [noise()],
    streamMuxers: [meshYamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: { identify: identify(), pubsub: meshGossipsub({}, { messageIdHash: nodeSha256 }) },
  })
  node.services.pubsub.subscribe(chatTopic)
  node.services.pubsub.addEventListener('message', (event) => {
    const envelope = Envelope.decode(event.detail.data)
    record(Number(Chat.decode(envelope.payload).sentAtUs))
  })
  return node
}

/** As a page does: a dial that fails is retried after a random 0.5-2 s, up to 5 attempts. */
async function dialWithRetry(node: Listener | NodePeer['node'], addr: Multiaddr, onRetry: (err: unknown) => void) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await node.dial(addr, { signal: AbortSignal.timeout(60_000) })
    } catch (err) {
      if (attempt === 5) throw err
      onRetry(err)
      await new Promise((r) => setTimeout(r, 500 + Math.random() * 1500))
    }
  }
}

async function handle(command: PeersCommand): Promise<PeersReply> {
  switch (command.cmd) {
    case 'create':
      for (let i = 0; i < command.listeners; i++) listeners.push(await createListener())
      return { ev: 'created' }
    case 'dial': {
      const addr = multiaddr(command.relayAddr)
      let retries = 0
      const firstErrors: string[] = []
      const onRetry = (err: unknown) => {
        retries++
        if (firstErrors.length < 3) firstErrors.push(String(err).split('\n')[0])
      }
      const settled = await Promise.allSettled(listeners.map((l) => dialWithRetry(l, addr, onRetry)))
      const failures = settled.filter((s) => s.status === 'rejected').map((s) => String(s.reason).split('\n')[0])
      return { ev: 'dialled', connected: settled.length - failures.length, failures, retries, firstErrors }
    }
    case 'reservations': {
      const until = Date.now() + command.timeoutMs
      let count = 0
      while (Date.now() < until) {
        count = listeners.filter((l) => l.getMultiaddrs().some((a) => a.toString().includes('/p2p-circuit'))).length
        if (count === listeners.length) break
        await new Promise((r) => setTimeout(r, 250))
      }
      return { ev: 'reservations', count }
    }
    case 'publishers': {
      const addr = multiaddr(command.relayAddr)
      for (let i = 0; i < command.count; i++) {
        const peer = await createNodePeer(new Uint8Array(32).fill(command.seedBase + i), command.trust)
        await dialWithRetry(peer.node, addr, () => {})
        await peer.present(await peer.join(command.relayUrl))
        // Publishers only publish: checking the other publishers' messages would load this process, not the relay.
        peer.node.services.pubsub.unsubscribe(chatTopic)
        // Native signing (OpenSSL, ~10x @noble's), so the publishers can offer tens of thousands of messages a second.
        const signer = createEnvelopeSigner({ ...peer.identity, sign: nativeEd25519Signer(peer.identity.seed) }, messageKinds)
        publishers.push({ peer, signer })
      }
      return { ev: 'publishers' }
    }
    case 'publish': {
      const perPublisher = Math.round(command.perPublisherPerSecond * command.seconds)
      const interval = 1000 / command.perPublisherPerSecond
      const started = performance.now()
      let lateMsMax = 0
      let published = 0
      // Each tick publishes every message that is due (without waiting for the previous one), so a
      // slow tick does not lower the offered rate; messages carry the time they were actually sent.
      await Promise.all(
        publishers.map(async ({ peer, signer }) => {
          const pubsub = peer.node.services.pubsub
          let k = 0
          while (k < perPublisher) {
            const elapsed = performance.now() - started
            const due = Math.min(perPublisher, Math.floor(elapsed / interval) + 1)
            if (k < due) lateMsMax = Math.max(lateMsMax, elapsed - k * interval)
            for (; k < due; k++) {
              const bytes = sealMessage(signer, 'mesh.chat', { text: `r${k}`, sentAtUs: BigInt(nowUs()) })
              void pubsub.publish(chatTopic, bytes).catch(() => 0)
              published++
            }
            await new Promise((r) => setTimeout(r, Math.max(1, Math.min(10, interval))))
          }
        }),
      )
      return { ev: 'published', published, publishMs: performance.now() - started, lateMsMax }
    }
    case 'report': {
      const reply: PeersReply = { ev: 'report', deliveries, histogram: [...histogram.entries()] }
      if (command.reset) {
        histogram.clear()
        deliveries = 0
      }
      return reply
    }
    case 'stop':
      await Promise.allSettled([...listeners.map((l) => l.stop()), ...publishers.map((p) => p.peer.node.stop())])
      return { ev: 'stopped' }
  }
}

if (process.send) {
  process.on('message', (command: PeersCommand) => {
    handle(command).then(
      (reply) => {
        process.send!(reply)
        if (reply.ev === 'stopped') setTimeout(() => process.exit(0), 100)
      },
      (err) => {
        console.error(`relay-peers: ${command.cmd} failed: ${(err as Error).stack}`)
        process.exit(1)
      },
    )
  })
}

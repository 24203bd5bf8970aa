import { fork, type ChildProcess } from 'node:child_process'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { RelayProcess } from '../e2e/harness/relay-process'
import { fetchTrust } from '../e2e/harness/node-peer'
import { writeBenchResult, type Metrics } from './results'
import { flagValue, hasFlag, round } from './stats'
import type { PeersCommand, PeersReply } from './relay-peers'

const HELP = `npm run bench -- relay [--peers 10,100,250] [--publishers 4] [--rates 50,100,250,500,1000,2000,4000]
                       [--p99-bound 1000] [--seconds 5] [--procs 2] [--profile DIR]

Starts the relay (the real CLI process) and, per --peers count, that many Node libp2p peers
connecting to it as browsers do (WebSockets + noise + yamux), each reserving a circuit-relay
slot and subscribing to the chat topic. The peers live in --procs child processes, so the
relay, not one loaded bench process, is what the figures measure. Measures:
  connection setup rate (peers connected and reserved per second, all dialling at once; a
  failed dial is retried after 0.5-2 s, up to 5 attempts, as a page does: dial_retries);
  circuit reservations granted, and the relay's CPU time per connection set up and reserved;
  gossip through the relay: --publishers credentialed peers publish signed chat messages at
  each of --rates messages/s in total for --seconds, one phase per rate on the same peers,
  stopping after the first phase outside the bound (p99 publish -> delivery over --p99-bound ms,
  or fewer than 99 % of the copies delivered); sustained_msgs_per_s is the relay's rate in the
  last phase within the bound, and the other gossip figures are the last phase's. msgs_per_s
  counts messages the relay accepted and forwarded (its gate checks every signature) per
  second until it had accepted the last one; deliveries_per_s the copies the peers received;
  p99 is publish -> delivery at the peers;
  relay_cpu_us_per_msg: the relay process's own CPU time (user + system, /proc) during the
  gossip, less its idle rate measured just before, per accepted message: robust to machine
  load, the figure to drive down;
  the relay's resident memory (RSS) with all peers connected, after the gossip.
The relay runs with --gossip-peer-rate and --gossip-address-rate raised to 1,000,000: every
bench peer shares the loopback address, and the limits would otherwise cap the offered rate.
--profile DIR writes a V8 CPU profile of the relay (node --cpu-prof) into DIR.`

/** A phase is within the bound only if (nearly) every peer got every message. */
const MIN_DELIVERY_RATIO = 0.99

/** One child process hosting a share of the peers. */
class PeerHost {
  private readonly waiting: ((reply: PeersReply) => void)[] = []
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: PeersReply) => this.waiting.shift()?.(reply))
    // A host that died (its error is on stderr) must fail its command, not the bench with EPIPE.
    child.on('error', () => {})
  }

  static start(): PeerHost {
    // At the bench's own priority (as the relay): lowered further, the peers starved under other
    // users' load and offered a tenth of the rate asked for.
    return new PeerHost(fork(join(import.meta.dirname, 'relay-peers.ts'), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' }))
  }

  ask<E extends PeersReply['ev']>(command: PeersCommand): Promise<Extract<PeersReply, { ev: E }>> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`peer host exited with ${code} during '${command.cmd}'`))
      this.child.once('exit', onExit)
      this.waiting.push((reply) => {
        this.child.off('exit', onExit)
        resolve(reply as Extract<PeersReply, { ev: E }>)
      })
      if (!this.child.connected) return reject(new Error(`peer host is gone before '${command.cmd}'`))
      this.child.send(command)
    })
  }

  kill(): void {
    this.child.kill('SIGKILL')
  }
}

export async function main(args: string[]): Promise<void> {
  if (hasFlag(args, 'help')) return void console.log(HELP)
  const counts = (args.includes('--peers') ? args[args.indexOf('--peers') + 1] : '10,100,250').split(',').map(Number)
  const options = {
    publishers: flagValue(args, 'publishers', 4),
    rates: (args.includes('--rates') ? args[args.indexOf('--rates') + 1] : '50,100,250,500,1000,2000,4000').split(',').map(Number),
    p99BoundMs: flagValue(args, 'p99-bound', 1000),
    seconds: flagValue(args, 'seconds', 5),
    procs: flagValue(args, 'procs', 2),
    profileDir: args.includes('--profile') ? args[args.indexOf('--profile') + 1] : undefined,
  }
  const results: Metrics[] = []
  for (const peers of counts) {
    const result = await runOnce(peers, options)
    console.log(JSON.stringify(result))
    results.push(result)
  }
  // The headline figures are those of the 100-peer run (the target's size), or the largest run.
  const headline = results.find((r) => r.peers === 100) ?? results.at(-1)!
  writeBenchResult('relay', { ...headline, runs: results, target_msgs_per_s: 50_000, target_rss_mb_at_100_peers: 256 })
  setTimeout(() => process.exit(process.exitCode ?? 0), 2_000).unref()
}

type Options = { publishers: number; rates: number[]; p99BoundMs: number; seconds: number; procs: number; profileDir?: string }

async function runOnce(peerCount: number, o: Options): Promise<Metrics> {
  const relay = await RelayProcess.create({
    extraArgs: ['--gossip-peer-rate', '1000000', '--gossip-address-rate', '1000000'],
    env: o.profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${o.profileDir}` } : {},
  })
  const info = await relay.start()
  const relayAddr = info.multiaddrs.find((a) => a.includes('/ws'))!
  const rssBaseMb = relayRssMb(relay)
  const hosts = Array.from({ length: o.procs }, () => PeerHost.start())
  const share = (total: number, i: number) => Math.floor(total / o.procs) + (i < total % o.procs ? 1 : 0)
  try {
    await Promise.all(hosts.map((h, i) => h.ask<'created'>({ cmd: 'create', listeners: share(peerCount, i) })))
    // Connection setup: every peer dials at once, as a classroom opening the page would.
    // The relay's idle CPU rate before any peer came (timers), subtracted from the setup's.
    const idleBefore = { cpu: relay.cpuMs()!, at: performance.now() }
    await new Promise((r) => setTimeout(r, 1000))
    const idleCpuPerMsBefore = (relay.cpuMs()! - idleBefore.cpu) / (performance.now() - idleBefore.at)
    const setupCpuBefore = relay.cpuMs()!
    const setupStarted = performance.now()
    const dialled = await Promise.all(hosts.map((h) => h.ask<'dialled'>({ cmd: 'dial', relayAddr })))
    const setupMs = performance.now() - setupStarted
    const connected = dialled.reduce((n, d) => n + d.connected, 0)
    const failures = dialled.flatMap((d) => d.failures)
    const retries = dialled.reduce((n, d) => n + d.retries, 0)
    if (failures.length) console.log(`${failures.length} peers failed to connect, e.g. ${failures[0]}`)
    if (retries) console.log(`${retries} dials retried, e.g. ${dialled.flatMap((d) => d.firstErrors)[0]}`)
    const reserved = await Promise.all(hosts.map((h) => h.ask<'reservations'>({ cmd: 'reservations', timeoutMs: 60_000 })))
    const reservedMs = performance.now() - setupStarted
    const reservations = reserved.reduce((n, r) => n + r.count, 0)
    const setupCpuMs = relay.cpuMs()! - setupCpuBefore - idleCpuPerMsBefore * reservedMs
    const rssConnectedMb = relayRssMb(relay)

    // Publishers hold credentials (the relay's gate checks them) and publish through the relay only.
    const trust = await fetchTrust(info.url)
    const publishersPerHost = hosts.map((_, i) => share(o.publishers, i))
    await Promise.all(
      hosts.map((h, i) =>
        h.ask<'publishers'>({
          cmd: 'publishers',
          count: publishersPerHost[i],
          seedBase: 100 + 10 * i,
          relayAddr,
          relayUrl: info.url,
          trust,
        }),
      ),
    )
    await new Promise((r) => setTimeout(r, 3000)) // GossipSub heartbeats: meshes form
    // The relay's idle CPU rate (heartbeats, pings of all its peers), subtracted from the gossip's.
    const idleStart = { cpu: relay.cpuMs()!, at: performance.now() }
    await new Promise((r) => setTimeout(r, 2000))
    const idleCpuPerMs = (relay.cpuMs()! - idleStart.cpu) / (performance.now() - idleStart.at)

    // Each rate in turn on the same peers, up to the first the relay cannot carry within the bound.
    const phases: (Metrics & { within_bound: boolean })[] = []
    for (const rate of o.rates) {
      const phase = await gossipPhase(relay, hosts, publishersPerHost, connected, idleCpuPerMs, rate, o)
      console.log(`  ${peerCount} peers, ${rate} msgs/s asked: ${JSON.stringify(phase)}`)
      phases.push(phase)
      if (!phase.within_bound) break
    }
    const sustained = phases.filter((p) => p.within_bound).at(-1)
    const rssAfterMb = relayRssMb(relay)
    const rejected = await relayRejected(relay)
    if (Object.keys(rejected).length) console.log(`relay refused chat messages: ${JSON.stringify(rejected)}`)
    return {
      peers: peerCount,
      peers_connected: connected,
      connect_failures: failures.length,
      dial_retries: retries,
      setup_ms: round(setupMs),
      connections_per_s: round(connected / (setupMs / 1000)),
      reservations,
      reserved_ms: round(reservedMs),
      relay_cpu_ms_per_connection: round(setupCpuMs / Math.max(1, connected)),
      publishers: o.publishers,
      peer_processes: o.procs,
      sustained_msgs_per_s: sustained?.msgs_per_s ?? 0,
      sustained_p99_ms: sustained?.p99_ms ?? NaN,
      sustained_relay_cpu_us_per_msg: sustained?.relay_cpu_us_per_msg ?? NaN,
      p99_bound_ms: o.p99BoundMs,
      relay_idle_cpu_share: round(idleCpuPerMs, 3),
      relay_rejected: Object.values(rejected).reduce((n, c) => n + c, 0),
      // The last phase's figures: the highest rate tried, usually one past what the relay carries.
      ...phases.at(-1),
      phases,
      rss_mb: round(rssAfterMb),
      rss_idle_mb: round(rssBaseMb),
      rss_connected_mb: round(rssConnectedMb),
    }
  } finally {
    await Promise.allSettled(hosts.map((h) => Promise.race([h.ask({ cmd: 'stop' }), new Promise((r) => setTimeout(r, 10_000))])))
    hosts.forEach((h) => h.kill())
    await relay.stop()
  }
}

/**
 * One gossip phase: the publishers offer `rate` messages/s in total for o.seconds; then, until
 * the relay's accepted count stops moving, what it accepted and its CPU per message; then the
 * peers' deliveries of this phase (their counts reset for the next).
 */
async function gossipPhase(
  relay: RelayProcess,
  hosts: PeerHost[],
  publishersPerHost: number[],
  connected: number,
  idleCpuPerMs: number,
  rate: number,
  o: Options,
): Promise<Metrics & { within_bound: boolean }> {
  const acceptedBefore = await relayAccepted(relay)
  const cpuBefore = relay.cpuMs()!
  const gossipStarted = performance.now()
  const published = await Promise.all(
    hosts.map((h, i) =>
      publishersPerHost[i] === 0
        ? { published: 0, lateMsMax: 0 }
        : h.ask<'published'>({ cmd: 'publish', perPublisherPerSecond: rate / o.publishers, seconds: o.seconds }),
    ),
  )
  const publishMs = performance.now() - gossipStarted
  // Until the relay's count stops moving for 2 s (or 30 s): what it accepted, and when it had.
  let accepted = (await relayAccepted(relay)) - acceptedBefore
  let lastMoveMs = performance.now() - gossipStarted
  let lastCpu = relay.cpuMs()!
  for (let still = 0; still < 4 && performance.now() - gossipStarted < publishMs + 30_000;) {
    await new Promise((r) => setTimeout(r, 500))
    const now = (await relayAccepted(relay)) - acceptedBefore
    if (now === accepted) still++
    else {
      still = 0
      accepted = now
      lastMoveMs = performance.now() - gossipStarted
      lastCpu = relay.cpuMs()!
    }
  }
  const relayCpuMs = lastCpu - cpuBefore - idleCpuPerMs * lastMoveMs
  await new Promise((r) => setTimeout(r, 2000)) // copies still on their way to the peers
  const reports = await Promise.all(hosts.map((h) => h.ask<'report'>({ cmd: 'report', reset: true })))
  const histogram = new Map<number, number>()
  for (const r of reports) for (const [k, v] of r.histogram) histogram.set(k, (histogram.get(k) ?? 0) + v)
  const deliveries = reports.reduce((n, r) => n + r.deliveries, 0)
  const totalPublished = published.reduce((n, p) => n + p.published, 0)
  const deliveryRatio = deliveries / (totalPublished * connected)
  const p99 = histogramPercentile(histogram, 99)
  return {
    rate_asked: rate,
    offered_msgs_per_s: round(totalPublished / (publishMs / 1000)),
    publisher_lag_ms_max: round(Math.max(...published.map((p) => p.lateMsMax))),
    msgs_published: totalPublished,
    relay_accepted: accepted,
    msgs_per_s: round(accepted / (lastMoveMs / 1000)),
    relay_cpu_us_per_msg: round((relayCpuMs * 1000) / accepted),
    relay_cpu_ceiling_msgs_per_s: round(1e6 / ((relayCpuMs * 1000) / accepted)),
    deliveries,
    delivery_ratio: round(deliveryRatio, 4),
    deliveries_per_s: round(deliveries / (lastMoveMs / 1000)),
    p50_ms: histogramPercentile(histogram, 50),
    p99_ms: p99,
    within_bound: deliveryRatio >= MIN_DELIVERY_RATIO && p99 <= o.p99BoundMs,
  }
}

function histogramPercentile(histogram: Map<number, number>, p: number): number {
  const entries = [...histogram.entries()].sort((a, b) => a[0] - b[0])
  const total = entries.reduce((n, [, c]) => n + c, 0)
  if (total === 0) return NaN
  const rank = Math.ceil((p / 100) * total)
  let seen = 0
  for (const [value, count] of entries) if ((seen += count) >= rank) return value
  return entries.at(-1)![0]
}

async function relayAccepted(relay: RelayProcess): Promise<number> {
  const text = await relay.metrics()
  const line = text.split('\n').find((l) => l.startsWith('mesh_messages_accepted_total') && l.includes('mesh.chat'))
  return line ? Number(line.split(' ').at(-1)) : 0
}

/** The relay's refusals of chat messages by reason (e.g. 'stale': held past the replay window in a queue). */
async function relayRejected(relay: RelayProcess): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const line of (await relay.metrics()).split('\n')) {
    if (!line.startsWith('mesh_messages_rejected_total') || !line.includes('mesh.chat')) continue
    const reason = /reason="([^"]+)"/.exec(line)?.[1] ?? '?'
    out[reason] = Number(line.split(' ').at(-1))
  }
  return out
}

/** Resident memory of the relay's Node process (the largest in its process group; tsx is the other). */
function relayRssMb(relay: RelayProcess): number {
  const pgid = relay.pid
  if (pgid === undefined) return NaN
  const out = execFileSync('ps', ['-o', 'rss=', '-g', String(pgid)]).toString()
  return Math.max(...out.split('\n').filter(Boolean).map(Number)) / 1024
}

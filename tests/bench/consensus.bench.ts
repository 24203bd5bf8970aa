import { createLibp2p } from 'libp2p'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@chainsafe/libp2p-noise'
import { meshYamux } from '../../workers/net/yamux-config'
import { identify } from '@libp2p/identify'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { ed25519 } from '@noble/curves/ed25519.js'
import { identityFromSeed, peerIdStringFromPublicKey } from '../../workers/identity/ed25519'
import { createEnvelopeSigner } from '../../workers/protocol/envelope'
import { verifyEd25519Batch } from '../../workers/protocol/verify'
import { webCryptoSha256 } from '../../workers/net/blob-store'
import { MeshRuntime } from '../../workers/net/runtime'
import { gossipKinds } from '../../workers/net/topics'
import { topicForKind } from '../../workers/net/gossip'
import { meshGossipsub } from '../../workers/net/gossip-config'
import { silentLogger, type Logger } from '../../workers/log'
import {
  ConsensusAdapter,
  MemoryConsensusStore,
  createBeaconApplication,
  decodeBeacon,
  gossipBftTransport,
} from '../../workers/consensus/adapter'
import {
  createRealScheme,
  createRealSigner,
  createValidatorSet,
  loadWasmBls,
  type BlsVoteBackend,
  type ValidatorSigner,
} from '../../workers/consensus/certificate'
import { commitSignBytes } from '../../workers/consensus/certificate/sign-bytes'
import { runConsensusSimulation } from './consensus-sim'
import { nativeEd25519Signer, nativeVerifyEd25519 } from '../../workers/protocol/node/ed25519'
import { RelayProcess } from '../e2e/harness/relay-process'
import Database from 'better-sqlite3'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeBenchResult, type Metrics } from './results'
import { flagValue, hasFlag, percentile, round, summarizeRuns } from './stats'
import { messageKinds } from '../../workers/kinds'
import { runMixed, type MixedRun } from './consensus-mixed'
import { readFileSync } from 'node:fs'

const HELP = `npm run bench -- consensus [--validators 4,7,16] [--noble-validators 4,7] [--process-validators 4,7,10] [--heights 30] [--warmup 3] [--interval-ms 100]
                               [--process-runs 1]
                               [--sim-validators 100] [--sim-link-ms 50] [--sim-heights 10] [--mixed-runs 3] [--only-mixed] [--only-processes]

BFT finality over real libp2p on loopback: for each n in --validators, n validators, each a
full libp2p node (WebSockets, Noise, Yamux, GossipSub) with the mesh runtime's inbound gate
and the consensus adapter, all hosted in this one Node process (so they share one CPU core:
the per-validator CPU cost is reported next to the latency, and the timeouts grow with n).
Real signatures (Ed25519 on
every message and envelope, BLS12-381 precommits and certificates). Each height's value is
a beacon record; the proposer waits --interval-ms after a decision before proposing.

  finality latency: from the proposer building its record (its clock) to each validator's
  decision, p50/p99 over --heights heights after --warmup (all validators, one clock);
  messages per decision: consensus messages published (all validators) and delivered
  (each validator's gate-accepted deliveries) per height.
The same figures for each n in --process-validators with every validator a relay process
(the relay CLI with --validator-set, as deployed; SQLite on disk), read back from their
databases. Pass --process-validators '' to skip them.
Validators sign and check votes with WebAssembly BLS and native Ed25519 signing; for each n
in --noble-validators the same run first measures them with the pure-JS @noble crypto used
before (the baseline), and reports CPU per decision before / after as a ratio (cheap_votes).
Baselines in the same run: the one-way gossip delivery latency on the same nodes (a small
envelope published by one, delivered to all), and the crypto one validator does per height
measured alone. Simulated: --sim-validators validators on --sim-link-ms links in the
deterministic simulator (fake signatures, virtual time), and the same simulator at each n
with 1 ms links as the protocol's own floor.
Mixed (mixed_browsers, --mixed-runs times; 0 skips): two relay processes and two Chromium
pages (the test build; npm run build:test) as validators, the pages added live by an admin,
finality over --heights heights after the second page's set takes effect; each run alternates
with a baseline of four relay processes (same heights and interval), reported as a ratio, and
the spread over runs. --only-mixed runs just that and updates mixed_browsers in the results
file, keeping the other figures of the last full run; --only-processes does the same for the
relay processes (relay_processes, sizes from --process-validators). --process-runs N repeats each
relay-process size N times on fresh processes and reports each figure's median, with its
[min, max] in spread and every run in each.`

const KEY_SEED_BASE = 70

/** Quiet, except for what would mean the run is broken. */
const errorsOnly: Logger = { ...silentLogger, error: (fields, message) => console.error(message, fields), child: () => errorsOnly }

interface ProcessRun extends Metrics {
  validators: number
  /** Relay processes only: CPU (all of each relay process, libp2p included) per decided height, divided by n; null where /proc is missing. */
  cpu_ms_per_decision_per_validator: number | null
  heights: number
  finality_p50_ms: number
  finality_p99_ms: number
  finality_max_ms: number
  rounds_above_zero: number
  published_per_decision: number
  delivered_per_decision: number
}

/** 'noble': pure-JS BLS and Ed25519 signing, as before issue 16; 'fast': WebAssembly BLS and native Ed25519 signing, as validators now run. */
type CryptoMode = 'noble' | 'fast'

interface RealRun extends ProcessRun {
  crypto: CryptoMode
  cpu_ms_per_decision_per_validator: number
  gossip_one_way_p50_ms: number
  gossip_one_way_p99_ms: number
  crypto_per_validator_per_height_ms: number
  cpu_ms_per_decision_all_validators: number
  finality_p50_over_gossip_p50: number
  finality_p50_over_crypto_floor: number
  min_topic_subscribers_seen: number
}

async function createValidatorNode(index: number, crypto: CryptoMode) {
  const seed = new Uint8Array(32).fill(KEY_SEED_BASE + index)
  const node = await createLibp2p({
    privateKey: await generateKeyPairFromSeed('Ed25519', seed),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [meshYamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    // Every dial comes from 127.0.0.1: lift the per-host inbound rate limit (5/s by default).
    connectionManager: { maxConnections: 1024, inboundConnectionThreshold: 10_000, maxIncomingPendingConnections: 256 },
    // GossipSub graylists peers beyond 10 per IP (IP colocation score): at n = 16 on loopback the
    // last validator's subscriptions were ignored by everyone. Loopback is one IP by design here.
    services: { identify: identify(), pubsub: meshGossipsub({ scoreParams: { IPColocationFactorWhitelist: new Set(['127.0.0.1']) } }) },
  })
  const identity = identityFromSeed(seed)
  const signer = createEnvelopeSigner(crypto === 'fast' ? { ...identity, sign: nativeEd25519Signer(seed) } : identity, messageKinds)
  const runtime = new MeshRuntime(node, { signer, verify: verifyEd25519Batch, sha256: webCryptoSha256, log: silentLogger, gossipKinds })
  await runtime.start()
  return { node, runtime, seed }
}

async function until(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** The signature work one validator does per height, timed alone: the floor a validator on its own core cannot go below. */
function cryptoFloorMs(n: number, signers: readonly ValidatorSigner[], scheme = createRealScheme()): number {
  const quorum = Math.floor((2 * n) / 3) + 1
  const message = commitSignBytes('floor', 1, 0, new Uint8Array(32).fill(7))
  const signatures = signers.slice(0, quorum).map((s) => s.signVote(message))
  const keys = signers.slice(0, quorum).map((s) => s.voteKey)
  const edSeed = new Uint8Array(32).fill(3)
  const edMessage = new Uint8Array(200).fill(1)
  const edSignature = ed25519.sign(edMessage, edSeed)
  const edKey = ed25519.getPublicKey(edSeed)
  scheme.verifyAggregateVote(keys, message, scheme.aggregateVotes(signatures)) // warm the key cache
  const runs = 5
  const started = performance.now()
  for (let r = 0; r < runs; r++) {
    signers[0].signVote(message) // its precommit
    for (let i = 0; i < 3; i++) signers[0].signMessage(edMessage) // proposal or prevote, precommit
    // Every other validator's prevote and precommit (and a proposal), checked by the core.
    for (let i = 0; i < 2 * n - 1; i++) scheme.verifyMessage(edKey, edMessage, edSignature)
    scheme.verifyAggregateVote(keys, message, scheme.aggregateVotes(signatures)) // the certificate
  }
  return (performance.now() - started) / runs
}

async function runReal(n: number, heights: number, warmup: number, intervalMs: number, crypto: CryptoMode): Promise<RealRun> {
  const bls: BlsVoteBackend | undefined = crypto === 'fast' ? await loadWasmBls() : undefined
  // One scheme per validator, as in separate processes: no validator profits from another's caches.
  const schemes = Array.from({ length: n }, () => createRealScheme({ verifyEd25519: nativeVerifyEd25519, bls }))
  const scheme = schemes[0]
  const nodes: Awaited<ReturnType<typeof createValidatorNode>>[] = []
  for (let i = 0; i < n; i++) nodes.push(await createValidatorNode(i, crypto))
  const signers = nodes.map((v) =>
    createRealSigner(
      { identitySeed: v.seed, voteSeed: new Uint8Array(48).fill(KEY_SEED_BASE + v.seed[0]) },
      crypto === 'fast' ? { bls, signEd25519: nativeEd25519Signer(v.seed) } : {},
    ),
  )
  const created = createValidatorSet(
    signers.map((s) => ({
      id: peerIdStringFromPublicKey(s.identityKey),
      identityKey: s.identityKey,
      voteKey: s.voteKey,
      possession: s.proofOfPossession(),
    })),
    scheme,
  )
  if (!created.ok) throw new Error(created.reason)
  const set = created.set
  const transports = nodes.map((v) => gossipBftTransport(v.runtime.gossip))
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) await nodes[i].node.dial(nodes[j].node.getMultiaddrs()[0])
    await new Promise((r) => setTimeout(r, 200))
  }
  const bftTopic = topicForKind('bft.message')
  const chatTopic = topicForKind('mesh.chat')
  const subscribers = () =>
    nodes.map((v) =>
      Math.min(v.node.services.pubsub.getSubscribers(bftTopic).length, v.node.services.pubsub.getSubscribers(chatTopic).length),
    )
  await until(() => subscribers().every((c) => c >= n - 1), 'every validator to see the others subscribed', 60_000)
  const minSubscribers = Math.min(...subscribers())
  await new Promise((r) => setTimeout(r, 1500)) // a GossipSub heartbeat or two, so meshes form

  // Baseline: one-way gossip delivery of a small signed envelope on the same nodes.
  const gossipLatencies: number[] = []
  let pending = 0
  for (const v of nodes)
    v.runtime.gossip.on('mesh.chat', (accepted) => {
      gossipLatencies.push(performance.timeOrigin + performance.now() - Number(accepted.payload.sentAtUs) / 1000)
      pending--
    })
  for (let k = 0; k < 30; k++) {
    pending = n - 1
    await nodes[k % n].runtime.gossip.publish('mesh.chat', {
      text: 'x'.repeat(200),
      sentAtUs: BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)),
    })
    await until(() => pending <= 0, 'a gossip baseline delivery', 10_000)
  }

  const stores = nodes.map(() => new MemoryConsensusStore())
  const decisions: { validator: number; height: number; round: number; decidedAtMs: number; proposedAtMs: number }[] = []
  const target = warmup + heights
  const cpuBefore = process.cpuUsage()
  const adapters = await Promise.all(
    nodes.map(async (v, i) => {
      const id = peerIdStringFromPublicKey(signers[i].identityKey)
      const adapter = await ConsensusAdapter.start({
        chainId: `bench-${n}`,
        validators: set,
        signer: signers[i],
        scheme: schemes[i],
        transport: transports[i],
        store: stores[i],
        application: createBeaconApplication({ selfId: id, validators: set, intervalMs }),
        log: errorsOnly,
        // All n validators share one core here, so a height's CPU grows with n: so do the timeouts.
        timeouts: {
          proposeMs: 1000 + intervalMs + 400 * n,
          prevoteMs: 500 + 200 * n,
          precommitMs: 500 + 200 * n,
          rebroadcastMs: 1000 + 300 * n,
        },
      })
      adapter.onDecision((d) => {
        const beacon = decodeBeacon(d.value)
        if (typeof beacon === 'string') throw new Error(beacon)
        decisions.push({ validator: i, height: d.height, round: d.round, decidedAtMs: d.decidedAtMs, proposedAtMs: beacon.timeMs })
      })
      return adapter
    }),
  )
  const progress = setInterval(() => {
    const st = adapters.map((a) => a.stats())
    console.log(`  n = ${n}: height/round per validator ${st.map((s) => `${s.status.height}/${s.status.round}`).join(' ')}`)
  }, 5000)
  await until(
    () => adapters.every((a) => a.stats().decisions >= target),
    `${target} heights at n = ${n}`,
    (60_000 + target * n * 2_000) * (crypto === 'noble' ? 3 : 1),
  ).finally(() => clearInterval(progress))
  const cpu = process.cpuUsage(cpuBefore)
  const stats = adapters.map((a) => a.stats())
  await Promise.all(adapters.map((a) => a.stop()))
  await Promise.all(nodes.map((v) => v.node.stop()))

  const measured = decisions.filter((d) => d.height > warmup && d.height <= target)
  const latencies = measured.map((d) => d.decidedAtMs - d.proposedAtMs)
  const decided = stats.reduce((max, s) => Math.max(max, s.decisions), 0)
  const floor = cryptoFloorMs(n, signers, scheme)
  const finalityP50 = percentile(latencies, 50)
  const gossipP50 = percentile(gossipLatencies, 50)
  const cpuPerDecision = (cpu.user + cpu.system) / 1000 / decided
  return {
    crypto,
    validators: n,
    heights,
    finality_p50_ms: round(finalityP50, 1),
    finality_p99_ms: round(percentile(latencies, 99), 1),
    finality_max_ms: round(percentile(latencies, 100), 1),
    rounds_above_zero: new Set(measured.filter((d) => d.round > 0).map((d) => d.height)).size,
    published_per_decision: round(stats.reduce((sum, s) => sum + s.published, 0) / decided, 1),
    delivered_per_decision: round(stats.reduce((sum, s) => sum + s.received, 0) / decided, 1),
    gossip_one_way_p50_ms: round(gossipP50, 2),
    gossip_one_way_p99_ms: round(percentile(gossipLatencies, 99), 2),
    crypto_per_validator_per_height_ms: round(floor, 1),
    cpu_ms_per_decision_all_validators: round(cpuPerDecision, 1),
    cpu_ms_per_decision_per_validator: round(cpuPerDecision / n, 1),
    finality_p50_over_gossip_p50: round(finalityP50 / gossipP50, 1),
    finality_p50_over_crypto_floor: round(finalityP50 / floor, 2),
    min_topic_subscribers_seen: minSubscribers,
  }
}

/** The deployed shape: each validator a relay process (the relay CLI, SQLite on disk), as in tests/e2e/consensus.test.ts. */
export async function runProcesses(n: number, heights: number, warmup: number, intervalMs: number): Promise<ProcessRun> {
  const chainId = `bench-processes-${n}`
  const setFile = join(mkdtempSync(join(tmpdir(), 'mesh-bench-validators-')), 'validators.json')
  const relays = await Promise.all(
    Array.from({ length: n }, () =>
      RelayProcess.create({ extraArgs: ['--validator-set', setFile, '--bft-interval-ms', String(intervalMs)] }),
    ),
  )
  try {
    const entries = await Promise.all(relays.map((r) => r.validatorEntry()))
    writeFileSync(setFile, JSON.stringify({ chainId, validators: entries }))
    await Promise.all(relays.map((r) => r.start()))
    const target = warmup + heights
    // CPU from the end of the warmup to the end, per height decided in between.
    let cpuAtWarmup: number[] | null = null
    let heightAtWarmup = 0
    const deadline = Date.now() + 60_000 + target * n * 1_000
    let health: Record<string, any>[] = []
    for (;;) {
      health = await Promise.all(relays.map((r) => r.health()))
      if (!cpuAtWarmup && health.every((h) => (h.consensus?.lastDecision?.height ?? 0) >= warmup)) {
        const cpu = relays.map((r) => r.cpuMs())
        if (cpu.every((c) => c !== null)) cpuAtWarmup = cpu as number[]
        // For MESH_E2E_RELAY_NODE_OPTIONS=--cpu-prof: the measured span on the profiles' clock (µs), to profile only what is timed.
        if (process.env.BENCH_DEBUG) console.error('window start', process.hrtime.bigint() / 1000n)
        heightAtWarmup = Math.min(...health.map((h) => h.consensus.lastDecision.height))
      }
      if (health.every((h) => (h.consensus?.lastDecision?.height ?? 0) >= target)) break
      if (Date.now() > deadline) throw new Error(`processes, n = ${n}: not all reached height ${target}`)
      await new Promise((r) => setTimeout(r, 250))
    }
    const cpuAtEnd = relays.map((r) => r.cpuMs())
    if (process.env.BENCH_DEBUG) console.error('window end', process.hrtime.bigint() / 1000n)
    const heightAtEnd = Math.min(...health.map((h) => h.consensus.lastDecision.height))
    const cpuPerDecisionPerValidator =
      cpuAtWarmup && cpuAtEnd.every((c) => c !== null) && heightAtEnd > heightAtWarmup
        ? round(cpuAtEnd.reduce((sum: number, c, i) => sum + (c! - cpuAtWarmup![i]), 0) / n / (heightAtEnd - heightAtWarmup), 1)
        : null
    await Promise.all(relays.map((r) => r.stop()))
    const latencies: number[] = []
    const lateHeights = new Set<number>()
    for (const r of relays) {
      const db = new Database(join(r.dataDir, 'consensus.sqlite'), { readonly: true })
      const rows = db
        .prepare('SELECT height, round, value, decided_at_ms FROM bft_decisions WHERE chain_id = ? AND height > ? AND height <= ?')
        .all(chainId, warmup, target) as { height: number; round: number; value: Buffer; decided_at_ms: number }[]
      db.close()
      for (const row of rows) {
        const beacon = decodeBeacon(new Uint8Array(row.value))
        if (typeof beacon === 'string') throw new Error(beacon)
        latencies.push(row.decided_at_ms - beacon.timeMs)
        if (row.round > 0) lateHeights.add(row.height)
      }
    }
    const decided = Math.max(...health.map((h) => h.consensus.decisions))
    return {
      validators: n,
      heights,
      cpu_ms_per_decision_per_validator: cpuPerDecisionPerValidator,
      finality_p50_ms: round(percentile(latencies, 50), 1),
      finality_p99_ms: round(percentile(latencies, 99), 1),
      finality_max_ms: round(percentile(latencies, 100), 1),
      rounds_above_zero: lateHeights.size,
      published_per_decision: round(health.reduce((sum, h) => sum + h.consensus.published, 0) / decided, 1),
      delivered_per_decision: round(health.reduce((sum, h) => sum + h.consensus.received, 0) / decided, 1),
    }
  } finally {
    await Promise.all(relays.map((r) => r.stop()))
  }
}

/**
 * `runs` fresh sets of n relay processes, one after another: with one run its figures as they
 * are; with more, each figure's median under its own name, its [min, max] in `spread`, every run
 * in `each`, and the 1-minute load average before each run (the machine is shared).
 */
async function repeatedProcessRuns(n: number, runs: number, heights: number, warmup: number, intervalMs: number): Promise<Metrics> {
  const each: (ProcessRun & { load_average_1m: number })[] = []
  for (let run = 1; run <= runs; run++) {
    console.log(`relay processes, n = ${n}${runs > 1 ? `, run ${run}/${runs}` : ''}: ${warmup} + ${heights} heights…`)
    const load = round(loadavg()[0], 1)
    each.push({ ...(await runProcesses(n, heights, warmup, intervalMs)), load_average_1m: load })
    console.log(JSON.stringify(each.at(-1)))
  }
  if (runs === 1) return each[0]
  const { median, spread } = summarizeRuns(
    each.map((r) => ({ ...r, cpu_ms_per_decision_per_validator: r.cpu_ms_per_decision_per_validator ?? NaN })),
  )
  return { ...median, validators: n, heights, runs, spread, each }
}

/** Mixed runs alternating with their relay-only baseline, and the spread over runs. */
async function mixedBrowsers(runs: number, heights: number, warmup: number, intervalMs: number): Promise<Metrics> {
  const mixed: MixedRun[] = []
  const baseline: ProcessRun[] = []
  for (let run = 0; run < runs; run++) {
    console.log(`mixed run ${run + 1}/${runs}: 2 relay processes + 2 Chromium validators, ${warmup} + ${heights} heights…`)
    mixed.push(await runMixed(run, heights, warmup, intervalMs))
    console.log(`mixed run ${run + 1}/${runs}, baseline: 4 relay processes…`)
    baseline.push(await runProcesses(4, heights, warmup, intervalMs))
  }
  const spread = (values: number[]) => ({
    median: round(percentile(values, 50), 1),
    min: round(Math.min(...values), 1),
    max: round(Math.max(...values), 1),
  })
  return {
    runs: mixed,
    baseline_4_relay_processes: baseline,
    finality_p50_ms: spread(mixed.map((m) => m.finality_p50_ms)),
    finality_p99_ms: spread(mixed.map((m) => m.finality_p99_ms)),
    rounds_above_zero: spread(mixed.map((m) => m.rounds_above_zero)),
    finality_p50_mixed_over_relays: spread(mixed.map((m, i) => m.finality_p50_ms / baseline[i].finality_p50_ms)),
    finality_p99_mixed_over_relays: spread(mixed.map((m, i) => m.finality_p99_ms / baseline[i].finality_p99_ms)),
    hosting: 'relays are relay CLI processes; each page a Chromium context in one headless Chromium; all on this machine',
  }
}

export async function main(args: string[]): Promise<void> {
  if (hasFlag(args, 'help')) return void console.log(HELP)
  const mixedRuns = flagValue(args, 'mixed-runs', 3)
  const processRuns = flagValue(args, 'process-runs', 1)
  if (!Number.isInteger(processRuns) || processRuns < 1) throw new Error('--process-runs takes a whole number of runs, 1 or more')
  if (hasFlag(args, 'only-processes')) {
    const file = join(import.meta.dirname, 'results', 'consensus.json')
    const previous = JSON.parse(readFileSync(file, 'utf8')) as { metrics: Metrics }
    const processArg = args.indexOf('--process-validators')
    const sizes = processArg >= 0 ? args[processArg + 1].split(',').filter(Boolean).map(Number) : [4, 7, 10]
    const processes: Metrics[] = []
    for (const n of sizes)
      processes.push(
        await repeatedProcessRuns(
          n,
          processRuns,
          flagValue(args, 'heights', 30),
          flagValue(args, 'warmup', 3),
          flagValue(args, 'interval-ms', 100),
        ),
      )
    writeBenchResult('consensus', { ...previous.metrics, relay_processes: processes })
    return
  }
  if (hasFlag(args, 'only-mixed')) {
    const file = join(import.meta.dirname, 'results', 'consensus.json')
    const previous = JSON.parse(readFileSync(file, 'utf8')) as { metrics: Metrics }
    const mixed = await mixedBrowsers(
      mixedRuns,
      flagValue(args, 'heights', 30),
      flagValue(args, 'warmup', 3),
      flagValue(args, 'interval-ms', 100),
    )
    writeBenchResult('consensus', { ...previous.metrics, mixed_browsers: mixed })
    return
  }
  const listArg = args.indexOf('--validators')
  const sizes = listArg >= 0 ? args[listArg + 1].split(',').map(Number) : [4, 7, 16]
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 64))
    throw new Error('--validators takes a comma-separated list of sizes from 1 to 64')
  const processArg = args.indexOf('--process-validators')
  const processSizes = processArg >= 0 ? args[processArg + 1].split(',').filter(Boolean).map(Number) : [4, 7, 10]
  const heights = flagValue(args, 'heights', 30)
  const warmup = flagValue(args, 'warmup', 3)
  const intervalMs = flagValue(args, 'interval-ms', 100)
  const simValidators = flagValue(args, 'sim-validators', 100)
  const simLinkMs = flagValue(args, 'sim-link-ms', 50)
  const simHeights = flagValue(args, 'sim-heights', 10)
  const nobleArg = args.indexOf('--noble-validators')
  const nobleSizes = nobleArg >= 0 ? args[nobleArg + 1].split(',').filter(Boolean).map(Number) : [4, 7]

  const real: RealRun[] = []
  const noble: RealRun[] = []
  for (const n of sizes) {
    // The baseline in the same run, just before: the same validators with the pre-issue-16 crypto.
    if (nobleSizes.includes(n)) {
      console.log(`real libp2p, n = ${n}, @noble BLS and Ed25519 signing (baseline): ${warmup} + ${heights} heights…`)
      noble.push(await runReal(n, heights, warmup, intervalMs, 'noble'))
    }
    console.log(`real libp2p, n = ${n}: ${warmup} + ${heights} heights…`)
    real.push(await runReal(n, heights, warmup, intervalMs, 'fast'))
  }
  const cheapVotes = noble.map((before) => {
    const after = real.find((r) => r.validators === before.validators)!
    return {
      validators: before.validators,
      cpu_ms_per_decision_all_validators_noble: before.cpu_ms_per_decision_all_validators,
      cpu_ms_per_decision_all_validators_fast: after.cpu_ms_per_decision_all_validators,
      cpu_per_decision_noble_over_fast: round(before.cpu_ms_per_decision_all_validators / after.cpu_ms_per_decision_all_validators, 2),
      crypto_floor_noble_over_fast: round(before.crypto_per_validator_per_height_ms / after.crypto_per_validator_per_height_ms, 2),
      finality_p99_ms_noble: before.finality_p99_ms,
      finality_p99_ms_fast: after.finality_p99_ms,
      rounds_above_zero_noble: before.rounds_above_zero,
      rounds_above_zero_fast: after.rounds_above_zero,
    }
  })
  const processes: Metrics[] = []
  for (const n of processSizes) processes.push(await repeatedProcessRuns(n, processRuns, heights, warmup, intervalMs))
  const mixed = mixedRuns > 0 ? await mixedBrowsers(mixedRuns, heights, warmup, intervalMs) : null
  console.log(`simulated, n = ${simValidators}, ${simLinkMs} ms links…`)
  const simulated = runConsensusSimulation({ validators: simValidators, linkMs: simLinkMs, heights: simHeights, seed: 1 })
  const floors = sizes.map((n) => runConsensusSimulation({ validators: n, linkMs: 1, heights: simHeights, seed: 1 }))

  console.log('\n| run | n | finality p50 ms | p99 ms | messages/decision (published / delivered) | baseline |')
  console.log('|---|---|---|---|---|---|')
  for (const r of [...noble, ...real]) {
    console.log(
      `| real libp2p, one process, ${r.crypto} crypto | ${r.validators} | ${r.finality_p50_ms} | ${r.finality_p99_ms} | ${r.published_per_decision} / ${r.delivered_per_decision} | gossip one-way p50 ${r.gossip_one_way_p50_ms} ms (×${r.finality_p50_over_gossip_p50}); crypto/validator/height ${r.crypto_per_validator_per_height_ms} ms (×${r.finality_p50_over_crypto_floor}) |`,
    )
  }
  for (const r of processes) {
    console.log(
      `| real libp2p, one relay process each | ${r.validators} | ${r.finality_p50_ms} | ${r.finality_p99_ms} | ${r.published_per_decision} / ${r.delivered_per_decision} | CPU/decision/validator ${r.cpu_ms_per_decision_per_validator} ms; rounds above zero ${r.rounds_above_zero} |`,
    )
  }
  console.log(
    `| simulated, ${simLinkMs} ms links | ${simulated.validators} | ${simulated.finalityP50Ms} | ${simulated.finalityP99Ms} | – / ${simulated.messagesPerDecision} | ${simLinkMs} ms one-way link |`,
  )
  for (const f of floors)
    console.log(
      `| simulated, 1 ms links | ${f.validators} | ${f.finalityP50Ms} | ${f.finalityP99Ms} | – / ${f.messagesPerDecision} | protocol floor |`,
    )

  for (const c of cheapVotes)
    console.log(
      `cheap votes, n = ${c.validators}: CPU per decision ${c.cpu_ms_per_decision_all_validators_noble} -> ${c.cpu_ms_per_decision_all_validators_fast} ms (×${c.cpu_per_decision_noble_over_fast} less)`,
    )

  writeBenchResult('consensus', {
    real_libp2p: real,
    real_libp2p_noble_baseline: noble,
    cheap_votes: cheapVotes,
    real_hosting: 'all validators of a run are libp2p nodes in one Node process on loopback WebSockets (one CPU core shared)',
    relay_processes: processes,
    relay_processes_hosting: "each validator a relay CLI process (SQLite, fsync per step) on loopback; all share this machine's cores",
    ...(mixed ? { mixed_browsers: mixed } : {}),
    cpu_cores: (await import('node:os')).availableParallelism(),
    interval_ms: intervalMs,
    simulated: { ...simulated },
    simulated_1ms_links: floors.map((f) => ({ ...f })),
    finality_definition_real: 'proposer builds its record (its clock) -> each validator decides',
    finality_definition_simulated: 'first decision of the previous height -> each validator decides (virtual time)',
    target_p99_ms_4_to_7_validators: 1000,
    seed_target_ms: 5000,
  })
}

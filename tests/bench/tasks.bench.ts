import { availableParallelism, loadavg } from 'node:os'
import { createLibp2p } from 'libp2p'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@chainsafe/libp2p-noise'
import { meshYamux } from '../../workers/net/yamux-config'
import { identify } from '@libp2p/identify'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { identityFromSeed } from '../../workers/identity/ed25519'
import { createEnvelopeSigner } from '../../workers/protocol/envelope'
import { verifyEd25519Batch } from '../../workers/protocol/verify'
import { nativeEd25519Signer, nativeVerifyEd25519Batch } from '../../workers/protocol/node/ed25519'
import { installLengthPrefixFastPath } from '../../relay/length-prefix-fast-path'
import { nodeSha256 } from '../../workers/protocol/node/sha256'
import { webCryptoSha256 } from '../../workers/net/blob-store'
import { MeshRuntime } from '../../workers/net/runtime'
import { gossipKinds } from '../../workers/net/topics'
import { topicForKind } from '../../workers/net/gossip'
import { meshGossipsub } from '../../workers/net/gossip-config'
import { silentLogger, type Logger } from '../../workers/log'
import { messageKinds } from '../../workers/kinds'
import { MESH_BATCH_WINDOW_MS, TaskCoordinatorAdapter } from '../../workers/tasks/adapter'
import { RESULT_BATCH_WINDOW_MS, TaskWorkerHost } from '../../workers/tasks/worker-host'
import {
  gossipTaskTransport,
  MemoryTaskBus,
  preferDirect,
  TASK_DIRECT_KINDS,
  type RouteCounts,
  type TaskTransport,
} from '../../workers/tasks/transport'
import { startTaskChannels } from '../../workers/tasks/peer-channels'
import { MemoryRaftStore } from '../../workers/tasks/store'
import { runTask } from '../../workers/tasks/initiator'
import { runSubtask } from '../../workers/tasks/run'
import { loadMnistNode } from '../../workers/fl/node/mnist-data'
import { createRaftNode, type RaftNode } from '../../workers/consensus/raft/node'
import { decodeRaftMessage, encodeRaftMessage } from '../../workers/consensus/raft/codec'
import type { NodeId, StepResult } from '../../workers/consensus/raft/types'
import { writeBenchResult } from './results'
import { flagValue, hasFlag, percentile, round } from './stats'

const HELP = `npm run bench -- tasks [--coordinators 3] [--workers 4] [--tasks 96] [--subtasks 64] [--parallel 4] [--slots 32] [--batch-window-ms 5]
  [--result-batch-ms 5] [--signer native|noble] [--message-ids node|webcrypto] [--transport direct|gossip]

Task distribution end to end over real libp2p on loopback, all nodes in this one Node process:
--coordinators nodes running the task coordinator adapter (Raft, task state machine, scheduler;
in-memory Raft store) and --workers nodes running the worker host, each a full libp2p node
(WebSockets, Noise, Yamux, GossipSub) with the mesh runtime's inbound gate (every envelope
signed and verified), plus one initiator node. --tasks pixel-statistics tasks of --subtasks
one-digit subtasks each (the real registry runner: tiny work), --parallel tasks in flight.
--batch-window-ms: how long an idle coordinator waits for more messages to plan them as one
log entry (the relay's and browsers' setting; 0 plans one entry per message).
--result-batch-ms: how long a worker's finished result waits for others to leave with it as
one task.result (the relay's and browsers' setting).
--signer: native (node:crypto signing and verifying, what the relay runs; default) or noble (pure-JS signing
and WebCrypto verifying, as browsers do).
--message-ids: gossip message ids hashed with node (node:crypto, what the relay runs; default) or
webcrypto (async, as browsers hash).
--transport: direct (default; what the relay and browsers run: Raft packets, assignments and results
on per-peer streams, gossip for the rest and as fallback) or gossip (everything on gossip, as before).

  tasks_per_s: subtasks whose result was accepted into a final result, per second, from the
    first announcement to the last final report (whole tasks per second beside it);
  assign_p50_ms / assign_p99_ms: from a worker's pull (it has free slots) to the assignment
    that answers it arriving at that worker (Raft commit of the assignment included);
  raft_commits_per_s: the baseline, the Raft core's own commit rate on this machine in the same
    run (--coordinators nodes, no network, every message through the codec, 64-byte commands);
  tasks_per_raft_commit_rate: the ratio of the two;
  cpu_ms_per_subtask / tasks_per_cpu_s: this process's CPU time (all nodes) per accepted subtask over
    the same span, and its inverse: what one core would do, little moved by other load on the machine;
  in_memory_tasks_per_s: the same tasks through the same adapters on an in-memory bus (no libp2p,
    no envelopes), so the protocol's own cost and the mesh's share can be told apart.`

const errorsOnly: Logger = {
  ...silentLogger,
  error: (fields, message) => console.error(message, fields),
  debug: (fields, message) => process.env.BENCH_DEBUG && console.error('debug', message, String((fields as any)?.err ?? fields)),
  child: () => errorsOnly,
}

/** Task messages sent over the mesh, by transport method (each one signed once and verified by every subscriber). */
const sentMessages: Record<string, number> = {}
/** Results inside those task.result messages (a copy re-sent counts again). */
let sentResults = 0
/** How addressed messages left (direct, gossip without a connection, gossip after a failed direct send). */
const routes: RouteCounts = {}

function countedTransport(transport: TaskTransport): TaskTransport {
  const counted = { ...transport }
  for (const name of ['sendRaft', 'publishAssign', 'publishStatus', 'publishPull', 'publishResults', 'publishAnnounce'] as const) {
    const send = transport[name] as (...args: never[]) => Promise<void>
    ;(counted as Record<string, unknown>)[name] = (...args: never[]) => {
      sentMessages[name] = (sentMessages[name] ?? 0) + 1
      return send(...args)
    }
  }
  counted.publishResults = (batch) => {
    sentMessages.publishResults = (sentMessages.publishResults ?? 0) + 1
    sentResults += batch.results.length
    return transport.publishResults(batch)
  }
  return counted
}

interface CryptoChoice {
  readonly signer: 'native' | 'noble'
  readonly messageIds: 'node' | 'webcrypto'
  readonly transport: 'direct' | 'gossip'
}

async function createNode(index: number, crypto: CryptoChoice) {
  installLengthPrefixFastPath() // as the relay runs
  const seed = new Uint8Array(32).fill(120 + index)
  const node = await createLibp2p({
    privateKey: await generateKeyPairFromSeed('Ed25519', seed),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [meshYamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    connectionManager: { maxConnections: 1024, inboundConnectionThreshold: 10_000, maxIncomingPendingConnections: 256 },
    // Eight nodes share one event loop: on a loaded machine its liveness pings time out and close
    // every connection mid-run (seen here at load average 20+). Loopback connections need no probing.
    connectionMonitor: { enabled: false },
    services: {
      identify: identify(),
      // Message ids hashed as the relay hashes them (node:crypto), or as browsers do (WebCrypto).
      pubsub: meshGossipsub(
        { scoreParams: { IPColocationFactorWhitelist: new Set(['127.0.0.1']) } },
        crypto.messageIds === 'node' ? { messageIdHash: nodeSha256 } : {},
      ),
    },
  })
  // 'native' is what the relay runs (OpenSSL through node:crypto); 'noble' is the pure-JS signer browsers use.
  const identity = identityFromSeed(seed)
  const signer = createEnvelopeSigner(
    crypto.signer === 'native' ? { ...identity, sign: nativeEd25519Signer(seed) } : identity,
    messageKinds,
  )
  // Verified as the relay verifies (node:crypto) with the native signer, as browsers do (WebCrypto) with noble.
  const verify = crypto.signer === 'native' ? nativeVerifyEd25519Batch : verifyEd25519Batch
  const runtime = new MeshRuntime(node, { signer, verify, sha256: webCryptoSha256, log: silentLogger, gossipKinds })
  await runtime.start()
  const id = node.peerId.toString()
  const gossip = gossipTaskTransport(runtime.gossip, id)
  const transport =
    crypto.transport === 'direct'
      ? preferDirect(gossip, await startTaskChannels(runtime, TASK_DIRECT_KINDS), id, { counts: routes })
      : gossip
  return { node, runtime, id, transport: countedTransport(transport) }
}

async function until(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** The Raft core's commit rate alone: proposals in batches on the leader, messages pumped synchronously through the codec. */
function raftCommitRate(size: number, proposals: number): number {
  const ids = Array.from({ length: size }, (_, i) => `node-${i}`)
  const nodes = new Map<NodeId, RaftNode>(
    ids.map((id, i) => [id, createRaftNode({ id, voters: ids, random: () => (i === 0 ? 0 : 0.99), now: 0 })]),
  )
  const pump = (from: NodeId, results: StepResult[]) => {
    const queue = results.flatMap((r) => r.messages.map((m) => ({ from, to: m.to, bytes: encodeRaftMessage(m.message) })))
    for (let head = 0; head < queue.length; head++) {
      const next = queue[head]
      const decoded = decodeRaftMessage(next.bytes)
      if (!decoded.ok) throw new Error(decoded.reason)
      const out = nodes.get(next.to)!.step({ type: 'receive', from: next.from, message: decoded.message })
      for (const m of out.messages) queue.push({ from: next.to, to: m.to, bytes: encodeRaftMessage(m.message) })
    }
  }
  for (const id of ids) nodes.get(id)!.step({ type: 'tick', now: 0 })
  pump(ids[0], [nodes.get(ids[0])!.step({ type: 'tick', now: 300 })])
  const leader = nodes.get(ids[0])!
  const command = new Uint8Array(64).fill(7)
  const target = leader.status().lastIndex + proposals
  const started = performance.now()
  for (let sent = 0; sent < proposals; sent += 100) {
    const results: StepResult[] = []
    for (let i = 0; i < 100 && sent + i < proposals; i++) results.push(leader.step({ type: 'propose', command }))
    pump(ids[0], results)
  }
  const ms = performance.now() - started
  if (leader.status().commitIndex !== target) throw new Error('baseline did not commit everything')
  return proposals / (ms / 1000)
}

/** Records, per worker, the time from its last pull to the assignment answering it. */
function timedTransport(transport: TaskTransport, latencies: number[]): TaskTransport {
  let pulledAt: number | null = null
  return {
    ...transport,
    publishPull: (pull) => {
      if (pull.slots > pull.running.length && pulledAt === null) pulledAt = performance.now()
      return transport.publishPull(pull)
    },
    onAssign: (handler) =>
      transport.onAssign((from, message) => {
        if (message.assignments.length > 0 && pulledAt !== null) {
          latencies.push(performance.now() - pulledAt)
          pulledAt = null
        }
        handler(from, message)
      }),
  }
}

/** The same tasks with the same adapters on an in-memory bus (no libp2p, no signatures): what the protocol itself costs. */
async function inMemoryRate(
  coordinatorCount: number,
  workerCount: number,
  taskCount: number,
  subtasks: number,
  parallel: number,
  slots: number,
  dataset: ReturnType<typeof loadMnistNode>,
): Promise<number> {
  const bus = new MemoryTaskBus()
  const ids = Array.from({ length: coordinatorCount }, (_, i) => `coordinator-${i}`)
  const adapters = await Promise.all(
    ids.map((id) =>
      TaskCoordinatorAdapter.start({
        id,
        voters: ids,
        transport: bus.transport(id),
        store: new MemoryRaftStore(),
        log: errorsOnly,
        core: { heartbeatIntervalMs: 50, electionTimeoutMinMs: 300, electionTimeoutMaxMs: 600, statusIntervalMs: 2000 },
      }),
    ),
  )
  await until(() => adapters.some((a) => a.status().role === 'leader'), 'an in-memory leader', 30_000)
  const workers = Array.from(
    { length: workerCount },
    (_, i) =>
      new TaskWorkerHost({
        transport: bus.transport(`worker-${i}`),
        log: errorsOnly,
        slots,
        pullIntervalMs: 1000,
        capacity: () => ({ backend: 'cpu', samplesPerS: 1000, cores: 1, visible: true, battery: -1, charging: false }),
        execute: async (a) => ({ values: await runSubtask(a, { dataset }), backend: 'cpu' }),
      }),
  )
  const initiator = bus.transport('initiator')
  const params = [
    { name: 'samples', value: String(subtasks) },
    { name: 'shards', value: String(subtasks) },
  ]
  const started = performance.now()
  let next = 0
  let accepted = 0
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < taskCount) {
        next++
        const status = await runTask({ transport: initiator, kind: 'pixel-stats', params, timeoutMs: 300_000 })
        accepted += status.subtasks.filter((s) => s.accepted).length
      }
    }),
  )
  const rate = accepted / ((performance.now() - started) / 1000)
  for (const w of workers) w.stop()
  await Promise.all(adapters.map((a) => a.stop()))
  return rate
}

export async function main(args: string[]): Promise<void> {
  if (hasFlag(args, 'help')) return void console.log(HELP)
  const coordinatorCount = flagValue(args, 'coordinators', 3)
  const workerCount = flagValue(args, 'workers', 4)
  const taskCount = flagValue(args, 'tasks', 96) // 6,144 subtasks: seconds of timed work, not a fraction of one
  const subtasks = flagValue(args, 'subtasks', 64)
  const parallel = flagValue(args, 'parallel', 4)
  const slots = flagValue(args, 'slots', 32)
  const batchWindowMs = flagValue(args, 'batch-window-ms', MESH_BATCH_WINDOW_MS)
  const resultBatchMs = flagValue(args, 'result-batch-ms', RESULT_BATCH_WINDOW_MS)
  const choice = (name: string, values: readonly string[]): string => {
    const value = args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : values[0]
    if (!values.includes(value)) throw new Error(`--${name} is ${values.join(' or ')}, not '${value}'`)
    return value
  }
  const cryptoChoice = {
    signer: choice('signer', ['native', 'noble']),
    messageIds: choice('message-ids', ['node', 'webcrypto']),
    transport: choice('transport', ['direct', 'gossip']),
  } as CryptoChoice
  const dataset = loadMnistNode()

  const nodes: Awaited<ReturnType<typeof createNode>>[] = []
  for (let i = 0; i < coordinatorCount + workerCount + 1; i++) nodes.push(await createNode(i, cryptoChoice))
  for (let i = 1; i < nodes.length; i++) for (let j = 0; j < i; j++) await nodes[i].node.dial(nodes[j].node.getMultiaddrs()[0])
  const subscribed = (
    n: (typeof nodes)[number],
    kind: 'raft.message' | 'task.assign' | 'task.status' | 'task.pull' | 'task.announce',
    count: number,
  ) => n.node.services.pubsub.getSubscribers(topicForKind(kind)).length >= count

  const coordinatorNodes = nodes.slice(0, coordinatorCount)
  const voters = coordinatorNodes.map((n) => n.id)
  const adapters = await Promise.all(
    coordinatorNodes.map((n) =>
      TaskCoordinatorAdapter.start({
        id: n.id,
        voters,
        transport: n.transport,
        store: new MemoryRaftStore(),
        log: errorsOnly,
        batchWindowMs: batchWindowMs,
        core: {
          heartbeatIntervalMs: 200,
          electionTimeoutMinMs: 4000,
          electionTimeoutMaxMs: 8000,
          statusIntervalMs: 2000,
          scheduler: { workerTimeoutMs: 3000, minLeaseMs: 5000, maxAssignPerWorker: 64 },
        },
      }),
    ),
  )
  await until(
    () => coordinatorNodes.every((n) => subscribed(n, 'raft.message', coordinatorCount - 1)),
    'coordinators to see each other subscribed',
    60_000,
  )
  await until(() => adapters.some((a) => a.status().role === 'leader'), 'a coordinator to be elected', 30_000)
  const latencies: number[] = []
  const workers = nodes.slice(coordinatorCount, coordinatorCount + workerCount).map(
    (n) =>
      new TaskWorkerHost({
        transport: timedTransport(n.transport, latencies),
        log: errorsOnly,
        slots,
        pullIntervalMs: 1000,
        resultBatchMs,
        capacity: () => ({ backend: 'cpu', samplesPerS: 1000, cores: 1, visible: true, battery: -1, charging: false }),
        execute: async (assignment) => ({ values: await runSubtask(assignment, { dataset }), backend: 'cpu' }),
      }),
  )
  const initiator = nodes[nodes.length - 1]
  initiator.transport.onStatus(() => {})
  await until(
    () =>
      coordinatorNodes.every((n) => subscribed(n, 'task.assign', workerCount) && subscribed(n, 'task.status', 1)) &&
      workers.length > 0 &&
      subscribed(initiator, 'task.announce', coordinatorCount),
    'workers and the initiator to be subscribed',
    60_000,
  )
  await new Promise((r) => setTimeout(r, 1500)) // let GossipSub's meshes form (heartbeat)
  const params = [
    { name: 'samples', value: String(subtasks) },
    { name: 'shards', value: String(subtasks) },
  ]
  // Warm-up: one task (JIT, gossip meshes), not counted.
  await runTask({
    transport: initiator.transport,
    kind: 'pixel-stats',
    params,
    timeoutMs: 300_000,
    onProgress: (s) => process.env.BENCH_DEBUG && console.log('progress', s.state, s.subtasks.filter((x) => x.accepted).length),
  })
  latencies.length = 0
  for (const name of Object.keys(sentMessages)) delete sentMessages[name]
  for (const name of Object.keys(routes)) delete routes[name]
  sentResults = 0

  const started = performance.now()
  const cpuAtStart = process.cpuUsage()
  // For `node --cpu-prof`: the measured span on the profile's clock (µs), to profile only what is timed.
  if (process.env.BENCH_DEBUG) console.error('window start', process.hrtime.bigint() / 1000n)
  let next = 0
  let accepted = 0
  const lane = async () => {
    while (next < taskCount) {
      next++
      const status = await runTask({ transport: initiator.transport, kind: 'pixel-stats', params, timeoutMs: 600_000, reannounceMs: 2000 })
      if (status.state !== 'done') throw new Error(`task ${status.taskId} ${status.state}: ${status.reason}`)
      accepted += status.subtasks.filter((s) => s.accepted).length
    }
  }
  await Promise.all(Array.from({ length: parallel }, lane))
  const seconds = (performance.now() - started) / 1000
  if (process.env.BENCH_DEBUG) console.error('window end', process.hrtime.bigint() / 1000n)
  // CPU time of this process (all eight nodes) over the same span: unlike wall time, barely moved by other load on the machine.
  const cpu = process.cpuUsage(cpuAtStart)
  const entries = Math.max(...adapters.map((a) => a.stats().applied))
  const terms = Math.max(...adapters.map((a) => a.status().term))

  for (const w of workers) w.stop()
  await Promise.all(adapters.map((a) => a.stop()))
  await Promise.all(nodes.map((n) => n.node.stop()))

  const memoryTasksPerS = await inMemoryRate(coordinatorCount, workerCount, taskCount, subtasks, parallel, slots, dataset)
  raftCommitRate(coordinatorCount, 2000) // warm-up
  const raftCommitsPerS = raftCommitRate(coordinatorCount, 20_000)
  const tasksPerS = accepted / seconds
  const metrics = {
    coordinators: coordinatorCount,
    workers: workerCount,
    batch_window_ms: batchWindowMs,
    result_batch_ms: resultBatchMs,
    signer: cryptoChoice.signer,
    message_ids: cryptoChoice.messageIds,
    transport: cryptoChoice.transport,
    tasks: taskCount,
    subtasks_per_task: subtasks,
    subtasks_accepted: accepted,
    seconds: round(seconds, 2),
    tasks_per_s: round(tasksPerS, 0),
    cpu_ms_per_subtask: round((cpu.user + cpu.system) / 1000 / accepted, 3),
    tasks_per_cpu_s: round(accepted / ((cpu.user + cpu.system) / 1e6), 0),
    whole_tasks_per_s: round(taskCount / seconds, 2),
    assign_p50_ms: round(percentile(latencies, 50), 2),
    assign_p99_ms: round(percentile(latencies, 99), 2),
    assign_samples: latencies.length,
    // Per accepted subtask: every task message, and the copies of results (1 = no resends).
    messages_per_subtask: round(Object.values(sentMessages).reduce((a, b) => a + b, 0) / accepted, 2),
    result_copies_per_subtask: round(sentResults / accepted, 2),
    // Addressed messages by route: direct, gossip (no open connection, or a result's second copy), fallback (direct send failed).
    routes,
    messages_per_subtask_by_kind: Object.fromEntries(Object.entries(sentMessages).map(([name, n]) => [name, round(n / accepted, 3)])),
    raft_entries_applied: entries,
    raft_term_at_end: terms,
    raft_commits_per_s: round(raftCommitsPerS, 0),
    tasks_per_raft_commit_rate: round(tasksPerS / raftCommitsPerS, 4),
    in_memory_tasks_per_s: round(memoryTasksPerS, 0),
    mesh_over_in_memory: round(tasksPerS / memoryTasksPerS, 3),
    // The run shares this machine: its load says how much of a core the eight nodes got.
    load_average_1m: round(loadavg()[0], 1),
    cpus: availableParallelism(),
    target_tasks_per_s: 5000,
    seed_target_tasks_per_s: 1000,
  }
  console.log(
    `${accepted} subtasks in ${metrics.seconds} s: ${metrics.tasks_per_s}/s; assignment ${metrics.assign_p50_ms} ms p50, ${metrics.assign_p99_ms} ms p99; Raft core alone ${metrics.raft_commits_per_s} commits/s`,
  )
  writeBenchResult('tasks', metrics)
  process.exit(0)
}

import { createRaftNode, type RaftNode } from '../../workers/consensus/raft/node'
import { decodeRaftMessage, encodeRaftMessage } from '../../workers/consensus/raft/codec'
import type { NodeId, StepResult } from '../../workers/consensus/raft/types'
import { Cluster } from '../unit/consensus/raft/cluster'
import { writeBenchResult } from './results'
import { flagValue, hasFlag, percentile, round } from './stats'

const HELP = `npm run bench -- raft [--nodes 5] [--proposals 20000] [--batch 100] [--command-bytes 64] [--elections 200]

Measures the Raft core alone (no network, no disk), every message through the protobuf codec:
  commit throughput: --proposals commands of --command-bytes, proposed --batch at a time on
  the leader of a --nodes cluster, then pumped until the leader has committed them
  (followers learn the commit index with the next append or heartbeat), against a
  single-node cluster (no replication) committing the same commands as the baseline;
  election time in virtual ms (300-600 ms timeouts, 5-15 ms delays) over --elections seeds.`

interface Pumped {
  readonly nodes: Map<NodeId, RaftNode>
  messages: number
  bytes: number
}

/** Delivers the results' messages synchronously, breadth first, until none are left. */
function pump(cluster: Pumped, from: NodeId, ...results: StepResult[]): void {
  const queue: { from: NodeId; to: NodeId; bytes: Uint8Array }[] = results.flatMap((r) =>
    r.messages.map((m) => ({ from, to: m.to, bytes: encodeRaftMessage(m.message) })),
  )
  for (let head = 0; head < queue.length; head++) {
    const next = queue[head]
    cluster.messages++
    cluster.bytes += next.bytes.byteLength
    const decoded = decodeRaftMessage(next.bytes)
    if (!decoded.ok) throw new Error(decoded.reason)
    const out = cluster.nodes.get(next.to)!.step({ type: 'receive', from: next.from, message: decoded.message })
    for (const m of out.messages) queue.push({ from: next.to, to: m.to, bytes: encodeRaftMessage(m.message) })
  }
}

function electedCluster(size: number): { cluster: Pumped; leader: NodeId } {
  const ids = Array.from({ length: size }, (_, i) => `node-${i}`)
  const nodes = new Map(ids.map((id, i) => [id, createRaftNode({ id, voters: ids, random: () => (i === 0 ? 0 : 0.99), now: 0 })]))
  const cluster: Pumped = { nodes, messages: 0, bytes: 0 }
  for (const id of ids) nodes.get(id)!.step({ type: 'tick', now: 0 })
  pump(cluster, ids[0], nodes.get(ids[0])!.step({ type: 'tick', now: 300 }))
  if (nodes.get(ids[0])!.status().role !== 'leader') throw new Error('no leader')
  cluster.messages = 0
  cluster.bytes = 0
  return { cluster, leader: ids[0] }
}

function commitThroughput(
  size: number,
  proposals: number,
  batch: number,
  command: Uint8Array,
): { perSecond: number; messagesPerCommit: number; bytesPerCommit: number } {
  const { cluster, leader } = electedCluster(size)
  const leaderNode = cluster.nodes.get(leader)!
  const target = leaderNode.status().lastIndex + proposals
  const started = performance.now()
  for (let sent = 0; sent < proposals; sent += batch) {
    const results: StepResult[] = []
    for (let i = 0; i < batch && sent + i < proposals; i++) results.push(leaderNode.step({ type: 'propose', command }))
    pump(cluster, leader, ...results)
  }
  const elapsedMs = performance.now() - started
  if (leaderNode.status().commitIndex !== target) throw new Error(`leader committed ${leaderNode.status().commitIndex} of ${target}`)
  return {
    perSecond: proposals / (elapsedMs / 1000),
    messagesPerCommit: cluster.messages / proposals,
    bytesPerCommit: cluster.bytes / proposals,
  }
}

function electionTimes(seeds: number): number[] {
  const times: number[] = []
  for (let seed = 1; seed <= seeds; seed++) {
    const cluster = new Cluster({ ids: ['a', 'b', 'c', 'd', 'e'], seed })
    if (!cluster.runUntil(() => cluster.leader() !== null, 10_000)) throw new Error(`seed ${seed}: no leader`)
    times.push(cluster.now)
  }
  return times
}

export async function main(args: string[]): Promise<void> {
  if (hasFlag(args, 'help')) return void console.log(HELP)
  const size = flagValue(args, 'nodes', 5)
  const proposals = flagValue(args, 'proposals', 20_000)
  const batch = flagValue(args, 'batch', 100)
  const command = new Uint8Array(flagValue(args, 'command-bytes', 64)).fill(7)
  const elections = flagValue(args, 'elections', 200)

  commitThroughput(size, Math.min(2_000, proposals), batch, command) // warm-up
  const replicated = commitThroughput(size, proposals, batch, command)
  const single = commitThroughput(1, proposals, batch, command)
  const election = electionTimes(elections)
  const metrics = {
    nodes: size,
    proposals,
    commandBytes: command.byteLength,
    commitsPerSecond: round(replicated.perSecond, 0),
    singleNodeCommitsPerSecond: round(single.perSecond, 0),
    replicationCostRatio: round(single.perSecond / replicated.perSecond, 2),
    messagesPerCommit: round(replicated.messagesPerCommit, 2),
    wireBytesPerCommit: round(replicated.bytesPerCommit, 0),
    electionVirtualMsP50: percentile(election, 50),
    electionVirtualMsP99: percentile(election, 99),
    electionVirtualMsMax: Math.max(...election),
  }
  console.log(
    `${size} nodes: ${metrics.commitsPerSecond} commits/s (single node ${metrics.singleNodeCommitsPerSecond}/s, ratio ${metrics.replicationCostRatio}); first leader after ${metrics.electionVirtualMsP50} ms p50, ${metrics.electionVirtualMsP99} ms p99 (virtual)`,
  )
  writeBenchResult('raft', metrics)
}

/**
 * The task layer's per-peer channels over real libp2p on loopback, behind the mesh runtime's
 * inbound gate with an RBAC authorizer: many envelopes on one long-lived stream, each checked on
 * its own; the wrong carrier, the wrong channel and the wrong role are refused with their reason
 * and the channel goes on; a dead stream makes the send fail (the transport then uses gossip)
 * and the next send opens a fresh one.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { loopbackRuntime } from '../net/loopback-node'
import type { Libp2p } from 'libp2p'
import { lpStream } from '@libp2p/utils'
import { identityFromSeed } from '../../../workers/identity/ed25519'
import { sealMessage } from '../../../workers/protocol/envelope'
import type { Authorizer, Rejected } from '../../../workers/protocol/inbound'
import { hex } from '../../../workers/common/bytes'
import { channelProtocol, startTaskChannels, type PeerChannels } from '../../../workers/tasks/peer-channels'
import { TASK_DIRECT_KINDS } from '../../../workers/tasks/transport'
import type { RaftPacket } from '../../../workers/consensus/raft-adapter/wire.pb'
import type { TaskResultBatch } from '../../../workers/tasks/wire.pb'

const nodes: Libp2p[] = []
const channels: PeerChannels[] = []
afterEach(async () => {
  await Promise.all(channels.splice(0).map((c) => c.stop()))
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
})

const COORDINATOR_A = 61
const COORDINATOR_B = 62
const WORKER = 63
const rolesBySeed: Record<number, string> = { [COORDINATOR_A]: 'coordinator', [COORDINATOR_B]: 'coordinator', [WORKER]: 'worker' }
const roleOfKey = new Map(
  Object.entries(rolesBySeed).map(([seed, role]) => [hex(identityFromSeed(seedBytes(Number(seed))).publicKey), role]),
)

function seedBytes(seed: number): Uint8Array {
  return new Uint8Array(32).fill(seed)
}

/** Only the roles above: what the relay's credential check decides, reduced to a table. */
const authorize: Authorizer = (kind, senders, key) => {
  if (senders === 'anyone' || senders === 'any-role') return null
  const role = roleOfKey.get(hex(key))
  return role && (senders as readonly string[]).includes(role) ? null : `wrong-role: ${kind} needs ${senders.join(' or ')}`
}

async function peer(seed: number, rejections: Rejected[] = []) {
  const { node, runtime, signer } = await loopbackRuntime(seed, { listen: true, authorize, onReject: (r) => rejections.push(r) })
  nodes.push(node)
  const channel = await startTaskChannels(runtime, TASK_DIRECT_KINDS)
  channels.push(channel)
  return { node, runtime, signer, channel, id: node.peerId.toString() }
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 20))
}

const packet = (to: string, n: number): RaftPacket => ({ version: 1, to, message: new Uint8Array([n]) })
const results = (subtask: number): TaskResultBatch => ({
  version: 2,
  results: [{ version: 1, taskId: 'task-x', subtask, values: [1, 2], startedMs: 1, finishedMs: 2, backend: 'cpu' }],
})

/** Coordinator B listening, and the given senders connected to it. */
async function setup() {
  const rejections: Rejected[] = []
  const b = await peer(COORDINATOR_B, rejections)
  const raft: { from: string; n: number }[] = []
  const resultsHeard: { from: string; subtask: number }[] = []
  b.channel.on('raft.message.direct', (from, p) => raft.push({ from, n: p.message[0] }))
  b.channel.on('task.result.direct', (from, batch) => resultsHeard.push({ from, subtask: batch.results[0].subtask }))
  const a = await peer(COORDINATOR_A)
  const w = await peer(WORKER)
  await a.node.dial(b.node.getMultiaddrs()[0])
  await w.node.dial(b.node.getMultiaddrs()[0])
  /** Writes envelopes as frames on one stream of `kind`'s channel, from `sender`'s node. */
  const raw = async (sender: typeof a, kind: (typeof TASK_DIRECT_KINDS)[number], frames: Uint8Array[]) => {
    const stream = await sender.node.dialProtocol(b.node.peerId, channelProtocol(kind))
    const lp = lpStream(stream)
    for (const frame of frames) await lp.write(frame)
    await stream.close().catch(() => {})
  }
  return { a, b, w, raft, resultsHeard, rejections, raw }
}

describe('task peer channels', () => {
  it('carries many envelopes on one stream, in order, naming the stream remote as sender', async () => {
    const { a, b, raft } = await setup()
    for (let n = 1; n <= 20; n++) await a.channel.send(b.id, 'raft.message.direct', packet(b.id, n))
    await until(() => raft.length === 20)
    expect(raft.map((r) => r.n)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    expect(new Set(raft.map((r) => r.from))).toEqual(new Set([a.id]))
    // One stream for all twenty (the runtime's stream-open limits stay untouched).
    const streams = a.node
      .getConnections(b.node.peerId)
      .flatMap((c) => c.streams.filter((s) => s.protocol === channelProtocol('raft.message.direct')))
    expect(streams).toHaveLength(1)
  })

  it('refuses raft from a worker and results from a coordinator (RBAC), and accepts each from its role', async () => {
    const { a, b, w, raft, resultsHeard, rejections } = await setup()
    await w.channel.send(b.id, 'raft.message.direct', packet(b.id, 7))
    await a.channel.send(b.id, 'task.result.direct', results(3))
    await a.channel.send(b.id, 'raft.message.direct', packet(b.id, 8))
    await w.channel.send(b.id, 'task.result.direct', results(4))
    await until(() => raft.length === 1 && resultsHeard.length === 1 && rejections.length === 2)
    expect(raft).toEqual([{ from: a.id, n: 8 }])
    expect(resultsHeard).toEqual([{ from: w.id, subtask: 4 }])
    expect(rejections.map((r) => [r.reason, r.kind])).toEqual([
      ['unauthorized', 'raft.message.direct'],
      ['unauthorized', 'task.result.direct'],
    ])
  })

  it('refuses a gossip kind on a channel (wrong carrier) and another channel kind (wrong topic); the stream goes on', async () => {
    const { a, w, b, raft, resultsHeard, rejections, raw } = await setup()
    await raw(a, 'raft.message.direct', [
      sealMessage(a.signer, 'raft.message', packet(b.id, 1)),
      sealMessage(a.signer, 'task.assign.direct', { version: 1, worker: w.id, term: 1n, assignments: [], acked: [] }),
      sealMessage(a.signer, 'raft.message.direct', packet(b.id, 2)),
    ])
    await raw(w, 'task.result.direct', [
      sealMessage(w.signer, 'task.result', results(1)),
      sealMessage(w.signer, 'task.result.direct', results(2)),
    ])
    await until(() => raft.length === 1 && resultsHeard.length === 1)
    expect(raft).toEqual([{ from: a.id, n: 2 }])
    expect(resultsHeard).toEqual([{ from: w.id, subtask: 2 }])
    expect(rejections.map((r) => [r.reason, r.kind])).toEqual([
      ['wrong-carrier', 'raft.message'],
      ['wrong-topic', 'task.assign.direct'],
      ['wrong-carrier', 'task.result'],
    ])
  })

  it('a dead stream is replaced by the next send; without a connection a send fails (the caller uses gossip) and a dial starts', async () => {
    const { a, b, raft } = await setup()
    const stranger = await peer(COORDINATOR_A + 10)
    expect(a.channel.reachable(stranger.id)).toBe(false)
    await expect(a.channel.send(stranger.id, 'raft.message.direct', packet(stranger.id, 1))).rejects.toThrow(/no open connection/)
    const channelStreams = () =>
      a.node.getConnections(b.node.peerId).flatMap((c) => c.streams.filter((s) => s.protocol === channelProtocol('raft.message.direct')))
    await a.channel.send(b.id, 'raft.message.direct', packet(b.id, 1))
    await until(() => raft.length === 1)
    // The stream dies under the sender (a reset, a relayed connection upgraded away): the next send opens another.
    const first = channelStreams()[0]
    first.abort(new Error('reset'))
    await a.channel.send(b.id, 'raft.message.direct', packet(b.id, 2))
    await until(() => raft.length === 2)
    expect(channelStreams()).toHaveLength(1)
    expect(channelStreams()[0]).not.toBe(first)
    // The connection goes: not reachable now (this message would go by gossip), and asking starts a
    // dial in the background to the address the peer store holds, after which sends go direct again.
    await a.node.hangUp(b.node.peerId)
    expect(a.channel.reachable(b.id)).toBe(false)
    await until(() => a.channel.reachable(b.id))
    expect(a.channel.reachable(b.id)).toBe(true)
    await a.channel.send(b.id, 'raft.message.direct', packet(b.id, 4))
    await until(() => raft.length === 3)
    expect(raft.map((r) => r.n)).toEqual([1, 2, 4])
  })
})

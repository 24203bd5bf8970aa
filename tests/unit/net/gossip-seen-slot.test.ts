import { afterEach, describe, expect, it } from 'vitest'
import { createLibp2p, type Libp2p } from 'libp2p'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@chainsafe/libp2p-noise'
import { meshYamux } from '../../../workers/net/yamux-config'
import { identify } from '@libp2p/identify'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { GossipSub } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { identityFromSeed } from '../../../workers/identity/ed25519'
import { createEnvelopeSigner, sealMessage } from '../../../workers/protocol/envelope'
import { InboundValidator, type Rejected } from '../../../workers/protocol/inbound'
import { verifyEd25519Batch, type BatchVerifier } from '../../../workers/protocol/verify'
import { MeshGossip, topicForKind } from '../../../workers/net/gossip'
import { meshGossipsub } from '../../../workers/net/gossip-config'
import { FloodGuard } from '../../../workers/common/rate-limit'
import { silentLogger } from '../../../workers/log'
import { messageKinds } from '../../../workers/kinds'

/** What GossipSub's stream reader hands each decoded RPC to (see MeshGossip.guardIntake). */
type RpcMessage = { topic: string; data: Uint8Array; from?: Uint8Array; seqno?: Uint8Array }
type Intake = { handleReceivedRpc(from: PeerId, rpc: { subscriptions: []; messages: RpcMessage[] }): Promise<void> }

const nodes: Libp2p[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
})

const peerOf = async (seed: number) => peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(seed)))

/**
 * A real GossipSub (in a started libp2p node) with MeshGossip and its flood guard on top. RPCs
 * from neighbours are handed to GossipSub's own intake, exactly as its stream reader does, and
 * awaited to the end of message handling, so every outcome is known when `receive` returns.
 */
async function victim(gossipRate: { perSecond: number; burst: number }) {
  let nowMs = 0
  const node = await createLibp2p({
    privateKey: await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(70)),
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [meshYamux()],
    services: { identify: identify(), pubsub: meshGossipsub({ awaitRpcMessageHandler: true }) },
  })
  nodes.push(node)
  let verified = 0
  const verify: BatchVerifier = (items) => {
    verified += items.length
    return verifyEd25519Batch(items)
  }
  const rejections: Rejected[] = []
  const validator = new InboundValidator({ kinds: messageKinds, verify, onReject: (r) => rejections.push(r) })
  const guard = new FloodGuard('gossip', { perPeer: gossipRate, perAddress: { perSecond: 1e6, burst: 1e6 } }, () => nowMs)
  const gossip = new MeshGossip(
    node.services.pubsub as GossipSub,
    validator,
    createEnvelopeSigner(identityFromSeed(new Uint8Array(32).fill(70)), messageKinds),
    silentLogger,
    { guard, addressOf: () => '10.0.0.9' },
  )
  gossip.join(['mesh.chat'])
  const delivered: string[] = []
  gossip.on('mesh.chat', (m) => delivered.push(m.payload.text))
  const intake = node.services.pubsub as unknown as Intake
  const receive = (from: PeerId, ...messages: RpcMessage[]) => intake.handleReceivedRpc(from, { subscriptions: [], messages })
  return { receive, delivered, rejections, verifiedCount: () => verified, advance: (ms: number) => (nowMs += ms) }
}

const chat = topicForKind('mesh.chat')
const alice = createEnvelopeSigner(identityFromSeed(new Uint8Array(32).fill(11)), messageKinds)
const junk = (i: number) => ({ topic: chat, data: Uint8Array.from([0xff, 0xfe, i]) })

describe('gossip flood guard and GossipSub’s seen cache (issue 15)', () => {
  it('a peer over its limit that forwards an honest message first does not make the node drop the honest copy', async () => {
    const { receive, delivered, rejections } = await victim({ perSecond: 0.001, burst: 3 })
    const mallory = await peerOf(71)
    const honestNeighbour = await peerOf(72)
    // Mallory spends her burst on junk, then forwards Alice's genuine chat while over her limit.
    await receive(mallory, junk(1), junk(2), junk(3))
    const honest = { topic: chat, data: sealMessage(alice, 'mesh.chat', { text: 'hello from alice', sentAtUs: 1n }) }
    await receive(mallory, honest)
    expect(rejections.map((r) => r.reason)).toEqual(['malformed', 'malformed', 'malformed', 'rate-limited'])
    expect(delivered).toEqual([])
    // The same bytes from an honest neighbour must be delivered, once.
    await receive(honestNeighbour, honest)
    expect(delivered).toEqual(['hello from alice'])
    await receive(await peerOf(73), honest)
    expect(delivered).toEqual(['hello from alice'])
  })

  it('refuses a flooding peer before any hashing or signature work, keeps delivering from others, and lets it back later', async () => {
    const { receive, delivered, rejections, verifiedCount, advance } = await victim({ perSecond: 1, burst: 3 })
    const mallory = await peerOf(74)
    const say = (text: string) => ({ topic: chat, data: sealMessage(alice, 'mesh.chat', { text, sentAtUs: 1n }) })
    await receive(mallory, ...[0, 1, 2, 3, 4].map((i) => say(`m${i}`)))
    expect(delivered).toEqual(['m0', 'm1', 'm2'])
    expect(verifiedCount()).toBe(3)
    expect(rejections.map((r) => r.reason)).toEqual(['rate-limited', 'rate-limited'])
    expect(rejections[0].detail).toMatch(/gossip from peer .* over 1\/s/)
    await receive(await peerOf(75), say('via an honest peer'))
    expect(delivered).toEqual(['m0', 'm1', 'm2', 'via an honest peer'])
    advance(1_000)
    await receive(mallory, say('later'))
    expect(delivered.at(-1)).toBe('later')
  })

  it('framing a forwarder adds to an honest message either refuses that copy before its id is taken or is stripped', async () => {
    const { receive, delivered } = await victim({ perSecond: 1_000, burst: 1_000 })
    const honest = { topic: chat, data: sealMessage(alice, 'mesh.chat', { text: 'framed', sentAtUs: 1n }) }
    // StrictNoSign: a copy carrying a seqno (or signature, or key) is refused before GossipSub computes its id.
    await receive(await peerOf(76), { ...honest, seqno: new Uint8Array(8).fill(1) })
    expect(delivered).toEqual([])
    // A `from` field is dropped: the copy is judged on its topic and bytes alone, so it is the honest message.
    await receive(await peerOf(77), { ...honest, from: new Uint8Array(38).fill(1) })
    expect(delivered).toEqual(['framed'])
    await receive(await peerOf(78), honest)
    expect(delivered).toEqual(['framed'])
  })
})

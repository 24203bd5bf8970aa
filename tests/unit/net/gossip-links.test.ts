import { afterEach, describe, expect, it } from 'vitest'
import { createLibp2p } from 'libp2p'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@chainsafe/libp2p-noise'
import { meshYamux } from '../../../workers/net/yamux-config'
import { identify } from '@libp2p/identify'
import type { Connection, Libp2p } from '@libp2p/interface'
import { meshGossipsub } from '../../../workers/net/gossip-config'
import { GossipLinks, gossipLinkMove, type GossipLinkFacts } from '../../../workers/net/gossip-links'
import type { MeshNode } from '../../../workers/net/runtime'
import { silentLogger } from '../../../workers/log'

describe('where a peer gossip stream belongs', () => {
  type Link = { name: string; open: boolean; answered: boolean }
  const relayed: Link = { name: 'relayed', open: true, answered: true }
  const direct: Link = { name: 'direct', open: true, answered: true }
  const facts = (over: Partial<GossipLinkFacts<Link>>): GossipLinkFacts<Link> => ({
    current: relayed,
    kept: undefined,
    fallback: relayed,
    isOpen: (l) => l.open,
    isAnswered: (l) => l.answered,
    ...over,
  })

  it('moves from the relayed circuit to the kept direct link once the peer answered on it', () => {
    expect(gossipLinkMove(facts({ kept: direct }))?.name).toBe('direct')
  })

  it('waits while the peer has not answered on the direct link (it may be half-open)', () => {
    expect(gossipLinkMove(facts({ kept: { ...direct, answered: false } }))).toBeUndefined()
  })

  it('stays where it is when it is already on the kept link, or there is none', () => {
    expect(gossipLinkMove(facts({ current: direct, kept: direct, fallback: direct }))).toBeUndefined()
    expect(gossipLinkMove(facts({}))).toBeUndefined()
  })

  it('goes to the connection left when its own closed (a twin closed, or the direct link dropped)', () => {
    const closed = { ...direct, open: false }
    expect(gossipLinkMove(facts({ current: closed, kept: undefined, fallback: relayed }))?.name).toBe('relayed')
    expect(gossipLinkMove(facts({ current: undefined, fallback: relayed }))?.name).toBe('relayed')
    expect(gossipLinkMove(facts({ current: closed, fallback: undefined }))).toBeUndefined()
  })
})

// Two Node peers with two connections between them (as two browsers have a relayed circuit
// and a direct link): GossipSub opens its streams on the first, and GossipLinks must move
// them to the one named as kept, with gossip flowing both ways before, during and after.
const nodes: Libp2p[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
})

const TOPIC = 'agent-mesh/1/test'

async function peerNode(listen: string[]): Promise<MeshNode> {
  const node = (await createLibp2p({
    addresses: { listen },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [meshYamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: { identify: identify(), pubsub: meshGossipsub() },
  })) as unknown as MeshNode
  nodes.push(node)
  node.services.pubsub.subscribe(TOPIC)
  return node
}

async function until(what: string, condition: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

function received(node: MeshNode): string[] {
  const texts: string[] = []
  node.services.pubsub.addEventListener('message', (e) => texts.push(new TextDecoder().decode(e.detail.data)))
  return texts
}

describe('GossipLinks over real libp2p', () => {
  it('moves both peers gossip streams to the kept connection and keeps delivering when the first closes', async () => {
    const a = await peerNode(['/ip4/127.0.0.1/tcp/0/ws'])
    const b = await peerNode([])
    const first = await b.dial(a.getMultiaddrs()[0])
    // Streams only on the first connection, as GossipSub opens them on the first identified one.
    await until('gossip streams on the first connection', () => [a, b].every((n) => n.services.pubsub.getSubscribers(TOPIC).length === 1))
    const second = await b.dial(a.getMultiaddrs()[0], { force: true })
    expect(second).not.toBe(first)
    const keptAtB = second
    await until('the second connection at a', () => a.getConnections(b.peerId).length === 2)
    const keptAtA = a.getConnections(b.peerId).find((c) => c.streams.every((s) => !s.protocol?.startsWith('/meshsub/')))
    expect(keptAtA).toBeDefined()

    const linksOf = (node: MeshNode, kept: () => Connection | undefined) =>
      new GossipLinks(node, {
        kept,
        fallback: () => node.getConnections().find((c) => c.status === 'open'),
        isAnswered: () => true,
        log: silentLogger,
      })
    const atA = linksOf(a, () => keptAtA)
    const atB = linksOf(b, () => keptAtB)
    expect(atA.currentLink(b.peerId)).not.toBe(keptAtA)
    expect(atB.currentLink(a.peerId)).toBe(first)

    const atAReceived = received(a)
    const atBReceived = received(b)
    atA.check(b.peerId)
    atB.check(a.peerId)
    await until('both streams moved', () => atA.currentLink(b.peerId) === keptAtA && atB.currentLink(a.peerId) === keptAtB)
    expect(atA.moves + atB.moves).toBe(2)
    // The peer's inbound stream moved with it: the streams on the kept connection carry gossip both ways.
    await until('inbound streams on the kept connection', () =>
      [keptAtA!, keptAtB].every((c) => c.streams.filter((s) => s.protocol?.startsWith('/meshsub/')).length === 2),
    )

    await a.services.pubsub.publish(TOPIC, new TextEncoder().encode('a1'))
    await b.services.pubsub.publish(TOPIC, new TextEncoder().encode('b1'))
    await until('delivery on the kept connection', () => atBReceived.includes('a1') && atAReceived.includes('b1'))

    await first.close()
    await a.services.pubsub.publish(TOPIC, new TextEncoder().encode('a2'))
    await b.services.pubsub.publish(TOPIC, new TextEncoder().encode('b2'))
    await until('delivery after the first connection closed', () => atBReceived.includes('a2') && atAReceived.includes('b2'))
    expect(atA.currentLink(b.peerId)).toBe(keptAtA)
  })
})

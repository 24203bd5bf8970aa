import { afterEach, describe, expect, it } from 'vitest'
import type { Libp2p } from 'libp2p'
import type { GossipSub } from '@libp2p/gossipsub'
import { loopbackNode } from '../net/loopback-node'
import { relayGossipsub } from '../../../relay/node'

const TOPIC = 'agent-mesh-test/hub'
/** More browsers than GossipSub keeps in a topic's mesh by default (Dhi = 12). */
const LEAVES = 30

const nodes: Libp2p<{ pubsub: GossipSub }>[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
})

/** GossipSub's mesh for the topic (the class has it; the service's interface type does not). */
const meshPeers = (node: Libp2p<{ pubsub: GossipSub }>) =>
  (node.services.pubsub as unknown as { getMeshPeers(topic: string): string[] }).getMeshPeers(TOPIC)

const until = async (check: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; !check() && Date.now() < end;) await new Promise((r) => setTimeout(r, 100))
  return check()
}

describe("the relay's GossipSub", () => {
  it('keeps every browser connected only to it in its mesh, so each hears every message', async () => {
    const hub = await loopbackNode(90, {
      listen: true,
      pubsub: relayGossipsub(),
      // Every leaf dials from 127.0.0.1 at once, as the relay allows (relay/node.ts).
      connectionManager: { inboundConnectionThreshold: 1_000, maxIncomingPendingConnections: 256 },
    })
    nodes.push(hub)
    hub.services.pubsub.subscribe(TOPIC)
    const received = new Map<number, Set<string>>()
    const leaves = await Promise.all(
      Array.from({ length: LEAVES }, async (_, i) => {
        const leaf = await loopbackNode(100 + i, { listen: false })
        nodes.push(leaf)
        leaf.services.pubsub.subscribe(TOPIC)
        received.set(i, new Set())
        leaf.services.pubsub.addEventListener('message', (event) => received.get(i)!.add(new TextDecoder().decode(event.detail.data)))
        await leaf.dial(hub.getMultiaddrs()[0])
        return leaf
      }),
    )
    // After a few heartbeats (1 s each) every leaf has grafted the hub, and none was pruned.
    expect(await until(() => meshPeers(hub).length === LEAVES, 20_000)).toBe(true)
    await new Promise((r) => setTimeout(r, 2_500))
    expect(meshPeers(hub)).toHaveLength(LEAVES)

    const messages = Array.from({ length: 10 }, (_, k) => `m${k}`)
    for (const text of messages) await leaves[0].services.pubsub.publish(TOPIC, new TextEncoder().encode(text))
    const everyoneHasAll = () => [...received].every(([i, got]) => i === 0 || messages.every((m) => got.has(m)))
    expect(await until(everyoneHasAll, 10_000)).toBe(true)
  }, 60_000)
})

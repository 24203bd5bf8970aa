import type { MeshGossip } from '../../net/gossip'
import type { BftTransport } from './types'

/**
 * BFT messages over the mesh's gossip: topic agent-mesh/1/bft.message, every envelope through
 * the inbound gate (size, signature, replay window, payload schema) before it gets here. The
 * sender handed on is the envelope's verified signer, whoever forwarded it.
 */
export function gossipBftTransport(gossip: MeshGossip): BftTransport {
  gossip.join(['bft.message'])
  return {
    async publish(payload, traceparent) {
      await gossip.publishEncoded('bft.message', payload, { traceparent })
    },
    subscribe(handler) {
      return gossip.on('bft.message', (accepted) =>
        handler(accepted.envelope.payload, accepted.envelope.sender, accepted.envelope.traceparent),
      )
    },
  }
}

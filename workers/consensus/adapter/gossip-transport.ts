import type { MeshGossip } from '../../net/gossip'
import type { BftTransport } from './types'

/** Largest height a catch-up request may name (protons encodes uint64 above 2^31 wrongly, see README). */
const MAX_CATCH_UP_HEIGHT = 2 ** 31 - 1

/**
 * BFT messages over the mesh's gossip: topic agent-mesh/1/bft.message, every envelope through
 * the inbound gate (size, signature, replay window, payload schema) before it gets here. The
 * sender handed on is the envelope's verified signer, whoever forwarded it.
 *
 * With `chainId`, also the catch-up channel (bft.catchup) for that chain: several chains may
 * share the topics, so requests name their chain and each adapter answers only its own.
 */
export function gossipBftTransport(gossip: MeshGossip, chainId?: string): BftTransport {
  gossip.join(chainId === undefined ? ['bft.message'] : ['bft.message', 'bft.catchup'])
  const transport: BftTransport = {
    async publish(payload, traceparent) {
      await gossip.publishEncoded('bft.message', payload, { traceparent })
    },
    subscribe(handler) {
      return gossip.on('bft.message', (accepted) =>
        handler(accepted.envelope.payload, accepted.envelope.sender, accepted.envelope.traceparent),
      )
    },
  }
  if (chainId === undefined) return transport
  return {
    ...transport,
    async requestCatchUp(fromHeight) {
      await gossip.publish('bft.catchup', { chainId, fromHeight: BigInt(Math.min(fromHeight, MAX_CATCH_UP_HEIGHT)) })
    },
    subscribeCatchUp(handler) {
      return gossip.on('bft.catchup', (accepted) => {
        const request = accepted.payload
        if (request.chainId === chainId && request.fromHeight >= 1n && request.fromHeight <= BigInt(MAX_CATCH_UP_HEIGHT))
          handler(Number(request.fromHeight), accepted.envelope.sender)
      })
    },
  }
}

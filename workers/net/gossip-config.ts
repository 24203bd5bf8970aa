import { gossipsub, StrictNoSign } from '@libp2p/gossipsub'

/**
 * GossipSub settings every node must share. Messages are not signed by GossipSub itself:
 * each one is already an Envelope signed by its sender's identity (the same Ed25519 key as
 * its PeerId), checked by the inbound gate, so a second signature would only double the
 * crypto per hop. Message ids are then the SHA-256 of the bytes; a replayed envelope that
 * slips past that cache is stopped by the gate's replay window.
 */
export function meshGossipsub(overrides: Partial<Parameters<typeof gossipsub>[0]> = {}) {
  return gossipsub({
    // GossipSub scores peers down when more than 10 share an IP address (an anti-Sybil rule
    // for open networks). Here every sender holds a credential the gate checks, and browsers
    // behind one NAT, or all peers of a relay benchmark on loopback, share an address: with
    // the penalty on, a relay with 14 loopback peers forwarded them no gossip at all.
    scoreParams: { IPColocationFactorWeight: 0 },
    ...overrides,
    globalSignaturePolicy: StrictNoSign,
    allowPublishToZeroTopicPeers: true,
    runOnLimitedConnection: true,
    floodPublish: true,
    emitSelf: false,
  })
}

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
    ...overrides,
    globalSignaturePolicy: StrictNoSign,
    allowPublishToZeroTopicPeers: true,
    runOnLimitedConnection: true,
    floodPublish: true,
    emitSelf: false,
  })
}

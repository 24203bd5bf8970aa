import { gossipsub, StrictNoSign } from '@libp2p/gossipsub'

const encoder = new TextEncoder()

/**
 * A gossip message's id: SHA-256 over its topic and its bytes. GossipSub's default for
 * unsigned messages hashes the bytes alone and marks an id as seen before any validator runs,
 * so a copy of an honest message published first on another topic (where it is refused)
 * would make every node drop the honest one on its own topic as a duplicate.
 */
export async function meshMessageId(message: { topic: string; data: Uint8Array }): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', messageIdInput(message)))
}

/** SHA-256 of the given bytes; a synchronous one spares the async WebCrypto job per message. */
export type MessageIdHash = (bytes: Uint8Array) => Uint8Array

/** The same id as meshMessageId, computed with `hash` (Node: node:crypto, several times faster on small messages). */
export function meshMessageIdWith(hash: MessageIdHash): (message: { topic: string; data: Uint8Array }) => Uint8Array {
  return (message) => hash(messageIdInput(message))
}

function messageIdInput(message: { topic: string; data: Uint8Array }): Uint8Array<ArrayBuffer> {
  const topic = encoder.encode(message.topic)
  const input = new Uint8Array(4 + topic.length + message.data.length)
  new DataView(input.buffer).setUint32(0, topic.length)
  input.set(topic, 4)
  input.set(message.data, 4 + topic.length)
  return input
}

/**
 * GossipSub settings every node must share. Messages are not signed by GossipSub itself:
 * each one is already an Envelope signed by its sender's identity (the same Ed25519 key as
 * its PeerId), checked by the inbound gate, so a second signature would only double the
 * crypto per hop. Message ids are then the SHA-256 of topic and bytes; a replayed envelope
 * that slips past that cache is stopped by the gate's replay window.
 */
export function meshGossipsub(
  overrides: Partial<Parameters<typeof gossipsub>[0]> = {},
  options: { readonly messageIdHash?: MessageIdHash } = {},
) {
  return gossipsub({
    // GossipSub scores peers down when more than 10 share an IP address (an anti-Sybil rule
    // for open networks). Here every sender holds a credential the gate checks, and browsers
    // behind one NAT, or all peers of a relay benchmark on loopback, share an address: with
    // the penalty on, a relay with 14 loopback peers forwarded them no gossip at all.
    scoreParams: { IPColocationFactorWeight: 0 },
    ...overrides,
    globalSignaturePolicy: StrictNoSign,
    msgIdFn: options.messageIdHash ? meshMessageIdWith(options.messageIdHash) : meshMessageId,
    allowPublishToZeroTopicPeers: true,
    runOnLimitedConnection: true,
    floodPublish: true,
    emitSelf: false,
  })
}

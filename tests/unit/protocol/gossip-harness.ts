import type { PeerId } from '@libp2p/interface'
import { TopicValidatorResult, type GossipSub, type Message } from '@libp2p/gossipsub'
import { identityFromSeed } from '../../../workers/identity/ed25519'
import { createEnvelopeSigner } from '../../../workers/protocol/envelope'
import { InboundValidator, type InboundOptions, type Rejected } from '../../../workers/protocol/inbound'
import { verifyEd25519Batch } from '../../../workers/protocol/verify'
import type { MessageKind } from '../../../workers/protocol/kind-spec'
import { MeshGossip, topicForKind } from '../../../workers/net/gossip'
import { silentLogger } from '../../../workers/log'
import { messageKinds } from '../../../workers/kinds'

export const mallory = { toString: () => '12D3KooWMallory' } as PeerId

/**
 * MeshGossip over a stand-in for GossipSub: the test calls the topic validators GossipSub
 * would call, and GossipSub's delivery of accepted messages. The flood guard sits in front of
 * GossipSub's own intake, so it is tested on a real GossipSub (tests/unit/net/gossip-seen-slot.test.ts).
 */
export function gossipHarness(options: {
  now: number | (() => number)
  kinds?: MessageKind[]
  authorize?: InboundOptions['authorize']
  verify?: InboundOptions['verify']
}) {
  const now = typeof options.now === 'number' ? () => options.now as number : options.now
  const rejections: Rejected[] = []
  const validator = new InboundValidator({
    kinds: messageKinds,
    verify: options.verify ?? verifyEd25519Batch,
    now,
    authorize: options.authorize,
    onReject: (r) => rejections.push(r),
  })
  const topicValidators = new Map<string, (peer: PeerId, message: Message) => Promise<TopicValidatorResult>>()
  const listeners: Array<(event: { detail: Message }) => void> = []
  const pubsub = {
    topicValidators,
    subscribe: () => {},
    addEventListener: (_: string, listener: (event: { detail: Message }) => void) => listeners.push(listener),
  } as unknown as GossipSub
  const self = identityFromSeed(new Uint8Array(32).fill(250))
  const gossip = new MeshGossip(pubsub, validator, createEnvelopeSigner(self, messageKinds, now), silentLogger)
  const kinds = options.kinds ?? ['mesh.presence', 'mesh.chat']
  const delivered: Array<{ kind: string; text?: string; seq: bigint; sender: string }> = []
  gossip.join(kinds)
  for (const kind of kinds)
    gossip.on(kind, (m) =>
      delivered.push({ kind: m.kind, text: (m.payload as { text?: string }).text, seq: m.envelope.seq, sender: m.senderHex }),
    )
  /** What GossipSub does with one message arriving from `peer` on `kind`'s topic: validate, then deliver if accepted. */
  const arrive = async (kind: MessageKind, data: Uint8Array, peer: PeerId = mallory) => {
    const message = { type: 'unsigned', topic: topicForKind(kind), data } as Message
    const result = await topicValidators.get(message.topic)!(peer, message)
    if (result === TopicValidatorResult.Accept) for (const l of listeners) l({ detail: message })
    return result
  }
  return { validator, rejections, delivered, arrive }
}

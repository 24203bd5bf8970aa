import type { GossipSub, Message } from '@libp2p/gossipsub'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { sealMessage, sealRaw, type EnvelopeSigner, type SealOptions } from '../protocol/envelope'
import type { Accepted, InboundValidator } from '../protocol/inbound'
import type { MessageKind, PayloadOf } from '../protocol/kind-spec'
import type { Logger } from '../log'
import type { FloodGuard } from './token-buckets'

/** Per-peer and per-address limits on what peers propagate to us; `addressOf` finds a peer's address. */
export interface GossipFloodGuard {
  readonly guard: FloodGuard
  readonly addressOf: (peer: PeerId) => string | undefined
}

const TOPIC_PREFIX = 'agent-mesh/1/'

export function topicForKind(kind: MessageKind): string {
  return TOPIC_PREFIX + kind
}

/** `from` is the envelope's author (derived from its verified signing key), not the forwarding peer. */
export type GossipHandler<K extends MessageKind> = (message: Accepted<K>, from: PeerId) => void

/**
 * Gossip with the envelope gate in front: each topic carries one message kind, and the topic
 * validator runs the shared inbound checks, so invalid messages are neither delivered nor
 * forwarded, and the peer that sent them loses gossipsub score.
 */
export class MeshGossip {
  private readonly accepted = new WeakMap<Uint8Array, { verdict: Accepted; from: PeerId }>()
  private readonly handlers = new Map<string, Set<GossipHandler<any>>>()

  constructor(
    private readonly pubsub: GossipSub,
    private readonly validator: InboundValidator,
    private readonly signer: EnvelopeSigner,
    private readonly log: Logger,
    private readonly flood?: GossipFloodGuard,
  ) {
    pubsub.addEventListener('message', (event) => this.deliver(event.detail))
  }

  /** Subscribes to the kinds' topics and installs the gate on each. */
  join(kinds: readonly MessageKind[]): void {
    for (const kind of kinds) {
      if (this.signer.kinds[kind].carrier !== 'gossip') throw new Error(`${kind} is a stream message, not gossip`)
      const topic = topicForKind(kind)
      this.pubsub.topicValidators.set(topic, (peer, message) => this.gate(kind, peer, message))
      this.pubsub.subscribe(topic)
    }
  }

  on<K extends MessageKind>(kind: K, handler: GossipHandler<K>): () => void {
    let set = this.handlers.get(kind)
    if (!set) this.handlers.set(kind, (set = new Set()))
    set.add(handler)
    return () => set.delete(handler)
  }

  async publish<K extends MessageKind>(kind: K, payload: PayloadOf<K>, options: SealOptions = {}): Promise<number> {
    const bytes = sealMessage(this.signer, kind, payload, options)
    const result = await this.pubsub.publish(topicForKind(kind), bytes)
    return result.recipients.length
  }

  /** For payloads already encoded with the kind's codec (the consensus core encodes its own messages). */
  async publishEncoded(kind: MessageKind, payload: Uint8Array, options: SealOptions = {}): Promise<number> {
    const result = await this.pubsub.publish(topicForKind(kind), sealRaw(this.signer, kind, payload, options))
    return result.recipients.length
  }

  /** Raw publish for tests that need to put hostile bytes on a topic. */
  async publishRaw(topic: string, bytes: Uint8Array): Promise<number> {
    return (await this.pubsub.publish(topic, bytes)).recipients.length
  }

  private async gate(kind: MessageKind, propagatedBy: PeerId, message: Message): Promise<TopicValidatorResult> {
    const source = `gossip:${message.topic} via ${propagatedBy.toString()}`
    // A flooding peer is cut off before any decoding or signature work. Ignore, not Reject:
    // the peer may be forwarding other people's messages, and they were not judged.
    const limited = this.flood?.guard.admit(propagatedBy.toString(), this.flood.addressOf(propagatedBy))
    if (limited) {
      this.validator.reportRejection('rate-limited', limited, { carrier: 'gossip', source })
      return TopicValidatorResult.Ignore
    }
    // Gossip is forwarded, so only the envelope's own signature says who wrote it. The topic's
    // kind is checked inside the gate, before the message can take its replay slot.
    const verdict = await this.validator.check(message.data, { carrier: 'gossip', expectedKind: kind, source })
    if (!verdict.ok) return TopicValidatorResult.Reject
    this.accepted.set(message.data, { verdict, from: peerIdFromPublicKey(publicKeyFromRaw(verdict.envelope.sender)) })
    return TopicValidatorResult.Accept
  }

  private deliver(message: Message): void {
    const accepted = this.accepted.get(message.data)
    if (!accepted) return
    this.accepted.delete(message.data)
    const { verdict, from } = accepted
    for (const handler of this.handlers.get(verdict.kind) ?? []) {
      try {
        handler(verdict, from)
      } catch (err) {
        this.log.error({ err, kind: verdict.kind }, 'gossip handler failed')
      }
    }
  }
}

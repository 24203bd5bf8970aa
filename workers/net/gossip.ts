import type { GossipSub, Message } from '@libp2p/gossipsub'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { sealMessage, sealRaw, type EnvelopeSigner, type SealOptions } from '../protocol/envelope'
import type { Accepted, InboundValidator } from '../protocol/inbound'
import type { MessageKind, PayloadOf } from '../protocol/kind-spec'
import type { Logger } from '../log'
import type { FloodGuard } from '../common/rate-limit'

/** Per-peer and per-address limits on what peers propagate to us; `addressOf` finds a peer's address. */
export interface GossipFloodGuard {
  readonly guard: FloodGuard
  readonly addressOf: (peer: PeerId) => string | undefined
}

/**
 * Where GossipSub takes in each RPC a peer sent (the method its stream reader calls), before
 * its duplicate cache sees any message. Public on GossipSub's class, not on the interface
 * the package exports, hence this narrow view.
 */
interface RpcIntake {
  handleReceivedRpc(from: PeerId, rpc: { readonly messages: ReadonlyArray<{ readonly topic: string }> }): Promise<void>
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
    flood?: GossipFloodGuard,
  ) {
    pubsub.addEventListener('message', (event) => this.deliver(event.detail))
    if (flood) this.guardIntake(flood)
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

  /**
   * Cuts a flooding peer off before GossipSub sees its messages at all. A check that refuses
   * a message because of who forwarded it, not what it is, must not run after GossipSub has
   * marked the message id as seen (which it does before any topic validator): a peer over its
   * limit that forwards an honest message first would otherwise make this node drop the honest
   * copy arriving from everyone else as a duplicate (and tell its mesh it has it, IDONTWANT).
   * Dropped here, the message costs no hashing, leaves no trace, and is counted once.
   */
  private guardIntake({ guard, addressOf }: GossipFloodGuard): void {
    const intake = this.pubsub as unknown as Partial<RpcIntake>
    const handle = intake.handleReceivedRpc
    if (typeof handle !== 'function')
      throw new Error('this GossipSub has no handleReceivedRpc: the gossip flood guard cannot run before its duplicate cache')
    const received = handle.bind(this.pubsub)
    intake.handleReceivedRpc = (from, rpc) => {
      if (!rpc.messages?.length) return received(from, rpc)
      const peer = from.toString()
      const address = addressOf(from)
      const admitted = rpc.messages.filter((message) => {
        const refusal = guard.admit(peer, address)
        if (refusal)
          this.validator.reportRejection('rate-limited', refusal, { carrier: 'gossip', source: `gossip:${message.topic} via ${peer}` })
        return refusal === null
      })
      return received(from, admitted.length === rpc.messages.length ? rpc : { ...rpc, messages: admitted })
    }
  }

  private async gate(kind: MessageKind, propagatedBy: PeerId, message: Message): Promise<TopicValidatorResult> {
    const source = `gossip:${message.topic} via ${propagatedBy.toString()}`
    // Gossip is forwarded, so only the envelope's own signature says who wrote it. The topic's
    // kind is checked inside the gate, before the message can take its replay slot. Nothing
    // here depends on the forwarding peer (the flood guard ran before GossipSub's seen cache),
    // so the verdict is the same for every copy of the bytes, and one id seen is one verdict.
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

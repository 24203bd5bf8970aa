import type { GossipSub } from '@libp2p/gossipsub'
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import type { Logger } from '../log'

/**
 * How long a move waits for the new link to take a stream. A half-open twin link (seen in the
 * mesh bench: pings on it timed out) never answers, and the peer stays unmoved until then.
 */
const MOVE_TIMEOUT_MS = 10_000

/** What decides which connection a peer's GossipSub stream belongs on (see gossipLinkMove). */
export interface GossipLinkFacts<C> {
  /** The connection our outbound GossipSub stream to the peer is on, if there is one. */
  readonly current: C | undefined
  /** The direct link both ends keep (MeshRuntime.keptLink), if there is one. */
  readonly kept: C | undefined
  /** Any other open connection to the peer without relay limits (MeshRuntime.bestConnection). */
  readonly fallback: C | undefined
  readonly isOpen: (connection: C) => boolean
  /** Whether the peer answered on the link (its identify came back), so it holds the link too. */
  readonly isAnswered: (connection: C) => boolean
}

/**
 * Where a peer's outbound GossipSub stream should move, or undefined to leave it. GossipSub
 * opens one outbound stream per peer on the first connection identify completes on and never
 * moves it; between two browsers that is the circuit through the relay, because the direct
 * WebRTC link is negotiated over it. Measured (4 pages): relayed connections' RTT 0.9–3.6 s,
 * the WebRTC links' 5–20 ms, and every gossip stream on the relayed one. So the stream moves to
 * the kept direct link as soon as the peer has answered on it; a stream whose connection closed
 * goes to whatever open connection is left (the relayed one for a peer without a direct link).
 */
export function gossipLinkMove<C>({ current, kept, fallback, isOpen, isAnswered }: GossipLinkFacts<C>): C | undefined {
  if (kept !== undefined && kept !== current && isOpen(kept) && isAnswered(kept)) return kept
  if (current !== undefined && isOpen(current)) return undefined
  return fallback !== undefined && fallback !== current && isOpen(fallback) ? fallback : undefined
}

/**
 * GossipSub's per-peer stream bookkeeping: public on its class, not on the interface the
 * package exports, hence this narrow view (as MeshGossip's RpcIntake).
 */
interface GossipStreams {
  readonly peers: Map<string, PeerId>
  readonly streamsOutbound: Map<string, { readonly rawStream: Stream; close(): Promise<void> }>
  readonly protocols: string[]
  createOutboundStream(peerId: PeerId, connection: Pick<Connection, 'newStream'>): Promise<void>
}

export interface GossipLinksOptions {
  readonly kept: (peer: PeerId) => Connection | undefined
  readonly fallback: (peer: PeerId) => Connection | undefined
  readonly isAnswered: (connection: Connection) => boolean
  readonly log: Logger
}

/**
 * Keeps each peer's outbound GossipSub stream on the connection gossipLinkMove picks. The peer
 * does the same with its own outbound stream, and GossipSub on each end takes the stream that
 * arrives on the new link as the peer's inbound stream and closes the old one (its write end
 * only, so what was still in flight on the old link is read to the end). Checked when a link
 * is answered or closes, and on `sweep` (the page calls it periodically).
 */
export class GossipLinks {
  private readonly pubsub: GossipStreams
  private readonly moving = new Set<string>()
  /** Streams moved (for tests and the bench). */
  moves = 0

  constructor(
    private readonly node: Libp2p<{ pubsub: GossipSub }>,
    private readonly options: GossipLinksOptions,
  ) {
    const pubsub = node.services.pubsub as unknown as Partial<GossipStreams>
    if (!(pubsub.streamsOutbound instanceof Map) || !(pubsub.peers instanceof Map) || typeof pubsub.createOutboundStream !== 'function')
      throw new Error('this GossipSub has no streamsOutbound/createOutboundStream: gossip cannot be moved to direct links')
    this.pubsub = pubsub as GossipStreams
    // Listeners run after MeshRuntime's own, which records the link as answered.
    node.addEventListener('peer:identify', (event) => this.check(event.detail.peerId))
    node.addEventListener('connection:close', (event) => queueMicrotask(() => this.check(event.detail.remotePeer)))
  }

  /** The connection our outbound GossipSub stream to a peer is on, if any. */
  currentLink(peer: PeerId): Connection | undefined {
    const raw = this.pubsub.streamsOutbound.get(peer.toString())?.rawStream
    return raw ? this.node.getConnections(peer).find((c) => c.streams.includes(raw)) : undefined
  }

  /** Checks every GossipSub peer. */
  sweep(): void {
    for (const peer of this.pubsub.peers.values()) this.check(peer)
  }

  check(peer: PeerId): void {
    const id = peer.toString()
    // A node that is stopping closes every connection: nothing to move then.
    if (this.node.status !== 'started' || this.moving.has(id) || !this.pubsub.peers.has(id)) return
    const target = gossipLinkMove({
      current: this.currentLink(peer),
      kept: this.options.kept(peer),
      fallback: this.options.fallback(peer),
      isOpen: (c) => c.status === 'open',
      isAnswered: this.options.isAnswered,
    })
    if (target === undefined) return
    this.moving.add(id)
    void this.move(peer, target).finally(() => this.moving.delete(id))
  }

  /**
   * Opens the new stream first and swaps it in within one microtask: GossipSub drops what it
   * sends to a peer while it has no outbound stream for it.
   */
  private async move(peer: PeerId, target: Connection): Promise<void> {
    const id = peer.toString()
    let raw: Stream
    try {
      raw = await target.newStream(this.pubsub.protocols, { runOnLimitedConnection: true, signal: AbortSignal.timeout(MOVE_TIMEOUT_MS) })
    } catch (err) {
      this.options.log.debug({ peer: id, err: (err as Error).message }, 'gossip stream not moved: the new link refused a stream')
      return
    }
    if (!this.pubsub.peers.has(id)) return void raw.abort(new Error('gossip peer left while its stream moved'))
    const old = this.pubsub.streamsOutbound.get(id)
    this.pubsub.streamsOutbound.delete(id)
    await this.pubsub.createOutboundStream(peer, { newStream: async () => raw })
    if (this.pubsub.streamsOutbound.get(id)?.rawStream !== raw) {
      raw.abort(new Error('gossip stream not taken'))
      if (old && !this.pubsub.streamsOutbound.has(id)) this.pubsub.streamsOutbound.set(id, old)
      return
    }
    this.moves++
    this.options.log.debug({ peer: id, link: target.remoteAddr.toString() }, 'gossip stream moved')
    if (old) void old.close().catch(() => {})
  }
}

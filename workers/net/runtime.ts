import type { GossipSub } from '@libp2p/gossipsub'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import type { EnvelopeSigner } from '../protocol/envelope'
import { InboundValidator, type InboundOptions, type Rejected } from '../protocol/inbound'
import type { MessageKind } from '../protocol/kind-spec'
import type { BatchVerifier } from '../protocol/verify'
import type { Logger } from '../log'
import { BlobStore, type Sha256 } from './blob-store'
import { MeshGossip } from './gossip'
import { GossipLinks } from './gossip-links'
import { delay, fetchBlob, serveTransfer, TRANSFER_PROTOCOL, type FetchOptions } from './transfer'
import { fetchFromSwarm, type SwarmFetched, type SwarmFetchOptions } from './swarm-fetch'
import { addressOfMultiaddr, connectionKind, isDirectConnection, type ConnectionKind } from './connection-kind'
import { openOnAnsweringLink } from './link-streams'
import { moveToDirectLinkWhenUp } from './relayed-transfers'
import { keptTwin, webrtcLinkKey } from './direct-peers'
import { DirectMessages } from './direct'
import { FloodGuard, TokenBuckets, type Rate } from '../common/rate-limit'
import { SLOW_CONSUMER_CHECK_MS, SLOW_CONSUMER_LIMIT_BYTES, slowConsumers } from './slow-consumers'

/** What one peer (and one network address) may make this node do; see README, Security. */
export interface MeshLimits {
  /** Gossip messages a peer propagates to us (before any decoding). */
  readonly gossip: { readonly perPeer: Rate; readonly perAddress: Rate }
  /** Transfer streams a peer opens to us. */
  readonly streamOpens: { readonly perPeer: Rate; readonly perAddress: Rate }
  /** Transfer streams one peer may hold open at once (over all its connections). */
  readonly maxConcurrentStreamsPerPeer: number
  /** Peers and addresses tracked by each limit (memory bound: about 320 bytes each, measured). */
  readonly maxTrackedKeys: number
  /** Bytes queued for a peer that is not reading, over all streams of one connection, before the connection is closed (slow-consumers.ts). */
  readonly maxQueuedBytesPerConnection: number
}

/**
 * How long a stream on a direct link that has a twin may take to be accepted before the link
 * counts as unanswering. A WebRTC link answers in milliseconds (5-20 ms measured at a load
 * of 20 on two cores); a twin whose far end is closed never does.
 */
export const LINK_ANSWER_MS = 8_000

export const defaultMeshLimits: MeshLimits = {
  // A browser hears the whole mesh through one relay, so the per-peer gossip rate is sized for
  // a busy mesh, not for one sender; a flood from one peer is still cut to this.
  gossip: { perPeer: { perSecond: 500, burst: 2_000 }, perAddress: { perSecond: 1_000, burst: 4_000 } },
  streamOpens: { perPeer: { perSecond: 20, burst: 64 }, perAddress: { perSecond: 50, burst: 200 } },
  maxConcurrentStreamsPerPeer: 16,
  maxTrackedKeys: 10_000,
  maxQueuedBytesPerConnection: SLOW_CONSUMER_LIMIT_BYTES,
}

/**
 * The address a peer reached us from, for per-address limits; undefined for relayed
 * connections, whose address is the relay's and shared by everyone behind it.
 */
function peerAddress(node: Libp2p, peer: PeerId): string | undefined {
  const connection = node.getConnections(peer).find((c) => !c.remoteAddr.toString().includes('/p2p-circuit'))
  return connection ? addressOfMultiaddr(connection.remoteAddr.toString()) : undefined
}

export interface MeshRuntimeOptions {
  readonly signer: EnvelopeSigner
  readonly verify: BatchVerifier
  readonly sha256: Sha256
  readonly log: Logger
  readonly gossipKinds: readonly MessageKind[]
  readonly authorize?: InboundOptions['authorize']
  readonly onReject?: (rejected: Rejected, source: string | undefined) => void
  readonly maxBlobStoreBytes?: number
  readonly limits?: Partial<MeshLimits>
  /** Told about every finished blob transfer, served or fetched (metrics). */
  readonly onTransfer?: (direction: 'served' | 'fetched', ok: boolean, bytes: number) => void
  /** Told when a connection is closed because its peer stopped reading (metrics). */
  readonly onSlowConsumer?: (peer: string, queuedBytes: number) => void
  /**
   * Which links lead to peers a swarm fetch may ask without their being named holders (see
   * SwarmNode.neighbourPeers). Default: every link. A browser's WebSocket links lead to relays.
   */
  readonly swarmNeighbourLinks?: (kind: ConnectionKind) => boolean
}

export type MeshNode = Libp2p<{ pubsub: GossipSub }>

/**
 * What the relay and every browser node run on top of libp2p: the inbound gate, gossip
 * behind it, and the blob transfer protocol. Environment-specific parts (transports, storage,
 * where hashing and signature checks run) come in through the options.
 */
export class MeshRuntime {
  readonly validator: InboundValidator
  readonly gossip: MeshGossip
  readonly blobs: BlobStore
  /** Signed messages for one peer, on a stream (a trainer's submission to its aggregator). */
  readonly direct: DirectMessages
  /** Keeps each peer's GossipSub stream on the direct link once there is one (not the relayed circuit). */
  readonly gossipLinks: GossipLinks
  readonly limits: MeshLimits
  private readonly streamGuard: FloodGuard
  private readonly openStreams = new Map<string, number>()
  /** Connections on which identify came back: both ends hold them (see keptLink). */
  private readonly answeredLinks = new WeakSet<Connection>()
  /** Direct links on which a stream or ping went unanswered while a twin link to the peer was open (see keptTwin). */
  private readonly unansweringLinks = new WeakSet<Connection>()

  constructor(
    readonly node: MeshNode,
    private readonly options: MeshRuntimeOptions,
  ) {
    const rejectLogBudget = new TokenBuckets({ perSecond: 20, burst: 100 }, 1)
    this.validator = new InboundValidator({
      kinds: options.signer.kinds,
      verify: options.verify,
      authorize: options.authorize,
      onReject: (rejected, context) => {
        // Every rejection is counted; under a flood only the first few per second are logged at
        // warn (the rest at debug), or writing the log would become the attack's amplifier.
        const loud = rejected.reason !== 'rate-limited' && rejectLogBudget.take('warn', Date.now())
        options.log[loud ? 'warn' : 'debug'](
          {
            reason: rejected.reason,
            detail: rejected.detail,
            kind: rejected.kind,
            sender: rejected.senderHex,
            msgId: rejected.messageId,
            source: context.source,
          },
          'message rejected',
        )
        options.onReject?.(rejected, context.source)
      },
    })
    node.addEventListener('peer:identify', (event) => this.answeredLinks.add(event.detail.connection))
    this.limits = { ...defaultMeshLimits, ...options.limits }
    const gossipGuard = new FloodGuard('gossip', { ...this.limits.gossip, maxKeys: this.limits.maxTrackedKeys })
    this.streamGuard = new FloodGuard('stream opens', { ...this.limits.streamOpens, maxKeys: this.limits.maxTrackedKeys })
    this.gossip = new MeshGossip(node.services.pubsub, this.validator, options.signer, options.log, {
      guard: gossipGuard,
      addressOf: (peer) => peerAddress(node, peer),
    })
    this.gossipLinks = new GossipLinks(node, {
      kept: (peer) => this.keptLink(peer),
      fallback: (peer) => this.bestConnection(peer),
      isAnswered: (connection) => this.answeredLinks.has(connection),
      log: options.log,
    })
    this.blobs = new BlobStore(options.sha256, options.maxBlobStoreBytes)
    this.direct = new DirectMessages({
      node,
      openStream: (peer, protocol, signal) => this.openStream(peer, protocol, signal),
      validator: this.validator,
      signer: options.signer,
      log: options.log,
      refuse: (peer, remoteAddr) =>
        this.streamGuard.admit(peer, remoteAddr.includes('/p2p-circuit') ? undefined : addressOfMultiaddr(remoteAddr)),
    })
  }

  async start(): Promise<void> {
    this.gossip.join(this.options.gossipKinds)
    this.watchSlowConsumers()
    await this.node.handle(
      TRANSFER_PROTOCOL,
      (stream, connection) => {
        const peer = connection.remotePeer.toString()
        const source = `${TRANSFER_PROTOCOL} from ${peer}`
        const refusal = this.refuseTransferStream(peer, connection.remoteAddr.toString())
        if (refusal) {
          this.validator.reportRejection('rate-limited', refusal, { carrier: 'stream', source })
          stream.abort(new Error('rate limited'))
          return
        }
        this.openStreams.set(peer, (this.openStreams.get(peer) ?? 0) + 1)
        void serveTransfer(stream, connection.remotePeer.publicKey?.raw, this.blobs, this.transferDeps(), source).finally(() => {
          const left = (this.openStreams.get(peer) ?? 1) - 1
          if (left <= 0) this.openStreams.delete(peer)
          else this.openStreams.set(peer, left)
        })
      },
      // One over the cap, so the stream past it reaches the handler and is refused with a counted
      // reason instead of being dropped silently by libp2p.
      { runOnLimitedConnection: true, maxInboundStreams: this.limits.maxConcurrentStreamsPerPeer + 1 },
    )
  }

  /** Closes, every second until the node stops, each connection whose peer has stopped reading (slow-consumers.ts). */
  private watchSlowConsumers(): void {
    const timer = setInterval(() => {
      for (const { connection, queuedBytes } of slowConsumers(this.node.getConnections(), this.limits.maxQueuedBytesPerConnection)) {
        const peer = connection.remotePeer.toString()
        this.options.log.warn(
          { peer, connection: connection.id, queuedBytes, limit: this.limits.maxQueuedBytesPerConnection },
          'closing the connection of a peer that stopped reading (its queue passed the limit)',
        )
        connection.abort(new Error(`peer stopped reading: ${queuedBytes} bytes queued`))
        this.options.onSlowConsumer?.(peer, queuedBytes)
      }
    }, SLOW_CONSUMER_CHECK_MS)
    if (typeof timer === 'object' && 'unref' in timer) timer.unref()
    this.node.addEventListener('stop', () => clearInterval(timer), { once: true })
  }

  /** Why a new transfer stream from `peer` is refused (too many open, or opened too fast), or null. */
  private refuseTransferStream(peer: string, remoteAddr: string): string | null {
    const open = this.openStreams.get(peer) ?? 0
    if (open >= this.limits.maxConcurrentStreamsPerPeer)
      return `${open} transfer streams already open from peer ${peer} (limit ${this.limits.maxConcurrentStreamsPerPeer})`
    return this.streamGuard.admit(peer, remoteAddr.includes('/p2p-circuit') ? undefined : addressOfMultiaddr(remoteAddr))
  }

  /**
   * Fetches a blob from a peer, preferring a direct connection; a fetch on a relayed connection
   * moves to the direct link once one opens (relayed-transfers.ts).
   */
  fetchBlob(peer: PeerId, sha256: Uint8Array, options: FetchOptions = {}): Promise<Uint8Array> {
    const fetched = fetchBlob(
      async () => {
        const stream = await this.openStream(peer, TRANSFER_PROTOCOL, options.signal)
        const connections = this.node.getConnections(peer)
        const relayed = connections.some((c) => c.streams.includes(stream) && connectionKind(c.remoteAddr.toString()) === 'relay')
        const directNow = connections.some((c) => c.status === 'open' && isDirectConnection(c.remoteAddr.toString()))
        if (relayed)
          moveToDirectLinkWhenUp(
            this.node,
            peer.toString(),
            stream,
            () =>
              this.options.log.info(
                { peer: peer.toString() },
                'a direct link opened during a relayed transfer; resuming the transfer on it',
              ),
            directNow,
          )
        return { stream, remotePublicKey: peer.publicKey?.raw }
      },
      sha256,
      this.transferDeps(),
      options,
    )
    const onTransfer = this.options.onTransfer
    if (onTransfer)
      fetched.then(
        (bytes) => onTransfer('fetched', true, bytes.length),
        () => onTransfer('fetched', false, 0),
      )
    return fetched
  }

  /**
   * A blob from the peers known to hold it or from any linked peer that has it (swarm-fetch.ts),
   * kept in the blob store so that this node serves it on to the peers still fetching it.
   */
  async fetchFromHolders(
    sha256: Uint8Array,
    holders: readonly string[],
    options: Omit<SwarmFetchOptions, 'holders' | 'self'> = {},
  ): Promise<SwarmFetched> {
    const fetched = await fetchFromSwarm(
      {
        linkedPeers: () => this.openPeers((kind) => kind !== 'relay'),
        neighbourPeers: () => this.openPeers((kind) => kind !== 'relay' && (this.options.swarmNeighbourLinks?.(kind) ?? true)),
        fetch: (peer, signal, onProgress) => this.fetchBlob(peerIdFromString(peer), sha256, { signal, onProgress }),
        wait: delay,
        now: () => performance.now(),
      },
      { ...options, holders, self: this.node.peerId.toString() },
    )
    await this.blobs.add(fetched.bytes)
    return fetched
  }

  /** Peers with an open connection of a kind `wanted` accepts. */
  private openPeers(wanted: (kind: ConnectionKind) => boolean): string[] {
    const open = this.node.getConnections().filter((c) => c.status === 'open' && wanted(connectionKind(c.remoteAddr.toString())))
    return [...new Set(open.map((c) => c.remotePeer.toString()))]
  }

  /**
   * The connection this node opens its streams to a peer on: the direct link both sides keep
   * (keptLink), else an open connection without relay limits (as libp2p's own choice), else
   * none, and openStream dials. A limited relayed connection carries only so many bytes:
   * secure-aggregation messages sent on one stalled until the read timed out.
   */
  bestConnection(peer: PeerId): Connection | undefined {
    return this.keptLink(peer) ?? this.node.getConnections(peer).find((c) => c.status === 'open' && c.limits == null)
  }

  /** Of the open direct links to a peer, the one both sides keep (keptTwin, told which links the peer has answered on). */
  keptLink(peer: PeerId): Connection | undefined {
    const direct = this.node.getConnections(peer).filter((c) => c.status === 'open' && isDirectConnection(c.remoteAddr.toString()))
    return keptTwin(this.node.peerId.toString(), peer.toString(), direct, {
      keyOf: webrtcLinkKey,
      answered: (c) => this.answeredLinks.has(c),
      unanswering: (c) => this.unansweringLinks.has(c),
    })
  }

  /**
   * A stream or ping on this connection went unanswered. When it is a direct link with a twin
   * (another direct link to the peer), streams go to the twin from now on: the peer may have closed this link's
   * far end, which this end learns only when ICE gives up. The link itself is left to close
   * once idle, never cut under a stream (MeshClient's pruning).
   */
  linkUnanswered(connection: Connection): void {
    if (this.unansweringLinks.has(connection) || !this.hasTwin(connection)) return
    this.unansweringLinks.add(connection)
    this.options.log.info(
      { peer: connection.remotePeer.toString(), connection: connection.id },
      'a direct link went unanswered; streams to the peer use its twin',
    )
  }

  /**
   * Whether this is a direct link with another open direct link to the same peer beside it: only
   * then can keptLink choose another when this one stops answering (a lone link stays the choice).
   */
  private hasTwin(connection: Connection): boolean {
    const direct = (c: Connection) => c.status === 'open' && isDirectConnection(c.remoteAddr.toString())
    return direct(connection) && this.node.getConnections(connection.remotePeer).some((c) => c !== connection && direct(c))
  }

  /** Whether the peer has answered on this link (its identify came back over it), so it holds the link too. */
  isAnswered(connection: Connection): boolean {
    return this.answeredLinks.has(connection)
  }

  /**
   * Opens a stream to a peer on bestConnection, dialling only when there is none. Every stream
   * this node opens goes through here, not libp2p's dialProtocol, which takes the first direct
   * connection in its list: that may be the twin the other side is closing.
   */
  async openStream(peer: PeerId, protocol: string, signal?: AbortSignal): Promise<Stream> {
    return openOnAnsweringLink(
      {
        best: () => this.bestConnection(peer),
        dial: (dialSignal) => this.node.dial(peer, { signal: dialSignal }),
        replaceable: (connection) => this.hasTwin(connection),
        unanswered: (connection) => this.linkUnanswered(connection),
      },
      protocol,
      LINK_ANSWER_MS,
      signal,
    )
  }

  private transferDeps() {
    const onTransfer = this.options.onTransfer
    return {
      validator: this.validator,
      signer: this.options.signer,
      sha256: this.options.sha256,
      log: this.options.log,
      onServed: onTransfer ? (bytes: number, ok: boolean) => onTransfer('served', ok, bytes) : undefined,
    }
  }
}

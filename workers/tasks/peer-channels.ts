/**
 * Long-lived per-peer streams for the task layer's addressed traffic (Raft among coordinators,
 * a leader's assignments to one worker, a worker's results to its leader). Gossip hands every
 * such message to every subscriber, each of which hashes, decrypts and signature-checks it only
 * to drop it; here one copy goes to the one peer it is for. One stream per (peer, kind) stays open
 * and carries many length-prefixed envelopes, so the runtime's limits on stream opens are met
 * and no message waits for a protocol negotiation. Each envelope passes the inbound gate like
 * any other (carrier 'stream', the channel's kind expected, signer bound to the stream's remote,
 * RBAC). Sending needs an open connection (the best one: direct WebRTC before a relayed one);
 * without one, or when the stream fails, send rejects and the caller falls back to gossip.
 */
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils'
import { sealMessage, type SealOptions } from '../protocol/envelope'
import type { PayloadOf } from '../protocol/kind-spec'
import type { DirectDeps } from '../net/direct'
import { TokenBuckets, type Rate } from '../common/rate-limit'

/** The kinds that travel on these channels (each a 'stream' twin of a gossip kind). */
export type TaskDirectKind = 'raft.message.direct' | 'task.assign.direct' | 'task.result.direct'

export function channelProtocol(kind: TaskDirectKind): string {
  return `/agent-mesh/channel/1.0.0/${kind}`
}

/** `traceparent`: the W3C trace context the envelope carried. */
export type ChannelHandler<K extends TaskDirectKind> = (from: string, payload: PayloadOf<K>, traceparent?: string) => void

/** What the task transport needs of a direct path (PeerChannels over libp2p; an in-memory one in tests). */
export interface TaskDirect {
  /** Whether `peer` has an open connection now (else the message goes by gossip at once). */
  reachable(peer: string): boolean
  /** Resolves once the envelope is handed to the stream; rejects when it cannot be (then the caller uses gossip). */
  send<K extends TaskDirectKind>(peer: string, kind: K, payload: PayloadOf<K>, seal?: SealOptions): Promise<void>
  on<K extends TaskDirectKind>(kind: K, handler: ChannelHandler<K>): () => void
}

export interface PeerChannelDeps extends DirectDeps {
  /** The connection to use for `peer` (MeshRuntime.bestConnection), or undefined when none is open. */
  readonly connectionTo: (peer: PeerId) => Connection | undefined
  /** Envelopes accepted per peer on all channels together, before the gate's signature check. */
  readonly perPeer?: Rate
  /** Opens a connection to a peer that has none (libp2p dial); without it, unconnected peers stay on gossip. */
  readonly dial?: (peer: PeerId) => Promise<unknown>
}

/** A leader sends a few hundred messages a second at most at full load; well above that is a flood. */
const DEFAULT_PER_PEER: Rate = { perSecond: 2000, burst: 4000 }
/** How long one envelope may wait for the stream to drain before the channel counts as failed. */
const WRITE_TIMEOUT_MS = 5000
/** How long a background dial may take. */
const DIAL_TIMEOUT_MS = 15_000
/** Wait before dialing an unconnected peer again. */
const DIAL_RETRY_MS = 30_000
/** Inbound channels one peer may hold per kind (one in use, one replacing it after a reconnect). */
const MAX_INBOUND_PER_PEER = 2

interface Outbound {
  readonly stream: Stream
  readonly lp: LengthPrefixedStream<Stream>
}

export class PeerChannels implements TaskDirect {
  private readonly handlers = new Map<TaskDirectKind, Set<ChannelHandler<any>>>()
  private readonly outbound = new Map<string, Promise<Outbound>>()
  private readonly inbound = new Set<Stream>()
  private readonly dialedAt = new Map<string, number>()
  private readonly rate: TokenBuckets
  private stopped = false

  constructor(private readonly deps: PeerChannelDeps) {
    this.rate = new TokenBuckets(deps.perPeer ?? DEFAULT_PER_PEER, 1000)
  }

  /** Registers the protocol for each kind (once, before any handler can be called). */
  async start(kinds: readonly TaskDirectKind[]): Promise<void> {
    for (const kind of kinds) {
      if (this.deps.signer.kinds[kind].carrier !== 'stream') throw new Error(`${kind} is not carried on streams`)
      await this.deps.node.handle(channelProtocol(kind), (stream, connection) => this.accept(kind, stream, connection), {
        runOnLimitedConnection: true,
        maxInboundStreams: MAX_INBOUND_PER_PEER + 1,
      })
    }
  }

  /**
   * Whether `peer` has an open connection. Without one, a dial starts in the background (at most
   * once per DIAL_RETRY_MS per peer, to the addresses the peer store holds: a relay's listen
   * address, a browser's circuit/WebRTC address), so that the next messages go direct while this
   * one goes by gossip: coordinators and the leader's workers need not be connected to begin with.
   */
  reachable(peer: string): boolean {
    if (this.stopped) return false
    let id: PeerId
    try {
      id = peerIdFromString(peer)
    } catch {
      return false
    }
    if (this.deps.connectionTo(id) !== undefined) return true
    const now = Date.now()
    if (this.deps.dial && now - (this.dialedAt.get(peer) ?? -Infinity) >= DIAL_RETRY_MS) {
      if (this.dialedAt.size >= 1000) this.dialedAt.delete(this.dialedAt.keys().next().value!)
      this.dialedAt.set(peer, now)
      this.deps.dial(id).catch((err) => this.deps.log.debug({ err, peer }, 'task channel dial failed; gossip carries its messages'))
    }
    return false
  }

  on<K extends TaskDirectKind>(kind: K, handler: ChannelHandler<K>): () => void {
    let set = this.handlers.get(kind)
    if (!set) this.handlers.set(kind, (set = new Set()))
    set.add(handler)
    return () => set.delete(handler)
  }

  async send<K extends TaskDirectKind>(peer: string, kind: K, payload: PayloadOf<K>, seal?: SealOptions): Promise<void> {
    if (this.stopped) throw new Error('channels stopped')
    const key = `${peer} ${kind}`
    let opening = this.outbound.get(key)
    if (!opening) {
      const started = this.open(peer, kind)
      opening = started
      this.outbound.set(key, started)
      // Forgotten when it fails or closes (the peer left, the connection went), so peers come and go without leaking streams.
      const forget = () => {
        if (this.outbound.get(key) === started) this.outbound.delete(key)
      }
      started.then((channel) => channel.stream.addEventListener('close', forget, { once: true }), forget)
    }
    const channel = await opening
    try {
      if (channel.stream.status !== 'open' || channel.stream.writeStatus !== 'writable') throw new Error(`channel to ${peer} is closed`)
      await channel.lp.write(sealMessage(this.deps.signer, kind, payload, seal), { signal: AbortSignal.timeout(WRITE_TIMEOUT_MS) })
    } catch (error) {
      // The next message opens a fresh stream (on whatever connection is best by then).
      if (this.outbound.get(key) === opening) this.outbound.delete(key)
      channel.stream.abort(error as Error)
      throw error
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    const kinds = [...this.handlers.keys()]
    this.handlers.clear()
    for (const opening of this.outbound.values())
      opening.then(
        (c) => c.stream.abort(new Error('stopped')),
        () => {},
      )
    this.outbound.clear()
    for (const stream of this.inbound) stream.abort(new Error('stopped'))
    await Promise.all(kinds.map((kind) => this.deps.node.unhandle(channelProtocol(kind)).catch(() => {})))
  }

  private async open(peer: string, kind: TaskDirectKind): Promise<Outbound> {
    const connection = this.deps.connectionTo(peerIdFromString(peer))
    if (!connection) throw new Error(`no open connection to ${peer}`)
    const stream = await connection.newStream(channelProtocol(kind), {
      runOnLimitedConnection: true,
      signal: AbortSignal.timeout(WRITE_TIMEOUT_MS),
    })
    return { stream, lp: lpStream(stream, { maxDataLength: this.deps.signer.kinds[kind].maxEnvelopeBytes }) }
  }

  private accept(kind: TaskDirectKind, stream: Stream, connection: Connection): void {
    const from = connection.remotePeer
    const source = `${channelProtocol(kind)} from ${from.toString()}`
    const refusal = this.stopped ? 'channels stopped' : this.deps.refuse(from.toString(), connection.remoteAddr.toString())
    if (refusal) {
      this.deps.validator.reportRejection('rate-limited', refusal, { carrier: 'stream', source })
      stream.abort(new Error('rate limited'))
      return
    }
    this.inbound.add(stream)
    void this.readAll(kind, stream, from, source).finally(() => this.inbound.delete(stream))
  }

  /** Reads envelopes until the stream ends; each is gated on its own, a refused one does not end the channel. */
  private async readAll(kind: TaskDirectKind, stream: Stream, from: PeerId, source: string): Promise<void> {
    const lp = lpStream(stream, { maxDataLength: this.deps.signer.kinds[kind].maxEnvelopeBytes })
    const peer = from.toString()
    const context = { carrier: 'stream' as const, expectedKind: kind, originPublicKey: from.publicKey?.raw, source }
    for (;;) {
      let bytes: Uint8Array
      try {
        bytes = (await lp.read()).subarray()
      } catch (err) {
        const name = (err as Error).name
        if (name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError') {
          this.deps.validator.reportRejection('oversized', `${kind} frame: ${(err as Error).message}`, { carrier: 'stream', source })
          stream.abort(err as Error)
        }
        return // the sender closed, or the connection went: it opens a new stream for its next message
      }
      if (!this.rate.take(peer, Date.now())) {
        this.deps.validator.reportRejection('rate-limited', `more than ${this.rate.rate.perSecond} task messages/s from ${peer}`, {
          carrier: 'stream',
          source,
        })
        continue
      }
      const verdict = await this.deps.validator.check(bytes, context)
      if (!verdict.ok || this.stopped) continue
      for (const handler of this.handlers.get(kind) ?? []) {
        try {
          handler(peer, verdict.payload as never, verdict.envelope.traceparent)
        } catch (err) {
          this.deps.log.error({ err, kind }, 'task channel handler failed')
        }
      }
    }
  }
}

/** The task channels of a mesh node, sharing its runtime's gate, signer and stream-open limits, listening for every task kind. */
export async function startTaskChannels(
  runtime: { readonly direct: { readonly deps: DirectDeps }; bestConnection(peer: PeerId): Connection | undefined },
  kinds: readonly TaskDirectKind[],
): Promise<PeerChannels> {
  const { node } = runtime.direct.deps
  const channels = new PeerChannels({
    ...runtime.direct.deps,
    connectionTo: (peer) => runtime.bestConnection(peer),
    dial: (peer) => node.dial(peer, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) }),
  })
  await channels.start(kinds)
  return channels
}

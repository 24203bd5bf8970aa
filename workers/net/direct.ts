import type { Libp2p, PeerId, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { sealMessage, type EnvelopeSigner, type SealOptions } from '../protocol/envelope'
import type { Accepted, InboundValidator } from '../protocol/inbound'
import type { MessageKind, PayloadOf } from '../protocol/kind-spec'
import type { Logger } from '../log'

/** One protocol per kind, so the channel names the kind it carries and the gate can refuse any other before its replay slot is taken. */
export function directProtocol(kind: MessageKind): string {
  return `/agent-mesh/direct/1.0.0/${kind}`
}

/**
 * How long a stream's one envelope may take to arrive. The opener waits a round trip for the
 * protocol echo before it writes, and between a page and a loaded relay that took 1–5 s here
 * (over 10 s at worst): 10 s dropped live senders' messages. Senders give up after 20 s too.
 */
const READ_TIMEOUT_MS = 20_000

export type DirectHandler<K extends MessageKind> = (message: Accepted<K>, from: PeerId) => void

export interface DirectDeps {
  readonly node: Libp2p
  /** Opens a stream to the peer on the connection both sides keep (MeshRuntime.openStream). */
  readonly openStream: (peer: PeerId, protocol: string, signal?: AbortSignal) => Promise<Stream>
  readonly validator: InboundValidator
  readonly signer: EnvelopeSigner
  readonly log: Logger
  /** Why a new stream from this peer is refused (the runtime's per-peer and per-address limits), or null. */
  readonly refuse: (peer: string, remoteAddr: string) => string | null
}

/**
 * Signed messages for one peer (a trainer's submission to its aggregator): one envelope per
 * stream, length-prefixed, checked by the inbound gate with the stream's remote as origin;
 * nothing is answered (the protocols using it acknowledge by what they broadcast next).
 */
export class DirectMessages {
  private readonly handlers = new Map<string, DirectHandler<any>>()

  /** Public so that other channel kinds (workers/tasks/peer-channels.ts) share the same gate, signer and stream-open limits. */
  constructor(readonly deps: DirectDeps) {}

  async on<K extends MessageKind>(kind: K, handler: DirectHandler<K>): Promise<void> {
    const spec = this.deps.signer.kinds[kind]
    if (spec.carrier !== 'stream') throw new Error(`${kind} is gossip, not a direct message`)
    if (this.handlers.has(kind)) throw new Error(`${kind} already has a handler`)
    this.handlers.set(kind, handler)
    await this.deps.node.handle(
      directProtocol(kind),
      (stream, connection) => {
        const source = `${directProtocol(kind)} from ${connection.remotePeer.toString()}`
        const refusal = this.deps.refuse(connection.remotePeer.toString(), connection.remoteAddr.toString())
        if (refusal) {
          this.deps.validator.reportRejection('rate-limited', refusal, { carrier: 'stream', source })
          stream.abort(new Error('rate limited'))
          return
        }
        void this.receive(kind, stream, connection.remotePeer, source)
      },
      { runOnLimitedConnection: true },
    )
  }

  async send<K extends MessageKind>(peer: PeerId, kind: K, payload: PayloadOf<K>, signal?: AbortSignal, seal?: SealOptions): Promise<void> {
    const stream = await this.deps.openStream(peer, directProtocol(kind), signal)
    const lp = lpStream(stream, { maxDataLength: this.deps.signer.kinds[kind].maxEnvelopeBytes })
    await lp.write(sealMessage(this.deps.signer, kind, payload, seal), { signal })
    await stream.close({ signal })
  }

  private async receive(kind: MessageKind, stream: Stream, from: PeerId, source: string) {
    const lp = lpStream(stream, { maxDataLength: this.deps.signer.kinds[kind].maxEnvelopeBytes })
    let bytes: Uint8Array
    try {
      bytes = (await lp.read({ signal: AbortSignal.timeout(READ_TIMEOUT_MS) })).subarray()
    } catch (err) {
      const name = (err as Error).name
      const reason = name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError' ? 'oversized' : 'malformed'
      this.deps.validator.reportRejection(reason, `unreadable ${kind}: ${name}: ${(err as Error).message}`, { carrier: 'stream', source })
      stream.abort(err as Error)
      return
    }
    void stream.close().catch(() => {})
    const verdict = await this.deps.validator.check(bytes, {
      carrier: 'stream',
      expectedKind: kind,
      originPublicKey: from.publicKey?.raw,
      source,
    })
    if (!verdict.ok) return
    try {
      this.handlers.get(kind)?.(verdict, from)
    } catch (err) {
      this.deps.log.error({ err, kind }, 'direct message handler failed')
    }
  }
}

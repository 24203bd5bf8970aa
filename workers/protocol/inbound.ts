import type { Codec } from 'protons-runtime'
import { decodeExact } from './exact-decode'
import { Envelope } from './wire.pb'
import { WIRE_VERSION, signingBytes } from './envelope'
import {
  isMessageKind,
  maxEnvelopeBytes,
  type Carrier,
  type KindRegistry,
  type MessageKind,
  type PayloadOf,
  type Senders,
} from './kind-spec'
import { ReplayWindow, defaultReplayWindow, type ReplayWindowOptions } from './replay-window'
import type { BatchVerifier } from './verify'
import { equalBytes, hex } from '../common/bytes'
import { messageId } from '../telemetry/correlation'

export const rejectReasons = [
  'oversized',
  'malformed',
  'bad-version',
  'unknown-kind',
  'wrong-carrier',
  'wrong-topic',
  'bad-sender',
  'sender-mismatch',
  'replay',
  'stale',
  'future',
  'bad-signature',
  'bad-payload',
  'unauthorized',
  'rate-limited',
] as const
export type RejectReason = (typeof rejectReasons)[number]

/** The RBAC decision the gate asks for: may this signer send a kind whose senders are `senders`? Why not, or null. */
export type Authorizer = (kind: string, senders: Senders, senderPublicKey: Uint8Array) => string | null

export type Accepted<K extends MessageKind = MessageKind> = {
  readonly ok: true
  readonly kind: K
  readonly envelope: Envelope
  readonly payload: PayloadOf<K>
  readonly senderHex: string
}
export type Rejected = {
  readonly ok: false
  readonly reason: RejectReason
  readonly detail: string
  readonly kind?: string
  readonly senderHex?: string
  /** SHA-256 (hex) of the bytes as received: the id logs and audit entries correlate on. */
  readonly messageId?: string
}
export type Verdict = Accepted | Rejected

export interface InboundContext {
  readonly carrier: Carrier
  /** Public key of the peer the transport says originated the message (gossip `from`, or the stream's remote). */
  readonly originPublicKey?: Uint8Array
  /** Where it came from, for the logs (peer id, topic, protocol). */
  readonly source?: string
  /**
   * The one kind the channel carries (a gossip topic, a protocol step, an HTTP route). A
   * message of another kind is refused inside the gate, before it can take its replay slot:
   * otherwise a copy of an honest message sent first on the wrong channel would make the
   * honest one look like a replay everywhere.
   */
  readonly expectedKind?: MessageKind
}

export interface InboundOptions {
  /** The kinds this node accepts (workers/kinds.ts); anything else is 'unknown-kind'. */
  readonly kinds: KindRegistry
  readonly verify: BatchVerifier
  readonly now?: () => number
  readonly replay?: ReplayWindowOptions
  /** Role-based check against the kind's declared senders, run after the signature is known good; returns why not, or null. */
  readonly authorize?: Authorizer
  readonly onReject?: (rejected: Rejected, context: InboundContext) => void
}

/**
 * The single gate every inbound message passes before any handler sees it: size, schema,
 * version, kind, sender binding, replay window, signature, payload schema and authorisation,
 * cheapest checks first. Rejections are counted by reason and reported, never thrown.
 */
export class InboundValidator {
  readonly rejected: Record<RejectReason, number> = Object.fromEntries(rejectReasons.map((r) => [r, 0])) as Record<RejectReason, number>
  accepted = 0
  private readonly replay: ReplayWindow
  private readonly now: () => number
  private readonly maxEnvelopeBytes: Record<Carrier, number>

  constructor(private readonly options: InboundOptions) {
    this.maxEnvelopeBytes = {
      gossip: maxEnvelopeBytes(options.kinds, 'gossip'),
      stream: maxEnvelopeBytes(options.kinds, 'stream'),
      http: maxEnvelopeBytes(options.kinds, 'http'),
    }
    this.replay = new ReplayWindow(options.replay ?? defaultReplayWindow)
    this.now = options.now ?? Date.now
  }

  async check(bytes: Uint8Array, context: InboundContext): Promise<Verdict> {
    const verdict = await this.judge(bytes, context)
    if (verdict.ok) {
      this.accepted++
    } else {
      this.rejected[verdict.reason]++
      if (this.options.onReject) this.options.onReject({ ...verdict, messageId: messageId(bytes) }, context)
    }
    return verdict
  }

  private async judge(bytes: Uint8Array, context: InboundContext): Promise<Verdict> {
    // Before decoding: the limit of the kind this channel carries, else of the largest kind of this carrier.
    const expected = context.expectedKind
    const limit =
      expected !== undefined && isMessageKind(this.options.kinds, expected)
        ? this.options.kinds[expected].maxEnvelopeBytes
        : this.maxEnvelopeBytes[context.carrier]
    if (bytes.byteLength > limit) {
      return reject(
        'oversized',
        `${bytes.byteLength} bytes exceeds the ${limit}-byte limit of what arrives ${expected ? `as ${expected}` : `by ${context.carrier}`}`,
      )
    }
    let envelope: Envelope
    try {
      envelope = decodeExact(bytes, Envelope.codec())
    } catch (err) {
      return reject('malformed', `envelope does not decode: ${(err as Error).message}`)
    }
    const kind = envelope.kind
    if (envelope.version !== WIRE_VERSION) return reject('bad-version', `version ${envelope.version}, expected ${WIRE_VERSION}`, kind)
    const kinds = this.options.kinds
    if (!isMessageKind(kinds, kind)) return reject('unknown-kind', `unknown kind '${kind.slice(0, 64)}'`, kind)
    const spec = kinds[kind]
    if (spec.carrier !== context.carrier)
      return reject('wrong-carrier', `${kind} travels by ${spec.carrier}, arrived by ${context.carrier}`, kind)
    if (context.expectedKind !== undefined && kind !== context.expectedKind) {
      return reject('wrong-topic', `${kind} arrived where only ${context.expectedKind} is expected`, kind)
    }
    if (bytes.byteLength > spec.maxEnvelopeBytes) {
      return reject('oversized', `${bytes.byteLength} bytes exceeds ${kind}'s limit of ${spec.maxEnvelopeBytes}`, kind)
    }
    if (envelope.sender.length !== 32) return reject('bad-sender', `sender key is ${envelope.sender.length} bytes, expected 32`, kind)
    const senderHex = hex(envelope.sender)
    if (context.originPublicKey && !equalBytes(context.originPublicKey, envelope.sender)) {
      return reject('sender-mismatch', 'envelope signer is not the peer that originated it', kind, senderHex)
    }
    if (envelope.signature.length !== 64) return reject('bad-signature', 'signature is not 64 bytes', kind, senderHex)

    const timestamp = Number(envelope.timestampMs)
    const before = this.replay.judge(senderHex, envelope.seq, timestamp, this.now())
    if (before !== 'fresh') return reject(before, replayDetail(before, envelope), kind, senderHex)

    const [valid] = await this.options.verify([
      { publicKey: envelope.sender, message: signingBytes(envelope), signature: envelope.signature },
    ])
    if (!valid) return reject('bad-signature', 'Ed25519 signature does not verify', kind, senderHex)

    // Verification is asynchronous: a duplicate may have been accepted meanwhile.
    const after = this.replay.judge(senderHex, envelope.seq, timestamp, this.now())
    if (after !== 'fresh') return reject(after, replayDetail(after, envelope), kind, senderHex)

    let payload: PayloadOf<typeof kind>
    try {
      payload = decodeExact(envelope.payload, spec.codec as unknown as Codec<PayloadOf<typeof kind>>, { limits: spec.limits })
    } catch (err) {
      return reject('bad-payload', `payload is not a valid ${kind}: ${(err as Error).message}`, kind, senderHex)
    }
    const refusal = this.options.authorize?.(kind, spec.senders, envelope.sender) ?? null
    if (refusal) return reject('unauthorized', refusal, kind, senderHex)

    // Nothing after this line may refuse the message: its replay slot is taken only here.
    this.replay.record(senderHex, envelope.seq)
    return { ok: true, kind, envelope, payload, senderHex }
  }

  /**
   * Counts input the transport refused before it could reach `check` (a frame over the
   * length limit, a stream that never sent a request), so every drop shows in one place.
   */
  reportRejection(reason: RejectReason, detail: string, context: InboundContext): void {
    this.rejected[reason]++
    this.options.onReject?.(reject(reason, detail), context)
  }

  /** A plain snapshot for metrics and the UI. */
  snapshot(): { accepted: number; rejected: Record<RejectReason, number> } {
    return { accepted: this.accepted, rejected: { ...this.rejected } }
  }
}

function reject(reason: RejectReason, detail: string, kind?: string, senderHex?: string): Rejected {
  return { ok: false, reason, detail, kind: kind?.slice(0, 64), senderHex }
}

function replayDetail(verdict: 'replay' | 'stale' | 'future', envelope: Envelope): string {
  if (verdict === 'replay') return `seq ${envelope.seq} was already accepted from this sender`
  if (verdict === 'future') return `timestamp ${envelope.timestampMs} is ahead of this node's clock`
  return `seq ${envelope.seq} / timestamp ${envelope.timestampMs} is outside the replay window`
}

import { encodeMessage, type Codec } from 'protons-runtime'
import { Envelope } from './wire.pb'
import type { KindRegistry, MessageKind, PayloadOf } from './kind-spec'
import type { SigningIdentity } from '../identity/ed25519'
import { withDomain } from '../common/domains'

export const WIRE_VERSION = 1

/**
 * The exact bytes an envelope's signature covers: a domain tag, then the envelope without its
 * signature. The traceparent is covered too, so a relay on the path can neither re-parent a
 * message's spans into another trace nor inject trace ids into messages it forwards (every
 * node runs the same wire version; one that dropped the field would fail to verify).
 */
export function signingBytes(envelope: Envelope): Uint8Array {
  return withDomain('envelope', Envelope.encode({ ...envelope, signature: new Uint8Array(0) }))
}

/**
 * Issues strictly increasing sequence numbers. Starting from the wall clock in microseconds
 * means a node that reloads (and forgets its counter) still never repeats a number.
 */
export class SequenceCounter {
  private last: bigint
  constructor(nowMs: () => number = Date.now) {
    this.last = BigInt(Math.floor(nowMs())) * 1000n
    this.now = nowMs
  }
  private readonly now: () => number
  next(): bigint {
    const fromClock = BigInt(Math.floor(this.now())) * 1000n
    this.last = fromClock > this.last ? fromClock : this.last + 1n
    return this.last
  }
}

export interface EnvelopeSigner {
  readonly identity: SigningIdentity
  /** The kinds this node speaks: their codecs encode what it seals. */
  readonly kinds: KindRegistry
  readonly sequence: SequenceCounter
  readonly now: () => number
}

export function createEnvelopeSigner(identity: SigningIdentity, kinds: KindRegistry, now: () => number = Date.now): EnvelopeSigner {
  return { identity, kinds, sequence: new SequenceCounter(now), now }
}

export interface SealOptions {
  /** W3C trace context of the work this message belongs to (see wire.proto). */
  readonly traceparent?: string
}

/** Encodes `payload` as `kind`'s schema, wraps and signs it; returns the wire bytes. */
export function sealMessage<K extends MessageKind>(
  signer: EnvelopeSigner,
  kind: K,
  payload: PayloadOf<K>,
  options: SealOptions = {},
): Uint8Array {
  const codec = signer.kinds[kind].codec as unknown as Codec<PayloadOf<K>>
  return sealRaw(signer, kind, encodeMessage(payload, codec), options)
}

/** Signs an already-encoded payload. Exposed for adversarial tests that need odd payloads. */
export function sealRaw(signer: EnvelopeSigner, kind: string, payload: Uint8Array, options: SealOptions = {}): Uint8Array {
  const unsigned: Envelope = {
    version: WIRE_VERSION,
    kind,
    sender: signer.identity.publicKey as Uint8Array<ArrayBuffer>,
    seq: signer.sequence.next(),
    timestampMs: BigInt(Math.floor(signer.now())),
    payload: payload as Uint8Array<ArrayBuffer>,
    signature: new Uint8Array(0),
    traceparent: options.traceparent,
  }
  const signature = signer.identity.sign(signingBytes(unsigned))
  return Envelope.encode({ ...unsigned, signature: signature as Uint8Array<ArrayBuffer> })
}

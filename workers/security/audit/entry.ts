import { sha256 } from '@noble/hashes/sha2.js'
import { AuditEntry, AuditHead } from './audit.pb'
import type { SigningIdentity } from '../../identity/ed25519'
import { hex } from '../../common/bytes'
import { withDomain } from '../../common/domains'
import { decodeExact } from '../../protocol/exact-decode'

/** What the audit log records (DESIGN §2). */
export const auditEvents = ['join', 'grant', 'revoke', 'reject', 'consensus.decision', 'model.adopt', 'validator.change'] as const
export type AuditEvent = (typeof auditEvents)[number]

/** One stored entry: the signed fields plus its hash, which the next entry links to. */
export interface AuditRecord {
  readonly seq: number
  readonly event: string
  readonly actor: string
  readonly subject: string
  readonly timeMs: number
  /** JSON text, kept byte for byte as signed. */
  readonly details: string
  readonly prevHash: Uint8Array
  readonly writer: Uint8Array
  readonly signature: Uint8Array
  readonly hash: Uint8Array
}

export const GENESIS_HASH = new Uint8Array(32)

function toEntry(record: Omit<AuditRecord, 'hash'>, signature: Uint8Array): AuditEntry {
  return {
    seq: BigInt(record.seq),
    event: record.event,
    actor: record.actor,
    subject: record.subject,
    timeMs: BigInt(record.timeMs),
    details: record.details,
    prevHash: record.prevHash as Uint8Array<ArrayBuffer>,
    writer: record.writer as Uint8Array<ArrayBuffer>,
    signature: signature as Uint8Array<ArrayBuffer>,
  }
}

/** The bytes the writer signs: everything but the signature. */
export function entrySigningBytes(record: Omit<AuditRecord, 'hash' | 'signature'>): Uint8Array {
  return withDomain('auditEntry', AuditEntry.encode(toEntry({ ...record, signature: new Uint8Array(0) }, new Uint8Array(0))))
}

/** SHA-256 of the whole signed entry; what the next entry's prevHash must equal. */
export function entryHash(record: Omit<AuditRecord, 'hash'>): Uint8Array {
  return sha256(AuditEntry.encode(toEntry(record, record.signature)))
}

export interface AuditFields {
  readonly event: AuditEvent
  readonly actor: string
  readonly subject: string
  readonly details?: unknown
}

export const MAX_NAME_CHARS = 256
export const MAX_DETAILS_CHARS = 8192

/** Builds and signs the entry that follows `previous` (or the first entry). */
export function sealEntry(fields: AuditFields, previous: AuditRecord | undefined, timeMs: number, writer: SigningIdentity): AuditRecord {
  const unsigned = {
    seq: previous ? previous.seq + 1 : 1,
    event: fields.event,
    actor: fields.actor.slice(0, MAX_NAME_CHARS),
    subject: fields.subject.slice(0, MAX_NAME_CHARS),
    timeMs: Math.floor(timeMs),
    details: boundedJson(fields.details),
    prevHash: previous ? previous.hash : GENESIS_HASH,
    writer: writer.publicKey,
  }
  const signature = writer.sign(entrySigningBytes(unsigned))
  return { ...unsigned, signature, hash: entryHash({ ...unsigned, signature }) }
}

/** Details often quote what a peer sent (a rejected kind, a reason): bound them so a flood cannot bloat the log. */
function boundedJson(details: unknown): string {
  let text: string
  try {
    text =
      JSON.stringify(details ?? {}, (_, value) =>
        typeof value === 'bigint' ? value.toString() : value instanceof Uint8Array ? hex(value) : value,
      ) ?? '{}'
  } catch (err) {
    text = JSON.stringify({ unserializable: String((err as Error).message).slice(0, 200) })
  }
  if (text.length <= MAX_DETAILS_CHARS) return text
  return JSON.stringify({ truncated: true, prefix: text.slice(0, MAX_DETAILS_CHARS - 100) })
}

/** A signed "the log had `seq` entries ending in `hash`". */
export interface AuditCheckpoint {
  readonly seq: number
  readonly hash: Uint8Array
  readonly timeMs: number
  readonly writer: Uint8Array
  readonly signature: Uint8Array
}

function headSigningBytes(head: Omit<AuditCheckpoint, 'signature'>): Uint8Array {
  return withDomain(
    'auditHead',
    AuditHead.encode({
      seq: BigInt(head.seq),
      hash: head.hash as Uint8Array<ArrayBuffer>,
      timeMs: BigInt(head.timeMs),
      writer: head.writer as Uint8Array<ArrayBuffer>,
    }),
  )
}

export function signCheckpoint(tip: AuditRecord | undefined, timeMs: number, writer: SigningIdentity): AuditCheckpoint {
  const unsigned = { seq: tip?.seq ?? 0, hash: tip?.hash ?? GENESIS_HASH, timeMs: Math.floor(timeMs), writer: writer.publicKey }
  return { ...unsigned, signature: writer.sign(headSigningBytes(unsigned)) }
}

export function checkpointSigningBytes(head: AuditCheckpoint): Uint8Array {
  return headSigningBytes(head)
}

/** Wire form of a checkpoint (protobuf AuditHead), to gossip or store elsewhere. */
export function encodeCheckpoint(head: AuditCheckpoint): Uint8Array {
  return AuditHead.encode({
    seq: BigInt(head.seq),
    hash: head.hash as Uint8Array<ArrayBuffer>,
    timeMs: BigInt(head.timeMs),
    writer: head.writer as Uint8Array<ArrayBuffer>,
    signature: head.signature as Uint8Array<ArrayBuffer>,
  })
}

/** Exact (issue 15): a checkpoint with appended, duplicated or padded fields throws rather than decoding. */
export function decodeCheckpoint(bytes: Uint8Array): AuditCheckpoint {
  const head = decodeExact(bytes, AuditHead.codec())
  return { seq: Number(head.seq), hash: head.hash, timeMs: Number(head.timeMs), writer: head.writer, signature: head.signature }
}

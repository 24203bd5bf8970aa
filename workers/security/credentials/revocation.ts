import { ed25519 } from '@noble/curves/ed25519.js'
import { Revocation } from './credentials.pb'
import { signAsAuthority, type CertificateAuthority, type TrustAnchor } from './ca'
import type { RevocationLookup } from './credential'
import { decodeExact } from '../../protocol/exact-decode'
import { withDomain } from '../../common/domains'

export const MAX_REVOCATION_BYTES = 512

function signedBytes(record: Revocation): Uint8Array {
  return withDomain('revocation', Revocation.encode({ ...record, signature: new Uint8Array(0) }))
}

export interface RevocationRecord {
  readonly serial: string
  readonly revokedAtMs: number
  readonly reason: string
}

/** Signs a revocation with the CA key; the returned bytes are the `cred.revoke` payload. */
export async function createRevocation(ca: CertificateAuthority, record: RevocationRecord): Promise<Uint8Array> {
  if (!/^[0-9a-f]{1,64}$/.test(record.serial)) throw new Error(`serial must be lowercase hex, got '${record.serial}'`)
  const unsigned: Revocation = {
    serial: record.serial,
    revokedAtMs: BigInt(Math.floor(record.revokedAtMs)),
    reason: record.reason.slice(0, 200),
    signature: new Uint8Array(0),
  }
  const signature = await signAsAuthority(ca, signedBytes(unsigned))
  return Revocation.encode({ ...unsigned, signature: signature as Uint8Array<ArrayBuffer> })
}

export type RevocationVerdict = { readonly ok: true; readonly record: RevocationRecord } | { readonly ok: false; readonly reason: string }

/** Checks a revocation's CA signature; synchronous so a gossip handler can apply it at once. */
export function verifyRevocation(bytes: Uint8Array, anchor: Pick<TrustAnchor, 'publicKey'>): RevocationVerdict {
  if (bytes.length > MAX_REVOCATION_BYTES)
    return { ok: false, reason: `revocation is ${bytes.length} bytes (limit ${MAX_REVOCATION_BYTES})` }
  let record: Revocation
  try {
    record = decodeExact(bytes, Revocation.codec())
  } catch (err) {
    return { ok: false, reason: `revocation does not decode: ${(err as Error).message}` }
  }
  if (!/^[0-9a-f]{1,64}$/.test(record.serial)) return { ok: false, reason: 'serial is not lowercase hex' }
  let valid = false
  try {
    valid = record.signature.length === 64 && ed25519.verify(record.signature, signedBytes(record), anchor.publicKey)
  } catch {
    valid = false
  }
  if (!valid) return { ok: false, reason: 'not signed by this CA' }
  return { ok: true, record: { serial: record.serial, revokedAtMs: Number(record.revokedAtMs), reason: record.reason } }
}

/**
 * The revocations a node knows, each kept with its signed bytes so it can hand the whole
 * list to a peer that joins later. A revocation takes effect as soon as it is known.
 */
export class RevocationList implements RevocationLookup {
  private readonly records = new Map<string, { record: RevocationRecord; bytes: Uint8Array }>()

  constructor(private readonly anchor: Pick<TrustAnchor, 'publicKey'>) {}

  /** Verifies and adds one record; 'known' when the serial was already revoked. */
  add(bytes: Uint8Array): { ok: true; added: boolean; record: RevocationRecord } | { ok: false; reason: string } {
    const verdict = verifyRevocation(bytes, this.anchor)
    if (!verdict.ok) return verdict
    const known = this.records.get(verdict.record.serial)
    if (known) return { ok: true, added: false, record: known.record }
    this.records.set(verdict.record.serial, { record: verdict.record, bytes: new Uint8Array(bytes) })
    return { ok: true, added: true, record: verdict.record }
  }

  isRevoked(serial: string): boolean {
    return this.records.has(serial)
  }

  get size(): number {
    return this.records.size
  }

  list(): RevocationRecord[] {
    return [...this.records.values()].map((r) => r.record)
  }

  /** Signed records, to persist or to send to a peer. */
  signedRecords(): Uint8Array[] {
    return [...this.records.values()].map((r) => r.bytes)
  }
}

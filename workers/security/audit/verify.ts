import { bytesToHex } from '@noble/hashes/utils.js'
import { ed25519 } from '@noble/curves/ed25519.js'
import { GENESIS_HASH, checkpointSigningBytes, entryHash, entrySigningBytes, type AuditCheckpoint, type AuditRecord } from './entry'
import { equalBytes } from '../../common/bytes'
import type { BatchVerifier } from '../../protocol/verify'

export type AuditProblem = 'gap' | 'broken-link' | 'bad-hash' | 'bad-signature' | 'wrong-writer' | 'truncated' | 'forked' | 'bad-checkpoint'

export type AuditVerdict =
  | { readonly ok: true; readonly count: number; readonly tip?: AuditRecord }
  | { readonly ok: false; readonly seq: number; readonly problem: AuditProblem; readonly reason: string }

export interface AuditVerifyOptions {
  /** Every entry must be written by this key. */
  readonly writer?: Uint8Array
  /** A checkpoint kept elsewhere: the log must reach it and agree with it. */
  readonly checkpoint?: AuditCheckpoint
  /** Batch Ed25519 verifier (e.g. verifyEd25519Batch, WebCrypto); pure JS when absent. */
  readonly verify?: BatchVerifier
  readonly batchSize?: number
}

const nobleVerify: BatchVerifier = async (checks) =>
  checks.map((c) => {
    try {
      return ed25519.verify(c.signature, c.message, c.publicKey)
    } catch {
      return false
    }
  })

/**
 * Walks a whole log from seq 1: consecutive numbering, each prevHash equal to the previous
 * entry's hash, each stored hash recomputed, each signature valid. An altered, removed,
 * inserted or reordered entry fails one of these. A log cut short after its last entry is
 * only detectable against a checkpoint taken earlier, which `checkpoint` supplies.
 */
export async function verifyAuditChain(
  records: AsyncIterable<AuditRecord> | Iterable<AuditRecord>,
  options: AuditVerifyOptions = {},
): Promise<AuditVerdict> {
  const verify = options.verify ?? nobleVerify
  const batchSize = options.batchSize ?? 256
  const checkpoint = options.checkpoint
  if (checkpoint) {
    if (options.writer && !equalBytes(checkpoint.writer, options.writer))
      return fail(checkpoint.seq, 'bad-checkpoint', 'the checkpoint is by another writer')
    const [valid] = await verify([
      { publicKey: checkpoint.writer, message: checkpointSigningBytes(checkpoint), signature: checkpoint.signature },
    ])
    if (!valid) return fail(checkpoint.seq, 'bad-checkpoint', 'the checkpoint signature does not verify')
  }

  let previous: AuditRecord | undefined
  let pending: AuditRecord[] = []
  let count = 0
  let reachedCheckpoint = checkpoint === undefined || checkpoint.seq === 0

  const flush = async (): Promise<AuditVerdict | undefined> => {
    const results = await verify(pending.map((r) => ({ publicKey: r.writer, message: entrySigningBytes(r), signature: r.signature })))
    const bad = results.findIndex((ok) => !ok)
    const failed = bad >= 0 ? pending[bad] : undefined
    pending = []
    return failed ? fail(failed.seq, 'bad-signature', `entry ${failed.seq} is not signed by its writer`) : undefined
  }

  for await (const record of records) {
    const expectedSeq = (previous?.seq ?? 0) + 1
    if (record.seq !== expectedSeq) return fail(record.seq, 'gap', `expected entry ${expectedSeq}, found ${record.seq}`)
    if (!equalBytes(record.prevHash, previous ? previous.hash : GENESIS_HASH))
      return fail(record.seq, 'broken-link', `entry ${record.seq} does not follow entry ${expectedSeq - 1}`)
    if (!equalBytes(record.hash, entryHash(record))) return fail(record.seq, 'bad-hash', `entry ${record.seq} does not match its hash`)
    if (options.writer && !equalBytes(record.writer, options.writer))
      return fail(record.seq, 'wrong-writer', `entry ${record.seq} was written by ${bytesToHex(record.writer).slice(0, 16)}…`)
    if (checkpoint && record.seq === checkpoint.seq) {
      if (!equalBytes(record.hash, checkpoint.hash)) return fail(record.seq, 'forked', `entry ${record.seq} differs from the checkpoint`)
      reachedCheckpoint = true
    }
    pending.push(record)
    if (pending.length >= batchSize) {
      const failed = await flush()
      if (failed) return failed
    }
    previous = record
    count++
  }
  const failed = await flush()
  if (failed) return failed
  if (!reachedCheckpoint) return fail(count, 'truncated', `the log ends at entry ${count}; a checkpoint says it reached ${checkpoint!.seq}`)
  return { ok: true, count, tip: previous }
}

function fail(seq: number, problem: AuditProblem, reason: string): AuditVerdict {
  return { ok: false, seq, problem, reason }
}

import { afterEach, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import Dexie, { type Table } from 'dexie'
import { IDBKeyRange, indexedDB } from 'fake-indexeddb'
import { AuditLog } from '../../../workers/security/audit/log'
import { SqliteAuditStore, auditLogMigration } from '../../../workers/security/node/sqlite-audit-store'
import { DexieAuditStore, dexieAuditSchema, type AuditRow } from '../../../workers/security/audit/dexie-store'
import {
  entryHash,
  entrySigningBytes,
  encodeCheckpoint,
  decodeCheckpoint,
  MAX_DETAILS_CHARS,
  type AuditRecord,
  type AuditCheckpoint,
} from '../../../workers/security/audit/entry'
import { verifyAuditChain, type AuditProblem } from '../../../workers/security/audit/verify'
import { exportAuditLog, parseAuditJsonLines } from '../../../workers/security/audit/jsonl'
import { readAll, type AuditStore } from '../../../workers/security/audit/store'
import { verifyEd25519Batch } from '../../../workers/protocol/verify'
import { signingIdentityOf } from '../../../workers/security/keys/derive'
import { nodeKeys, T0 } from './fixtures'

const writer = signingIdentityOf(nodeKeys(50))
const intruder = signingIdentityOf(nodeKeys(51))
const events = ['join', 'grant', 'revoke', 'reject', 'consensus.decision', 'model.adopt'] as const

function sqliteStore(): { store: SqliteAuditStore; db: Database.Database } {
  const db = new Database(':memory:')
  db.exec(auditLogMigration)
  return { store: new SqliteAuditStore(db), db }
}

const openDexies: Dexie[] = []
afterEach(async () => {
  for (const d of openDexies.splice(0)) await d.delete()
})
function dexieStore(name: string): { store: DexieAuditStore; table: Table<AuditRow, number> } {
  const db = new Dexie(name, { indexedDB, IDBKeyRange })
  db.version(1).stores({ audit: dexieAuditSchema })
  openDexies.push(db)
  const table = db.table<AuditRow, number>('audit')
  return { store: new DexieAuditStore(table), table }
}

async function fill(store: AuditStore, n: number, by = writer): Promise<AuditLog> {
  let clock = T0
  const log = await AuditLog.open(store, by, () => (clock += 1000))
  for (let i = 0; i < n; i++) {
    await log.append({
      event: events[i % events.length],
      actor: `peer-${i % 3}`,
      subject: `subject-${i}`,
      details: { i, reason: 'test', bytes: new Uint8Array([i]) },
    })
  }
  return log
}

async function entries(store: AuditStore): Promise<AuditRecord[]> {
  const out: AuditRecord[] = []
  for await (const r of readAll(store, 7)) out.push(r)
  return out
}

async function problemOf(records: AuditRecord[], checkpoint?: AuditCheckpoint): Promise<AuditProblem | 'ok'> {
  const verdict = await verifyAuditChain(records, { writer: writer.publicKey, checkpoint })
  return verdict.ok ? 'ok' : verdict.problem
}

/** Re-hashes an edited entry, as a forger would; it still cannot re-sign. */
function rehash(record: Omit<AuditRecord, 'hash'> & { hash?: Uint8Array }): AuditRecord {
  return { ...record, hash: entryHash(record) }
}

describe('audit log storage', () => {
  it.each(['sqlite', 'dexie'] as const)('%s: appends, survives reopening, verifies, exports and re-imports as JSON lines', async (kind) => {
    const { store } = kind === 'sqlite' ? sqliteStore() : dexieStore('audit-roundtrip')
    await fill(store, 25)
    const reopened = await AuditLog.open(store, writer, () => T0 + 10 ** 6)
    await reopened.append({ event: 'model.adopt', actor: 'local', subject: 'round-7', details: { hash: 'ab' } })
    expect(await store.count()).toBe(26)
    const all = await entries(store)
    expect(all.map((r) => r.seq)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1))
    expect(await verifyAuditChain(all, { writer: writer.publicKey, verify: verifyEd25519Batch, batchSize: 5 })).toMatchObject({
      ok: true,
      count: 26,
    })
    const text = await exportAuditLog(store)
    expect(text.split('\n')).toHaveLength(27)
    expect(JSON.parse(text.split('\n')[0])).toMatchObject({
      seq: 1,
      event: 'join',
      actor: 'peer-0',
      subject: 'subject-0',
      details: '{"i":0,"reason":"test","bytes":"00"}',
    })
    expect(await problemOf(parseAuditJsonLines(text))).toBe('ok')
    await expect(store.append(all[3])).rejects.toThrow()
  })

  it('sqlite: an edited row in the database is caught', async () => {
    const { store, db } = sqliteStore()
    await fill(store, 10)
    db.prepare('UPDATE audit_log SET details = \'{"i":4,"reason":"nothing to see"}\' WHERE seq = 5').run()
    expect(await verifyAuditChain(readAll(store), { writer: writer.publicKey })).toMatchObject({ ok: false, seq: 5, problem: 'bad-hash' })
  })

  it('dexie: a deleted row in IndexedDB is caught', async () => {
    const { store, table } = dexieStore('audit-delete')
    await fill(store, 10)
    await table.delete(6)
    expect(await verifyAuditChain(readAll(store), { writer: writer.publicKey })).toMatchObject({ ok: false, seq: 7, problem: 'gap' })
  })

  it('keeps one chain under concurrent appends and bounds huge details', async () => {
    const { store } = sqliteStore()
    const log = await AuditLog.open(store, writer, () => T0)
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        log.append({ event: 'reject', actor: `p${i}`, subject: 'x', details: { junk: 'y'.repeat(i === 7 ? 100_000 : 10) } }),
      ),
    )
    const all = await entries(store)
    expect(all).toHaveLength(40)
    expect(await problemOf(all)).toBe('ok')
    expect(all.find((r) => r.actor === 'p7')!.details.length).toBeLessThanOrEqual(MAX_DETAILS_CHARS)
    expect(log.length).toBe(40)
  })
})

describe('audit log tamper detection', () => {
  const build = async (n = 12) => {
    const { store } = sqliteStore()
    const log = await fill(store, n)
    return { records: await entries(store), log, store }
  }

  it('catches an altered field of any entry, even re-hashed', async () => {
    const { records } = await build()
    // Edits of signed content: caught as they are, and still caught once the forger re-hashes.
    const contentEdits: ((r: AuditRecord) => AuditRecord)[] = [
      (r) => ({ ...r, event: 'grant' === r.event ? 'revoke' : 'grant' }),
      (r) => ({ ...r, actor: 'someone-else' }),
      (r) => ({ ...r, subject: 'other' }),
      (r) => ({ ...r, timeMs: r.timeMs + 1 }),
      (r) => ({ ...r, details: '{}' }),
      (r) => ({ ...r, signature: r.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) }),
    ]
    // A flipped hash byte is caught; re-hashing it simply restores the genuine entry.
    const hashEdit = (r: AuditRecord): AuditRecord => ({ ...r, hash: r.hash.map((b, i) => (i === 31 ? b ^ 1 : b)) })
    for (const at of [0, 5, records.length - 1]) {
      for (const [e, edit] of [...contentEdits, hashEdit].entries()) {
        const tampered = [...records]
        tampered[at] = edit(records[at])
        expect(await problemOf(tampered), `edit ${e} at ${at}`).not.toBe('ok')
      }
      for (const [e, edit] of contentEdits.entries()) {
        const tampered = [...records]
        tampered[at] = rehash(edit(records[at]))
        expect(await problemOf(tampered), `re-hashed edit ${e} at ${at}`).not.toBe('ok')
      }
      const restored = [...records]
      restored[at] = rehash(hashEdit(records[at]))
      expect(await problemOf(restored), `re-hashed hash edit at ${at}`).toBe('ok')
    }
    const resigned = [...records]
    const forged = { ...records[11], details: '{"forged":true}' }
    resigned[11] = rehash({ ...forged, signature: intruder.sign(entrySigningBytes(forged)) })
    expect(await verifyAuditChain(resigned)).toMatchObject({ ok: false, problem: 'bad-signature' })
  })

  it('catches a removed entry, with or without renumbering', async () => {
    const { records } = await build()
    expect(await problemOf([...records.slice(0, 4), ...records.slice(5)])).toBe('gap')
    expect(await problemOf(records.slice(1))).toBe('gap')
    const renumbered = [...records.slice(0, 4), ...records.slice(5).map((r) => rehash({ ...r, seq: r.seq - 1 }))]
    expect(await problemOf(renumbered)).toBe('broken-link')
  })

  it('catches an inserted entry, even one chained correctly by another key', async () => {
    const { records } = await build()
    const prev = records[3]
    const body = {
      seq: prev.seq + 1,
      event: 'grant',
      actor: 'intruder',
      subject: 'me',
      timeMs: prev.timeMs + 1,
      details: '{}',
      prevHash: prev.hash,
      writer: intruder.publicKey,
    }
    const inserted = rehash({ ...body, signature: intruder.sign(entrySigningBytes(body)) })
    const shifted = records.slice(4).map((r) => ({ ...r, seq: r.seq + 1 }))
    expect(await problemOf([...records.slice(0, 4), inserted, ...shifted])).not.toBe('ok')
    expect(
      await problemOf([
        ...records,
        rehash({
          ...body,
          seq: 13,
          prevHash: records[11].hash,
          signature: intruder.sign(entrySigningBytes({ ...body, seq: 13, prevHash: records[11].hash })),
        }),
      ]),
    ).toBe('wrong-writer')
    const copied = { ...records[2], seq: 13, prevHash: records[11].hash }
    expect(await problemOf([...records, rehash(copied)])).toBe('bad-signature')
  })

  it('catches reordered entries', async () => {
    const { records } = await build()
    const swapped = [...records]
    ;[swapped[3], swapped[4]] = [swapped[4], swapped[3]]
    expect(await problemOf(swapped)).toBe('gap')
    const swappedRenumbered = [...swapped]
    swappedRenumbered[3] = rehash({ ...swapped[3], seq: 4 })
    swappedRenumbered[4] = rehash({ ...swapped[4], seq: 5 })
    expect(await problemOf(swappedRenumbered)).toBe('broken-link')
  })

  it('catches truncation against a checkpoint, a forked log, and a forged checkpoint', async () => {
    const { records, log } = await build()
    const encoded = encodeCheckpoint(await log.checkpoint())
    const checkpoint = decodeCheckpoint(encoded)
    expect(checkpoint.seq).toBe(12)
    // Decoded exactly: bytes appended to a checkpoint are refused, not ignored.
    expect(() => decodeCheckpoint(Uint8Array.from([...encoded, 0x08, 0x01]))).toThrow(/canonical/)
    expect(await problemOf(records, checkpoint)).toBe('ok')
    expect(await problemOf(records.slice(0, 9))).toBe('ok')
    expect(await problemOf(records.slice(0, 9), checkpoint)).toBe('truncated')
    expect(await problemOf([], checkpoint)).toBe('truncated')

    const { records: other } = await build(12)
    const fork = [...records.slice(0, 11), rehash({ ...records[11], details: '{"x":1}' })]
    fork[11] = { ...fork[11], signature: writer.sign(entrySigningBytes(fork[11])) }
    fork[11] = rehash(fork[11])
    expect(await problemOf(fork)).toBe('ok')
    expect(await problemOf(fork, checkpoint)).toBe('forked')
    expect(other.length).toBe(12)

    expect(await problemOf(records, { ...checkpoint, seq: 11 })).toBe('bad-checkpoint')
    expect(await problemOf(records, { ...checkpoint, writer: intruder.publicKey })).toBe('bad-checkpoint')
  })
})

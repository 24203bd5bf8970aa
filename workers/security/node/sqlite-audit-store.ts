import type Database from 'better-sqlite3'
import type { AuditRecord } from '../audit/entry'
import type { AuditStore } from '../audit/store'

/**
 * The relay's audit table. Append it to the relay's migration list (relay/db.ts); every
 * signed field has its own column, so editing any of them breaks verification.
 */
export const auditLogMigration = `CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  event TEXT NOT NULL,
  actor TEXT NOT NULL,
  subject TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  details TEXT NOT NULL,
  prev_hash BLOB NOT NULL,
  writer BLOB NOT NULL,
  signature BLOB NOT NULL,
  hash BLOB NOT NULL
);
CREATE INDEX audit_log_event_time ON audit_log (event, time_ms);
CREATE INDEX audit_log_subject ON audit_log (subject);`

interface Row {
  seq: number
  event: string
  actor: string
  subject: string
  time_ms: number
  details: string
  prev_hash: Uint8Array
  writer: Uint8Array
  signature: Uint8Array
  hash: Uint8Array
}

function fromRow(row: Row): AuditRecord {
  return {
    seq: row.seq,
    event: row.event,
    actor: row.actor,
    subject: row.subject,
    timeMs: row.time_ms,
    details: row.details,
    prevHash: new Uint8Array(row.prev_hash),
    writer: new Uint8Array(row.writer),
    signature: new Uint8Array(row.signature),
    hash: new Uint8Array(row.hash),
  }
}

export class SqliteAuditStore implements AuditStore {
  private readonly insert
  private readonly selectLast
  private readonly selectRange
  private readonly selectCount

  /** `db` must already have `auditLogMigration` applied. */
  constructor(db: Database.Database) {
    this.insert = db.prepare(
      `INSERT INTO audit_log (seq, event, actor, subject, time_ms, details, prev_hash, writer, signature, hash)
       VALUES (@seq, @event, @actor, @subject, @timeMs, @details, @prevHash, @writer, @signature, @hash)`,
    )
    this.selectLast = db.prepare('SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1')
    this.selectRange = db.prepare('SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?')
    this.selectCount = db.prepare('SELECT COUNT(*) AS n FROM audit_log')
  }

  async append(record: AuditRecord): Promise<void> {
    this.insert.run({ ...record })
  }

  async last(): Promise<AuditRecord | undefined> {
    const row = this.selectLast.get() as Row | undefined
    return row && fromRow(row)
  }

  async range(fromSeq: number, limit: number): Promise<AuditRecord[]> {
    return (this.selectRange.all(fromSeq, limit) as Row[]).map(fromRow)
  }

  async count(): Promise<number> {
    return (this.selectCount.get() as { n: number }).n
  }
}

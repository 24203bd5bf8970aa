import type { RelayDatabase } from './db'
import type { Credential } from '../workers/security/credentials/credential'

/** Tables for issued credentials, revocations and bans; appended to relay/db.ts's migrations. */
export const credentialTablesMigration = `CREATE TABLE credentials (
  serial TEXT PRIMARY KEY,
  peer_id TEXT NOT NULL,
  roles TEXT NOT NULL,
  not_before_ms INTEGER NOT NULL,
  not_after_ms INTEGER NOT NULL,
  der BLOB NOT NULL,
  issued_by TEXT NOT NULL,
  issued_at_ms INTEGER NOT NULL,
  announced INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX credentials_peer ON credentials (peer_id, issued_at_ms);
CREATE TABLE revocations (
  serial TEXT PRIMARY KEY,
  peer_id TEXT NOT NULL,
  record BLOB NOT NULL,
  revoked_at_ms INTEGER NOT NULL,
  reason TEXT NOT NULL,
  revoked_by TEXT NOT NULL,
  announced INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE bans (
  peer_id TEXT PRIMARY KEY,
  identity_hex TEXT NOT NULL,
  banned_at_ms INTEGER NOT NULL,
  reason TEXT NOT NULL
);`

export interface CredentialRowView {
  readonly serial: string
  readonly peerId: string
  readonly roles: string[]
  readonly notBeforeMs: number
  readonly notAfterMs: number
  readonly der: Uint8Array
  readonly issuedBy: string
  readonly issuedAtMs: number
}

export interface RevocationRowView {
  readonly serial: string
  readonly peerId: string
  readonly record: Uint8Array
  readonly revokedAtMs: number
  readonly reason: string
  readonly revokedBy: string
}

interface CredentialRow {
  serial: string
  peer_id: string
  roles: string
  not_before_ms: number
  not_after_ms: number
  der: Uint8Array
  issued_by: string
  issued_at_ms: number
}
interface RevocationRow {
  serial: string
  peer_id: string
  record: Uint8Array
  revoked_at_ms: number
  reason: string
  revoked_by: string
}

/**
 * The relay's record of what its CA signed and withdrew. Both the running relay and the
 * admin CLI (a second process on the same data dir, through SQLite's WAL) write here; rows
 * the CLI adds stay `announced = 0` until the running relay gossips and audits them.
 */
export class CredentialStore {
  constructor(private readonly db: RelayDatabase) {}

  addCredential(credential: Credential, issuedBy: string, issuedAtMs: number, announced: boolean): void {
    this.db
      .prepare(
        `INSERT INTO credentials (serial, peer_id, roles, not_before_ms, not_after_ms, der, issued_by, issued_at_ms, announced) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        credential.serial,
        credential.peerId,
        credential.roles.join(','),
        credential.notBeforeMs,
        credential.notAfterMs,
        credential.der,
        issuedBy,
        issuedAtMs,
        announced ? 1 : 0,
      )
  }

  /** The most recently issued credential of a peer, revoked or not. */
  latestFor(peerId: string): CredentialRowView | undefined {
    const row = this.db
      .prepare('SELECT * FROM credentials WHERE peer_id = ? ORDER BY issued_at_ms DESC, rowid DESC LIMIT 1')
      .get(peerId) as CredentialRow | undefined
    return row && credentialView(row)
  }

  credentialsOf(peerId: string): CredentialRowView[] {
    return (this.db.prepare('SELECT * FROM credentials WHERE peer_id = ? ORDER BY issued_at_ms').all(peerId) as CredentialRow[]).map(
      credentialView,
    )
  }

  credential(serial: string): CredentialRowView | undefined {
    const row = this.db.prepare('SELECT * FROM credentials WHERE serial = ?').get(serial) as CredentialRow | undefined
    return row && credentialView(row)
  }

  list(limit = 1000): CredentialRowView[] {
    return (this.db.prepare('SELECT * FROM credentials ORDER BY issued_at_ms DESC LIMIT ?').all(limit) as CredentialRow[]).map(
      credentialView,
    )
  }

  /** Each peer's newest credential that is unexpired and unrevoked at `nowMs`: what the relay re-admits on restart. */
  current(nowMs: number, limit = 10_000): CredentialRowView[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM credentials c WHERE not_after_ms > ? AND serial NOT IN (SELECT serial FROM revocations)
           AND issued_at_ms = (SELECT MAX(issued_at_ms) FROM credentials d WHERE d.peer_id = c.peer_id) ORDER BY issued_at_ms DESC LIMIT ?`,
        )
        .all(nowMs, limit) as CredentialRow[]
    ).map(credentialView)
  }

  unannouncedCredentials(): CredentialRowView[] {
    return (this.db.prepare('SELECT * FROM credentials WHERE announced = 0 ORDER BY issued_at_ms').all() as CredentialRow[]).map(
      credentialView,
    )
  }

  markCredentialAnnounced(serial: string): void {
    this.db.prepare('UPDATE credentials SET announced = 1 WHERE serial = ?').run(serial)
  }

  addRevocation(row: RevocationRowView, announced: boolean): void {
    this.db
      .prepare(
        'INSERT OR IGNORE INTO revocations (serial, peer_id, record, revoked_at_ms, reason, revoked_by, announced) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(row.serial, row.peerId, row.record, row.revokedAtMs, row.reason, row.revokedBy, announced ? 1 : 0)
  }

  isRevoked(serial: string): boolean {
    return this.db.prepare('SELECT 1 FROM revocations WHERE serial = ?').get(serial) !== undefined
  }

  revocations(): RevocationRowView[] {
    return (this.db.prepare('SELECT * FROM revocations ORDER BY revoked_at_ms').all() as RevocationRow[]).map(revocationView)
  }

  unannouncedRevocations(): RevocationRowView[] {
    return (this.db.prepare('SELECT * FROM revocations WHERE announced = 0 ORDER BY revoked_at_ms').all() as RevocationRow[]).map(
      revocationView,
    )
  }

  markRevocationAnnounced(serial: string): void {
    this.db.prepare('UPDATE revocations SET announced = 1 WHERE serial = ?').run(serial)
  }

  ban(peerId: string, identityHex: string, reason: string, nowMs: number): void {
    this.db
      .prepare('INSERT OR REPLACE INTO bans (peer_id, identity_hex, banned_at_ms, reason) VALUES (?, ?, ?, ?)')
      .run(peerId, identityHex, nowMs, reason)
  }

  bans(): { peerId: string; identityHex: string }[] {
    return (this.db.prepare('SELECT peer_id, identity_hex FROM bans').all() as { peer_id: string; identity_hex: string }[]).map((r) => ({
      peerId: r.peer_id,
      identityHex: r.identity_hex,
    }))
  }
}

function credentialView(row: CredentialRow): CredentialRowView {
  return {
    serial: row.serial,
    peerId: row.peer_id,
    roles: row.roles.split(',').filter(Boolean),
    notBeforeMs: row.not_before_ms,
    notAfterMs: row.not_after_ms,
    der: new Uint8Array(row.der),
    issuedBy: row.issued_by,
    issuedAtMs: row.issued_at_ms,
  }
}

function revocationView(row: RevocationRow): RevocationRowView {
  return {
    serial: row.serial,
    peerId: row.peer_id,
    record: new Uint8Array(row.record),
    revokedAtMs: row.revoked_at_ms,
    reason: row.reason,
    revokedBy: row.revoked_by,
  }
}

import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { auditLogMigration } from '../workers/security/node/sqlite-audit-store'
import { credentialTablesMigration } from './credential-store'
import { flClassAccuracyMigration, flTablesMigration } from './fl-store'

/**
 * Schema migrations, applied in order inside one transaction each; PRAGMA user_version
 * records how many have run. Append only: never edit a migration that has shipped.
 */
export const migrations: readonly string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE peers (
     peer_id TEXT PRIMARY KEY,
     first_seen_ms INTEGER NOT NULL,
     last_seen_ms INTEGER NOT NULL,
     connections INTEGER NOT NULL DEFAULT 0,
     last_address TEXT
   );`,
  // Security layer: the hash-chained audit log, then issued credentials, revocations, bans.
  auditLogMigration,
  credentialTablesMigration,
  // Federated tasks, committed rounds and models.
  flTablesMigration,
  flClassAccuracyMigration,
]

export type RelayDatabase = Database.Database

export function openDatabase(dataDir: string, file = 'relay.sqlite'): RelayDatabase {
  mkdirSync(dataDir, { recursive: true })
  const db = new Database(join(dataDir, file))
  db.pragma('journal_mode = WAL')
  db.pragma('foreign_keys = ON')
  migrate(db)
  return db
}

export function migrate(db: RelayDatabase, all: readonly string[] = migrations): number {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > all.length) {
    throw new Error(`database schema version ${current} is newer than this relay understands (${all.length}); upgrade the relay`)
  }
  for (let version = current; version < all.length; version++) {
    db.transaction(() => {
      db.exec(all[version])
      db.pragma(`user_version = ${version + 1}`)
    })()
  }
  return all.length
}

export function schemaVersion(db: RelayDatabase): number {
  return db.pragma('user_version', { simple: true }) as number
}

export class PeerBook {
  private readonly upsert
  private readonly count
  constructor(db: RelayDatabase) {
    this.upsert = db.prepare(
      `INSERT INTO peers (peer_id, first_seen_ms, last_seen_ms, connections, last_address) VALUES (?, ?, ?, 1, ?)
       ON CONFLICT(peer_id) DO UPDATE SET last_seen_ms = excluded.last_seen_ms, connections = connections + 1, last_address = excluded.last_address`,
    )
    this.count = db.prepare('SELECT COUNT(*) AS n FROM peers')
  }
  sawPeer(peerId: string, address: string, nowMs = Date.now()): void {
    this.upsert.run(peerId, nowMs, nowMs, address)
  }
  knownPeers(): number {
    return (this.count.get() as { n: number }).n
  }
}

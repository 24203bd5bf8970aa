import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { migrate } from './db'
import type { ConsensusStore, DecisionRecord } from '../workers/consensus/adapter'

/**
 * Consensus keeps its own SQLite file (consensus.sqlite in the data dir) with its own
 * migrations, so validator duty never touches the relay's main schema. Rows are keyed by
 * chain id: a new validator-set file with another chain starts from scratch beside the old one.
 */
export const consensusMigrations: readonly string[] = [
  `CREATE TABLE bft_state (chain_id TEXT PRIMARY KEY, state BLOB NOT NULL, updated_ms INTEGER NOT NULL);
   CREATE TABLE bft_decisions (
     chain_id TEXT NOT NULL,
     height INTEGER NOT NULL,
     round INTEGER NOT NULL,
     value BLOB NOT NULL,
     certificate BLOB NOT NULL,
     decided_at_ms INTEGER NOT NULL,
     PRIMARY KEY (chain_id, height)
   );`,
]

export function openConsensusDatabase(dataDir: string): Database.Database {
  mkdirSync(dataDir, { recursive: true })
  const db = new Database(join(dataDir, 'consensus.sqlite'))
  db.pragma('journal_mode = WAL')
  // Every write must be on disk before the messages it allows are sent.
  db.pragma('synchronous = FULL')
  migrate(db, consensusMigrations)
  return db
}

interface DecisionRow {
  height: number
  round: number
  value: Buffer
  certificate: Buffer
  decided_at_ms: number
}

function toRecord(row: DecisionRow): DecisionRecord {
  return {
    height: row.height,
    round: row.round,
    value: new Uint8Array(row.value),
    certificate: new Uint8Array(row.certificate),
    decidedAtMs: row.decided_at_ms,
  }
}

export class SqliteConsensusStore implements ConsensusStore {
  private readonly getState
  private readonly putState
  private readonly putDecision
  private readonly getLast
  private readonly getRange

  constructor(
    db: Database.Database,
    private readonly chainId: string,
  ) {
    this.getState = db.prepare('SELECT state FROM bft_state WHERE chain_id = ?')
    this.putState = db.prepare(
      'INSERT INTO bft_state (chain_id, state, updated_ms) VALUES (?, ?, ?) ON CONFLICT(chain_id) DO UPDATE SET state = excluded.state, updated_ms = excluded.updated_ms',
    )
    this.putDecision = db.prepare(
      'INSERT OR IGNORE INTO bft_decisions (chain_id, height, round, value, certificate, decided_at_ms) VALUES (?, ?, ?, ?, ?, ?)',
    )
    this.getLast = db.prepare(
      'SELECT height, round, value, certificate, decided_at_ms FROM bft_decisions WHERE chain_id = ? ORDER BY height DESC LIMIT 1',
    )
    this.getRange = db.prepare(
      'SELECT height, round, value, certificate, decided_at_ms FROM bft_decisions WHERE chain_id = ? AND height >= ? ORDER BY height LIMIT ?',
    )
  }

  async loadState(): Promise<Uint8Array | null> {
    const row = this.getState.get(this.chainId) as { state: Buffer } | undefined
    return row ? new Uint8Array(row.state) : null
  }

  async saveState(state: Uint8Array): Promise<void> {
    this.putState.run(this.chainId, Buffer.from(state), Date.now())
  }

  async saveDecision(decision: DecisionRecord): Promise<void> {
    this.putDecision.run(
      this.chainId,
      decision.height,
      decision.round,
      Buffer.from(decision.value),
      Buffer.from(decision.certificate),
      decision.decidedAtMs,
    )
  }

  async lastDecision(): Promise<DecisionRecord | null> {
    const row = this.getLast.get(this.chainId) as DecisionRow | undefined
    return row ? toRecord(row) : null
  }

  async decisionsFrom(height: number, limit: number): Promise<DecisionRecord[]> {
    return (this.getRange.all(this.chainId, height, limit) as DecisionRow[]).map(toRecord)
  }
}

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
  // Admins' validator-set change orders (written by `npm run relay -- validators`), one pending per chain.
  `CREATE TABLE bft_set_change_orders (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     chain_id TEXT NOT NULL,
     order_bytes BLOB NOT NULL,
     summary TEXT NOT NULL,
     created_ms INTEGER NOT NULL,
     state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'decided', 'refused', 'cancelled')),
     resolved_height INTEGER,
     reason TEXT,
     audited INTEGER NOT NULL DEFAULT 0
   );
   CREATE UNIQUE INDEX one_pending_order ON bft_set_change_orders (chain_id) WHERE state = 'pending';`,
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

export type OrderState = 'pending' | 'decided' | 'refused' | 'cancelled'

export interface StoredOrder {
  readonly id: number
  readonly order: Uint8Array
  readonly summary: string
  readonly createdMs: number
  readonly state: OrderState
  readonly resolvedHeight: number | null
  readonly reason: string | null
  /** Whether the running relay wrote the request to its audit log. */
  readonly audited: boolean
}

interface OrderRow {
  id: number
  order_bytes: Buffer
  summary: string
  created_ms: number
  state: OrderState
  resolved_height: number | null
  reason: string | null
  audited: number
}

function toOrder(row: OrderRow): StoredOrder {
  return {
    id: row.id,
    order: new Uint8Array(row.order_bytes),
    summary: row.summary,
    createdMs: row.created_ms,
    state: row.state,
    resolvedHeight: row.resolved_height,
    reason: row.reason,
    audited: row.audited === 1,
  }
}

export class SqliteConsensusStore implements ConsensusStore {
  private readonly getState
  private readonly putState
  private readonly putDecision
  private readonly getLast
  private readonly getRange

  constructor(
    private readonly db: Database.Database,
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

  /** Queues an admin's order; refuses while another waits (one change at a time). */
  addOrder(order: Uint8Array, summary: string, nowMs: number): number {
    const waiting = this.pendingOrder()
    if (waiting) throw new Error(`another change is waiting (${waiting.summary}, order ${waiting.id}); wait for it or cancel it first`)
    const result = this.db
      .prepare('INSERT INTO bft_set_change_orders (chain_id, order_bytes, summary, created_ms) VALUES (?, ?, ?, ?)')
      .run(this.chainId, Buffer.from(order), summary, nowMs)
    return Number(result.lastInsertRowid)
  }

  pendingOrder(): StoredOrder | null {
    const row = this.db
      .prepare("SELECT * FROM bft_set_change_orders WHERE chain_id = ? AND state = 'pending' ORDER BY id LIMIT 1")
      .get(this.chainId) as OrderRow | undefined
    return row ? toOrder(row) : null
  }

  /** The latest orders, newest first. */
  orders(limit = 20): StoredOrder[] {
    return (
      this.db
        .prepare('SELECT * FROM bft_set_change_orders WHERE chain_id = ? ORDER BY id DESC LIMIT ?')
        .all(this.chainId, limit) as OrderRow[]
    ).map(toOrder)
  }

  resolveOrder(id: number, state: Exclude<OrderState, 'pending'>, height: number | null, reason: string | null): void {
    this.db
      .prepare("UPDATE bft_set_change_orders SET state = ?, resolved_height = ?, reason = ? WHERE id = ? AND state = 'pending'")
      .run(state, height, reason, id)
  }

  markOrderAudited(id: number): void {
    this.db.prepare('UPDATE bft_set_change_orders SET audited = 1 WHERE id = ?').run(id)
  }
}

import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { migrate } from './db'
import { EMPTY_PERSISTED_STATE } from '../workers/consensus/raft/storage'
import type { EntryKind, LogEntry, PersistedState, PersistOp } from '../workers/consensus/raft/types'
import type { RaftStore } from '../workers/tasks/store'

/**
 * The coordinator's Raft state in its own SQLite file (tasks.sqlite in the data dir, own
 * migrations), so the task log never touches the relay's main schema. Each step's writes
 * are one transaction, synchronous = FULL: on disk before the step's messages are sent.
 */
export const raftMigrations: readonly string[] = [
  `CREATE TABLE raft_hard_state (id INTEGER PRIMARY KEY CHECK (id = 1), term INTEGER NOT NULL, voted_for TEXT, commit_index INTEGER NOT NULL);
   CREATE TABLE raft_entries (idx INTEGER PRIMARY KEY, term INTEGER NOT NULL, kind INTEGER NOT NULL, command BLOB NOT NULL, voters TEXT NOT NULL);
   CREATE TABLE raft_snapshot (id INTEGER PRIMARY KEY CHECK (id = 1), idx INTEGER NOT NULL, term INTEGER NOT NULL, voters TEXT NOT NULL, data BLOB NOT NULL);`,
]

const KINDS: readonly EntryKind[] = ['noop', 'command', 'config']

export function openRaftDatabase(dataDir: string): Database.Database {
  mkdirSync(dataDir, { recursive: true })
  const db = new Database(join(dataDir, 'tasks.sqlite'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  migrate(db, raftMigrations)
  return db
}

interface EntryRow {
  idx: number
  term: number
  kind: number
  command: Buffer
  voters: string
}

export class SqliteRaftStore implements RaftStore {
  private readonly writeAll: (ops: readonly PersistOp[]) => void

  constructor(private readonly db: Database.Database) {
    const putHard = db.prepare(
      'INSERT INTO raft_hard_state (id, term, voted_for, commit_index) VALUES (1, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET term = excluded.term, voted_for = excluded.voted_for, commit_index = excluded.commit_index',
    )
    const truncate = db.prepare('DELETE FROM raft_entries WHERE idx >= ?')
    const append = db.prepare('INSERT INTO raft_entries (idx, term, kind, command, voters) VALUES (?, ?, ?, ?, ?)')
    const putSnapshot = db.prepare(
      'INSERT INTO raft_snapshot (id, idx, term, voters, data) VALUES (1, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET idx = excluded.idx, term = excluded.term, voters = excluded.voters, data = excluded.data',
    )
    const compact = db.prepare('DELETE FROM raft_entries WHERE idx <= ?')
    this.writeAll = db.transaction((ops: readonly PersistOp[]) => {
      for (const op of ops) {
        switch (op.type) {
          case 'hardState':
            putHard.run(op.hardState.term, op.hardState.votedFor, op.hardState.commitIndex)
            break
          case 'truncate':
            truncate.run(op.fromIndex)
            break
          case 'append':
            for (const e of op.entries) append.run(e.index, e.term, KINDS.indexOf(e.kind), Buffer.from(e.command), JSON.stringify(e.voters))
            break
          case 'snapshot':
            putSnapshot.run(op.snapshot.index, op.snapshot.term, JSON.stringify(op.snapshot.voters), Buffer.from(op.snapshot.data))
            compact.run(op.snapshot.index)
            break
        }
      }
    })
  }

  async load(): Promise<PersistedState> {
    const hard = this.db.prepare('SELECT term, voted_for, commit_index FROM raft_hard_state WHERE id = 1').get() as
      { term: number; voted_for: string | null; commit_index: number } | undefined
    const snap = this.db.prepare('SELECT idx, term, voters, data FROM raft_snapshot WHERE id = 1').get() as
      { idx: number; term: number; voters: string; data: Buffer } | undefined
    const rows = this.db.prepare('SELECT idx, term, kind, command, voters FROM raft_entries ORDER BY idx').all() as EntryRow[]
    if (!hard && !snap && rows.length === 0) return EMPTY_PERSISTED_STATE
    const entries: LogEntry[] = rows.map((r) => ({
      index: r.idx,
      term: r.term,
      kind: KINDS[r.kind] ?? 'noop',
      command: new Uint8Array(r.command),
      voters: JSON.parse(r.voters) as string[],
    }))
    return {
      hardState: hard ? { term: hard.term, votedFor: hard.voted_for, commitIndex: hard.commit_index } : EMPTY_PERSISTED_STATE.hardState,
      snapshot: snap
        ? { index: snap.idx, term: snap.term, voters: JSON.parse(snap.voters) as string[], data: new Uint8Array(snap.data) }
        : null,
      entries,
    }
  }

  async write(ops: readonly PersistOp[]): Promise<void> {
    this.writeAll(ops)
  }
}

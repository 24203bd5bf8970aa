import type { RelayDatabase } from './db'
import { decodeTask, encodeTask, taskIdOf, type FlTask } from '../workers/fl/task/spec'

/** Federated tasks, their committed rounds and models (README, "Federated round"). */
export const flTablesMigration = `
  CREATE TABLE fl_tasks (
    task_id TEXT PRIMARY KEY,
    spec BLOB NOT NULL,
    created_ms INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'cancelled'))
  );
  CREATE TABLE fl_rounds (
    task_id TEXT NOT NULL REFERENCES fl_tasks(task_id),
    round INTEGER NOT NULL,
    descriptor BLOB NOT NULL,
    certificate BLOB NOT NULL,
    model_hash TEXT NOT NULL,
    accuracy REAL,
    loss REAL,
    committed_ms INTEGER NOT NULL,
    PRIMARY KEY (task_id, round)
  );
  CREATE TABLE fl_models (
    model_hash TEXT PRIMARY KEY,
    weights BLOB NOT NULL
  );`

/** Each committed round's accuracy per class (JSON: one number per class, null where the held-out data has none). */
export const flClassAccuracyMigration = `ALTER TABLE fl_rounds ADD COLUMN class_accuracy TEXT;`

export type TaskState = 'pending' | 'running' | 'done' | 'cancelled'

export interface StoredTask {
  readonly taskId: string
  readonly task: FlTask
  readonly state: TaskState
  readonly committedRounds: number
}

export interface CommittedRound {
  readonly taskId: string
  readonly round: number
  readonly descriptor: Uint8Array
  readonly certificate: Uint8Array
  readonly modelHash: string
  readonly accuracy: number | null
  readonly loss: number | null
  /**
   * The validator's accuracy on each class of its held-out digits (null for a class it holds
   * none of): a model that stops recognising one digit, as a targeted attack aims for, can keep
   * its overall accuracy. Null when the round was stored before this was recorded.
   */
  readonly classAccuracy: readonly (number | null)[] | null
  readonly committedMs: number
}

export class FlStore {
  constructor(private readonly db: RelayDatabase) {}

  /** Stores a task once; the same task again is a no-op. Returns its id. */
  addTask(task: FlTask): string {
    const taskId = taskIdOf(task)
    this.db
      .prepare('INSERT OR IGNORE INTO fl_tasks (task_id, spec, created_ms) VALUES (?, ?, ?)')
      .run(taskId, Buffer.from(encodeTask(task)), task.createdMs)
    return taskId
  }

  setState(taskId: string, state: TaskState): void {
    this.db.prepare('UPDATE fl_tasks SET state = ? WHERE task_id = ?').run(state, taskId)
  }

  tasks(): StoredTask[] {
    const rows = this.db
      .prepare(
        'SELECT t.task_id, t.spec, t.state, (SELECT COUNT(*) FROM fl_rounds r WHERE r.task_id = t.task_id) AS rounds FROM fl_tasks t ORDER BY t.created_ms',
      )
      .all() as { task_id: string; spec: Buffer; state: TaskState; rounds: number }[]
    return rows.flatMap((row) => {
      const decoded = decodeTask(new Uint8Array(row.spec))
      return decoded.ok ? [{ taskId: row.task_id, task: decoded.task, state: row.state, committedRounds: row.rounds }] : []
    })
  }

  /** A committed round and its model, in one transaction: a restart never finds one without the other. */
  commitRound(round: CommittedRound, weights: Uint8Array): void {
    this.db.transaction(() => {
      this.db.prepare('INSERT OR IGNORE INTO fl_models (model_hash, weights) VALUES (?, ?)').run(round.modelHash, Buffer.from(weights))
      this.db
        .prepare(
          'INSERT OR IGNORE INTO fl_rounds (task_id, round, descriptor, certificate, model_hash, accuracy, loss, class_accuracy, committed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          round.taskId,
          round.round,
          Buffer.from(round.descriptor),
          Buffer.from(round.certificate),
          round.modelHash,
          round.accuracy,
          round.loss,
          round.classAccuracy ? JSON.stringify(round.classAccuracy) : null,
          round.committedMs,
        )
    })()
  }

  rounds(taskId: string): CommittedRound[] {
    const rows = this.db.prepare('SELECT * FROM fl_rounds WHERE task_id = ? ORDER BY round').all(taskId) as {
      task_id: string
      round: number
      descriptor: Buffer
      certificate: Buffer
      model_hash: string
      accuracy: number | null
      loss: number | null
      class_accuracy: string | null
      committed_ms: number
    }[]
    return rows.map((r) => ({
      taskId: r.task_id,
      round: r.round,
      descriptor: new Uint8Array(r.descriptor),
      certificate: new Uint8Array(r.certificate),
      modelHash: r.model_hash,
      accuracy: r.accuracy,
      loss: r.loss,
      classAccuracy: r.class_accuracy === null ? null : parseClassAccuracy(r.class_accuracy),
      committedMs: r.committed_ms,
    }))
  }

  model(hash: string): Uint8Array | null {
    const row = this.db.prepare('SELECT weights FROM fl_models WHERE model_hash = ?').get(hash) as { weights: Buffer } | undefined
    return row ? new Uint8Array(row.weights) : null
  }
}

function parseClassAccuracy(json: string): (number | null)[] | null {
  try {
    const parsed: unknown = JSON.parse(json)
    return Array.isArray(parsed) && parsed.every((v) => v === null || typeof v === 'number') ? parsed : null
  } catch {
    return null
  }
}

/** An evaluation's per-class accuracy as stored and served: NaN (no samples of that class) becomes null. */
export function classAccuracyOf(evaluation: { readonly classAccuracy?: readonly number[] } | null): (number | null)[] | null {
  return evaluation?.classAccuracy ? evaluation.classAccuracy.map((a) => (Number.isFinite(a) ? a : null)) : null
}

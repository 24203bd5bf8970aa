import Dexie, { type DexieOptions, type Table } from 'dexie'
import { EMPTY_PERSISTED_STATE } from '../../workers/consensus/raft/storage'
import type { HardState, LogEntry, PersistedState, PersistOp, Snapshot } from '../../workers/consensus/raft/types'
import type { RaftStore } from '../../workers/tasks/store'
import type { TaskStatus } from '../../workers/tasks/wire.pb'

interface HardStateRow extends HardState {
  id: 'self'
}
interface SnapshotRow extends Snapshot {
  id: 'self'
}
/** The latest report of each task this browser announced or watched, so the Tasks view survives a reload. */
export interface TaskReportRow {
  taskId: string
  receivedAtMs: number
  status: TaskStatus
}

/**
 * A browser's task data in its own IndexedDB database ('agent-mesh-tasks'), apart from the
 * node's main one so neither schema has to move when the other does: a coordinator's Raft
 * state, and the task reports the Tasks view shows.
 */
export class TaskDatabase extends Dexie {
  hardState!: Table<HardStateRow, string>
  entries!: Table<LogEntry, number>
  snapshot!: Table<SnapshotRow, string>
  reports!: Table<TaskReportRow, string>

  constructor(name = 'agent-mesh-tasks', options?: DexieOptions) {
    super(name, options)
    this.version(1).stores({ hardState: 'id', entries: 'index', snapshot: 'id', reports: 'taskId, receivedAtMs' })
  }
}

/** Each step's writes in one IndexedDB transaction, resolved once it committed. */
export class DexieRaftStore implements RaftStore {
  constructor(private readonly db: TaskDatabase) {}

  async load(): Promise<PersistedState> {
    const [hard, snapshot, entries] = await Promise.all([
      this.db.hardState.get('self'),
      this.db.snapshot.get('self'),
      this.db.entries.orderBy('index').toArray(),
    ])
    if (!hard && !snapshot && entries.length === 0) return EMPTY_PERSISTED_STATE
    return {
      hardState: hard ? { term: hard.term, votedFor: hard.votedFor, commitIndex: hard.commitIndex } : EMPTY_PERSISTED_STATE.hardState,
      snapshot: snapshot ? { index: snapshot.index, term: snapshot.term, voters: snapshot.voters, data: snapshot.data } : null,
      entries,
    }
  }

  async write(ops: readonly PersistOp[]): Promise<void> {
    await this.db.transaction('rw', this.db.hardState, this.db.entries, this.db.snapshot, async () => {
      for (const op of ops) {
        switch (op.type) {
          case 'hardState':
            await this.db.hardState.put({ id: 'self', ...op.hardState })
            break
          case 'truncate':
            await this.db.entries.where('index').aboveOrEqual(op.fromIndex).delete()
            break
          case 'append':
            await this.db.entries.bulkPut(op.entries.map((e) => ({ ...e, voters: [...e.voters] })))
            break
          case 'snapshot':
            await this.db.snapshot.put({ id: 'self', ...op.snapshot, voters: [...op.snapshot.voters] })
            await this.db.entries.where('index').belowOrEqual(op.snapshot.index).delete()
            break
        }
      }
    })
  }
}

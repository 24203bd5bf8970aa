import { applyPersistOps, EMPTY_PERSISTED_STATE } from '../consensus/raft/storage'
import type { PersistedState, PersistOp } from '../consensus/raft/types'

/**
 * A coordinator's durable Raft state: the relay keeps it in SQLite (relay/raft-store.ts), a
 * browser in Dexie (app/storage/raft-store.ts). write() must be durable when it resolves: the
 * adapter sends a step's messages only after that, so a restart never forgets a vote or an
 * acknowledged entry.
 */
export interface RaftStore {
  load(): Promise<PersistedState>
  write(ops: readonly PersistOp[]): Promise<void>
}

/** Lives as long as the object: tests, benchmarks, throwaway nodes. */
export class MemoryRaftStore implements RaftStore {
  state: PersistedState = EMPTY_PERSISTED_STATE
  writes = 0

  async load(): Promise<PersistedState> {
    return this.state
  }

  async write(ops: readonly PersistOp[]): Promise<void> {
    this.writes++
    this.state = applyPersistOps(this.state, ops)
  }
}

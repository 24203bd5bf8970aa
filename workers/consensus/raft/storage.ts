import type { LogEntry, PersistedState, PersistOp } from './types'

/**
 * Applies a step's persistence writes to a plain in-memory copy of the durable state. The
 * browser (Dexie) and relay (SQLite) stores follow the same rules; this one backs tests and
 * documents the semantics of each write.
 */
export function applyPersistOps(state: PersistedState, ops: readonly PersistOp[]): PersistedState {
  let { hardState, snapshot } = state
  let entries: LogEntry[] = [...state.entries]
  for (const op of ops) {
    switch (op.type) {
      case 'hardState':
        hardState = op.hardState
        break
      case 'truncate':
        entries = entries.filter((entry) => entry.index < op.fromIndex)
        break
      case 'append': {
        const first = op.entries[0]?.index
        if (first === undefined) break
        const expected = entries.length > 0 ? entries[entries.length - 1].index + 1 : (snapshot?.index ?? 0) + 1
        if (first !== expected) throw new RangeError(`append at ${first} but the stored log continues at ${expected}`)
        entries.push(...op.entries)
        break
      }
      case 'snapshot':
        snapshot = op.snapshot
        entries = entries.filter((entry) => entry.index > op.snapshot.index)
        break
    }
  }
  return { hardState, snapshot, entries }
}

export const EMPTY_PERSISTED_STATE: PersistedState = { hardState: { term: 0, votedFor: null, commitIndex: 0 }, snapshot: null, entries: [] }

import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openRaftDatabase, SqliteRaftStore } from '../../../relay/raft-store'
import { DexieRaftStore, TaskDatabase } from '../../../app/storage/raft-store'
import { applyPersistOps, EMPTY_PERSISTED_STATE } from '../../../workers/consensus/raft/storage'
import type { LogEntry, PersistOp } from '../../../workers/consensus/raft/types'
import type { RaftStore } from '../../../workers/tasks/store'

const entry = (index: number, term: number, kind: LogEntry['kind'] = 'command', voters: string[] = []): LogEntry => ({
  index,
  term,
  kind,
  command: new Uint8Array([index, term]),
  voters,
})

// Each batch is one step's writes, in the order the core emits them.
const steps: PersistOp[][] = [
  [
    { type: 'append', entries: [entry(1, 1, 'config', ['a', 'b', 'c'])] },
    { type: 'hardState', hardState: { term: 1, votedFor: null, commitIndex: 1 } },
  ],
  [{ type: 'hardState', hardState: { term: 2, votedFor: 'a', commitIndex: 1 } }],
  [{ type: 'append', entries: [entry(2, 2, 'noop'), entry(3, 2), entry(4, 2)] }],
  [
    { type: 'truncate', fromIndex: 4 },
    { type: 'append', entries: [entry(4, 3), entry(5, 3)] },
    { type: 'hardState', hardState: { term: 3, votedFor: 'b', commitIndex: 4 } },
  ],
  [{ type: 'snapshot', snapshot: { index: 3, term: 2, voters: ['a', 'b', 'c'], data: new Uint8Array([9, 9]) } }],
]

async function replayAndCompare(store: RaftStore): Promise<void> {
  let reference = EMPTY_PERSISTED_STATE
  expect(await store.load()).toEqual(reference)
  for (const ops of steps) {
    await store.write(ops)
    reference = applyPersistOps(reference, ops)
    expect(await store.load()).toEqual(reference)
  }
  expect(reference.entries.map((e) => e.index)).toEqual([4, 5])
}

describe('durable Raft stores follow the in-memory reference write by write', () => {
  it('SQLite (relay), and it survives reopening the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'raft-store-'))
    const db = openRaftDatabase(dir)
    await replayAndCompare(new SqliteRaftStore(db))
    const before = await new SqliteRaftStore(db).load()
    db.close()
    const reopened = openRaftDatabase(dir)
    expect(await new SqliteRaftStore(reopened).load()).toEqual(before)
    reopened.close()
  })

  it('Dexie (browser)', async () => {
    const db = new TaskDatabase(`raft-store-test-${Math.random()}`)
    await replayAndCompare(new DexieRaftStore(db))
    db.close()
  })
})

import { describe, expect, it } from 'vitest'
import { IDBKeyRange, indexedDB } from 'fake-indexeddb'
import { MeshDatabase } from '../../../app/storage/db'
import { BrowserFlStore } from '../../../app/storage/fl-store'
import { defaultMnistTask } from '../../../workers/fl/task/spec'

describe('browser store for federated tasks (IndexedDB, schema version 4)', () => {
  it('keeps tasks, adopted rounds and models across a reopen, the latest round last', async () => {
    const name = 'fl-store-test'
    const task = defaultMnistTask('12D3KooWAdmin', 1)
    let db = new MeshDatabase(name, { indexedDB, IDBKeyRange })
    const store = new BrowserFlStore(db)
    const taskId = await store.addTask(task)
    const row = (round: number) => ({
      taskId,
      round,
      descriptor: new Uint8Array([round]),
      certificate: new Uint8Array([7]),
      modelHash: String(round).repeat(64),
      accuracy: 0.5 + round / 10,
      loss: 1,
      committedAtMs: round,
    })
    await store.adopt(row(2), new Uint8Array([2]))
    await store.adopt(row(1), new Uint8Array([1]))
    db.close()
    db = new MeshDatabase(name, { indexedDB, IDBKeyRange })
    const again = new BrowserFlStore(db)
    expect(await again.tasks()).toEqual([{ taskId, task }])
    expect((await again.rounds(taskId)).map((r) => r.round)).toEqual([1, 2])
    expect((await again.latest(taskId))?.modelHash).toBe('2'.repeat(64))
    expect(await again.model('1'.repeat(64))).toEqual(new Uint8Array([1]))
    expect(db.verno).toBe(4)
    db.close()
  })
})

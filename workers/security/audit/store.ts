import type { AuditRecord } from './entry'

/** Where a node keeps its audit log; the relay uses SQLite, the browser IndexedDB. */
export interface AuditStore {
  /** Adds the next entry; must refuse (reject) a seq that is already stored. */
  append(record: AuditRecord): Promise<void>
  /** The entry with the highest seq. */
  last(): Promise<AuditRecord | undefined>
  /** Up to `limit` entries with seq ≥ `fromSeq`, in seq order. */
  range(fromSeq: number, limit: number): Promise<AuditRecord[]>
  count(): Promise<number>
}

/** Every stored entry in order, a page at a time. */
export async function* readAll(store: AuditStore, pageSize = 1000): AsyncGenerator<AuditRecord> {
  let from = 0
  for (;;) {
    const page = await store.range(from, pageSize)
    yield* page
    if (page.length < pageSize) return
    from = page[page.length - 1].seq + 1
  }
}

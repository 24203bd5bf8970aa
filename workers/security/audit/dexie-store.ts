import type { Table } from 'dexie'
import type { AuditRecord } from './entry'
import type { AuditStore } from './store'

/**
 * Dexie schema for the table this store takes: add `audit: dexieAuditSchema` to a new
 * `version(n).stores({...})` of the browser database (app/storage/db.ts).
 */
export const dexieAuditSchema = 'seq, event, timeMs, subject'

export type AuditRow = AuditRecord

export class DexieAuditStore implements AuditStore {
  constructor(private readonly table: Table<AuditRow, number>) {}

  async append(record: AuditRecord): Promise<void> {
    // add (not put) refuses an existing key, so an entry can never be overwritten through here.
    await this.table.add({ ...record })
  }

  async last(): Promise<AuditRecord | undefined> {
    return this.table.orderBy('seq').last()
  }

  async range(fromSeq: number, limit: number): Promise<AuditRecord[]> {
    return this.table.where('seq').aboveOrEqual(fromSeq).limit(limit).toArray()
  }

  async count(): Promise<number> {
    return this.table.count()
  }
}

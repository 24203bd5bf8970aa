import type { Table } from 'dexie'
import type { LogRow } from './db'

const KEEP_LINES = 5_000
const FLUSH_MS = 1_000

/**
 * The node's recent log in IndexedDB: pino's browser `write` hook hands every line here, lines
 * are written in batches (never one transaction per line), and only the newest KEEP_LINES
 * are kept. `exportNdjson` gives the file a person attaches to a bug report: the same JSON
 * lines, with the same correlation ids, as the relay's log.
 */
export class PersistentLog {
  private pending: LogRow[] = []
  private timer: ReturnType<typeof setTimeout> | undefined
  private writing: Promise<void> = Promise.resolve()

  constructor(
    private readonly table: Table<LogRow, number>,
    private readonly keep = KEEP_LINES,
  ) {}

  /** pino's browser `write` for one level: keeps the console output and queues the line. */
  write = (entry: object): void => {
    const record = entry as { time?: number; level?: number; msg?: string }
    this.pending.push({ time: record.time ?? Date.now(), level: record.level ?? 30, msg: record.msg ?? '', line: safeJson(entry) })
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS)
  }

  /** Writes what is queued and drops lines beyond the newest `keep`. */
  flush(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    const batch = this.pending
    this.pending = []
    this.writing = this.writing
      .then(async () => {
        if (batch.length > 0) await this.table.bulkAdd(batch)
        const excess = (await this.table.count()) - this.keep
        if (excess > 0) await this.table.orderBy('id').limit(excess).delete()
      })
      .catch((err) => console.warn('log not stored', err))
    return this.writing
  }

  async exportNdjson(): Promise<string> {
    await this.flush()
    const rows = await this.table.orderBy('id').toArray()
    return rows.map((r) => r.line).join('\n') + (rows.length > 0 ? '\n' : '')
  }
}

function safeJson(value: object): string {
  try {
    return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? `<${v.length} bytes>` : v))
  } catch {
    return JSON.stringify({ msg: String((value as { msg?: unknown }).msg ?? ''), unserializable: true })
  }
}

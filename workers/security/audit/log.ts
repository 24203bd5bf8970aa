import { sealEntry, signCheckpoint, type AuditCheckpoint, type AuditFields, type AuditRecord } from './entry'
import type { AuditStore } from './store'
import type { SigningIdentity } from '../../identity/ed25519'

/**
 * A node's append-only audit log: each entry is signed by this node and linked to the
 * previous one by hash. Appends are serialised, so concurrent callers still form one chain.
 */
export class AuditLog {
  private queue: Promise<unknown> = Promise.resolve()

  private constructor(
    private readonly store: AuditStore,
    private readonly writer: SigningIdentity,
    private readonly now: () => number,
    private tip: AuditRecord | undefined,
  ) {}

  static async open(store: AuditStore, writer: SigningIdentity, now: () => number = Date.now): Promise<AuditLog> {
    return new AuditLog(store, writer, now, await store.last())
  }

  append(fields: AuditFields): Promise<AuditRecord> {
    const next = this.queue.then(async () => {
      const record = sealEntry(fields, this.tip, this.now(), this.writer)
      await this.store.append(record)
      this.tip = record
      return record
    })
    this.queue = next.catch(() => undefined)
    return next
  }

  /** A signed statement of the current tip, to keep or publish so truncation can be noticed later. */
  async checkpoint(): Promise<AuditCheckpoint> {
    await this.queue
    return signCheckpoint(this.tip, this.now(), this.writer)
  }

  get length(): number {
    return this.tip?.seq ?? 0
  }
}

import type { AuditFields } from '../audit/entry'

export interface RejectAuditOptions {
  /** Distinct (reason, kind, sender) groups kept per period; the rest are only counted. */
  readonly maxGroups: number
}

interface Group {
  readonly reason: string
  readonly kind: string
  readonly sender: string
  readonly source: string
  readonly detail: string
  count: number
  firstMs: number
  lastMs: number
}

/**
 * Turns a stream of rejected messages into a bounded number of audit entries. A flood must
 * not fill the disk, so rejections are grouped by (reason, kind, sender) and each group is
 * written once per period with its count; past `maxGroups` groups a period only counts them
 * in one overflow entry. At most maxGroups + 1 entries are written per period, whatever
 * arrives. Pure: the caller passes the time and writes what `drain` returns.
 */
export class RejectAuditor {
  private groups = new Map<string, Group>()
  private overflow = 0

  constructor(private readonly options: RejectAuditOptions = { maxGroups: 32 }) {}

  note(
    reason: string,
    kind: string | undefined,
    sender: string | undefined,
    source: string | undefined,
    detail: string,
    nowMs: number,
  ): void {
    const key = `${reason}|${kind ?? ''}|${sender ?? ''}`
    const group = this.groups.get(key)
    if (group) {
      group.count++
      group.lastMs = nowMs
      return
    }
    if (this.groups.size >= this.options.maxGroups) {
      this.overflow++
      return
    }
    this.groups.set(key, {
      reason,
      kind: (kind ?? '').slice(0, 64),
      sender: (sender ?? '').slice(0, 64),
      source: (source ?? '').slice(0, 160),
      detail: detail.slice(0, 240),
      count: 1,
      firstMs: nowMs,
      lastMs: nowMs,
    })
  }

  get pending(): number {
    return this.groups.size + (this.overflow > 0 ? 1 : 0)
  }

  /** The audit entries for everything noted since the last drain. */
  drain(actor: string): AuditFields[] {
    const out: AuditFields[] = [...this.groups.values()].map((g) => ({
      event: 'reject' as const,
      actor,
      subject: g.sender || 'unknown',
      details: { reason: g.reason, kind: g.kind, count: g.count, firstMs: g.firstMs, lastMs: g.lastMs, source: g.source, detail: g.detail },
    }))
    if (this.overflow > 0)
      out.push({
        event: 'reject',
        actor,
        subject: 'many',
        details: {
          overflow: this.overflow,
          note: `further rejections from more than ${this.options.maxGroups} distinct senders/reasons, counted only`,
        },
      })
    this.groups = new Map()
    this.overflow = 0
    return out
  }
}

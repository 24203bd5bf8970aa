import type { LogEntry } from './types'

/**
 * The in-memory log after the latest snapshot. Index 0 (term 0) is the empty prefix; the
 * snapshot's last index stands in for every compacted entry, so its term is still known.
 */
export class RaftLog {
  private base: number
  private baseTerm: number
  private entries: LogEntry[]

  constructor(snapshotIndex = 0, snapshotTerm = 0, entries: readonly LogEntry[] = []) {
    this.base = snapshotIndex
    this.baseTerm = snapshotTerm
    this.entries = [...entries]
  }

  get snapshotIndex(): number {
    return this.base
  }

  get snapshotTerm(): number {
    return this.baseTerm
  }

  get lastIndex(): number {
    return this.base + this.entries.length
  }

  get lastTerm(): number {
    return this.entries.length > 0 ? this.entries[this.entries.length - 1].term : this.baseTerm
  }

  /** The term at `index`, or undefined when it was compacted away or lies past the end. */
  termAt(index: number): number | undefined {
    if (index === this.base) return this.baseTerm
    if (index < this.base || index > this.lastIndex) return undefined
    return this.entries[index - this.base - 1].term
  }

  entry(index: number): LogEntry | undefined {
    if (index <= this.base || index > this.lastIndex) return undefined
    return this.entries[index - this.base - 1]
  }

  /** Entries in [from, to], inclusive, clipped to what the log holds. */
  slice(from: number, to: number): LogEntry[] {
    const start = Math.max(from, this.base + 1) - this.base - 1
    const end = Math.min(to, this.lastIndex) - this.base
    return start < end ? this.entries.slice(start, end) : []
  }

  append(entries: readonly LogEntry[]): void {
    for (const entry of entries) this.entries.push(entry)
  }

  /** Drops every entry with index >= fromIndex. */
  truncateFrom(fromIndex: number): void {
    if (fromIndex <= this.base) throw new RangeError('cannot truncate into the snapshot')
    this.entries.length = Math.min(this.entries.length, fromIndex - this.base - 1)
  }

  /** Discards entries up to `index` (which the log holds with `term`), keeping the suffix. */
  compactTo(index: number, term: number): void {
    this.entries = this.entries.slice(index - this.base)
    this.base = index
    this.baseTerm = term
  }

  /** Replaces the whole log by a snapshot's empty suffix. */
  resetTo(index: number, term: number): void {
    this.entries = []
    this.base = index
    this.baseTerm = term
  }

  /** First index holding `term`, searching back from `from`; used for a follower's conflict hint. */
  firstIndexOfTermEndingAt(from: number, term: number): number {
    let index = from
    while (index - 1 > this.base && this.termAt(index - 1) === term) index--
    return index
  }

  /** Last index holding `term`, or 0 if the log (after its snapshot) has none; used by a leader to act on a hint. */
  lastIndexOfTerm(term: number): number {
    for (let index = this.lastIndex; index > this.base; index--) {
      const at = this.termAt(index)!
      if (at === term) return index
      if (at < term) return 0
    }
    return 0
  }
}

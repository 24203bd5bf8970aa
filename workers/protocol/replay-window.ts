/**
 * Remembers which (sender, seq) pairs were accepted recently, so a captured message cannot be
 * delivered twice. Gossip reorders messages, so anything within `windowSize` of the highest
 * seq seen from a sender is still accepted once; older or out-of-time messages are refused.
 */
export interface ReplayWindowOptions {
  /** How far behind a sender's highest seq a late message may arrive (in seq units). */
  readonly windowSize: bigint
  /** Messages whose timestamp is older than this are refused outright. */
  readonly maxAgeMs: number
  /** Tolerated clock skew into the future. */
  readonly maxFutureMs: number
  /** Senders tracked at once; the least recently heard is forgotten first. */
  readonly maxSenders: number
  /** Per-sender memory of accepted seqs; past it the oldest quarter is forgotten (refused as stale from then on). */
  readonly maxRememberedPerSender: number
}

export const defaultReplayWindow: ReplayWindowOptions = {
  windowSize: 120_000_000n, // two minutes of microsecond-clock sequence numbers
  maxAgeMs: 120_000,
  maxFutureMs: 30_000,
  maxSenders: 10_000,
  maxRememberedPerSender: 4096,
}

export type ReplayVerdict = 'fresh' | 'replay' | 'stale' | 'future'

interface SenderState {
  highest: bigint
  /** Seqs at or below this are refused: their record was dropped to bound memory. */
  floor: bigint
  seen: Set<bigint>
}

export class ReplayWindow {
  private readonly senders = new Map<string, SenderState>()
  constructor(private readonly options: ReplayWindowOptions = defaultReplayWindow) {}

  /** Judges a message without recording it. */
  judge(sender: string, seq: bigint, timestampMs: number, nowMs: number): ReplayVerdict {
    if (timestampMs > nowMs + this.options.maxFutureMs) return 'future'
    if (timestampMs < nowMs - this.options.maxAgeMs) return 'stale'
    const state = this.senders.get(sender)
    if (!state) return 'fresh'
    if (state.seen.has(seq)) return 'replay'
    if (seq <= state.floor || seq + this.options.windowSize < state.highest) return 'stale'
    return 'fresh'
  }

  /** Records an accepted message; call only after every other check passed. */
  record(sender: string, seq: bigint): void {
    let state = this.senders.get(sender)
    if (state) {
      this.senders.delete(sender) // re-insert to keep Map order = recency
    } else {
      state = { highest: seq, floor: -1n, seen: new Set() }
      if (this.senders.size >= this.options.maxSenders) {
        const oldest = this.senders.keys().next().value
        if (oldest !== undefined) this.senders.delete(oldest)
      }
    }
    state.seen.add(seq)
    if (seq > state.highest) state.highest = seq
    if (state.seen.size > this.options.maxRememberedPerSender) this.prune(state)
    this.senders.set(sender, state)
  }

  /**
   * Brings a sender over the cap down to three quarters of it (what the window no longer covers
   * first, then the oldest seqs), so the next prune is a quarter-cap of records away. Trimming
   * to exactly the cap sorted every remembered seq on every message of a sender that stayed
   * over it: on the relay that was a sixth of its CPU under a single fast publisher.
   */
  private prune(state: SenderState): void {
    const keep = Math.floor((this.options.maxRememberedPerSender * 3) / 4)
    const windowStart = state.highest - this.options.windowSize
    for (const s of state.seen) if (s < windowStart) state.seen.delete(s)
    if (state.seen.size <= keep) return
    const sorted = [...state.seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const drop = sorted.slice(0, sorted.length - keep)
    for (const s of drop) state.seen.delete(s)
    state.floor = drop[drop.length - 1]
  }
}

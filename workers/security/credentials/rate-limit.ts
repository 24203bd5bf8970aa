export interface RateLimit {
  readonly limit: number
  readonly windowMs: number
}

/**
 * Counts events per key in a sliding window. Pure: the caller passes the time. Memory is
 * bounded: when `maxKeys` keys are tracked, keys with no event inside the window go first,
 * then the oldest.
 */
export class SlidingWindowLimiter {
  private readonly events = new Map<string, number[]>()

  constructor(
    private readonly rate: RateLimit,
    private readonly maxKeys = 100_000,
  ) {}

  /** Records an event for `key` if it is within the limit; returns whether it was. */
  take(key: string, nowMs: number): boolean {
    const recent = this.recent(key, nowMs)
    if (recent.length >= this.rate.limit) return false
    if (!this.events.has(key) && this.events.size >= this.maxKeys) this.prune(nowMs)
    recent.push(nowMs)
    this.events.set(key, recent)
    return true
  }

  /** Whether `take` would succeed now, without recording anything. */
  allows(key: string, nowMs: number): boolean {
    return this.recent(key, nowMs).length < this.rate.limit
  }

  private recent(key: string, nowMs: number): number[] {
    const since = nowMs - this.rate.windowMs
    return (this.events.get(key) ?? []).filter((t) => t > since)
  }

  private prune(nowMs: number): void {
    const since = nowMs - this.rate.windowMs
    for (const [key, times] of this.events) if (times.every((t) => t <= since)) this.events.delete(key)
    while (this.events.size >= this.maxKeys) this.events.delete(this.events.keys().next().value!)
  }
}

/** A rate: `perSecond` sustained, with bursts up to `burst`. */
export interface Rate {
  readonly perSecond: number
  readonly burst: number
}

/** `limit` events per `windowMs`, all of them at once if need be (e.g. 5 credential requests an hour). */
export function perWindow(limit: number, windowMs: number): Rate {
  return { perSecond: (limit * 1000) / windowMs, burst: limit }
}

interface Bucket {
  tokens: number
  atMs: number
}

/**
 * The one rate limiter of the mesh: token buckets per key (a peer, an address, an identity).
 * Pure: the caller passes the time. Memory is bounded by `maxKeys` buckets (each a few dozen
 * bytes); when full, the least recently used key is forgotten, which at worst hands a flooder
 * a fresh burst, never blocks anyone else.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>()

  constructor(
    readonly rate: Rate,
    readonly maxKeys = 10_000,
  ) {
    if (!(rate.perSecond > 0) || !(rate.burst >= 1))
      throw new Error(`a rate needs perSecond > 0 and burst >= 1, got ${JSON.stringify(rate)}`)
  }

  /** Takes one token for `key`; false when its bucket is empty. */
  take(key: string, nowMs: number): boolean {
    const bucket = this.refilled(key, nowMs)
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }

  /** Whether `take` would succeed now; takes nothing. */
  allows(key: string, nowMs: number): boolean {
    return this.refilled(key, nowMs).tokens >= 1
  }

  get size(): number {
    return this.buckets.size
  }

  private refilled(key: string, nowMs: number): Bucket {
    let bucket = this.buckets.get(key)
    if (bucket) {
      this.buckets.delete(key) // re-insert below: Map order is recency
      bucket.tokens = Math.min(this.rate.burst, bucket.tokens + (Math.max(0, nowMs - bucket.atMs) / 1000) * this.rate.perSecond)
      bucket.atMs = Math.max(bucket.atMs, nowMs)
    } else {
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!)
      bucket = { tokens: this.rate.burst, atMs: nowMs }
    }
    this.buckets.set(key, bucket)
    return bucket
  }
}

/**
 * Per-peer and per-address limits on one kind of event (gossip publishes, stream opens,
 * credential requests). Both must admit an event, and a refused event is charged to neither,
 * so a peer refused because its address is busy keeps its own allowance.
 */
export class FloodGuard {
  private readonly perPeer: TokenBuckets
  private readonly perAddress: TokenBuckets

  constructor(
    readonly name: string,
    limits: { readonly perPeer: Rate; readonly perAddress: Rate; readonly maxKeys?: number },
    private readonly now: () => number = Date.now,
  ) {
    this.perPeer = new TokenBuckets(limits.perPeer, limits.maxKeys)
    this.perAddress = new TokenBuckets(limits.perAddress, limits.maxKeys)
  }

  /** Which limit refuses the event (peer first), or null after charging both. Either key may be absent. */
  check(peer: string | undefined, address: string | undefined, now = this.now()): 'peer' | 'address' | null {
    if (peer !== undefined && !this.perPeer.allows(peer, now)) return 'peer'
    if (address !== undefined && !this.perAddress.allows(address, now)) return 'address'
    if (peer !== undefined) this.perPeer.take(peer, now)
    if (address !== undefined) this.perAddress.take(address, now)
    return null
  }

  /** Null when admitted, else why not, for the logs. */
  admit(peer: string | undefined, address: string | undefined): string | null {
    const refused = this.check(peer, address)
    if (refused === 'peer') return `${this.name} from peer ${peer!.slice(0, 64)} over ${this.perPeer.rate.perSecond}/s`
    if (refused === 'address') return `${this.name} from address ${address!.slice(0, 64)} over ${this.perAddress.rate.perSecond}/s`
    return null
  }

  /** Buckets held, for the memory bound (at most 2 × maxKeys). */
  get size(): number {
    return this.perPeer.size + this.perAddress.size
  }
}

/** A rate: `perSecond` sustained, with bursts up to `burst`. */
export interface Rate {
  readonly perSecond: number
  readonly burst: number
}

interface Bucket {
  tokens: number
  atMs: number
}

/**
 * Token buckets per key (a peer, an address). Pure: the caller passes the time. Memory is
 * bounded by `maxKeys` buckets (each a few dozen bytes); when full, the least recently used
 * key is forgotten, which at worst hands a flooder a fresh burst, never blocks anyone else.
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
    let bucket = this.buckets.get(key)
    if (bucket) {
      this.buckets.delete(key) // re-insert below: Map order is recency
      bucket.tokens = Math.min(this.rate.burst, bucket.tokens + ((nowMs - bucket.atMs) / 1000) * this.rate.perSecond)
      bucket.atMs = nowMs
    } else {
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!)
      bucket = { tokens: this.rate.burst, atMs: nowMs }
    }
    this.buckets.set(key, bucket)
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }

  get size(): number {
    return this.buckets.size
  }
}

/**
 * The per-peer and per-address limits for one kind of traffic (gossip publishes, stream
 * opens, HTTP requests). Both must admit an event; a refusal says which limit was hit.
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

  /** Null when admitted, else why not. Either key may be absent (HTTP has no peer). */
  admit(peer: string | undefined, address: string | undefined): string | null {
    const now = this.now()
    if (peer !== undefined && !this.perPeer.take(peer, now))
      return `${this.name} from peer ${peer.slice(0, 64)} over ${this.perPeer.rate.perSecond}/s`
    if (address !== undefined && !this.perAddress.take(address, now))
      return `${this.name} from address ${address.slice(0, 64)} over ${this.perAddress.rate.perSecond}/s`
    return null
  }

  /** Buckets held, for the memory bound (at most 2 × maxKeys). */
  get size(): number {
    return this.perPeer.size + this.perAddress.size
  }
}

/** The IP part of a multiaddr such as /ip4/1.2.3.4/tcp/5/ws, or undefined. */
export function addressOfMultiaddr(multiaddr: string): string | undefined {
  return /^\/(?:ip4|ip6|dns4|dns6|dns)\/([^/]+)/.exec(multiaddr)?.[1]
}

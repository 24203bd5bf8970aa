import { describe, expect, it } from 'vitest'
import { FloodGuard, TokenBuckets, perWindow } from '../../../workers/common/rate-limit'
import { addressOfMultiaddr } from '../../../workers/net/connection-kind'

describe('token buckets', () => {
  it('allows the burst, then the sustained rate, per key', () => {
    const buckets = new TokenBuckets({ perSecond: 10, burst: 3 })
    expect([0, 0, 0, 0].map(() => buckets.take('a', 0))).toEqual([true, true, true, false])
    expect(buckets.take('b', 0)).toBe(true)
    expect(buckets.take('a', 50)).toBe(false)
    expect(buckets.take('a', 100)).toBe(true)
    // Idle time refills up to the burst, not beyond.
    expect([0, 0, 0, 0].map(() => buckets.take('a', 60_000))).toEqual([true, true, true, false])
  })

  it('never holds more than maxKeys buckets, whatever a flood of new keys does', () => {
    const buckets = new TokenBuckets({ perSecond: 1, burst: 1 }, 100)
    for (let i = 0; i < 10_000; i++) buckets.take(`peer-${i}`, i)
    expect(buckets.size).toBe(100)
    // The keys kept are the most recently seen: a fresh flooder key pushes out the oldest.
    expect(buckets.take('peer-9999', 10_000)).toBe(false)
  })

  it('peeks without taking', () => {
    const buckets = new TokenBuckets({ perSecond: 1, burst: 1 })
    expect([buckets.allows('a', 0), buckets.allows('a', 0), buckets.take('a', 0), buckets.allows('a', 0)]).toEqual([
      true,
      true,
      true,
      false,
    ])
  })

  it('states a limit per window as a rate: all of it at once, then back in full after the window', () => {
    const hour = 3_600_000
    const buckets = new TokenBuckets(perWindow(3, hour))
    expect([0, 1, 2, 3].map((i) => buckets.take('id', i * 1000))).toEqual([true, true, true, false])
    expect([0, 1, 2, 3].map(() => buckets.take('id', hour + 3000))).toEqual([true, true, true, false])
  })

  it('refuses with the limit that was hit, peer first, and charges neither limit for a refused event', () => {
    let now = 0
    const guard = new FloodGuard('gossip', { perPeer: { perSecond: 1, burst: 2 }, perAddress: { perSecond: 1, burst: 3 } }, () => now)
    expect(guard.admit('p1', '10.0.0.1')).toBeNull()
    expect(guard.admit('p1', '10.0.0.1')).toBeNull()
    expect(guard.admit('p1', '10.0.0.1')).toMatch(/from peer p1 over 1\/s/)
    expect(guard.admit('p2', '10.0.0.1')).toBeNull()
    expect(guard.admit('p3', '10.0.0.1')).toMatch(/from address 10\.0\.0\.1/)
    // p3 was refused by its address, so it still has its whole burst of 2.
    expect(guard.admit('p3', undefined)).toBeNull()
    expect(guard.admit('p3', undefined)).toBeNull()
    expect(guard.check('p3', undefined)).toBe('peer')
    now += 5_000
    expect(guard.admit('p1', '10.0.0.1')).toBeNull()
    expect(guard.size).toBeLessThanOrEqual(4)
  })

  it('reads the address out of a multiaddr', () => {
    expect(addressOfMultiaddr('/ip4/10.1.2.3/tcp/9090/ws/p2p/12D3KooW')).toBe('10.1.2.3')
    expect(addressOfMultiaddr('/ip6/::1/tcp/1/ws')).toBe('::1')
    expect(addressOfMultiaddr('/p2p/12D3KooW/p2p-circuit')).toBeUndefined()
  })
})

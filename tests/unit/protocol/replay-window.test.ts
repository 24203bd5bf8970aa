import { describe, expect, it } from 'vitest'
import { ReplayWindow, defaultReplayWindow } from '../../../workers/protocol/replay-window'

const NOW = 1_000_000
const options = { ...defaultReplayWindow, maxRememberedPerSender: 8 }

function recordSeqs(window: ReplayWindow, seqs: number[]): void {
  for (const seq of seqs) {
    expect(window.judge('alice', BigInt(seq), NOW, NOW)).toBe('fresh')
    window.record('alice', BigInt(seq))
  }
}

describe('ReplayWindow', () => {
  it('refuses every seq it recorded, and accepts reordered fresh ones', () => {
    const window = new ReplayWindow(options)
    recordSeqs(window, [5, 3, 4])
    for (const seq of [3n, 4n, 5n]) expect(window.judge('alice', seq, NOW, NOW)).toBe('replay')
    expect(window.judge('alice', 2n, NOW, NOW)).toBe('fresh')
    expect(window.judge('bob', 5n, NOW, NOW)).toBe('fresh')
  })

  it('past its per-sender cap forgets the oldest quarter at once and refuses those seqs as stale', () => {
    const window = new ReplayWindow(options)
    recordSeqs(window, [1, 2, 3, 4, 5, 6, 7, 8])
    // The ninth goes over the cap of 8: the oldest seqs go until 6 (3/4 of 8) remain.
    recordSeqs(window, [9])
    for (const seq of [1n, 2n, 3n]) expect(window.judge('alice', seq, NOW, NOW)).toBe('stale')
    for (const seq of [4n, 5n, 6n, 7n, 8n, 9n]) expect(window.judge('alice', seq, NOW, NOW)).toBe('replay')
    // Two more fit under the cap without another trim; a gap below the floor stays refused.
    recordSeqs(window, [11, 10])
    expect(window.judge('alice', 3n, NOW, NOW)).toBe('stale')
    for (const seq of [4n, 10n, 11n]) expect(window.judge('alice', seq, NOW, NOW)).toBe('replay')
    expect(window.judge('alice', 12n, NOW, NOW)).toBe('fresh')
  })

  it('once over the cap, comes back to three quarters of it even when seqs leaving the window free some room', () => {
    // A sender at a steady rate loses a few seqs to the window per message: without the trim to
    // three quarters, every message of it would scan (and here: not sort) the whole memory again.
    const window = new ReplayWindow({ ...options, windowSize: 10n })
    recordSeqs(window, [1, 2, 3, 4, 5, 6, 7, 8])
    recordSeqs(window, [12]) // 1 leaves the window; 2..8 and 12 are still over 6
    for (const seq of [2n, 3n]) expect(window.judge('alice', seq, NOW, NOW)).toBe('stale')
    for (const seq of [4n, 8n, 12n]) expect(window.judge('alice', seq, NOW, NOW)).toBe('replay')
  })

  it('never accepts a replay however many messages one sender sends', () => {
    const window = new ReplayWindow(options)
    const seqs = Array.from({ length: 200 }, (_, i) => i + 1)
    recordSeqs(window, seqs)
    for (const seq of seqs) expect(window.judge('alice', BigInt(seq), NOW, NOW)).not.toBe('fresh')
    expect(window.judge('alice', 201n, NOW, NOW)).toBe('fresh')
  })

  it('refuses messages too old or too far in the future before looking at the sender', () => {
    const window = new ReplayWindow(options)
    expect(window.judge('alice', 1n, NOW - options.maxAgeMs - 1, NOW)).toBe('stale')
    expect(window.judge('alice', 1n, NOW + options.maxFutureMs + 1, NOW)).toBe('future')
  })
})

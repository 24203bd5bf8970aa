import { describe, expect, it } from 'vitest'
import pino from 'pino'
import { Writable } from 'node:stream'
import { watchEventLoopStalls } from '../../../relay/stall-watch'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const blockFor = (ms: number) => {
  const until = performance.now() + ms
  while (performance.now() < until);
}

describe('event-loop stall warnings', () => {
  it('warns once for a block longer than the threshold, with its length, and not for ordinary turns', async () => {
    const lines: Record<string, unknown>[] = []
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()))
        done()
      },
    })
    const stop = watchEventLoopStalls(pino({ level: 'warn' }, sink), 400)
    try {
      await sleep(700)
      expect(lines).toHaveLength(0)
      blockFor(900)
      await sleep(400)
      expect(lines).toHaveLength(1)
      expect(lines[0].msg).toMatch(/event loop was blocked/)
      expect(lines[0].blockedMs).toBeGreaterThanOrEqual(400)
      expect(lines[0].heapUsedMB).toBeGreaterThan(0)
    } finally {
      stop()
    }
  })
})

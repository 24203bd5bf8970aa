/**
 * A virtual clock for asynchronous code that takes its time and timers injected (the consensus
 * adapter's AdapterClock: now, wallNow, setTimer). Time moves only when a test runs it: timers
 * fire in time order (ties in the order they were set), and before each one every pending
 * promise reaction runs, so in-memory I/O (stores, transports resolving at once) completes in
 * zero virtual time. No real timers, no sleeping, no polling of wall-clock deadlines.
 */
import { EventQueue } from './heap'

interface Timer {
  readonly at: number
  readonly seq: number
  readonly run: () => void
  cancelled: boolean
}

export class VirtualClock {
  private time = 0
  private seq = 0
  private readonly timers = new EventQueue<Timer>()

  /** @param wallStartMs the wall-clock time (ms since the epoch) at virtual time 0. */
  constructor(private readonly wallStartMs = Date.UTC(2030, 0, 1)) {}

  now(): number {
    return this.time
  }

  wallNow(): number {
    return this.wallStartMs + this.time
  }

  setTimer(ms: number, run: () => void): () => void {
    const timer: Timer = { at: this.time + Math.max(0, ms), seq: this.seq++, run, cancelled: false }
    this.timers.push(timer)
    return () => {
      timer.cancelled = true
    }
  }

  /**
   * Fires timers in order until `condition` holds, checked each time all pending promises have
   * settled. Throws, naming `what`, when `limitMs` of virtual time pass first or nothing is left
   * to run.
   */
  async runUntil(condition: () => boolean, limitMs: number, what: string): Promise<void> {
    const end = this.time + limitMs
    for (;;) {
      await settle()
      if (condition()) return
      const next = this.nextLive()
      if (!next) throw new Error(`nothing left to run at virtual ${this.time} ms while waiting for ${what}`)
      if (next.at > end) {
        this.time = end
        throw new Error(`virtual time ran out after ${limitMs} ms waiting for ${what}`)
      }
      this.timers.pop()
      this.time = next.at
      next.run()
    }
  }

  /** Fires every timer due within `ms` of virtual time, then stops at now + ms. */
  async run(ms: number): Promise<void> {
    const end = this.time + ms
    for (;;) {
      await settle()
      const next = this.nextLive()
      if (!next || next.at > end) break
      this.timers.pop()
      this.time = next.at
      next.run()
    }
    this.time = end
  }

  private nextLive(): Timer | undefined {
    let next = this.timers.peek()
    while (next?.cancelled) {
      this.timers.pop()
      next = this.timers.peek()
    }
    return next
  }
}

/** Lets every queued promise reaction run: Node starts a macrotask turn only once the microtask queue is empty. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

import type { AdapterClock } from '../../../workers/consensus/adapter/types'

/** Timers on virtual time; advance() fires what is due, in order, letting promises settle between. */
export class VirtualClock implements AdapterClock {
  private time = 1_000_000
  private seq = 0
  private readonly timers = new Map<number, { at: number; run: () => void }>()

  now(): number {
    return this.time
  }

  wallNow(): number {
    return this.time
  }

  setTimer(ms: number, run: () => void): () => void {
    const id = this.seq++
    this.timers.set(id, { at: this.time + Math.max(0, ms), run })
    return () => this.timers.delete(id)
  }

  async advance(ms: number): Promise<void> {
    const end = this.time + ms
    for (;;) {
      await settle()
      let next: [number, { at: number; run: () => void }] | null = null
      for (const entry of this.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at || (entry[1].at === next[1].at && entry[0] < next[0]))) next = entry
      if (!next) break
      this.timers.delete(next[0])
      this.time = Math.max(this.time, next[1].at)
      next[1].run()
    }
    this.time = end
    await settle()
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve()
}

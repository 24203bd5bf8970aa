/** Exponential backoff with jitter, so many pages reconnecting to one relay do not stampede. */
export class Backoff {
  private attempt = 0
  constructor(
    private readonly baseMs = 500,
    private readonly maxMs = 15_000,
    private readonly random: () => number = Math.random,
  ) {}
  next(): number {
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** this.attempt++)
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2)
  }
  reset(): void {
    this.attempt = 0
  }
  get attempts(): number {
    return this.attempt
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        reject(signal.reason)
      },
      { once: true },
    )
  })
}

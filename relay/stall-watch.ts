/**
 * Warns when the relay's event loop was blocked long enough to matter to its peers: every
 * connection of the relay waits while one task runs, so a block of seconds shows up as pings
 * timing out on all of them at once. The warning names how long, and the heap then, so an
 * operator can tell synchronous work from garbage-collection pressure. The histogram of the same
 * delay is exported as mesh_relay_nodejs_eventloop_lag_* on /metrics.
 */
import type { Logger } from 'pino'

const TICK_MS = 250
/** Blocks shorter than this are ordinary on a loaded machine and not worth a line each. */
export const STALL_WARN_MS = 1_000

export function watchEventLoopStalls(log: Logger, warnAfterMs = STALL_WARN_MS): () => void {
  let expected = performance.now() + TICK_MS
  const timer = setInterval(() => {
    const now = performance.now()
    const blockedMs = now - expected
    expected = now + TICK_MS
    if (blockedMs < warnAfterMs) return
    const heap = process.memoryUsage()
    log.warn(
      { blockedMs: Math.round(blockedMs), heapUsedMB: Math.round(heap.heapUsed / 2 ** 20), rssMB: Math.round(heap.rss / 2 ** 20) },
      'event loop was blocked: every connection waited',
    )
  }, TICK_MS)
  timer.unref()
  return () => clearInterval(timer)
}

import { expect } from 'vitest'
import { describeWorld, randomWorld, runWorld } from '../../sim/tasks/schedule'
import { replayHint, simSeeds } from '../../sim/seeds'

/** Runs seeds [first, first + count) and fails on the first that breaks safety, exactly-once or liveness. */
export function checkTaskSchedules(
  first: number,
  count: number,
  testFile: string,
): { ran: number; slowestMs: number; delivered: number; multiResultBatches: number } {
  let slowest = 0
  let delivered = 0
  let multiResultBatches = 0
  const seeds = simSeeds(first, count)
  for (const seed of seeds) {
    const report = runWorld(seed)
    if (report.violations.length > 0)
      expect.fail(
        `${replayHint(seed, testFile)}\n${describeWorld(randomWorld(seed).options)}\n${report.violations.slice(0, 10).join('\n')}`,
      )
    slowest = Math.max(slowest, report.endedAt)
    delivered += report.delivered
    multiResultBatches += report.multiResultBatches
  }
  return { ran: seeds.length, slowestMs: slowest, delivered, multiResultBatches }
}

import { expect } from 'vitest'
import { describeSchedule, randomSchedule, runSchedule, type ScheduleShape } from '../../../sim/bft/schedule'
import { forEachSeed, replaySeed } from '../../../sim/seeds'

/**
 * Runs seeds [first, first + count) of random schedules (or SIM_SEED alone, with its trace
 * printed) and fails on the first one that breaks safety (any violation) or liveness (some
 * honest validator not deciding every height within the bound after GST); the failure names
 * the seed and how to replay it. Returns how many schedules ran and the longest time from GST
 * to the last decision.
 */
export function checkSchedules(
  first: number,
  count: number,
  testFile: string,
  shape: ScheduleShape = {},
): { ran: number; slowestAfterGstMs: number } {
  let slowest = 0
  const trace = replaySeed() === undefined ? undefined : (line: string) => console.log(line)
  const ran = forEachSeed(first, count, testFile, (seed) => {
    const options = randomSchedule(seed, shape)
    const report = runSchedule(options, trace)
    const context = describeSchedule(options)
    if (report.violations.length > 0) expect.fail(`${context}\nsafety violated:\n${report.violations.join('\n')}`)
    if (!report.live)
      expect.fail(`${context}\nliveness: ${report.decisions} honest decisions by ${report.endedAt} ms (GST ${options.gstMs} ms)`)
    slowest = Math.max(slowest, report.endedAt - options.gstMs)
  })
  return { ran, slowestAfterGstMs: slowest }
}

import { expect } from 'vitest'
import { describeSchedule, randomSchedule, runSchedule, type ScheduleShape } from '../../../sim/bft/schedule'
import { replayHint, simSeeds } from '../../../sim/seeds'

/**
 * Runs seeds [first, first + count) of random schedules and fails on the first one that breaks
 * safety (any violation) or liveness (some honest validator not deciding every height within
 * the bound after GST). Returns the longest time from GST to the last decision.
 */
export function checkSchedules(first: number, count: number, testFile: string, shape: ScheduleShape = {}): { ran: number; slowestAfterGstMs: number } {
  let slowest = 0
  const seeds = simSeeds(first, count)
  for (const seed of seeds) {
    const options = randomSchedule(seed, shape)
    const report = runSchedule(options, process.env.SIM_SEED ? (line) => console.log(line) : undefined)
    const context = `${replayHint(seed, testFile)}\n${describeSchedule(options)}`
    if (report.violations.length > 0) expect.fail(`${context}\nsafety violated:\n${report.violations.join('\n')}`)
    if (!report.live) expect.fail(`${context}\nliveness: ${report.decisions} honest decisions by ${report.endedAt} ms (GST ${options.gstMs} ms)`)
    slowest = Math.max(slowest, report.endedAt - options.gstMs)
  }
  return { ran: seeds.length, slowestAfterGstMs: slowest }
}

import { expect } from 'vitest'
import { describeSchedule, runSchedule } from '../../../sim/bft/schedule'
import { MEMBERSHIP_SCENARIOS, randomMembershipSchedule, type MembershipScenario } from '../../../sim/bft/membership'
import { replayHint, simSeeds } from '../../../sim/seeds'

/**
 * Runs seeds [first, first + count) of membership schedules; fails on the first that breaks
 * safety (the checker's observer follows the chain from the pinned set and verifies every
 * certificate) or liveness, or whose change was not decided within the run; counts the runs in
 * which the new set also decided heights.
 */
export function checkMembershipSchedules(
  first: number,
  count: number,
  testFile: string,
): { ran: number; byScenario: Record<MembershipScenario, number>; partitioned: number; effective: number } {
  const byScenario = Object.fromEntries(MEMBERSHIP_SCENARIOS.map((s) => [s, 0])) as Record<MembershipScenario, number>
  let partitioned = 0
  let effective = 0
  const seeds = simSeeds(first, count)
  for (const seed of seeds) {
    const options = randomMembershipSchedule(seed)
    const report = runSchedule(options, process.env.SIM_SEED ? (line) => console.log(line) : undefined)
    const context = `${replayHint(seed, testFile)}\n${describeSchedule(options)}`
    if (report.violations.length > 0) expect.fail(`${context}\nsafety violated:\n${report.violations.join('\n')}`)
    if (!report.live)
      expect.fail(`${context}\nliveness: ${report.decisions} honest decisions by ${report.endedAt} ms (GST ${options.gstMs} ms)`)
    // A change can be held up (its proposers crashed, Byzantine or the removed zombie): it must be decided, and mostly take effect, within the run.
    if (!report.setChange) expect.fail(`${context}\nthe set change was not decided within ${options.heights} heights`)
    if (report.setChange.from <= options.heights) effective++
    const scenario: MembershipScenario =
      options.zombie !== undefined
        ? 'zombie'
        : options.membership!.change.kind === 'add'
          ? 'add'
          : options.membership!.change.target === options.membership!.fromHeight % options.membership!.members
            ? 'remove-proposer'
            : 'remove'
    byScenario[scenario]++
    if (options.partitions.length > 0) partitioned++
  }
  return { ran: seeds.length, byScenario, partitioned, effective }
}

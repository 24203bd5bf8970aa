import { describe, expect, it } from 'vitest'
import { checkMembershipSchedules } from './membership-schedules'

// Validator-set changes decided by consensus: 2,000 random schedules in all (seeds 1001-2000 here, the
// others in the sibling file, so that the two run in parallel): a validator added, one removed, the
// proposer removed, a removed validator that keeps voting; up to f Byzantine validators, loss,
// partitions (often while the change is decided or takes effect) and crashes before GST.
describe('validator-set changes under random fault schedules (simulated signatures)', () => {
  it('keeps safety, follows the change everywhere and decides every height after GST, seeds 1001-2000', { timeout: 900_000 }, () => {
    const { ran, byScenario, partitioned, effective } = checkMembershipSchedules(
      1001,
      1000,
      'tests/unit/consensus/bft/membership-b.test.ts',
    )
    console.log(
      `${ran} schedules: ${JSON.stringify(byScenario)}, ${partitioned} with partitions, ${effective} with heights decided by the new set`,
    )
    if (process.env.SIM_SEED) return
    expect(ran).toBe(1000)
    for (const count of Object.values(byScenario)) expect(count).toBeGreaterThan(100)
    expect(partitioned).toBeGreaterThan(100)
    expect(effective).toBeGreaterThan(950)
  })
})

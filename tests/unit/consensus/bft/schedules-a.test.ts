import { describe, expect, it } from 'vitest'
import { expectedRuns } from '../../../sim/seeds'
import { checkSchedules } from './schedules'

// Bulk safety and liveness: 10,000 random schedules in all (seeds 1-5000 here, 5001-10000 in
// the sibling file, so that the two run in parallel), with the simulated signature scheme
// (keyed digests; real Ed25519 + BLS runs in real-crypto.test.ts). n = 4 or 7, 2-3 heights,
// up to f Byzantine validators, loss, duplication, delays, partitions and crashes before GST.
// 5,000 schedules take about two minutes on a shared 2-core machine: more than the default test timeout.
describe('BFT consensus under random fault schedules (simulated signatures)', () => {
  it('keeps safety and decides every height after GST, seeds 1-5000', () => {
    const { ran, slowestAfterGstMs } = checkSchedules(1, 5000, 'tests/unit/consensus/bft/schedules-a.test.ts')
    console.log(`${ran} schedules; slowest decision after GST: ${Math.round(slowestAfterGstMs)} ms (bound 30000)`)
    expect(ran).toBe(expectedRuns(5000))
  }, 600_000)
})

import { describe, expect, it } from 'vitest'
import { expectedRuns } from '../../../sim/seeds'
import { checkSchedules } from './schedules'

// End to end with the production signatures: Ed25519 on every message, BLS12-381 precommits
// folded into commit certificates, every message through the protobuf codec. Real BLS costs
// tens of ms per operation, so this runs 12 schedules (n = 4, 2 heights, with Byzantine
// validators, loss, partitions and crashes drawn as in the bulk runs), against the 10,000
// bulk schedules that use simulated signatures.
describe('BFT consensus with Ed25519 + BLS12-381 signatures', () => {
  it('keeps safety and liveness over 12 random schedules, certificates verifying with real BLS', () => {
    const { ran } = checkSchedules(1, 12, 'tests/unit/consensus/bft/real-crypto.test.ts', { scheme: 'real', wire: true, validators: [4], heights: [2] })
    expect(ran).toBe(expectedRuns(12))
  })
})

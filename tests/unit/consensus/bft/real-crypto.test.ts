import { describe, expect, it } from 'vitest'
import { expectedRuns } from '../../../sim/seeds'
import { checkSchedules } from './schedules'
import { loadWasmBls } from '../../../../workers/consensus/certificate'
import { useRealBls } from '../../../sim/bft/world'
import { randomSchedule, runSchedule } from '../../../sim/bft/schedule'

// End to end with the production signatures: Ed25519 on every message, BLS12-381 precommits
// folded into commit certificates (through the WebAssembly backend validators use), every
// message through the protobuf codec. Real signatures cost milliseconds, so this runs 16
// schedules (n = 4, 2 heights, with Byzantine validators, loss, partitions and crashes drawn
// as in the bulk runs), against the 10,000 bulk schedules that use simulated signatures; the
// safety checker verifies every certificate.
describe('BFT consensus with Ed25519 + BLS12-381 signatures', () => {
  it('keeps safety and liveness over 16 random schedules, certificates verifying with real BLS', async () => {
    useRealBls(await loadWasmBls())
    const { ran } = checkSchedules(1, 16, 'tests/unit/consensus/bft/real-crypto.test.ts', {
      scheme: 'real',
      wire: true,
      validators: [4],
      heights: [2],
    })
    expect(ran).toBe(expectedRuns(16))
  })

  it('a validator whose BLS shares are bad (signed with its identity key) spoils no certificate and stops no height', async () => {
    useRealBls(await loadWasmBls())
    for (const index of [0, 1, 2, 3]) {
      const options = {
        ...randomSchedule(1, { scheme: 'real', wire: true, validators: [4], heights: [3] }),
        byzantine: [{ index, behaviour: 'bad-share' as const }],
        partitions: [],
        crashes: [],
      }
      const report = runSchedule(options)
      expect(report.violations, `bad shares from validator ${index}`).toEqual([])
      expect(report.live, `bad shares from validator ${index}`).toBe(true)
    }
  })
})

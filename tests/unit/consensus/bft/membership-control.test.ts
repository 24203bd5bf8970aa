import { describe, expect, it } from 'vitest'
import { runSchedule } from '../../../sim/bft/schedule'
import { MEMBERSHIP_SCENARIOS, randomMembershipSchedule } from '../../../sim/bft/membership'
import { simSeeds } from '../../../sim/seeds'
import { createRng as seededRandom } from '../../../../workers/common/random'
import { createSimSignatures } from '../../../sim/bft/sim-scheme'
import { createValidatorSet, ValidatorChain } from '../../../../workers/consensus/certificate'

// Negative control: an observer that keeps checking certificates against the set it pinned,
// instead of following the committed changes, must reject the certificates made after a
// change takes effect; the same runs pass when it follows the chain (membership-a/b).
describe('negative control: certificates checked without following set changes', () => {
  for (const scenario of MEMBERSHIP_SCENARIOS) {
    it(`${scenario}: the pinned set alone rejects certificates after the change, on every seed`, () => {
      for (const seed of simSeeds(1, 10)) {
        const report = runSchedule({ ...randomMembershipSchedule(seed, scenario), checkerIgnoresChanges: true })
        expect(
          report.violations.some((v) => v.includes('names another validator set')),
          `seed ${seed}: the pinned set accepted every certificate`,
        ).toBe(true)
      }
    })
  }
})

describe('validator chain', () => {
  const sim = createSimSignatures()
  const random = seededRandom(5)
  const signers = Array.from({ length: 6 }, () => sim.createSigner(random))
  const entries = signers.map((s, i) => ({
    id: `v${i}`,
    identityKey: s.identityKey,
    voteKey: s.voteKey,
    possession: s.proofOfPossession(),
  }))
  const pinned = createValidatorSet(entries.slice(0, 4), sim.scheme)
  if (!pinned.ok) throw new Error(pinned.reason)

  it('applies a change 2 heights after its decision, one at a time, and refuses changes that are no change', () => {
    const chain = new ValidatorChain(pinned.set, sim.scheme)
    expect(chain.setAt(1)).toBe(pinned.set)
    expect(chain.setAt(3)).toBeNull() // not determined until height 1 is recorded
    expect(chain.changeProblem({ kind: 'add', validator: entries[0] })).toMatch(/already/)
    expect(chain.changeProblem({ kind: 'remove', id: 'v5' })).toMatch(/not a validator/)
    expect(chain.changeProblem({ kind: 'add', validator: { ...entries[4], possession: entries[5].possession } })).toMatch(/possession/)
    expect(chain.record(1, { kind: 'add', validator: entries[4] })).toBeNull()
    expect(chain.setAt(2)).toBe(pinned.set)
    expect(chain.setAt(3)?.validators.map((v) => v.id)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4'])
    // Height 2 may not carry another change: the first is pending until height 3.
    expect(chain.changeProblem({ kind: 'remove', id: 'v0' })).toMatch(/one change at a time/)
    expect(chain.record(2, { kind: 'remove', id: 'v0' })).toMatch(/one change at a time/)
    expect(chain.record(2, null)).toBeNull()
    expect(chain.record(3, { kind: 'remove', id: 'v0' })).toBeNull()
    expect(chain.setAt(4)?.validators).toHaveLength(5)
    expect(chain.setAt(5)?.validators.map((v) => v.id)).toEqual(['v1', 'v2', 'v3', 'v4'])
    expect(chain.record(5, null)).toMatch(/in order/)
    expect(chain.lastChange()).toMatchObject({ decidedAt: 3, from: 5 })
  })
})

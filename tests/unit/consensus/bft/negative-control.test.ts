import { describe, expect, it } from 'vitest'
import { runCollusion } from '../../../sim/bft/collusion'
import { expectedRuns, forEachSeed } from '../../../sim/seeds'

const FILE = 'tests/unit/consensus/bft/negative-control.test.ts'

// The safety checker must be able to fail: with f+1 colluders (one more than tolerated) and the
// honest validators partitioned, each side decides a different value. The same attack by f
// colluders must not break safety.
describe('negative control: collusion beyond f', () => {
  for (const validators of [4, 7]) {
    it(`n=${validators}: f+1 colluders make the checker report disagreement on every seed`, () => {
      const ran = forEachSeed(1, 10, FILE, (seed) => {
        const report = runCollusion(seed, validators)
        expect(
          report.violations.some((v) => v.startsWith('agreement:')),
          'collusion did not break agreement',
        ).toBe(true)
      })
      expect(ran).toBe(expectedRuns(10))
    })

    it(`n=${validators}: the same attack by f colluders keeps safety`, () => {
      const ran = forEachSeed(1, 10, FILE, (seed) => {
        const report = runCollusion(seed, validators, Math.floor((validators - 1) / 3))
        expect(report.violations).toEqual([])
        expect(report.decisions, 'no decisions at all').toBeGreaterThan(0)
      })
      expect(ran).toBe(expectedRuns(10))
    })
  }
})

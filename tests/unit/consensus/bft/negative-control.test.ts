import { describe, expect, it } from 'vitest'
import { runCollusion } from '../../../sim/bft/collusion'
import { simSeeds } from '../../../sim/seeds'

// The safety checker must be able to fail: with f+1 colluders (one more than tolerated) and the
// honest validators partitioned, each side decides a different value. The same attack by f
// colluders must not break safety.
describe('negative control: collusion beyond f', () => {
  for (const validators of [4, 7]) {
    it(`n=${validators}: f+1 colluders make the checker report disagreement on every seed`, () => {
      for (const seed of simSeeds(1, 10)) {
        const report = runCollusion(seed, validators)
        expect(report.violations.some((v) => v.startsWith('agreement:')), `seed ${seed}: collusion did not break agreement`).toBe(true)
      }
    })

    it(`n=${validators}: the same attack by f colluders keeps safety`, () => {
      for (const seed of simSeeds(1, 10)) {
        const report = runCollusion(seed, validators, Math.floor((validators - 1) / 3))
        expect(report.violations, `seed ${seed}`).toEqual([])
        expect(report.decisions, `seed ${seed}: no decisions at all`).toBeGreaterThan(0)
      }
    })
  }
})

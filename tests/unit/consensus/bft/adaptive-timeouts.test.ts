import { describe, expect, it } from 'vitest'
import { createRng as seededRandom } from '../../../../workers/common/random'
import { Simulation } from '../../../sim/simulator'
import { BftWorld, SIM_TIMEOUTS, type Packet } from '../../../sim/bft/world'
import type { BftTimeouts } from '../../../../workers/consensus/bft'

/**
 * A loaded machine, simulated: the application takes 260-330 ms to judge each proposal, around
 * to the 300 ms propose timeout. Fixed timeouts keep firing first (a round change at most
 * heights); adaptive ones learn the extra wait after a few heights and then decide in round 0,
 * and give it back once judging is quick again.
 */
function run(seed: number, timeouts: BftTimeouts) {
  const world = new BftWorld({
    validators: 4,
    scheme: 'sim',
    wire: false,
    random: seededRandom(seed),
    timeouts,
    validityDelayMs: [260, 330],
  })
  const sim = new Simulation<Packet>(seed, { delayMs: [1, 30], dropRate: 0, duplicateRate: 0 })
  world.ids.forEach((id, i) => sim.add(id, world.honestFactory(i)))
  const decidedHeights = () => Math.min(...[0, 1, 2, 3].map((i) => world.checker.decidedUpTo.get(i) ?? 0))
  const roundsAboveZero = (from: number, to: number) => {
    let late = 0
    for (let h = from; h <= to; h++) if ((world.roundOf.get(h) ?? 0) > 0) late++
    return late
  }
  const runUntil = (height: number) => sim.run(sim.now + 600_000, () => decidedHeights() >= height)
  return { world, sim, decidedHeights, roundsAboveZero, runUntil }
}

describe('adaptive timeouts', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: slow validity makes fixed timeouts change rounds at most heights, adaptive ones only at the first few, and the extra wait shrinks back when it is quick again`, () => {
      const fixed = run(seed, { ...SIM_TIMEOUTS, maxAdaptMs: 0 })
      fixed.runUntil(20)
      expect(fixed.world.checker.violations).toEqual([])
      expect(fixed.roundsAboveZero(1, 20)).toBeGreaterThanOrEqual(10)

      const adaptive = run(seed, SIM_TIMEOUTS)
      adaptive.runUntil(20)
      expect(adaptive.world.checker.violations).toEqual([])
      expect(adaptive.roundsAboveZero(1, 20)).toBeLessThanOrEqual(4)
      expect(adaptive.roundsAboveZero(11, 20)).toBe(0)
      const learnt = Math.max(...[...adaptive.world.cores.values()].map((c) => c.status().timeoutAdaptMs))
      expect(learnt).toBeGreaterThan(0)

      adaptive.world.validityDelayMs = [0, 5]
      adaptive.runUntil(40)
      expect(adaptive.world.checker.violations).toEqual([])
      expect(adaptive.roundsAboveZero(21, 40)).toBe(0)
      const after = Math.max(...[...adaptive.world.cores.values()].map((c) => c.status().timeoutAdaptMs))
      expect(after).toBeLessThan(learnt / 4)
    })
  }
})

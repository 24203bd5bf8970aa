import { describe, expect, it } from 'vitest'
import { createRng } from '../../../../workers/common/random'
import { DEFAULT_BFT_TIMEOUTS, type BftMessage } from '../../../../workers/consensus/bft'
import { Simulation } from '../../../sim/simulator'
import { BftWorld, type Packet } from '../../../sim/bft/world'

/**
 * What a fault-free height costs on the wire: one proposal and two votes per validator, each to
 * the n - 1 others. Links of 1-30 ms make some validators decide while others' precommits are
 * still on the way; those late votes come from validators deciding the height too, so they are
 * not answered with commits, and a height decided well within the rebroadcast interval is not
 * re-sent. (At n = 7 on one machine, those commits once outnumbered the votes.)
 */
function run(seed: number, validators: number, heights: number) {
  const world = new BftWorld({
    validators,
    scheme: 'sim',
    wire: false,
    random: createRng(seed),
    timeouts: DEFAULT_BFT_TIMEOUTS,
    validityDelayMs: [0, 20],
  })
  const sim = new Simulation<Packet>(seed, { delayMs: [1, 30], dropRate: 0, duplicateRate: 0 })
  const delivered = { proposal: 0, vote: 0, commit: 0 }
  world.ids.forEach((id, i) =>
    sim.add(id, (ctx) => {
      const inner = world.honestFactory(i)(ctx)
      return {
        receive: (from, packet) => {
          delivered[(packet as BftMessage).kind]++
          inner.receive(from, packet)
        },
        wake: () => inner.wake(),
      }
    }),
  )
  const decidedByAll = () => Math.min(...world.ids.map((_, i) => world.checker.decidedUpTo.get(i) ?? 0))
  sim.run(600_000, () => decidedByAll() >= heights)
  return { world, delivered, decidedByAll }
}

describe('BFT messages per fault-free height', () => {
  for (const [seed, n] of [
    [1, 4],
    [2, 7],
    [3, 10],
  ]) {
    it(`seed ${seed}, n = ${n}: one proposal and 2n votes per height, each delivered to the n - 1 others; no commits`, () => {
      const heights = 20
      const { world, delivered, decidedByAll } = run(seed, n, heights)
      expect(world.checker.violations).toEqual([])
      expect(decidedByAll()).toBeGreaterThanOrEqual(heights)
      expect([...world.roundOf.values()].every((round) => round === 0)).toBe(true)
      // The run stops once the last validator decides `heights`: the next height may have begun.
      const decided = Math.max(...world.ids.map((_, i) => world.checker.decidedUpTo.get(i) ?? 0))
      expect(delivered.commit).toBe(0)
      expect(delivered.vote).toBeGreaterThanOrEqual(heights * 2 * n * (n - 1) - 2 * n * (n - 1))
      expect(delivered.vote).toBeLessThanOrEqual((decided + 1) * 2 * n * (n - 1))
      expect(delivered.proposal).toBeLessThanOrEqual((decided + 1) * (n - 1))
    })
  }
})

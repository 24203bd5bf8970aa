/**
 * The federated round's production core (workers/fl/round) with the production BFT core, in
 * the deterministic simulator: Byzantine trainers, a wrong aggregator, a garbage-voting
 * validator, a trainer that never answers, a round without quorum, lost messages.
 */
import { describe, expect, it } from 'vitest'
import type { RuleConfig } from '../../../workers/fl/aggregation/aggregate'
import { float32LE } from '../../../workers/fl/update/delta'
import { hashOf, type RoundParams } from '../../../workers/fl/round'
import { createRng as seededRandom } from '../../../workers/common/random'
import { replayHint, simSeeds } from '../../sim/seeds'
import { Simulation, type NetworkConditions } from '../../sim/simulator'
import {
  FlWorld,
  type AggregatorBehaviour,
  type FlPacket,
  type FlWorldOptions,
  type TrainerBehaviour,
  type ValidatorBehaviour,
} from '../../sim/fl/world'

const FILE = 'tests/unit/fl/round-sim.test.ts'
const PARAMS: RoundParams = { taskId: 'task-1', rounds: 3, quorum: 4, collectMs: 2000, validateMs: 3000 }
const TRIMMED: RuleConfig = { rule: 'trimmed-mean', trim: 1 }
const CALM: NetworkConditions = { delayMs: [5, 50], dropRate: 0, duplicateRate: 0 }

interface Setup {
  readonly seed: number
  readonly trainers?: readonly TrainerBehaviour[]
  readonly aggregators?: readonly AggregatorBehaviour[]
  readonly validators?: readonly ValidatorBehaviour[]
  readonly rule?: RuleConfig
  readonly params?: Partial<RoundParams>
  readonly conditions?: NetworkConditions
  readonly world?: Partial<Pick<FlWorldOptions, 'updateNoise' | 'lossThreshold' | 'freshUpdateAfterProposal'>>
}

function build(setup: Setup) {
  const random = seededRandom(setup.seed)
  const options: FlWorldOptions = {
    random: random.fork(),
    params: { ...PARAMS, ...setup.params },
    rule: setup.rule ?? TRIMMED,
    trainers: setup.trainers ?? ['honest', 'honest', 'honest', 'honest', 'honest', 'sign-flip'],
    aggregators: setup.aggregators ?? ['honest', 'honest'],
    validators: setup.validators ?? ['honest', 'honest', 'honest', 'honest'],
    ...setup.world,
  }
  const world = new FlWorld(options)
  const sim = new Simulation<FlPacket>(setup.seed, setup.conditions ?? CALM)
  world.trainerIds.forEach((id, i) => sim.add(id, world.trainerFactory(i)))
  world.aggregatorIds.forEach((id, i) => sim.add(id, world.aggregatorFactory(i)))
  world.bft.ids.forEach((id, i) => sim.add(id, world.validatorFactory(i)))
  const everyone = [...world.trainerIds, ...world.aggregatorIds, ...world.bft.ids]
  const honestNodes = everyone.filter((id) => {
    const v = world.bft.ids.indexOf(id)
    return v < 0 || options.validators[v] === 'honest'
  })
  const allAdopted =
    (rounds: number, nodes = honestNodes) =>
    () =>
      nodes.every((id) => (world.adoptions.get(id)?.length ?? 0) >= rounds)
  return { world, sim, options, everyone, honestNodes, allAdopted }
}

/** The model an honest aggregator would propose from the committed inputs, for every committed round. */
function expectHonestCandidates(world: FlWorld, node: string): void {
  const adoptions = world.adoptions.get(node) ?? []
  let base = world.initialModel
  for (const a of adoptions) {
    const proof = world.verdicts.find((v) => v.descriptor.candidate === a.candidate && v.valid)
    expect(proof, `round ${a.round} was committed without a valid verdict`).toBeDefined()
    const recomputed = world.reexecute(base, proof!.descriptor.inputs)
    expect(recomputed).not.toBeNull()
    expect(hashOf(float32LE(recomputed!))).toBe(a.candidate)
    base = a.candidate
  }
}

describe('federated round over BFT, in the simulator', () => {
  it('commits every round with one model everywhere, a sign-flipping trainer held by the robust rule', () => {
    for (const seed of simSeeds(1, 5)) {
      const { world, sim, honestNodes, allAdopted } = build({ seed })
      sim.run(120_000, allAdopted(3))
      const hint = replayHint(seed, FILE)
      for (const id of honestNodes) {
        const adopted = world.adoptions.get(id) ?? []
        expect(
          adopted.map((a) => a.round),
          `${id}: ${hint}`,
        ).toEqual([1, 2, 3])
        expect(
          adopted.map((a) => a.candidate),
          `${id}: ${hint}`,
        ).toEqual(world.adoptions.get(world.bft.ids[0])!.map((a) => a.candidate))
      }
      const losses = [world.initialModel, ...world.adoptions.get(world.trainerIds[0])!.map((a) => a.candidate)].map((m) => world.loss(m))
      for (let i = 1; i < losses.length; i++) expect(losses[i], hint).toBeLessThan(losses[i - 1])
      expectHonestCandidates(world, world.trainerIds[0])
      // Trainers and aggregators adopted only after checking the certificate themselves.
      for (const id of [...world.trainerIds, ...world.aggregatorIds])
        expect(world.certificateChecks.filter((c) => c.node === id && c.ok).length, `${id}: ${hint}`).toBeGreaterThanOrEqual(3)
      expect(
        world.certificateChecks.every((c) => c.ok),
        hint,
      ).toBe(true)
      expect(sim.isUp(world.trainerIds[0])).toBe(true)
      expect(world.nodes.get(world.trainerIds[0])!.status().phase).toBe('done')
    }
  })

  for (const wrong of ['wrong-rule', 'drop-inputs', 'scale'] as const) {
    it(`an aggregator that proposes a wrong model (${wrong}) gets no certificate; the next aggregator completes the round`, () => {
      for (const seed of simSeeds(10, 3)) {
        const { world, sim, allAdopted } = build({ seed, aggregators: [wrong, 'honest'] })
        sim.run(200_000, allAdopted(3))
        const hint = replayHint(seed, FILE)
        const adopted = world.adoptions.get(world.trainerIds[0]) ?? []
        expect(
          adopted.map((a) => a.round),
          hint,
        ).toEqual([1, 2, 3])
        // a0 leads attempt 0 of round 2 (rotation (round + attempt) mod 2 over [a0, a1]): that round needed a second attempt.
        expect(
          adopted.every((a) => a.aggregator === 'a1'),
          hint,
        ).toBe(true)
        expect(adopted.find((a) => a.round === 2)!.attempt, hint).toBeGreaterThanOrEqual(1)
        expect(
          world.verdicts.some((v) => v.descriptor.aggregator === 'a0' && !v.valid),
          hint,
        ).toBe(true)
        expect(
          world.verdicts.some((v) => v.descriptor.aggregator === 'a0' && v.valid),
          hint,
        ).toBe(false)
        expectHonestCandidates(world, world.trainerIds[0])
      }
    })
  }

  it('a validator that proposes garbage and votes for anything cannot make garbage commit', () => {
    for (const seed of simSeeds(20, 4)) {
      const { world, sim, allAdopted } = build({ seed, validators: ['honest', 'honest', 'garbage', 'honest'] })
      sim.run(200_000, allAdopted(3))
      const hint = replayHint(seed, FILE)
      const adopted = world.adoptions.get(world.trainerIds[0]) ?? []
      expect(
        adopted.map((a) => a.round),
        hint,
      ).toEqual([1, 2, 3])
      expectHonestCandidates(world, world.trainerIds[0])
    }
  })

  it('two garbage validators of four (beyond f = 1) stop progress rather than commit garbage', () => {
    const { world, sim } = build({ seed: 30, validators: ['honest', 'garbage', 'garbage', 'honest'] })
    sim.run(60_000)
    for (const [, adopted] of world.adoptions)
      for (const a of adopted) expect(world.verdicts.some((v) => v.descriptor.candidate === a.candidate && v.valid)).toBe(true)
  })

  it('a trainer that never submits delays its round by at most the collect deadline', () => {
    for (const seed of simSeeds(40, 3)) {
      const { world, sim, allAdopted } = build({ seed, trainers: ['honest', 'honest', 'honest', 'honest', 'gone', 'sign-flip'] })
      sim.run(120_000, allAdopted(3, [world.trainerIds[0], ...world.bft.ids]))
      const hint = replayHint(seed, FILE)
      const adopted = world.adoptions.get(world.trainerIds[0]) ?? []
      expect(
        adopted.map((a) => a.round),
        hint,
      ).toEqual([1, 2, 3])
      // Each round waited out its collect deadline once (the gone trainer) and then went through in the same attempt.
      expect(
        adopted.every((a) => a.attempt === 0),
        hint,
      ).toBe(true)
      const descriptors = world.verdicts.filter((v) => v.valid).map((v) => v.descriptor)
      expect(
        descriptors.every((d) => !d.inputs.some((i) => i.trainer === world.trainerIds[4])),
        hint,
      ).toBe(true)
      expect(sim.now, hint).toBeLessThan(3 * (PARAMS.collectMs + PARAMS.validateMs))
    }
  })

  it('a round without quorum is retried through the aggregators and never committed, until trainers return', () => {
    const { world, sim, allAdopted } = build({ seed: 50, params: { quorum: 4 } })
    // Three of six trainers are away: only three can submit, one short of quorum.
    for (const id of world.trainerIds.slice(3)) sim.crash(id)
    sim.run(30_000)
    expect(world.adoptions.size).toBe(0)
    expect(world.verdicts).toEqual([])
    const status = world.nodes.get(world.trainerIds[0])!.status()
    expect(status.round).toBe(1)
    expect(status.attempt).toBeGreaterThanOrEqual(3)
    for (const id of world.trainerIds.slice(3)) sim.restart(id)
    sim.run(200_000, allAdopted(3, [world.trainerIds[0], ...world.bft.ids]))
    expect((world.adoptions.get(world.trainerIds[0]) ?? []).map((a) => a.round)).toEqual([1, 2, 3])
  })

  it('FedAvg under a Gaussian attacker makes candidates that fail validation; trimmed mean commits', () => {
    const trainers: TrainerBehaviour[] = ['honest', 'honest', 'honest', 'honest', 'honest', 'gaussian']
    const fedavg = build({ seed: 60, trainers, rule: { rule: 'fedavg' } })
    fedavg.sim.run(30_000)
    expect(fedavg.world.adoptions.size).toBe(0)
    expect(fedavg.world.verdicts.length).toBeGreaterThan(0)
    expect(fedavg.world.verdicts.every((v) => !v.valid)).toBe(true)
    const trimmed = build({ seed: 60, trainers })
    trimmed.sim.run(120_000, trimmed.allAdopted(3))
    expect((trimmed.world.adoptions.get(trimmed.world.trainerIds[0]) ?? []).length).toBe(3)
  })

  describe('an honest candidate the validators refuse (noise, not an attack)', () => {
    // Noisy honest updates near the target: a round's mean sometimes ends farther from it than
    // the committed model, and the validators refuse it, as they refuse a candidate that loses
    // accuracy on their held-out digits.
    const noisy = (seed: number, freshUpdateAfterProposal: boolean) =>
      build({
        seed,
        trainers: ['honest', 'honest', 'honest', 'honest', 'honest', 'honest'],
        params: { rounds: 6 },
        world: { updateNoise: 0.5, lossThreshold: 0, freshUpdateAfterProposal },
      })

    it('is retried with fresh updates, so the round commits', () => {
      for (const seed of simSeeds(90, 3)) {
        const { world, sim, allAdopted } = noisy(seed, true)
        sim.run(600_000, allAdopted(6))
        const node = world.trainerIds[0]
        expect(world.adoptions.get(node)?.length ?? 0, replayHint(seed, FILE)).toBe(6)
        expect(
          world.verdicts.some((v) => !v.valid),
          replayHint(seed, FILE),
        ).toBe(true)
        expectHonestCandidates(world, node)
      }
    })

    it('negative control: resending the same updates proposes the refused candidate again and the round never commits', () => {
      for (const seed of simSeeds(90, 3)) {
        const { world, sim, allAdopted } = noisy(seed, false)
        sim.run(600_000, allAdopted(6))
        const node = world.trainerIds[0]
        expect(world.adoptions.get(node)?.length ?? 0, replayHint(seed, FILE)).toBeLessThan(6)
        const stuck = (world.adoptions.get(node)?.length ?? 0) + 1
        const refused = world.verdicts.filter((v) => !v.valid && v.descriptor.round === stuck)
        expect(new Set(refused.map((v) => v.descriptor.attempt)).size, replayHint(seed, FILE)).toBeGreaterThan(1)
        expect(new Set(refused.map((v) => v.descriptor.candidate)).size, replayHint(seed, FILE)).toBe(1)
      }
    })
  })

  it('completes despite lost, duplicated and reordered messages', () => {
    for (const seed of simSeeds(70, 3)) {
      const { world, sim, honestNodes, allAdopted } = build({ seed, conditions: { delayMs: [5, 200], dropRate: 0.1, duplicateRate: 0.05 } })
      sim.run(400_000, allAdopted(3))
      const hint = replayHint(seed, FILE)
      for (const id of honestNodes)
        expect(
          (world.adoptions.get(id) ?? []).map((a) => a.round),
          `${id}: ${hint}`,
        ).toEqual([1, 2, 3])
      expectHonestCandidates(world, world.trainerIds[0])
    }
  })
})

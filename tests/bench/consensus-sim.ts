/**
 * BFT finality in the deterministic simulator at a scale no test machine can run for real:
 * n validators (100 by default) on links of a fixed one-way latency (50 ms by default), the
 * real consensus core on every node, the simulated signature scheme (keyed digests: Ed25519
 * and BLS would cost 1-20 ms per operation and turn a few seconds into hours), no faults.
 * Latency is virtual time, so the figures do not depend on this machine's speed; it includes
 * the proposer's application taking 0-20 ms to hand over its value.
 *
 * Called by the consensus benchmark next to its real-libp2p figures.
 */
import { createRng } from '../../workers/common/random'
import { Simulation } from '../sim/simulator'
import { BftWorld, type Packet } from '../sim/bft/world'
import { DEFAULT_BFT_TIMEOUTS } from '../../workers/consensus/bft'
import { percentile, round } from './stats'

export interface ConsensusSimOptions {
  readonly validators?: number
  readonly linkMs?: number
  /** Each delivery's delay is linkMs plus up to this much, uniformly. */
  readonly jitterMs?: number
  readonly heights?: number
  readonly seed?: number
}

export interface ConsensusSimResult {
  readonly validators: number
  readonly linkMs: number
  readonly heights: number
  /** From the moment a height could start (the previous decision, first one seen) to each validator's decision, virtual ms. */
  readonly finalityP50Ms: number
  readonly finalityP99Ms: number
  /** Messages delivered network-wide per decided height. */
  readonly messagesPerDecision: number
  readonly signatureScheme: string
  /** Wall time the simulation took on this machine. */
  readonly wallMs: number
}

export function runConsensusSimulation(options: ConsensusSimOptions = {}): ConsensusSimResult {
  const validators = options.validators ?? 100
  const linkMs = options.linkMs ?? 50
  const jitterMs = options.jitterMs ?? 0
  const heights = options.heights ?? 10
  const seed = options.seed ?? 1
  const started = performance.now()
  const world = new BftWorld({
    validators,
    scheme: 'sim',
    wire: false,
    random: createRng(seed),
    timeouts: DEFAULT_BFT_TIMEOUTS,
    validityDelayMs: [0, 0],
  })
  const sim = new Simulation<Packet>(seed, { delayMs: [linkMs, linkMs + jitterMs], dropRate: 0, duplicateRate: 0 })
  world.ids.forEach((id, i) => sim.add(id, world.honestFactory(i)))
  const target = validators * heights
  sim.run(heights * 60_000, () => world.checker.decisionCount >= target)
  if (world.checker.decisionCount < target) throw new Error(`only ${world.checker.decisionCount} of ${target} decisions`)
  if (!world.checker.safe) throw new Error(world.checker.violations.join('\n'))
  const firstDecision = new Map<number, number>()
  for (const d of world.decisionTimes) if (!firstDecision.has(d.height)) firstDecision.set(d.height, d.at)
  const latencies = world.decisionTimes.map((d) => d.at - (d.height === 1 ? 0 : firstDecision.get(d.height - 1)!))
  return {
    validators,
    linkMs,
    heights,
    finalityP50Ms: round(percentile(latencies, 50), 1),
    finalityP99Ms: round(percentile(latencies, 99), 1),
    messagesPerDecision: Math.round(sim.stats.delivered / heights),
    signatureScheme: world.scheme.name,
    wallMs: Math.round(performance.now() - started),
  }
}

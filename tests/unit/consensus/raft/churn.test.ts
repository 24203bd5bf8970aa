import { describe, expect, it } from 'vitest'
import { createRng } from '../../../../workers/common/random'
import { expectedRuns, forEachSeed, replaySeed } from '../../../sim/seeds'
import { Cluster } from './cluster'

const POOL = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6']
const FOUNDERS = POOL.slice(0, 5)
const FILE = 'tests/unit/consensus/raft/churn.test.ts'
/** Seeds 1..SEEDS; RAFT_CHURN_SEEDS=<n> runs a longer (or shorter) sweep, SIM_SEED=<n> one seed. */
const SEEDS = Number(process.env.RAFT_CHURN_SEEDS ?? 200)
const RUN_MS = 15_000
const STEP_MS = 50

interface ChurnOutcome {
  readonly applied: number
  readonly leaders: number
  readonly faults: number
  readonly memberships: number
  readonly snapshots: number
}

/**
 * One seeded run on an unreliable network: message loss, random delays (hence reordering),
 * partitions, crashes and restarts, snapshots and membership changes, with the cluster
 * checking election safety, leader completeness and state machine safety at every step and
 * log matching every second. Ends by healing everything and requiring progress.
 */
function churn(seed: number): ChurnOutcome {
  const rng = createRng(seed ^ 0x5eed)
  const chance = () => rng.next()
  const pick = <T>(items: readonly T[]): T => rng.pick(items)
  // Timing varies per run; tight election timeouts against long delays give split votes and frequent leader changes.
  const electionTimeoutMinMs = 100 + Math.floor(chance() * 200)
  const cluster = new Cluster({
    ids: FOUNDERS,
    joiners: ['n6'],
    seed,
    dropRate: chance() * 0.2,
    delayMs: [1, 10 + Math.floor(chance() * 150)],
    heartbeatIntervalMs: 30,
    electionTimeoutMinMs,
    electionTimeoutMaxMs: electionTimeoutMinMs * 2,
    // Small batches let old-term entries reach a majority before a new leader's own entry does (Figure 8).
    maxEntriesPerAppend: 1 + Math.floor(chance() * 4),
  })
  cluster.bounceRate = chance() * 0.01
  cluster.straggleRate = chance() * 0.05
  cluster.duplicateRate = chance() * 0.05
  let proposals = 0
  let faults = 0
  let memberships = 0
  let snapshots = 0
  for (let t = 0; t < RUN_MS; t += STEP_MS) {
    cluster.run(STEP_MS)
    const roll = chance()
    const down = POOL.filter((id) => cluster.member(id).node === null)
    const up = POOL.filter((id) => cluster.member(id).node !== null)
    if (roll < 0.05 && down.length < 3) {
      cluster.crash(pick(up))
      faults++
    } else if (roll < 0.1 && down.length > 0) {
      cluster.restart(pick(down))
    } else if (roll < 0.12) {
      // A quick process restart: only what was persisted survives (votes in particular).
      const id = pick(up)
      cluster.crash(id)
      cluster.restart(id)
      faults++
    } else if (roll < 0.15) {
      const shuffled = rng.shuffle(POOL)
      const cut = 1 + Math.floor(chance() * (POOL.length - 1))
      cluster.partition(shuffled.slice(0, cut), shuffled.slice(cut))
      faults++
    } else if (roll < 0.22) {
      cluster.heal()
    } else if (roll < 0.25) {
      const leader = cluster.leader()
      if (leader) {
        const voters = cluster.status(leader).voters
        const outsiders = POOL.filter((id) => !voters.includes(id))
        const change = voters.length > 3 && (outsiders.length === 0 || chance() < 0.5) ? { remove: pick(voters) } : { add: pick(outsiders) }
        if (cluster.step(leader, { type: 'changeMembership', change }).ok) memberships++
      }
    } else if (roll < 0.3) {
      const id = pick(up)
      const member = cluster.member(id)
      // The application snapshots once it has applied enough since the last one; the core must accept it.
      if (member.lastApplied - cluster.status(id).snapshotIndex > 10) {
        expect(cluster.snapshot(id).ok).toBe(true)
        snapshots++
      }
    }
    // Proposals go to whoever the application believes leads; a refusal is normal.
    const target = chance() < 0.8 ? cluster.leader() : pick(up)
    if (target && cluster.member(target).node) {
      const count = Math.floor(chance() * 4)
      for (let i = 0; i < count; i++) cluster.propose(target, `s${seed}-p${proposals++}`)
    }
    if (t % 1_000 === 0) cluster.checkLogMatching()
  }

  // Recovery: a healthy network must produce a leader that commits, everywhere it should.
  cluster.heal()
  cluster.dropRate = 0
  cluster.bounceRate = 0
  cluster.straggleRate = 0
  cluster.duplicateRate = 0
  for (const id of POOL) cluster.restart(id)
  expect(cluster.runUntil(() => cluster.leader() !== null, 10_000)).toBe(true)
  let final: { index: number; term: number } | undefined
  expect(
    cluster.runUntil(() => {
      const leader = cluster.leader()
      if (!leader) return false
      if (!final || cluster.status(leader).term !== final.term) final = cluster.propose(leader, `s${seed}-final`).proposed
      const voters = cluster.status(leader).voters
      return final !== undefined && voters.every((id) => cluster.member(id).applied.has(final!.index))
    }, 10_000),
  ).toBe(true)
  cluster.checkLogMatching()
  expect(cluster.refusals).toEqual([])
  return { applied: cluster.committed.size, leaders: cluster.leadersByTerm.size, faults, memberships, snapshots }
}

describe('raft: churn on an unreliable network', () => {
  it(`keeps every safety property over ${SEEDS} seeded runs and recovers in each`, () => {
    const outcomes: ChurnOutcome[] = []
    const ran = forEachSeed(1, SEEDS, FILE, (seed) => {
      outcomes.push(churn(seed))
    })
    expect(ran).toBe(expectedRuns(SEEDS))
    const total = (key: keyof ChurnOutcome) => outcomes.reduce((sum, o) => sum + o[key], 0)
    // The sweep must actually exercise the protocol, not idle. One replayed seed need not reach
    // the sweep's totals (single runs commit as few as ~25 entries, some change no membership),
    // but every run ends with a leader that committed.
    const floor =
      replaySeed() === undefined
        ? { applied: ran * 100, leaders: ran * 3, memberships: ran, snapshots: ran }
        : { applied: 1, leaders: 1, memberships: 0, snapshots: 0 }
    expect(total('applied')).toBeGreaterThanOrEqual(floor.applied)
    expect(total('leaders')).toBeGreaterThanOrEqual(floor.leaders)
    expect(total('memberships')).toBeGreaterThanOrEqual(floor.memberships)
    expect(total('snapshots')).toBeGreaterThanOrEqual(floor.snapshots)
    console.log(
      `raft churn: ${ran} runs, ${total('applied')} committed entries, ${total('leaders')} terms with a leader, ${total('faults')} crashes/partitions, ${total('memberships')} membership changes, ${total('snapshots')} snapshots`,
    )
  })
})

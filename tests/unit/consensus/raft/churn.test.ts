import { describe, expect, it } from 'vitest'
import { Cluster, seededRandom } from './cluster'

const POOL = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6']
const FOUNDERS = POOL.slice(0, 5)
const SEEDS = Number(process.env.RAFT_CHURN_SEEDS ?? 200)
const RUN_MS = 15_000
const STEP_MS = 50

interface ChurnOutcome {
  readonly applied: number
  readonly leaders: number
  readonly faults: number
  readonly memberships: number
}

/**
 * One seeded run on an unreliable network: message loss, random delays (hence reordering),
 * partitions, crashes and restarts, snapshots and membership changes, with the cluster
 * checking election safety, leader completeness and state machine safety at every step and
 * log matching every second. Ends by healing everything and requiring progress.
 */
function churn(seed: number): ChurnOutcome {
  const chance = seededRandom(seed ^ 0x5eed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(chance() * items.length)]
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
      const shuffled = [...POOL].sort(() => chance() - 0.5)
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
      if (member.lastApplied - cluster.status(id).snapshotIndex > 10) expect(cluster.snapshot(id).ok).toBe(true)
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
  return { applied: cluster.committed.size, leaders: cluster.leadersByTerm.size, faults, memberships }
}

describe('raft: churn on an unreliable network', () => {
  it(`keeps every safety property over ${SEEDS} seeded runs and recovers in each`, () => {
    const outcomes: ChurnOutcome[] = []
    for (let seed = 1; seed <= SEEDS; seed++) {
      try {
        outcomes.push(churn(seed))
      } catch (error) {
        throw new Error(`churn seed ${seed}: ${(error as Error).message}`)
      }
    }
    const total = (key: keyof ChurnOutcome) => outcomes.reduce((sum, o) => sum + o[key], 0)
    // The runs must actually exercise the protocol, not idle.
    expect(total('applied')).toBeGreaterThan(SEEDS * 100)
    expect(total('leaders')).toBeGreaterThan(SEEDS * 3)
    expect(total('memberships')).toBeGreaterThan(SEEDS)
    console.log(`raft churn: ${SEEDS} runs, ${total('applied')} committed entries, ${total('leaders')} terms with a leader, ${total('faults')} crashes/partitions, ${total('memberships')} membership changes`)
  })
})

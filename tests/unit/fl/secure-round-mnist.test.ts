/**
 * Every production piece of a secure-mode round, joined in one process (mnist-round-harness.ts): seven trainers training
 * the MNIST MLP on their own shards (the training session the worker runs) and taking part in
 * their bucket's secure aggregation with the attempt's aggregator (signed envelopes, the
 * transcript kept); the aggregator proposing the candidate from the bucket sums with the
 * transcript's hash; four validators replaying the transcript, evaluating on held-out digits
 * and agreeing through the consensus adapter with BLS certificates; every node checking the
 * certificate before adopting. In round 2 one trainer goes away after sending its key shares,
 * within its bucket's threshold. Only the network is in memory. Outcomes only, no timing.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../../../workers/fl/model/backend'
import { nodeBackendOptions } from '../../../workers/fl/node/backend'
import { runMnistTask, type AggregatorLie } from './mnist-round-harness'

beforeAll(async () => {
  await selectBackend(nodeBackendOptions({ calibrate: false }))
})

/** Seven trainers in buckets of three (two buckets), a majority rule across bucket means. */
const runSecureTask = (setup: {
  rounds: number
  collectMs: number
  validateMs: number
  leaverInRound2?: boolean
  wrongAggregator?: AggregatorLie
}) =>
  runMnistTask({
    trainers: 7,
    rounds: setup.rounds,
    leaverInRound2: setup.leaverInRound2,
    wrongAggregator: setup.wrongAggregator,
    task: {
      quorum: 6,
      rule: { rule: 'median' },
      rootData: 'none',
      privacy: { mode: 'secure', bucketSize: 3 },
      collectMs: setup.collectMs,
      validateMs: setup.validateMs,
    },
  })

describe('a secure-mode federated task on MNIST, every production piece in one process', () => {
  it('trains, aggregates securely, replays, certifies and adopts two rounds; accuracy rises and every node holds the same model', async () => {
    const run = await runSecureTask({ rounds: 2, collectMs: 20_000, validateMs: 20_000, leaverInRound2: true })
    const { adopted, committed, accuracies, trainerIds, leaver } = run
    const reference = adopted.get(trainerIds[0])!
    for (const [id, list] of adopted) expect(list, id).toEqual(reference)
    console.log(
      `[secure-mnist] accuracy by round ${accuracies.map((a) => (a * 100).toFixed(1)).join(' → ')} %, ${run.seconds.toFixed(1)} s for two rounds`,
    )
    expect(accuracies[2]).toBeGreaterThan(accuracies[0] + 0.2)
    expect(accuracies[2]).toBeGreaterThan(accuracies[1] - 0.05)
    // Every committed candidate names its transcript; the round-2 leaver's bucket still finished, without its update.
    expect(run.aborted).toEqual([])
    expect(committed.get(1)!.inputs.map((i) => i.trainer)).toEqual([...trainerIds].sort())
    expect(committed.get(2)!.inputs.map((i) => i.trainer)).toEqual(trainerIds.filter((id) => id !== leaver).sort())
    for (const d of committed.values()) expect(run.transcriptsProposed).toContain(d.transcript)
    expect(run.warnings).toEqual([])
  }, 500_000)

  it('an aggregator whose candidate its transcript does not replay to gets no certificate; the next aggregator completes the round', async () => {
    const run = await runSecureTask({ rounds: 1, collectMs: 8_000, validateMs: 8_000, wrongAggregator: 'scaled-candidate' })
    const d = run.committed.get(1)!
    expect(d.aggregator).not.toBe(run.wrong)
    expect(d.attempt).toBeGreaterThanOrEqual(1)
    const reference = run.adopted.get(run.trainerIds[0])!
    for (const [id, list] of run.adopted) expect(list, id).toEqual(reference)
    expect(run.accuracies[1]).toBeGreaterThan(run.accuracies[0] + 0.2)
    // Each validator said why it refused the wrong one.
    expect(run.warnings.filter((w) => /the transcript replays to .* the aggregator proposed/.test(w)).length).toBeGreaterThanOrEqual(3)
  }, 500_000)
})

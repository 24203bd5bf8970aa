/**
 * A robust-mode federated task on MNIST with a majority rule (trimmed mean), every production
 * piece in one process (mnist-round-harness.ts): four trainers, sealed updates, a rotating
 * aggregator, four validators re-computing and agreeing with BLS certificates, every node
 * checking the certificate before adopting. Only the network is in memory. Outcomes only, no timing.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../../../workers/fl/model/backend'
import { nodeBackendOptions } from '../../../workers/fl/node/backend'
import { runMnistTask } from './mnist-round-harness'

beforeAll(async () => {
  await selectBackend(nodeBackendOptions({ calibrate: false }))
})

describe('a robust-mode federated task on MNIST, every production piece in one process', () => {
  it('trains, aggregates, re-executes, certifies and adopts two rounds; accuracy rises and every node holds the same model', async () => {
    const run = await runMnistTask({
      trainers: 4,
      rounds: 2,
      task: { quorum: 3, rule: { rule: 'trimmed-mean', trim: 1 }, rootData: 'none', collectMs: 20_000, validateMs: 20_000 },
    })
    expect(run.warnings).toEqual([])
    const chain = run.adopted.get(run.trainerIds[0])!
    for (const [id, list] of run.adopted) expect(list, id).toEqual(chain)
    expect(run.accuracies[2]).toBeGreaterThan(run.accuracies[0] + 0.2)
    expect(run.accuracies[2]).toBeGreaterThan(run.accuracies[1] - 0.05)
    expect(run.referenceMs).toEqual([]) // no FLTrust, no reference
  }, 240_000)
})

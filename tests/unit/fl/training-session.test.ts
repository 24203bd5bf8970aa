import { beforeAll, describe, expect, it } from 'vitest'
import { loadMnistNode } from '../../../workers/fl/node/mnist-data'
import { selectBackend } from '../../../workers/fl/model/backend'
import { nodeBackendOptions } from '../../../workers/fl/node/backend'
import { MNIST_MLP } from '../../../workers/fl/model/spec'
import { initialWeights } from '../../../workers/fl/model/weights'
import { hashOf } from '../../../workers/fl/round'
import { createTrainingSession, type TrainingSession } from '../../../workers/fl/training-session'
import { float32LE, l2Norm, subtract } from '../../../workers/fl/update/delta'

let session: TrainingSession
const global = initialWeights(MNIST_MLP, 42).values
const globalHash = hashOf(float32LE(global))
const round = { round: 1, epochs: 1, batchSize: 32, maxBatchesPerEpoch: 3, clients: 4, seed: 7, baseModel: globalHash } as const

beforeAll(async () => {
  await selectBackend(nodeBackendOptions({ calibrate: false }))
  session = createTrainingSession(loadMnistNode())
})

describe('training session (what the training worker runs)', () => {
  it('loads a global model only when its weights match the announced hash', () => {
    expect(() => session.loadModel({ weights: global.slice(1), hash: globalHash })).toThrow(/weights/)
    expect(() => session.loadModel({ weights: Float32Array.from(global, (v, i) => (i === 0 ? v + 1 : v)), hash: globalHash })).toThrow(
      /not the announced/,
    )
    expect(session.loadModel({ weights: Float32Array.from(global), hash: globalHash })).toMatchObject({ hash: globalHash })
  })

  it('refuses to train from a global model it has not loaded', async () => {
    await expect(session.train({ ...round, clientIndex: 0, baseModel: hashOf(new Uint8Array([1])) })).rejects.toThrow(
      /load the global model/,
    )
  })

  it('trains from the global model and returns the clipped update with its sample count; distinct shards give distinct updates', async () => {
    session.loadModel({ weights: Float32Array.from(global), hash: globalHash })
    const first = await session.train({ ...round, clientIndex: 0, clipNorm: 0.05 })
    expect(first.update).toBeInstanceOf(Float32Array)
    expect(first.update!.length).toBe(global.length)
    expect(first.samples).toBe(3 * 32)
    expect(first.baseModel).toBe(globalHash)
    expect(first.clipped).toBe(true)
    expect(l2Norm(first.update!)).toBeLessThanOrEqual(0.05 * (1 + 1e-5))
    // The global model is untouched by training: the same request gives the same update.
    const again = await session.train({ ...round, clientIndex: 0, clipNorm: 0.05 })
    expect(l2Norm(subtract(again.update!, first.update!))).toBe(0)
    const other = await session.train({ ...round, clientIndex: 1, clipNorm: 0.05 })
    expect(l2Norm(subtract(other.update!, first.update!))).toBeGreaterThan(0.001)
  })

  it('a later attempt trains the same shard in another batch order: as many samples, another update (secure mode masks each update once)', async () => {
    session.loadModel({ weights: Float32Array.from(global), hash: globalHash })
    const first = await session.train({ ...round, clientIndex: 0 })
    expect(l2Norm(subtract((await session.train({ ...round, clientIndex: 0, attempt: 0 })).update!, first.update!))).toBe(0)
    const fresh = await session.train({ ...round, clientIndex: 0, attempt: 1 })
    expect(fresh.samples).toBe(first.samples)
    expect(l2Norm(subtract(fresh.update!, first.update!))).toBeGreaterThan(0.001)
    // Not another round's order either.
    const nextRound = await session.train({ ...round, round: 2, clientIndex: 0 })
    expect(l2Norm(subtract(fresh.update!, nextRound.update!))).toBeGreaterThan(0.001)
  })

  it('partitions by the task’s scheme', async () => {
    const sorted = await session.train({ ...round, clientIndex: 0, partition: { kind: 'sorted' }, maxBatchesPerEpoch: 1 })
    const iid = await session.train({ ...round, clientIndex: 0, maxBatchesPerEpoch: 1 })
    expect(l2Norm(subtract(sorted.update!, iid.update!))).toBeGreaterThan(0.001)
  })

  it('trains alone (no global model) without returning an update', async () => {
    const solo = await session.train({ round: 1, epochs: 1, batchSize: 32, maxBatchesPerEpoch: 2, clientIndex: 2, clients: 4, seed: 1 })
    expect(solo.update).toBeUndefined()
    expect(solo.samples).toBe(64)
  })
})

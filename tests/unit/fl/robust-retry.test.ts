/**
 * A robust-mode round whose candidate was proposed and not committed is retried with fresh
 * updates (RoundNodeConfig.freshUpdateAfterProposal; the core's side is in round-core.test.ts,
 * the whole round in round-sim.test.ts). Here the trainer's handlers: a fresh update's request
 * reaches the training worker with its attempt, which reorders the batches, and the result is
 * a new sealed blob, not the first one again.
 */
import { describe, expect, it } from 'vitest'
import { x25519 } from '@noble/curves/ed25519.js'
import { seededBytes } from '../../../workers/common/random'
import { identityFromSeed, peerIdStringFromPublicKey } from '../../../workers/identity/ed25519'
import { hashOf } from '../../../workers/fl/round/identity'
import { createRobustHandlers } from '../../../workers/fl/round/robust-handlers'
import { defaultMnistTask, taskIdOf, type FlTask } from '../../../workers/fl/task/spec'
import { shuffleSeed } from '../../../workers/fl/training-session'
import { float32LE } from '../../../workers/fl/update/delta'
import type { FlatWeights } from '../../../workers/fl/model/weights'
import type { TrainRequest as WorkerTrainRequest } from '../../../workers/fl-worker-api'

const D = 32

describe('robust mode: a fresh update for a retried attempt', () => {
  it('asks the training worker for the attempt, so the batches come in another order, and submits a new blob', async () => {
    const task: FlTask = { ...defaultMnistTask('admin', 1), rule: { rule: 'fedavg' }, rootData: 'none', clipNorm: 0 }
    const identity = identityFromSeed(new Uint8Array(32).fill(5))
    const base: FlatWeights = { shapes: [{ name: 'w', shape: [D] }], values: new Float32Array(D) }
    const baseHash = hashOf(float32LE(base.values))
    const asked: WorkerTrainRequest[] = []
    const blobs = new Map<string, Uint8Array>()
    const handlers = createRobustHandlers({
      taskId: taskIdOf(task),
      task,
      self: peerIdStringFromPublicKey(identity.publicKey),
      sign: identity.sign,
      identityKey: identity.publicKey,
      // A trainer reads no one's inputs.
      sources: {
        fetchBlob: async () => null,
        trainerKey: () => null,
        verifySignature: () => false,
        recipient: { secretKey: new Uint8Array(32), publicKey: new Uint8Array(32) },
      },
      recipients: () => [x25519.getPublicKey(new Uint8Array(32).fill(9))],
      putBlob: async (bytes) => {
        const hash = hashOf(bytes)
        blobs.set(hash, bytes)
        return hash
      },
      models: { get: async (hash) => (hash === baseHash ? base : null), put: async (w) => hashOf(float32LE(w.values)) },
      training: {
        loadModel: () => ({ hash: baseHash, parameters: D }),
        train: async (request) => {
          asked.push(request)
          // What SGD's batch order contributes: a function of the shuffle seed alone.
          const order = seededBytes(`order-${shuffleSeed(request)}`)(D)
          const update = Float32Array.from(order, (b) => (b / 255 - 0.5) * 0.1)
          return {
            round: request.round,
            samples: 320,
            loss: 0,
            accuracy: 0,
            validationAccuracy: 0,
            ms: 1,
            updateNorm: 0,
            numTensors: 0,
            parameters: D,
            update,
          }
        },
      },
    })
    const first = await handlers.train({ round: 4, baseModel: baseHash, shard: 1, cohortSize: 3 })
    const fresh = await handlers.train({ round: 4, baseModel: baseHash, shard: 1, cohortSize: 3, attempt: 2 })
    expect(asked.map((r) => [r.round, r.clientIndex, r.clients, r.attempt])).toEqual([
      [4, 1, 3, undefined],
      [4, 1, 3, 2],
    ])
    expect(shuffleSeed(asked[1])).not.toBe(shuffleSeed(asked[0]))
    expect(fresh.update).not.toBe(first.update)
    expect(blobs.has(first.update) && blobs.has(fresh.update)).toBe(true)
  })
})

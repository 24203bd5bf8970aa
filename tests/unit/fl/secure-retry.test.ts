/**
 * A retried secure-mode attempt must not let its aggregator difference two bucket sums down to
 * one trainer's update (README, "Secure mode, step by step"). Four trainers' secure handlers and
 * two aggregators' run as production does, over signed envelopes in memory: attempt 0 sums all
 * four in one bucket; the round is not committed, one trainer is gone, and attempt 1's
 * aggregator sums the other three. With the update each trainer masked in attempt 0 reused,
 * the first sum minus the second is the missing trainer's update; with a fresh update per
 * attempt (same shard, another batch order) it is not.
 */
import { describe, expect, it } from 'vitest'
import { ed25519 } from '@noble/curves/ed25519.js'
import { seededBytes } from '../../../workers/common/random'
import { createEnvelopeSigner, sealMessage } from '../../../workers/protocol/envelope'
import { Envelope } from '../../../workers/protocol/wire.pb'
import { messageKinds } from '../../../workers/kinds'
import { identityFromSeed, peerIdStringFromPublicKey } from '../../../workers/identity/ed25519'
import { aggregatorFor, hashOf } from '../../../workers/fl/round/identity'
import { createSecureHandlers } from '../../../workers/fl/round/secure-handlers'
import { SecaggClient } from '../../../workers/fl/round/wire.pb'
import type { HostClock } from '../../../workers/fl/round/host'
import type { SubmissionRef } from '../../../workers/fl/round/types'
import { attemptStep, defaultMnistTask, taskIdOf, type FlTask } from '../../../workers/fl/task/spec'
import type { FlatWeights } from '../../../workers/fl/model/weights'
import { float32LE } from '../../../workers/fl/update/delta'
import { shuffleSeed } from '../../../workers/fl/training-session'
import type { TrainRequest } from '../../../workers/fl-worker-api'

const D = 32
const clock: HostClock = {
  now: () => performance.now(),
  setTimer: (ms, run) => {
    const t = setTimeout(run, ms)
    return () => clearTimeout(t)
  },
}
const norm = (v: Float32Array) => Math.hypot(...v)

/** What a trainer's local training gives: its shard's direction, plus the batch order's own part (as SGD's noise). */
function trainedUpdate(shard: number, request: TrainRequest): Float32Array {
  const order = seededBytes(`order-${shard}-${shuffleSeed(request)}`)(D)
  return Float32Array.from({ length: D }, (_, j) => 0.1 * Math.sin(shard + j) + (order[j] / 255 - 0.5) * 0.2)
}

async function twoAttempts() {
  const task: FlTask = {
    ...defaultMnistTask('admin', 1),
    quorum: 3,
    clipNorm: 1,
    rule: { rule: 'fedavg' },
    rootData: 'none',
    privacy: { mode: 'secure', bucketSize: 4 },
    validateMs: 4000,
  }
  const taskId = taskIdOf(task)
  const trainers = Array.from({ length: 4 }, (_, i) => {
    const identity = identityFromSeed(new Uint8Array(32).fill(i + 41))
    return { identity, id: peerIdStringFromPublicKey(identity.publicKey) }
  }).sort((a, b) => (a.id < b.id ? -1 : 1))
  const aggregatorIds = Array.from({ length: 2 }, (_, i) =>
    peerIdStringFromPublicKey(identityFromSeed(new Uint8Array(32).fill(i + 61)).publicKey),
  ).sort()
  const roster = { aggregators: aggregatorIds, validators: [] }
  const base: FlatWeights = { shapes: [{ name: '0/kernel', shape: [D] }], values: new Float32Array(D) }
  const baseHash = hashOf(float32LE(base.values))
  const models = new Map<string, FlatWeights>([[baseHash, base]])
  const putModel = async (w: FlatWeights) => {
    const h = hashOf(float32LE(w.values))
    models.set(h, w)
    return h
  }
  const keys = new Map(trainers.map((t) => [t.id, t.identity.publicKey]))
  const sources = {
    fetchBlob: async () => null,
    trainerKey: (peer: string) => keys.get(peer) ?? null,
    verifySignature: (key: Uint8Array, message: Uint8Array, signature: Uint8Array) => ed25519.verify(signature, message, key),
  }
  const handlers = new Map<string, ReturnType<typeof createSecureHandlers>>()
  const warnings: string[] = []
  /** Every update each trainer's training gave, in order. */
  const trained = new Map<string, Float32Array[]>()
  const handlersFor = (id: string, identity?: (typeof trainers)[number]['identity'], shard = -1) =>
    createSecureHandlers({
      taskId,
      task,
      self: id,
      roster,
      sign: identity?.sign ?? (() => new Uint8Array(64)),
      identitySecretKey: identity?.seed ?? new Uint8Array(32),
      sources,
      putBlob: async (bytes) => hashOf(bytes),
      models: { get: async (h) => models.get(h) ?? null, put: putModel },
      training: identity && {
        loadModel: (request) => ({ hash: request.hash, parameters: D }),
        train: async (request) => {
          const update = trainedUpdate(shard, request)
          trained.set(id, [...(trained.get(id) ?? []), update])
          return {
            round: request.round,
            samples: 10,
            loss: 0,
            accuracy: 0,
            validationAccuracy: 0,
            ms: 0,
            updateNorm: norm(update),
            numTensors: 0,
            parameters: D,
            update,
          }
        },
      },
      clock,
      random: seededBytes(`secure-retry/${id}`),
      sendToMember: (to, message) => setTimeout(() => void handlers.get(to)?.onServerMessage(id, message), 0),
      sendToAggregator: (to, message) => {
        const envelope = sealMessage(createEnvelopeSigner(identity!, messageKinds), 'fl.secagg.client', message)
        const payload = SecaggClient.decode(Envelope.decode(envelope).payload)
        setTimeout(() => void handlers.get(to)?.onClientMessage(id, envelope, payload), 0)
      },
      warn: (what, reason) => void warnings.push(`${id.slice(-6)} ${what}: ${reason}`),
    })
  trainers.forEach((t, shard) => handlers.set(t.id, handlersFor(t.id, t.identity, shard)))
  for (const id of aggregatorIds) handlers.set(id, handlersFor(id))

  const submissions = new Map<string, SubmissionRef>()
  for (const [shard, t] of trainers.entries())
    submissions.set(t.id, await handlers.get(t.id)!.train({ round: 1, baseModel: baseHash, shard, cohortSize: trainers.length }))
  /** The aggregator's view: the bucket sum behind its candidate (one bucket, so the candidate is base + step × sum / members). */
  const sumOf = async (attempt: number, cohort: readonly string[]) => {
    const aggregator = aggregatorFor(roster, 1, attempt)
    const result = await handlers.get(aggregator)!.aggregate({
      round: 1,
      attempt,
      baseModel: baseHash,
      cohort,
      inputs: cohort.map((id) => submissions.get(id)!),
    })
    const candidate = models.get(result.candidate)!
    expect(result.inputs).toEqual(cohort)
    const step = attemptStep(task.retryStep, attempt)
    return Float32Array.from(candidate.values, (v, j) => ((v - base.values[j]) * cohort.length) / step)
  }
  const everyone = trainers.map((t) => t.id)
  const gone = everyone[3]
  const first = await sumOf(0, everyone)
  // As RoundHost does on entering attempt 1: the first trainer starts its fresh update before any BEGIN.
  handlers.get(everyone[0])!.prepare(1, 1)
  await new Promise((r) => setTimeout(r, 0))
  const trainedBeforeBegin = trained.get(everyone[0])!.length
  const second = await sumOf(
    1,
    everyone.filter((id) => id !== gone),
  )
  return { first, second, gone, everyone, trained, trainedBeforeBegin, warnings }
}

describe('secure mode: a retried attempt', () => {
  it('masks a fresh update from each trainer that was in an earlier attempt’s sum, so two sums do not difference to one update', async () => {
    const { first, second, gone, everyone, trained, trainedBeforeBegin, warnings } = await twoAttempts()
    const goneUpdate = trained.get(gone)![0]
    const difference = Float32Array.from(first, (v, j) => v - second[j])
    const error = norm(Float32Array.from(difference, (v, j) => v - goneUpdate[j]))
    // The attack recovers the missing trainer's update only up to the fresh updates' own differences.
    expect(error / norm(goneUpdate)).toBeGreaterThan(0.5)
    // The sums are still the honest ones: attempt 0 of the first updates, attempt 1 of the fresh ones, one
    // fresh update each (the prepared one not trained again at BEGIN).
    expect(trainedBeforeBegin).toBe(2)
    for (const id of everyone) expect(trained.get(id)!.length, id).toBe(id === gone ? 1 : 2)
    const expectSum = (sum: Float32Array, updates: Float32Array[]) => {
      const exact = Float32Array.from({ length: sum.length }, (_, j) => updates.reduce((s, u) => s + u[j], 0))
      expect(norm(Float32Array.from(sum, (v, j) => v - exact[j]))).toBeLessThan(1e-3)
    }
    expectSum(
      first,
      everyone.map((id) => trained.get(id)![0]),
    )
    expectSum(
      second,
      everyone.filter((id) => id !== gone).map((id) => trained.get(id)![1]),
    )
    expect(warnings).toEqual([])
  }, 60_000)
})

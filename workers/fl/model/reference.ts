/**
 * The server reference update of FLTrust (Cao et al., NDSS 2021): one local training run of the
 * round's global model on the clean held-out data that the aggregator and every validator hold.
 * It runs the production trainer with a seed fixed by the round, so a validator re-executing it
 * on the same backend gets the same bits, and then the same FLTrust aggregate.
 */
import { usesTrustReference, type FlTrustVariant } from '../aggregation/rules'
import type { ImageDataset } from '../data/mnist-format'
import { gatherSamples, splitHoldout, type LabelledSamples } from '../data/split'
import { HOLDOUT } from '../training-session'
import type { Trainer, TrainHyper } from './trainer'
import type { FlatWeights } from './weights'

export interface ReferenceRequest {
  readonly trainer: Trainer
  /** The round's global model (the base every trainer started from). */
  readonly weights: FlatWeights
  /** Clean held-out samples (the validators' validation split). */
  readonly heldOut: LabelledSamples
  /** The task's local-training hyperparameters; the seed comes from `round`. */
  readonly hyper: Omit<TrainHyper, 'seed'>
  readonly round: number
  /**
   * Server momentum, mirroring the trainers' worker momentum β: the reference becomes
   * β·previous + (1 − β)·delta, with `previous` the last round's reference (which validators
   * recomputed then). Absent: the raw delta.
   */
  readonly momentum?: { readonly beta: number; readonly previous: Float32Array | undefined }
  /** Give the event loop a turn every this many batches (scheduling only: the bits do not change). Default: never. */
  readonly yieldEvery?: number
}

/** Seed of a round's reference run: public and fixed, so every re-execution shuffles alike. */
export function referenceSeed(round: number): number {
  if (!Number.isInteger(round) || round < 0) throw new RangeError(`round must be a non-negative integer, got ${round}`)
  return (Math.imul(round + 1, 0x9e3779b1) ^ 0x5eed_f17) >>> 0
}

export async function computeReferenceUpdate(request: ReferenceRequest): Promise<Float32Array> {
  if (request.heldOut.count === 0) throw new Error('the reference update needs held-out samples')
  const outcome = await request.trainer.train({
    weights: request.weights,
    data: request.heldOut,
    hyper: { ...request.hyper, seed: referenceSeed(request.round) },
    yieldEvery: request.yieldEvery ?? 1_000_000,
  })
  const m = request.momentum
  if (!m || !m.previous || m.beta === 0) return outcome.delta
  if (!(m.beta >= 0 && m.beta < 1)) throw new RangeError('momentum beta must be in [0, 1)')
  if (m.previous.length !== outcome.delta.length) throw new RangeError('previous reference has the wrong length')
  const out = new Float32Array(outcome.delta.length)
  for (let j = 0; j < out.length; j++) out[j] = m.beta * m.previous[j] + (1 - m.beta) * outcome.delta[j]
  return out
}

/**
 * The trust reference of FLTrust's 'clipped' variants (workers/fl/aggregation/rules.ts): one step
 * of the round's global model on all the held-out samples at once — the full-batch gradient
 * step, the least noisy direction the clean data gives — with the local run's learning rate and
 * optimizer. Seeded like the reference update, so it re-executes bit for bit as well.
 */
export async function computeTrustReference(request: Omit<ReferenceRequest, 'momentum'>): Promise<Float32Array> {
  if (request.heldOut.count === 0) throw new Error('the trust reference needs held-out samples')
  const outcome = await request.trainer.train({
    weights: request.weights,
    data: request.heldOut,
    hyper: { ...request.hyper, epochs: 1, batchSize: request.heldOut.count, maxBatchesPerEpoch: 1, seed: referenceSeed(request.round) },
    yieldEvery: request.yieldEvery ?? 1_000_000,
  })
  return outcome.delta
}

/** What FLTrust takes from the root data in a round: the reference update g0 and, but for 'paper', the trust reference. */
export interface RoundReference {
  readonly update: Float32Array
  readonly trust?: Float32Array
}

/**
 * The reference run's hyperparameters in a mesh task: exactly a trainer's local run (the
 * training session's: the task's epochs, batch size, learning rate and local steps, with the
 * momentum optimizer), with no server momentum and no clipping, as `npm run bench -- robustness`
 * measured FLTrust (tests/bench/fl-sim.ts: `referenceHyper` = the clients' hyper, momentum 0).
 */
export function referenceHyperOf(task: {
  readonly localEpochs: number
  readonly batchSize: number
  readonly learningRate: number
  readonly localSteps: number
}): Omit<TrainHyper, 'seed'> {
  return {
    epochs: task.localEpochs,
    batchSize: task.batchSize,
    learningRate: task.learningRate,
    optimizer: 'momentum',
    maxBatchesPerEpoch: task.localSteps || undefined,
  }
}

/**
 * A task's root data from the MNIST dataset this node loaded (wire.proto, RootData):
 * 'mnist-validation' is the validation split of the one held-out split every node draws
 * (splitHoldout(HOLDOUT)), disjoint from the trainers' shards and from the validators' test digits.
 */
export function rootDataSamples(rootData: 'none' | 'mnist-validation', dataset: ImageDataset): LabelledSamples | null {
  if (rootData === 'none') return null
  return gatherSamples(dataset, splitHoldout(dataset.count, HOLDOUT).validation)
}

/** A round's reference (and trust reference) from its base model, as handlers ask for it. */
export type ReferenceSource = (round: number, baseHash: string, base: FlatWeights) => Promise<RoundReference>

/**
 * The reference updates of one task on one node: computed once per (round, base model) and
 * shared by the aggregator's and the validator's side (a relay is both), the last few kept.
 * Computations run one at a time (they share the trainer's model) and yield to the event loop
 * after every batch, so a relay keeps serving streams and consensus while one trains.
 * `onComputed` reports each computation's duration (logged on the relay).
 */
export function createReferenceSource(options: {
  readonly trainer: Trainer
  readonly rootData: LabelledSamples
  readonly hyper: Omit<TrainHyper, 'seed'>
  /** The task's FLTrust variant: 'clipped' and 'clipped-mean' also compute the trust reference. */
  readonly variant: FlTrustVariant
  readonly onComputed?: (round: number, ms: number) => void
}): ReferenceSource {
  const kept = new Map<string, Promise<RoundReference>>()
  let previous: Promise<unknown> = Promise.resolve()
  return (round, baseHash, base) => {
    const key = `${round}/${baseHash}`
    let pending = kept.get(key)
    if (!pending) {
      let started = 0
      pending = previous.then(async () => {
        started = performance.now()
        const request = { trainer: options.trainer, weights: base, heldOut: options.rootData, hyper: options.hyper, round, yieldEvery: 1 }
        const update = await computeReferenceUpdate(request)
        return usesTrustReference(options.variant) ? { update, trust: await computeTrustReference(request) } : { update }
      })
      previous = pending.catch(() => undefined)
      pending.then(
        () => options.onComputed?.(round, performance.now() - started),
        () => kept.delete(key),
      )
      kept.set(key, pending)
      while (kept.size > 4) kept.delete(kept.keys().next().value!)
    }
    return pending
  }
}

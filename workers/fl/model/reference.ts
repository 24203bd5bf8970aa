/**
 * The server reference update of FLTrust (Cao et al., NDSS 2021): one local training run of the
 * round's global model on the clean held-out data that the aggregator and every validator hold.
 * It runs the production trainer with a seed fixed by the round, so a validator re-executing it
 * on the same backend gets the same bits, and then the same FLTrust aggregate.
 */
import type { LabelledSamples } from '../data/split'
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
    yieldEvery: 1_000_000,
  })
  const m = request.momentum
  if (!m || !m.previous || m.beta === 0) return outcome.delta
  if (!(m.beta >= 0 && m.beta < 1)) throw new RangeError('momentum beta must be in [0, 1)')
  if (m.previous.length !== outcome.delta.length) throw new RangeError('previous reference has the wrong length')
  const out = new Float32Array(outcome.delta.length)
  for (let j = 0; j < out.length; j++) out[j] = m.beta * m.previous[j] + (1 - m.beta) * outcome.delta[j]
  return out
}

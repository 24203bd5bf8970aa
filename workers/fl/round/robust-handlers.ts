/**
 * What a node runs for the round host's requests in robust mode, on the page and on the
 * relay alike: the trainer's side (load the base model, train on its shard, encode, seal once
 * for the task's aggregators and validators, store the blob, sign the submission), the
 * aggregator's (compute the candidate from the named blobs) and the validator's (re-compute,
 * compare, evaluate on held-out data). Storage, keys, training and evaluation are injected.
 *
 * The content key is wrapped for every aggregator of the task, not only the attempt's, so a
 * trainer's one blob still serves when the round moves to the next aggregator.
 */
import type { FlatWeights } from '../model/weights'
import { encodeUpdate } from '../update/codec'
import type { LoadedModel, LoadModelRequest, TrainRequest as WorkerTrainRequest, TrainResult } from '../../fl-worker-api'
import type { ReferenceSource } from '../model/reference'
import type { FlTask } from '../task/spec'
import { submissionSignBytes } from './codec'
import { hashToBytes } from './identity'
import {
  computeCandidateFromUsable,
  judgeRobustCandidate,
  roundRule,
  type Evaluation,
  type InputSources,
  type RoundInputsFrame,
} from './reexecute'
import { sealUpdate } from './sealed-update'
import type { AggregateRequest, Hash, ProposalDescriptor, SubmissionRef, TrainRequest } from './types'

export interface RobustNodeContext {
  readonly taskId: string
  readonly task: FlTask
  readonly self: string
  /** This node's Ed25519 identity (signs submissions). */
  readonly sign: (message: Uint8Array) => Uint8Array
  readonly identityKey: Uint8Array
  readonly sources: InputSources
  /** X25519 keys of the task's aggregators and validators: every update's content key is wrapped for each. */
  readonly recipients: () => readonly Uint8Array[]
  /** Content-addressed blobs this node serves over the transfer protocol. */
  readonly putBlob: (bytes: Uint8Array) => Promise<Hash>
  readonly models: { get(hash: Hash): Promise<FlatWeights | null>; put(weights: FlatWeights): Promise<Hash> }
  /** The training worker (page) or a training session (Node). */
  readonly training?: {
    loadModel(request: LoadModelRequest): Promise<LoadedModel> | LoadedModel
    train(request: WorkerTrainRequest): Promise<TrainResult>
  }
  /** Validators: accuracy and loss on this node's held-out data. */
  readonly evaluate?: (weights: FlatWeights) => Promise<Evaluation>
  /** Aggregators and validators of an FLTrust task: the round's reference update on the task's root data (model/reference.ts). */
  readonly reference?: ReferenceSource
  /** Aggregators: what the rule reports of each candidate (FLTrust: how many inputs it trusted). */
  readonly onAggregated?: (round: number, details: Readonly<Record<string, number | string | string[]>>, inputs: readonly string[]) => void
  /** Aggregators: inputs left out of a candidate, with the reason for each (logged, counted). */
  readonly onRefusedInputs?: (round: number, reasons: readonly string[]) => void
}

export async function baseWeights(context: Pick<RobustNodeContext, 'models'>, hash: Hash): Promise<FlatWeights> {
  const weights = await context.models.get(hash)
  if (!weights) throw new Error(`the committed model ${hash.slice(0, 12)}… is not available`)
  return weights
}

/** Trains from the round's base model on this trainer's shard (both modes): the clipped update and its sample count. */
export async function trainFromBase(
  context: Pick<RobustNodeContext, 'task' | 'models' | 'training'>,
  request: TrainRequest,
  /** A later attempt's fresh update: the same shard in another batch order. */
  attempt = request.attempt ?? 0,
): Promise<{ base: FlatWeights; update: Float32Array; samples: number }> {
  const { task } = context
  if (!context.training) throw new Error('this node does not train')
  const base = await baseWeights(context, request.baseModel)
  await context.training.loadModel({ model: task.model, weights: Float32Array.from(base.values), hash: request.baseModel })
  const result = await context.training.train({
    round: request.round,
    epochs: task.localEpochs,
    batchSize: task.batchSize,
    clientIndex: request.shard,
    clients: request.cohortSize,
    partition: task.partition,
    seed: task.dataSeed,
    ...(attempt > 0 ? { attempt } : {}),
    learningRate: task.learningRate,
    maxBatchesPerEpoch: task.localSteps || undefined,
    clipNorm: task.clipNorm || undefined,
    model: task.model,
    baseModel: request.baseModel,
  })
  if (!result.update) throw new Error('training returned no update')
  return { base, update: result.update, samples: result.samples }
}

export function createRobustHandlers(context: RobustNodeContext) {
  const { task } = context
  const baselines = new Map<Hash, number>()
  const frameFor = async (round: number, attempt: number, baseHash: Hash): Promise<RoundInputsFrame> => ({
    taskId: context.taskId,
    round,
    attempt,
    retryStep: task.retryStep,
    base: await baseWeights(context, baseHash),
    baseHash,
    clipNorm: task.clipNorm,
  })
  const aggregationFor = async (frame: RoundInputsFrame) => {
    const rule = await roundRule(task.rule, frame, context.reference)
    if (!rule.ok) throw new Error(rule.reason)
    return { rule: rule.value }
  }

  return {
    async train(request: TrainRequest): Promise<SubmissionRef> {
      const { base, update: delta, samples } = await trainFromBase(context, request)
      const plaintext = encodeUpdate({
        round: request.round,
        baseModelHash: hashToBytes(request.baseModel),
        sampleCount: samples,
        shapes: base.shapes,
        delta,
        clipNorm: task.clipNorm,
      })
      const blob = sealUpdate(
        plaintext,
        { taskId: context.taskId, round: request.round, trainerKey: context.identityKey },
        context.recipients(),
      )
      const update = await context.putBlob(blob)
      return {
        trainer: context.self,
        update,
        samples,
        signature: context.sign(submissionSignBytes(context.taskId, request.round, update, samples)),
      }
    },

    async aggregate(request: AggregateRequest): Promise<{ candidate: Hash; inputs: readonly string[] }> {
      const frame = await frameFor(request.round, request.attempt, request.baseModel)
      const candidate = await computeCandidateFromUsable(frame, request.inputs, await aggregationFor(frame), context.sources, task.quorum)
      if (!candidate.ok) throw new Error(candidate.reason)
      if (candidate.value.refused.length > 0) context.onRefusedInputs?.(request.round, candidate.value.refused)
      context.onAggregated?.(request.round, candidate.value.details ?? {}, candidate.value.used)
      return { candidate: await context.models.put(candidate.value.weights), inputs: candidate.value.used }
    },

    async verify(d: ProposalDescriptor): Promise<boolean> {
      const evaluate = context.evaluate
      if (!evaluate) throw new Error('this node does not validate')
      const frame = await frameFor(d.round, d.attempt, d.baseModel)
      let baseline = baselines.get(d.baseModel)
      if (baseline === undefined) {
        baseline = (await evaluate(frame.base)).accuracy
        baselines.set(d.baseModel, baseline)
      }
      const judgement = await judgeRobustCandidate(d, frame, await aggregationFor(frame), context.sources, {
        evaluate,
        baselineAccuracy: baseline,
        maxAccuracyDrop: task.maxAccuracyDrop,
      })
      // The reason goes to the host's warning (logged on the relay), as in secure mode.
      if (!judgement.valid) throw new Error(judgement.reason ?? 'invalid candidate')
      // A valid candidate's weights are kept: if it commits, this node adopts it without fetching.
      if (judgement.candidate) await context.models.put(judgement.candidate.weights)
      return true
    },
  }
}

/**
 * The contract between the page and the training worker (workers/training.worker.ts),
 * shared so both sides typecheck against one definition.
 */
import type { ShardScheme } from './fl/data/split'

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu'

export interface PrepareRequest {
  /** Where the packed MNIST file is served. */
  readonly dataUrl: string
  /** Restrict the backends considered (the page's `?backend=` parameter); default all, fastest wins. */
  readonly backends?: readonly BackendName[]
}

export interface BackendChoice {
  /** tfjs backend name actually in use: webgpu, webgl, wasm or cpu. */
  readonly backend: string
  /** Measured by the calibration step on this device. */
  readonly samplesPerSecond: number
  /**
   * Every backend considered, with its speed (the best of its calibration runs) or why it was
   * skipped, and each calibration run in order (several when more than one backend qualified).
   */
  readonly candidates: readonly { name: string; samplesPerSecond: number | null; runs: readonly number[]; note: string }[]
}

export interface TrainRequest {
  readonly round: number
  readonly epochs: number
  readonly batchSize: number
  /**
   * Which shard of the deterministic split this device trains on: in a federated round its
   * index in the round's cohort (distinct per node), see workers/fl/round/identity.ts.
   */
  readonly clientIndex: number
  readonly clients: number
  /** How the training set is split among `clients` (the task's partition); IID by default. */
  readonly partition?: ShardScheme
  readonly seed: number
  /**
   * A federated round's attempt when it trains afresh for a later attempt (secure mode never
   * masks one update twice): the same shard in another batch order. 0 or absent: the round's order.
   */
  readonly attempt?: number
  /** Default 0.05 with momentum. */
  readonly learningRate?: number
  /** Caps the batches per epoch (the task's local steps). */
  readonly maxBatchesPerEpoch?: number
  /** L2 bound the returned update is clipped to (the task's clipping); none by default. */
  readonly clipNorm?: number
  /**
   * Train from the global model loaded with `loadModel` that has this hash, and return the
   * update. Without it the device trains on alone, continuing from its own last weights.
   */
  readonly baseModel?: string
  /**
   * The task's model as a tfjs layers spec (JSON from the task definition, untrusted; see
   * workers/fl/model/spec.ts for what is accepted). Default: the 784-64-10 MNIST MLP.
   */
  readonly model?: unknown
}

export interface TrainProgress {
  readonly epoch: number
  readonly batch: number
  readonly batches: number
  readonly loss: number
  readonly accuracy: number
}

export interface TrainResult {
  readonly round: number
  readonly samples: number
  readonly loss: number
  readonly accuracy: number
  readonly validationAccuracy: number
  readonly ms: number
  readonly updateNorm: number
  /** tf.memory().numTensors after the round, so leaks show up across rounds. */
  readonly numTensors: number
  /** Trainable parameters of the model that was trained. */
  readonly parameters: number
  /** With `baseModel`: the clipped update (trained − global), transferred rather than copied. */
  readonly update?: Float32Array
  readonly baseModel?: string
  /** Whether clipping shortened the update. */
  readonly clipped?: boolean
}

export interface LoadModelRequest {
  /** The task's model spec (untrusted JSON; default the MNIST MLP). */
  readonly model?: unknown
  /** The global model's weights, flattened in layer order (transferred to the worker). */
  readonly weights: Float32Array
  /** Lowercase hex SHA-256 of the weights as float32 little-endian: checked before use. */
  readonly hash: string
}

export interface LoadedModel {
  readonly hash: string
  readonly parameters: number
}

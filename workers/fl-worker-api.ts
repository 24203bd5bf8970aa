/**
 * The contract between the page and the training worker (workers/training.worker.ts),
 * shared so both sides typecheck against one definition.
 */
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
  /** Every backend considered, with its speed or why it was skipped. */
  readonly candidates: readonly { name: string; samplesPerSecond: number | null; note: string }[]
}

export interface TrainRequest {
  readonly round: number
  readonly epochs: number
  readonly batchSize: number
  /** Which shard of the deterministic split this device trains on. */
  readonly clientIndex: number
  readonly clients: number
  readonly seed: number
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
}

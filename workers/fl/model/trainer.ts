/**
 * Local training and evaluation on whichever tfjs backend is active (see backend.ts).
 * Environment-agnostic: the browser worker and the Node simulator call the same code.
 */
import * as tf from '@tensorflow/tfjs'
import { createRng, shuffleInPlace } from '../../common/random'
import type { LabelledSamples } from '../data/split'
import { buildModel } from './build'
import { validateModelSpec, type ModelSpec, type WeightShape } from './spec'
import { sameShapes, type FlatWeights } from './weights'

export interface TrainHyper {
  readonly epochs: number
  readonly batchSize: number
  readonly learningRate: number
  readonly optimizer?: 'sgd' | 'momentum' | 'adam'
  /** For the momentum optimizer; 0.9 unless given. */
  readonly momentum?: number
  /** Caps the batches per epoch (a fixed amount of local work per round, whatever the shard size). */
  readonly maxBatchesPerEpoch?: number
  /** Seeds the per-epoch shuffle, so a rerun trains identically on the same backend. */
  readonly seed: number
}

export interface TrainProgressEvent {
  readonly epoch: number
  readonly batch: number
  readonly batches: number
  /** Running mean over the epoch so far. */
  readonly loss: number
  readonly accuracy: number
}

export interface TrainMetrics {
  readonly samples: number
  readonly batches: number
  /** Last epoch's mean loss and accuracy on the training shard. */
  readonly loss: number
  readonly accuracy: number
  readonly ms: number
  readonly samplesPerSecond: number
}

export interface TrainOutcome {
  readonly weights: FlatWeights
  /** weights − base, what a client submits. */
  readonly delta: Float32Array
  readonly metrics: TrainMetrics
}

export interface TrainRequest {
  readonly weights: FlatWeights
  readonly data: LabelledSamples
  readonly hyper: TrainHyper
  readonly onProgress?: (event: TrainProgressEvent) => void
  /** Report every this many batches (each read of the loss is a device sync). Default 1. */
  readonly progressEvery?: number
  readonly signal?: AbortSignal
  /** Give the event loop a turn every this many batches, so a cancel message can arrive. Default 4. */
  readonly yieldEvery?: number
}

export interface Evaluation {
  readonly count: number
  readonly loss: number
  readonly accuracy: number
  /**
   * Accuracy on each class's samples (NaN where the data has none): a model that stops
   * recognising one class can keep its overall accuracy within a few points.
   */
  readonly classAccuracy: readonly number[]
}

/**
 * Holds one built model for many rounds (building costs more than a small round).
 * Every tensor a call creates is released before it returns; dispose() releases the model.
 */
export interface Trainer {
  readonly spec: ModelSpec
  readonly shapes: readonly WeightShape[]
  train(request: TrainRequest): Promise<TrainOutcome>
  evaluate(weights: FlatWeights, data: LabelledSamples, batchSize?: number): Promise<Evaluation>
  dispose(): void
}

export function createTrainer(spec: ModelSpec): Trainer {
  const check = validateModelSpec(spec)
  if (!check.ok) throw new Error(`invalid model spec: ${check.reason}`)
  const model = buildModel(check.spec)
  const shapes = check.weights
  const outputsProbabilities = (check.spec.layers[check.spec.layers.length - 1] as { activation?: string }).activation === 'softmax'
  let disposed = false

  const lossOf = (labels: tf.Tensor, output: tf.Tensor): tf.Scalar =>
    outputsProbabilities
      ? (tf.mean(tf.metrics.categoricalCrossentropy(labels, output)) as tf.Scalar)
      : (tf.losses.softmaxCrossEntropy(labels, output) as tf.Scalar)

  const load = (weights: FlatWeights): void => {
    if (disposed) throw new Error('trainer was disposed')
    if (!sameShapes(weights.shapes, shapes)) throw new Error('weights do not match the model spec')
    const tensors: tf.Tensor[] = []
    let offset = 0
    for (const { shape } of shapes) {
      const n = shape.reduce((a, b) => a * b, 1)
      tensors.push(tf.tensor(weights.values.subarray(offset, offset + n), shape as number[], 'float32'))
      offset += n
    }
    model.setWeights(tensors)
    tf.dispose(tensors)
  }

  const read = (): Float32Array => {
    const values = new Float32Array(shapes.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0))
    let offset = 0
    for (const w of model.getWeights()) {
      const data = w.dataSync() as Float32Array
      values.set(data, offset)
      offset += data.length
    }
    return values
  }

  const inputs = (data: LabelledSamples): { x: tf.Tensor; y: tf.Tensor; labels: tf.Tensor1D } => {
    const expected = check.spec.inputShape.reduce((a, b) => a * b, 1)
    if (data.features !== expected) throw new Error(`samples have ${data.features} features, the model expects ${expected}`)
    return tf.tidy(() => {
      const labels = tf.tensor1d(data.labels, 'int32')
      return {
        x: tf.tensor(data.x, [data.count, ...check.spec.inputShape], 'float32'),
        y: tf.oneHot(labels, check.spec.classes).toFloat(),
        labels,
      }
    })
  }

  return {
    spec: check.spec,
    shapes,

    async train({ weights, data, hyper, onProgress, progressEvery = 1, signal, yieldEvery = 4 }) {
      validateHyper(hyper)
      signal?.throwIfAborted()
      if (data.count === 0) throw new Error('cannot train on an empty shard')
      const started = performance.now()
      load(weights)
      const optimizer = makeOptimizer(hyper)
      const { x, y, labels } = inputs(data)
      const order = new Int32Array(data.count)
      for (let i = 0; i < order.length; i++) order[i] = i
      const rng = createRng(hyper.seed)
      const fullBatches = Math.ceil(data.count / hyper.batchSize)
      const batches = Math.min(fullBatches, hyper.maxBatchesPerEpoch ?? fullBatches)
      let lossSum: tf.Scalar = tf.scalar(0)
      let correctSum: tf.Scalar = tf.scalar(0)
      let seen = 0
      let samples = 0
      let epochLoss = 0
      let epochAccuracy = 0
      try {
        for (let epoch = 0; epoch < hyper.epochs; epoch++) {
          shuffleInPlace(order, rng)
          lossSum.dispose()
          correctSum.dispose()
          lossSum = tf.scalar(0)
          correctSum = tf.scalar(0)
          seen = 0
          for (let batch = 0; batch < batches; batch++) {
            signal?.throwIfAborted()
            const rows = order.subarray(batch * hyper.batchSize, Math.min(data.count, (batch + 1) * hyper.batchSize))
            const next = tf.tidy(() => {
              const index = tf.tensor1d(rows, 'int32')
              const xb = tf.gather(x, index)
              const yb = tf.gather(y, index)
              let output: tf.Tensor | null = null
              const loss = optimizer.minimize(() => {
                output = tf.keep(model.apply(xb, { training: true }) as tf.Tensor)
                return lossOf(yb, output)
              }, true) as tf.Scalar
              const correct = tf.sum(tf.equal(tf.argMax(output!, 1), tf.gather(labels, index)).toFloat())
              tf.dispose(output!)
              return { loss: tf.add(lossSum, tf.mul(loss, rows.length)), correct: tf.add(correctSum, correct) }
            })
            lossSum.dispose()
            correctSum.dispose()
            lossSum = next.loss as tf.Scalar
            correctSum = next.correct as tf.Scalar
            seen += rows.length
            samples += rows.length
            const last = batch === batches - 1
            if (onProgress && ((batch + 1) % progressEvery === 0 || last)) {
              const [l, c] = await Promise.all([lossSum.data(), correctSum.data()])
              onProgress({ epoch, batch, batches, loss: l[0] / seen, accuracy: c[0] / seen })
            }
            if ((batch + 1) % yieldEvery === 0) await yieldToEventLoop()
          }
          const [l, c] = await Promise.all([lossSum.data(), correctSum.data()])
          epochLoss = l[0] / seen
          epochAccuracy = c[0] / seen
        }
        signal?.throwIfAborted()
        const values = read()
        const delta = new Float32Array(values.length)
        for (let i = 0; i < values.length; i++) delta[i] = values[i] - weights.values[i]
        const ms = performance.now() - started
        return {
          weights: { shapes, values },
          delta,
          metrics: {
            samples,
            batches: batches * hyper.epochs,
            loss: epochLoss,
            accuracy: epochAccuracy,
            ms,
            samplesPerSecond: (samples / ms) * 1000,
          },
        }
      } finally {
        tf.dispose([x, y, labels, lossSum, correctSum])
        disposeOptimizer(optimizer)
      }
    },

    async evaluate(weights, data, batchSize = 500) {
      load(weights)
      const classes = check.spec.classes
      if (data.count === 0) return { count: 0, loss: NaN, accuracy: NaN, classAccuracy: new Array<number>(classes).fill(NaN) }
      const { x, y, labels } = inputs(data)
      let lossSum = 0
      let correct = 0
      const seen = new Array<number>(classes).fill(0)
      const right = new Array<number>(classes).fill(0)
      try {
        for (let start = 0; start < data.count; start += batchSize) {
          const size = Math.min(batchSize, data.count - start)
          const [l, p] = tf.tidy(() => {
            const xb = tf.slice(x, start, size)
            const output = model.apply(xb, { training: false }) as tf.Tensor
            return [tf.mul(lossOf(tf.slice(y, start, size), output), size), tf.argMax(output, 1)]
          })
          const [lv, predicted] = await Promise.all([l.data(), p.data()])
          tf.dispose([l, p])
          lossSum += lv[0]
          for (let i = 0; i < size; i++) {
            const label = data.labels[start + i]
            if (label >= classes) continue
            seen[label]++
            if (predicted[i] === label) {
              right[label]++
              correct++
            }
          }
        }
      } finally {
        tf.dispose([x, y, labels])
      }
      return {
        count: data.count,
        loss: lossSum / data.count,
        accuracy: correct / data.count,
        classAccuracy: seen.map((n, c) => (n > 0 ? right[c] / n : NaN)),
      }
    },

    dispose() {
      if (disposed) return
      disposed = true
      model.dispose()
    },
  }
}

/** One-shot training: builds the model, trains, releases everything. */
export async function trainLocal(request: TrainRequest & { spec: ModelSpec }): Promise<TrainOutcome> {
  const trainer = createTrainer(request.spec)
  try {
    return await trainer.train(request)
  } finally {
    trainer.dispose()
  }
}

export async function evaluate(request: {
  spec: ModelSpec
  weights: FlatWeights
  data: LabelledSamples
  batchSize?: number
}): Promise<Evaluation> {
  const trainer = createTrainer(request.spec)
  try {
    return await trainer.evaluate(request.weights, request.data, request.batchSize)
  } finally {
    trainer.dispose()
  }
}

function validateHyper(h: TrainHyper): void {
  const positiveInt = (v: number | undefined): boolean => v === undefined || (Number.isInteger(v) && v >= 1)
  if (!positiveInt(h.epochs) || !positiveInt(h.batchSize) || !positiveInt(h.maxBatchesPerEpoch)) {
    throw new RangeError('epochs, batchSize and maxBatchesPerEpoch must be positive integers')
  }
  if (!(h.learningRate > 0 && h.learningRate < 10)) throw new RangeError('learningRate must be in (0, 10)')
  if (h.momentum !== undefined && !(h.momentum >= 0 && h.momentum < 1)) throw new RangeError('momentum must be in [0, 1)')
}

function makeOptimizer(h: TrainHyper): tf.Optimizer {
  switch (h.optimizer ?? 'sgd') {
    case 'sgd':
      return tf.train.sgd(h.learningRate)
    case 'momentum':
      return tf.train.momentum(h.learningRate, h.momentum ?? 0.9)
    case 'adam':
      return tf.train.adam(h.learningRate)
  }
}

/**
 * tfjs 4.22's MomentumOptimizer.dispose() skips its parent's, leaking the learning-rate scalar
 * `c` on every round; release it ourselves.
 */
function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose()
  const c = (optimizer as unknown as { c?: tf.Tensor }).c
  if (optimizer instanceof tf.MomentumOptimizer && c && !c.isDisposed) c.dispose()
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0))
}

/**
 * Runs one subtask of a registry kind on this device: the code for every kind is here, the
 * network only chooses which and with which checked parameters. Environment-agnostic (tfjs on
 * whatever backend is active): the browser's training worker and Node call the same function.
 */
import { gatherSamples } from '../fl/data/split'
import type { ImageDataset } from '../fl/data/mnist-format'
import { createTrainer } from '../fl/model/trainer'
import { MNIST_MLP } from '../fl/model/spec'
import { initialWeights, type FlatWeights } from '../fl/model/weights'
import { pixelStats, taskOrder, taskRanges } from './data'
import { taskKind } from './registry'
import type { TaskAssignment } from './wire.pb'

export interface RunContext {
  readonly dataset: ImageDataset
  /** Cancels a long training loop (the worker stopped). */
  readonly signal?: AbortSignal
}

/** The subtask's numeric parameters, refusing anything the kind's split could not have produced. */
export function subtaskParams(assignment: TaskAssignment): Record<string, number> {
  if (!taskKind(assignment.kind)) throw new Error(`unknown task kind '${assignment.kind}'`)
  const params: Record<string, number> = {}
  for (const { name, value } of assignment.params) {
    const n = Number(value)
    if (!Number.isFinite(n)) throw new Error(`parameter ${name} is not a number`)
    params[name] = n
  }
  return params
}

export async function runSubtask(assignment: TaskAssignment, context: RunContext): Promise<number[]> {
  const p = subtaskParams(assignment)
  switch (assignment.kind) {
    case 'pixel-stats':
      return pixelStats(context.dataset, p.start, p.end)
    case 'evaluate':
      return evaluateShard(context, p)
    case 'hyperparameter':
      return trial(context, p)
    case 'cpu-benchmark':
      return cpuBenchmark(p.iterations)
    default:
      throw new Error(`no runner for task kind '${assignment.kind}'`)
  }
}

function positions(dataset: ImageDataset, start: number, end: number): Uint32Array {
  const order = taskOrder(dataset)
  if (!(start >= 0 && end <= dataset.count && start <= end)) throw new RangeError(`positions [${start}, ${end}) are outside the data`)
  return order.slice(start, end)
}

/** Training positions for `samples` samples, cycling through the training range. */
function trainingSamples(dataset: ImageDataset, samples: number) {
  const [from, to] = taskRanges(dataset).train
  const order = taskOrder(dataset)
  const indices = new Uint32Array(samples)
  for (let i = 0; i < samples; i++) indices[i] = order[from + (i % (to - from))]
  return gatherSamples(dataset, indices)
}

async function train(
  context: RunContext,
  weights: FlatWeights,
  steps: number,
  batchSize: number,
  learningRate: number,
  seed: number,
): Promise<{ weights: FlatWeights; loss: number }> {
  if (steps === 0) return { weights, loss: 0 }
  const trainer = createTrainer(MNIST_MLP)
  try {
    const outcome = await trainer.train({
      weights,
      data: trainingSamples(context.dataset, steps * batchSize),
      hyper: { epochs: 1, batchSize, learningRate, optimizer: 'sgd', maxBatchesPerEpoch: steps, seed },
      progressEvery: steps,
      signal: context.signal,
    })
    return { weights: outcome.weights, loss: outcome.metrics.loss }
  } finally {
    trainer.dispose()
  }
}

async function evaluateOn(weights: FlatWeights, dataset: ImageDataset, indices: Uint32Array) {
  const trainer = createTrainer(MNIST_MLP)
  try {
    return await trainer.evaluate(weights, gatherSamples(dataset, indices))
  } finally {
    trainer.dispose()
  }
}

async function evaluateShard(context: RunContext, p: Record<string, number>): Promise<number[]> {
  const { weights } = await train(context, initialWeights(MNIST_MLP, p.modelSeed), p.pretrainSteps, 32, 0.1, p.modelSeed)
  const result = await evaluateOn(weights, context.dataset, positions(context.dataset, p.start, p.end))
  return [Math.round(result.accuracy * result.count), result.count, result.loss * result.count]
}

async function trial(context: RunContext, p: Record<string, number>): Promise<number[]> {
  const trained = await train(context, initialWeights(MNIST_MLP, p.seed), p.steps, p.batchSize, p.learningRate, p.seed)
  const [from, to] = taskRanges(context.dataset).validation
  const result = await evaluateOn(trained.weights, context.dataset, positions(context.dataset, from, to))
  return [result.accuracy, Number.isFinite(trained.loss) ? Math.min(trained.loss, 100) : 100]
}

/** A fixed floating-point loop: operations per second and the time it took. */
export function cpuBenchmark(iterations: number): number[] {
  const started = performance.now()
  let x = 1.0001
  let acc = 0
  for (let i = 0; i < iterations; i++) {
    x = x * 1.0000001 + 1e-9
    acc += x
  }
  const ms = Math.max(performance.now() - started, 1e-3)
  if (!Number.isFinite(acc)) throw new Error('benchmark loop overflowed')
  return [(iterations * 3) / (ms / 1000), ms]
}

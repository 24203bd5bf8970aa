/**
 * The task kinds a node can run: declared here, in the code, never received. An announcement
 * names a kind and gives parameter values; everything a kind does (how it splits, what a valid
 * result looks like, how results agree and are reduced) is below. Pure: running a subtask
 * (tfjs, data) lives in run.ts.
 */
import type { Role } from '../protocol/roles'
import { MNIST_CLASSES } from '../fl/data/mnist-format'
import { num, nums, type ParamSpec, type ParsedParams } from './params'

export interface SubtaskSpec {
  /** Integer or real parameters of this piece (positions in the task data, a learning rate, …). */
  readonly params: Readonly<Record<string, number>>
  /** Estimated work units (roughly samples processed), for balancing by capacity. */
  readonly weight: number
}

export interface Reduced {
  readonly values: readonly number[]
  /** A short JSON object a person reads (the UI and CLI print it). */
  readonly summary: string
}

export interface TaskKindSpec {
  readonly name: string
  readonly title: string
  readonly description: string
  /** Roles that may announce this kind (checked by the coordinator, on top of task.announce's senders). */
  readonly announcers: readonly Role[]
  readonly parameters: readonly ParamSpec[]
  split(params: ParsedParams): SubtaskSpec[]
  /** Schema and bounds of one result; the reason it is refused, or null. */
  check(subtask: SubtaskSpec, values: readonly number[]): string | null
  /** Whether two checked results of one subtask count as the same answer (for the redundancy majority). */
  agree(subtask: SubtaskSpec, a: readonly number[], b: readonly number[]): boolean
  /** Combines the accepted results, one per subtask, in subtask order. */
  reduce(params: ParsedParams, subtasks: readonly SubtaskSpec[], results: readonly (readonly number[])[]): Reduced
}

/**
 * The task data: MNIST digits in one fixed, seeded order that every node derives alike
 * (run.ts). Positions [0, TEST_DIGITS) are the test digits that evaluations and statistics
 * read; the next VALIDATION_DIGITS validate hyperparameter trials; trials train on the rest.
 */
export const TASK_DATA = { seed: 0x7a5c, testDigits: 5000, validationDigits: 1000 } as const

const ANNOUNCERS: readonly Role[] = ['admin', 'coordinator']

function finite(values: readonly number[]): boolean {
  return values.every((v) => Number.isFinite(v))
}

function lengthProblem(values: readonly number[], length: number): string | null {
  if (values.length !== length) return `expected ${length} values, got ${values.length}`
  return finite(values) ? null : 'values must be finite numbers'
}

/** Contiguous pieces of the first `samples` test digits. */
function shardPositions(samples: number, shards: number): { start: number; end: number }[] {
  const pieces: { start: number; end: number }[] = []
  for (let i = 0; i < shards; i++) {
    const start = Math.floor((i * samples) / shards)
    const end = Math.floor(((i + 1) * samples) / shards)
    if (end > start) pieces.push({ start, end })
  }
  return pieces
}

const shardParams: ParamSpec[] = [
  {
    name: 'samples',
    label: 'Test digits',
    type: 'int',
    default: '2000',
    min: 10,
    max: TASK_DATA.testDigits,
    help: 'how many of the fixed MNIST test digits to cover',
  },
  { name: 'shards', label: 'Subtasks', type: 'int', default: '8', min: 1, max: 64, help: 'how many pieces the digits are split into' },
]

const evaluate: TaskKindSpec = {
  name: 'evaluate',
  title: 'Evaluate a model',
  description:
    'Accuracy and loss of the MNIST MLP (weights seeded by modelSeed, trained for pretrainSteps) on test digits, one shard per subtask.',
  announcers: ANNOUNCERS,
  parameters: [
    ...shardParams,
    {
      name: 'modelSeed',
      label: 'Model seed',
      type: 'int',
      default: '1',
      min: 0,
      max: 2 ** 31 - 1,
      help: 'seed of the model weights every worker builds alike',
    },
    {
      name: 'pretrainSteps',
      label: 'Pre-training steps',
      type: 'int',
      default: '20',
      min: 0,
      max: 500,
      help: 'steps of plain SGD (lr 0.1, batch 32) on the training digits before evaluating',
    },
  ],
  split(params) {
    return shardPositions(num(params, 'samples'), num(params, 'shards')).map(({ start, end }) => ({
      params: { start, end, modelSeed: num(params, 'modelSeed'), pretrainSteps: num(params, 'pretrainSteps') },
      weight: end - start + 32 * num(params, 'pretrainSteps'),
    }))
  },
  check(subtask, values) {
    const problem = lengthProblem(values, 3)
    if (problem) return problem
    const [correct, count, lossSum] = values
    const expected = subtask.params.end - subtask.params.start
    if (count !== expected) return `count ${count} is not the shard's ${expected} digits`
    if (!Number.isInteger(correct) || correct < 0 || correct > count) return `correct ${correct} is not an integer in [0, ${count}]`
    if (!(lossSum >= 0 && lossSum <= 50 * count)) return `loss sum ${lossSum} is out of bounds`
    return null
  },
  agree(_subtask, a, b) {
    // Backends round differently, so a digit near a tie may flip; a liar has to stay this close to matter.
    const slack = Math.max(1, 0.01 * a[1])
    return Math.abs(a[0] - b[0]) <= slack && Math.abs(a[2] - b[2]) <= slack
  },
  reduce(_params, _subtasks, results) {
    let correct = 0
    let count = 0
    let loss = 0
    for (const [c, n, l] of results) {
      correct += c
      count += n
      loss += l
    }
    const accuracy = count > 0 ? correct / count : 0
    const meanLoss = count > 0 ? loss / count : 0
    return {
      values: [accuracy, meanLoss, count],
      summary: JSON.stringify({ accuracy: round(accuracy), loss: round(meanLoss), digits: count }),
    }
  },
}

const hyperparameter: TaskKindSpec = {
  name: 'hyperparameter',
  title: 'Hyperparameter sweep',
  description:
    'One trial per learning rate × batch size: train the MNIST MLP for k steps, report validation accuracy; the best trial wins.',
  announcers: ANNOUNCERS,
  parameters: [
    {
      name: 'learningRates',
      label: 'Learning rates',
      type: 'numbers',
      default: '0.01,0.05,0.1,0.3',
      min: 1e-5,
      max: 5,
      maxItems: 16,
      help: 'comma-separated SGD learning rates',
    },
    {
      name: 'batchSizes',
      label: 'Batch sizes',
      type: 'numbers',
      default: '16,32',
      min: 1,
      max: 256,
      maxItems: 8,
      help: 'comma-separated batch sizes',
    },
    { name: 'steps', label: 'Steps', type: 'int', default: '30', min: 1, max: 2000, help: 'training steps per trial' },
    {
      name: 'seed',
      label: 'Seed',
      type: 'int',
      default: '1',
      min: 0,
      max: 2 ** 31 - 1,
      help: 'initial weights and shuffling, the same for every trial',
    },
  ],
  split(params) {
    const trials: SubtaskSpec[] = []
    for (const learningRate of nums(params, 'learningRates')) {
      for (const batchSize of nums(params, 'batchSizes')) {
        if (!Number.isInteger(batchSize)) continue
        trials.push({
          params: { learningRate, batchSize, steps: num(params, 'steps'), seed: num(params, 'seed') },
          weight: num(params, 'steps') * batchSize + TASK_DATA.validationDigits,
        })
      }
    }
    return trials
  },
  check(_subtask, values) {
    const problem = lengthProblem(values, 2)
    if (problem) return problem
    const [accuracy, loss] = values
    if (!(accuracy >= 0 && accuracy <= 1)) return `validation accuracy ${accuracy} is outside [0, 1]`
    if (!(loss >= 0 && loss <= 100)) return `loss ${loss} is outside [0, 100]`
    return null
  },
  agree(_subtask, a, b) {
    return Math.abs(a[0] - b[0]) <= 0.02
  },
  reduce(_params, subtasks, results) {
    let best = 0
    results.forEach(([accuracy], i) => {
      if (accuracy > results[best][0]) best = i
    })
    const trial = subtasks[best]?.params ?? { learningRate: 0, batchSize: 0 }
    const trials = subtasks.map((s, i) => ({
      learningRate: s.params.learningRate,
      batchSize: s.params.batchSize,
      accuracy: round(results[i][0]),
    }))
    return {
      values: [best, results[best]?.[0] ?? 0, trial.learningRate, trial.batchSize],
      summary: JSON.stringify({
        best: { learningRate: trial.learningRate, batchSize: trial.batchSize, accuracy: round(results[best]?.[0] ?? 0) },
        trials,
      }),
    }
  },
}

const pixelStats: TaskKindSpec = {
  name: 'pixel-stats',
  title: 'Per-class pixel statistics (map-reduce)',
  description:
    'Map: per shard, how many digits of each class and the sum of their mean intensities; reduce: per-class counts and mean intensity.',
  announcers: ANNOUNCERS,
  parameters: shardParams,
  split(params) {
    return shardPositions(num(params, 'samples'), num(params, 'shards')).map(({ start, end }) => ({
      params: { start, end },
      weight: (end - start) / 20,
    }))
  },
  check(subtask, values) {
    const problem = lengthProblem(values, 2 * MNIST_CLASSES)
    if (problem) return problem
    let total = 0
    for (let c = 0; c < MNIST_CLASSES; c++) {
      const count = values[c]
      const sum = values[MNIST_CLASSES + c]
      if (!Number.isInteger(count) || count < 0) return `count of class ${c} is not a non-negative integer`
      if (!(sum >= 0 && sum <= count)) return `intensity sum of class ${c} is outside [0, ${count}]`
      total += count
    }
    const expected = subtask.params.end - subtask.params.start
    return total === expected ? null : `class counts add up to ${total}, not the shard's ${expected}`
  },
  agree(_subtask, a, b) {
    return a.every((v, i) => (i < MNIST_CLASSES ? v === b[i] : Math.abs(v - b[i]) <= 1e-6 * Math.max(1, a[i - MNIST_CLASSES])))
  },
  reduce(_params, _subtasks, results) {
    const counts = new Array<number>(MNIST_CLASSES).fill(0)
    const sums = new Array<number>(MNIST_CLASSES).fill(0)
    for (const values of results) {
      for (let c = 0; c < MNIST_CLASSES; c++) {
        counts[c] += values[c]
        sums[c] += values[MNIST_CLASSES + c]
      }
    }
    const means = sums.map((sum, c) => (counts[c] > 0 ? sum / counts[c] : 0))
    return { values: [...counts, ...means], summary: JSON.stringify({ counts, meanIntensity: means.map(round) }) }
  },
}

const cpuBenchmark: TaskKindSpec = {
  name: 'cpu-benchmark',
  title: 'CPU benchmark',
  description: 'A fixed floating-point loop on each worker: operations per second, used as a capacity estimate.',
  announcers: ANNOUNCERS,
  parameters: [
    { name: 'rounds', label: 'Subtasks', type: 'int', default: '4', min: 1, max: 64, help: 'how many benchmark runs' },
    {
      name: 'iterations',
      label: 'Iterations',
      type: 'int',
      default: '2000000',
      min: 1000,
      max: 200_000_000,
      help: 'loop iterations per run',
    },
  ],
  split(params) {
    return Array.from({ length: num(params, 'rounds') }, (_, round) => ({
      params: { round, iterations: num(params, 'iterations') },
      weight: num(params, 'iterations') / 10_000,
    }))
  },
  check(_subtask, values) {
    const problem = lengthProblem(values, 2)
    if (problem) return problem
    if (!(values[0] > 0 && values[0] <= 1e11)) return `${values[0]} operations per second is out of bounds`
    if (!(values[1] >= 0 && values[1] <= 3_600_000)) return `duration ${values[1]} ms is out of bounds`
    return null
  },
  // A measurement, not a computation: any two checked runs are equally valid answers.
  agree: () => true,
  reduce(_params, _subtasks, results) {
    const rates = results.map((r) => r[0]).sort((a, b) => a - b)
    const median = rates.length % 2 ? rates[(rates.length - 1) / 2] : (rates[rates.length / 2 - 1] + rates[rates.length / 2]) / 2
    return {
      values: [median, rates[0], rates[rates.length - 1]],
      summary: JSON.stringify({
        medianOpsPerS: Math.round(median),
        minOpsPerS: Math.round(rates[0]),
        maxOpsPerS: Math.round(rates[rates.length - 1]),
      }),
    }
  },
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000
}

export const taskKindRegistry: Readonly<Record<string, TaskKindSpec>> = Object.freeze({
  [evaluate.name]: evaluate,
  [hyperparameter.name]: hyperparameter,
  [pixelStats.name]: pixelStats,
  [cpuBenchmark.name]: cpuBenchmark,
})

export function taskKind(name: string): TaskKindSpec | undefined {
  return Object.hasOwn(taskKindRegistry, name) ? taskKindRegistry[name] : undefined
}

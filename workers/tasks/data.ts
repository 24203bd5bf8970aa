/**
 * The task data, derived alike on every node: one seeded order of the dataset's digits, and
 * the pure map step of the pixel-statistics kind. No tfjs here (see run.ts).
 */
import { createRng, shuffleInPlace } from '../common/random'
import { MNIST_CLASSES, type ImageDataset } from '../fl/data/mnist-format'
import { TASK_DATA } from './registry'

const orders = new WeakMap<ImageDataset, Uint32Array>()

/** Dataset indices in task order: position p of every task refers to digit taskOrder(d)[p]. */
export function taskOrder(dataset: ImageDataset): Uint32Array {
  let order = orders.get(dataset)
  if (!order) {
    order = new Uint32Array(dataset.count)
    for (let i = 0; i < order.length; i++) order[i] = i
    shuffleInPlace(order, createRng(TASK_DATA.seed))
    orders.set(dataset, order)
  }
  return order
}

/** Positions of the validation digits (after the test digits) and of the training digits (the rest). */
export function taskRanges(dataset: ImageDataset): { test: [number, number]; validation: [number, number]; train: [number, number] } {
  const test = Math.min(TASK_DATA.testDigits, dataset.count)
  const validation = Math.min(test + TASK_DATA.validationDigits, dataset.count)
  return { test: [0, test], validation: [test, validation], train: [validation, dataset.count] }
}

/** Map step of pixel-stats: per class, how many digits in positions [start, end) and the sum of their mean intensities (0..1). */
export function pixelStats(dataset: ImageDataset, start: number, end: number): number[] {
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= dataset.count))
    throw new RangeError(`positions [${start}, ${end}) are outside the data (${dataset.count} digits)`)
  const order = taskOrder(dataset)
  const features = dataset.rows * dataset.cols
  const counts = new Array<number>(MNIST_CLASSES).fill(0)
  const sums = new Array<number>(MNIST_CLASSES).fill(0)
  for (let p = start; p < end; p++) {
    const index = order[p]
    const label = dataset.labels[index]
    let total = 0
    for (let i = index * features, stop = i + features; i < stop; i++) total += dataset.pixels[i]
    counts[label]++
    sums[label] += total / (255 * features)
  }
  return [...counts, ...sums]
}

/**
 * Deterministic splits of one labelled dataset: a held-out validation set (for validators),
 * a test set (for reporting), and client shards of the rest. The same seed gives the same
 * indices on every node, so a device only needs its client index to find its shard.
 */
import { createRng, shuffleInPlace } from '../../common/random'
import { MNIST_CLASSES, type ImageDataset } from './mnist-format'

export interface HoldoutSplit {
  readonly train: Uint32Array
  readonly validation: Uint32Array
  readonly test: Uint32Array
}

export type ShardScheme =
  | { kind: 'iid' }
  /** Per class, client proportions drawn from Dirichlet(alpha): small alpha is very skewed. */
  | { kind: 'dirichlet'; alpha: number }
  /** Sorted by label and cut into clients × shardsPerClient contiguous pieces (McMahan et al.; Karimireddy et al. use 1 per client). */
  | { kind: 'sorted'; shardsPerClient?: number }

export function splitHoldout(count: number, options: { seed: number; validation: number; test: number }): HoldoutSplit {
  const { seed, validation, test } = options
  if (!Number.isInteger(validation) || !Number.isInteger(test) || validation < 0 || test < 0 || validation + test > count) {
    throw new RangeError(`cannot hold out ${validation} + ${test} of ${count} samples`)
  }
  const order = identity(count)
  shuffleInPlace(order, createRng(seed))
  return {
    test: order.slice(0, test),
    validation: order.slice(test, test + validation),
    train: order.slice(test + validation),
  }
}

/** Splits `indices` among `clients`; every index lands in exactly one shard. */
export function shardClients(
  labels: Uint8Array,
  indices: Uint32Array,
  options: { clients: number; seed: number; scheme: ShardScheme },
): Uint32Array[] {
  const { clients, seed, scheme } = options
  if (!Number.isInteger(clients) || clients < 1) throw new RangeError(`clients must be a positive integer, got ${clients}`)
  const rng = createRng(seed ^ 0x5a4d)
  const shuffled = Uint32Array.from(indices)
  shuffleInPlace(shuffled, rng)

  if (scheme.kind === 'iid') {
    const shards: number[][] = Array.from({ length: clients }, () => [])
    shuffled.forEach((index, i) => shards[i % clients].push(index))
    return shards.map((s) => Uint32Array.from(s))
  }

  if (scheme.kind === 'sorted') {
    const perClient = scheme.shardsPerClient ?? 1
    if (!Number.isInteger(perClient) || perClient < 1) throw new RangeError('shardsPerClient must be a positive integer')
    // Stable sort by label over a shuffled order: which samples of a class go first is seeded.
    const sorted = Array.from(shuffled).sort((a, b) => labels[a] - labels[b])
    const pieces = clients * perClient
    const owner = identity(pieces)
    if (perClient > 1) shuffleInPlace(owner, rng)
    const shards: number[][] = Array.from({ length: clients }, () => [])
    for (let piece = 0; piece < pieces; piece++) {
      const start = Math.floor((piece * sorted.length) / pieces)
      const end = Math.floor(((piece + 1) * sorted.length) / pieces)
      shards[owner[piece] % clients].push(...sorted.slice(start, end))
    }
    return shards.map((s) => Uint32Array.from(s))
  }

  if (!(scheme.alpha > 0)) throw new RangeError(`dirichlet alpha must be positive, got ${scheme.alpha}`)
  const byClass: number[][] = Array.from({ length: MNIST_CLASSES }, () => [])
  for (const index of shuffled) byClass[labels[index]].push(index)
  const shards: number[][] = Array.from({ length: clients }, () => [])
  for (const members of byClass) {
    const draws = Array.from({ length: clients }, () => rng.gamma(scheme.alpha))
    const total = draws.reduce((a, b) => a + b, 0)
    let cumulative = 0
    let start = 0
    for (let c = 0; c < clients; c++) {
      cumulative += draws[c]
      const end = c === clients - 1 ? members.length : Math.round((cumulative / total) * members.length)
      shards[c].push(...members.slice(start, end))
      start = end
    }
  }
  return shards.map((s) => Uint32Array.from(s))
}

/** Samples as the model consumes them: float pixels in [0, 1] and integer labels. */
export interface LabelledSamples {
  readonly count: number
  /** count × features, row-major. */
  readonly x: Float32Array
  readonly labels: Uint8Array
  readonly features: number
}

export function gatherSamples(dataset: ImageDataset, indices: ArrayLike<number>): LabelledSamples {
  const features = dataset.rows * dataset.cols
  const x = new Float32Array(indices.length * features)
  const labels = new Uint8Array(indices.length)
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i] * features
    for (let p = 0; p < features; p++) x[i * features + p] = dataset.pixels[src + p] / 255
    labels[i] = dataset.labels[indices[i]]
  }
  return { count: indices.length, x, labels, features }
}

/** Class histogram of a shard, for reports and tests. */
export function classCounts(labels: Uint8Array, indices: ArrayLike<number>): number[] {
  const counts = new Array<number>(MNIST_CLASSES).fill(0)
  for (let i = 0; i < indices.length; i++) counts[labels[indices[i]]]++
  return counts
}

function identity(n: number): Uint32Array {
  const out = new Uint32Array(n)
  for (let i = 0; i < n; i++) out[i] = i
  return out
}

/** Model weights as one flat float32 vector plus the shapes to cut it back into tensors. */
import { createRng } from '../../common/random'
import { validateModelSpec, type ModelSpec, type WeightShape } from './spec'

export interface FlatWeights {
  readonly shapes: readonly WeightShape[]
  readonly values: Float32Array
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1)
}

export function totalSize(shapes: readonly WeightShape[]): number {
  return shapes.reduce((n, s) => n + sizeOf(s.shape), 0)
}

export function weightShapesOf(spec: ModelSpec): WeightShape[] {
  const check = validateModelSpec(spec)
  if (!check.ok) throw new Error(`invalid model spec: ${check.reason}`)
  return check.weights
}

/**
 * Glorot-uniform kernels and zero biases from a seed, computed without tfjs, so every node
 * derives the same round-0 model (tfjs initialisers draw from an unseeded global stream).
 */
export function initialWeights(spec: ModelSpec, seed: number): FlatWeights {
  const shapes = weightShapesOf(spec)
  const values = new Float32Array(totalSize(shapes))
  const rng = createRng(seed)
  let offset = 0
  for (const { shape } of shapes) {
    const n = sizeOf(shape)
    if (shape.length > 1) {
      const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1)
      const fanIn = shape[shape.length - 2] * receptive
      const fanOut = shape[shape.length - 1] * receptive
      const limit = Math.sqrt(6 / (fanIn + fanOut))
      for (let i = 0; i < n; i++) values[offset + i] = (rng.next() * 2 - 1) * limit
    }
    offset += n
  }
  return { shapes, values }
}

export function sameShapes(a: readonly WeightShape[], b: readonly WeightShape[]): boolean {
  return (
    a.length === b.length &&
    a.every((s, i) => s.name === b[i].name && s.shape.length === b[i].shape.length && s.shape.every((d, j) => d === b[i].shape[j]))
  )
}

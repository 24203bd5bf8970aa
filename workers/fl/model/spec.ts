/**
 * A task's model, as JSON in the task definition. Only the layer types and options below are
 * accepted: the spec comes over the network, so it is data, never code, and its size is bounded.
 */
export type Activation = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'softmax'

export type LayerSpec =
  | { type: 'dense'; units: number; activation?: Activation }
  | { type: 'conv2d'; filters: number; kernelSize: number; strides?: number; padding?: 'valid' | 'same'; activation?: Activation }
  | { type: 'maxPooling2d'; poolSize: number; strides?: number }
  | { type: 'averagePooling2d'; poolSize: number; strides?: number }
  | { type: 'flatten' }
  | { type: 'dropout'; rate: number }
  | { type: 'reshape'; targetShape: number[] }

export interface ModelSpec {
  /** Shape of one sample, e.g. [784] or [28, 28, 1]. */
  inputShape: number[]
  layers: LayerSpec[]
  /** Number of classes; the last layer must be a dense layer with this many units. */
  classes: number
}

export interface WeightShape {
  /** `${layerIndex}/kernel` or `${layerIndex}/bias`, stable across tfjs versions and name counters. */
  readonly name: string
  readonly shape: readonly number[]
}

export type SpecCheck = { ok: true; spec: ModelSpec; parameters: number; weights: WeightShape[] } | { ok: false; reason: string }

export const MAX_PARAMETERS = 5_000_000
const MAX_LAYERS = 32
const ACTIVATIONS: readonly Activation[] = ['linear', 'relu', 'tanh', 'sigmoid', 'softmax']
const LAYER_KEYS: Record<LayerSpec['type'], readonly string[]> = {
  dense: ['type', 'units', 'activation'],
  conv2d: ['type', 'filters', 'kernelSize', 'strides', 'padding', 'activation'],
  maxPooling2d: ['type', 'poolSize', 'strides'],
  averagePooling2d: ['type', 'poolSize', 'strides'],
  flatten: ['type'],
  dropout: ['type', 'rate'],
  reshape: ['type', 'targetShape'],
}

/** A 784-64-10 MLP: small enough for 25 simulated clients on 2 cores. */
export const MNIST_MLP: ModelSpec = {
  inputShape: [784],
  layers: [
    { type: 'dense', units: 64, activation: 'relu' },
    { type: 'dense', units: 10 },
  ],
  classes: 10,
}

/** A small CNN (~0.1 M parameters) for devices with a fast backend. */
export const MNIST_CNN: ModelSpec = {
  inputShape: [28, 28, 1],
  layers: [
    { type: 'conv2d', filters: 16, kernelSize: 5, activation: 'relu' },
    { type: 'maxPooling2d', poolSize: 2 },
    { type: 'conv2d', filters: 32, kernelSize: 5, activation: 'relu' },
    { type: 'maxPooling2d', poolSize: 2 },
    { type: 'flatten' },
    { type: 'dense', units: 128, activation: 'relu' },
    { type: 'dense', units: 10 },
  ],
  classes: 10,
}

/**
 * Validates untrusted JSON (already parsed) and walks the shapes so that impossible models
 * (negative sizes, 2-D layers on flat input, too many parameters) are rejected before tfjs sees them.
 */
export function validateModelSpec(input: unknown): SpecCheck {
  if (!isRecord(input)) return fail('spec must be an object')
  const extra = Object.keys(input).filter((k) => !['inputShape', 'layers', 'classes'].includes(k))
  if (extra.length) return fail(`unknown spec fields: ${extra.join(', ')}`)
  const { inputShape, layers, classes } = input
  if (!isDims(inputShape) || inputShape.length < 1 || inputShape.length > 3) return fail('inputShape must be 1 to 3 positive integers')
  if (!isInt(classes, 2, 10_000)) return fail('classes must be an integer in [2, 10000]')
  if (!Array.isArray(layers) || layers.length < 1 || layers.length > MAX_LAYERS) return fail(`layers must be 1 to ${MAX_LAYERS} entries`)

  let shape = [...inputShape]
  let parameters = 0
  const weights: WeightShape[] = []
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]
    const where = `layers[${i}]`
    if (!isRecord(layer) || typeof layer.type !== 'string' || !(layer.type in LAYER_KEYS)) {
      return fail(`${where}: type must be one of ${Object.keys(LAYER_KEYS).join(', ')}`)
    }
    const allowed = LAYER_KEYS[layer.type as LayerSpec['type']]
    const unknown = Object.keys(layer).filter((k) => !allowed.includes(k))
    if (unknown.length) return fail(`${where}: unknown options ${unknown.join(', ')}`)
    if ('activation' in layer && !ACTIVATIONS.includes(layer.activation as Activation)) return fail(`${where}: activation not allowed`)
    switch (layer.type) {
      case 'dense': {
        if (!isInt(layer.units, 1, 65_536)) return fail(`${where}: units must be an integer in [1, 65536]`)
        if (shape.length !== 1) return fail(`${where}: dense needs flat input, got [${shape}] (add flatten)`)
        parameters += shape[0] * layer.units + layer.units
        weights.push({ name: `${i}/kernel`, shape: [shape[0], layer.units] }, { name: `${i}/bias`, shape: [layer.units] })
        shape = [layer.units]
        break
      }
      case 'conv2d': {
        if (shape.length !== 3) return fail(`${where}: conv2d needs [h, w, c] input, got [${shape}]`)
        if (!isInt(layer.filters, 1, 4096) || !isInt(layer.kernelSize, 1, 15)) return fail(`${where}: bad filters or kernelSize`)
        const strides = layer.strides ?? 1
        if (!isInt(strides, 1, 8)) return fail(`${where}: bad strides`)
        if (layer.padding !== undefined && layer.padding !== 'valid' && layer.padding !== 'same') return fail(`${where}: bad padding`)
        const [h, w, c] = shape
        parameters += layer.kernelSize * layer.kernelSize * c * layer.filters + layer.filters
        weights.push(
          { name: `${i}/kernel`, shape: [layer.kernelSize, layer.kernelSize, c, layer.filters] },
          { name: `${i}/bias`, shape: [layer.filters] },
        )
        shape = [
          outSize(h, layer.kernelSize, strides, layer.padding === 'same'),
          outSize(w, layer.kernelSize, strides, layer.padding === 'same'),
          layer.filters,
        ]
        break
      }
      case 'maxPooling2d':
      case 'averagePooling2d': {
        if (shape.length !== 3) return fail(`${where}: pooling needs [h, w, c] input`)
        const strides = layer.strides ?? layer.poolSize
        if (!isInt(layer.poolSize, 1, 16) || !isInt(strides, 1, 16)) return fail(`${where}: bad poolSize or strides`)
        shape = [outSize(shape[0], layer.poolSize, strides, false), outSize(shape[1], layer.poolSize, strides, false), shape[2]]
        break
      }
      case 'flatten':
        shape = [shape.reduce((a, b) => a * b, 1)]
        break
      case 'dropout':
        if (typeof layer.rate !== 'number' || !(layer.rate >= 0 && layer.rate < 1)) return fail(`${where}: rate must be in [0, 1)`)
        break
      case 'reshape': {
        if (!isDims(layer.targetShape) || layer.targetShape.length > 3) return fail(`${where}: bad targetShape`)
        const from = shape.reduce((a, b) => a * b, 1)
        const to = layer.targetShape.reduce((a, b) => a * b, 1)
        if (from !== to) return fail(`${where}: cannot reshape [${shape}] to [${layer.targetShape}]`)
        shape = [...layer.targetShape]
        break
      }
    }
    if (shape.some((d) => d < 1)) return fail(`${where}: output shape [${shape}] is empty`)
    if (parameters > MAX_PARAMETERS) return fail(`model exceeds ${MAX_PARAMETERS} parameters`)
  }
  const last = layers[layers.length - 1] as Record<string, unknown>
  if (last.type !== 'dense' || last.units !== classes) return fail(`the last layer must be dense with ${classes} units`)
  if (last.activation !== undefined && last.activation !== 'linear' && last.activation !== 'softmax') {
    return fail('the last layer must output logits (linear) or softmax')
  }
  return { ok: true, spec: structuredClone(input as unknown as ModelSpec), parameters, weights }
}

function outSize(size: number, kernel: number, stride: number, same: boolean): number {
  return same ? Math.ceil(size / stride) : Math.floor((size - kernel) / stride) + 1
}
function isRecord(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
}
function isDims(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((d) => isInt(d, 1, 100_000))
}
function fail(reason: string): SpecCheck {
  return { ok: false, reason }
}

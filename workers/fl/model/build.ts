import * as tf from '@tensorflow/tfjs'
import type { LayerSpec, ModelSpec } from './spec'

/** Builds a tfjs model from a spec that validateModelSpec accepted. */
export function buildModel(spec: ModelSpec): tf.Sequential {
  const model = tf.sequential()
  spec.layers.forEach((layer, i) => model.add(toLayer(layer, i === 0 ? spec.inputShape : undefined)))
  return model
}

function toLayer(layer: LayerSpec, inputShape: number[] | undefined): tf.layers.Layer {
  const first = inputShape ? { inputShape } : {}
  switch (layer.type) {
    case 'dense':
      return tf.layers.dense({ ...first, units: layer.units, activation: layer.activation ?? 'linear' })
    case 'conv2d':
      return tf.layers.conv2d({
        ...first,
        filters: layer.filters,
        kernelSize: layer.kernelSize,
        strides: layer.strides ?? 1,
        padding: layer.padding ?? 'valid',
        activation: layer.activation ?? 'linear',
      })
    case 'maxPooling2d':
      return tf.layers.maxPooling2d({ ...first, poolSize: layer.poolSize, strides: layer.strides ?? layer.poolSize })
    case 'averagePooling2d':
      return tf.layers.averagePooling2d({ ...first, poolSize: layer.poolSize, strides: layer.strides ?? layer.poolSize })
    case 'flatten':
      return tf.layers.flatten(first)
    case 'dropout':
      return tf.layers.dropout({ ...first, rate: layer.rate })
    case 'reshape':
      return tf.layers.reshape({ ...first, targetShape: layer.targetShape })
  }
}

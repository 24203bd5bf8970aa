import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum ValueEncoding {
  FLOAT32 = 'FLOAT32',
  FLOAT16 = 'FLOAT16',
  INT8 = 'INT8'
}

enum __ValueEncodingValues {
  FLOAT32 = 0,
  FLOAT16 = 1,
  INT8 = 2
}

export namespace ValueEncoding {
  export const codec = (): Codec<ValueEncoding> => {
    return enumeration<ValueEncoding>(__ValueEncodingValues)
  }
}

export interface LayerShape {
  name: string
  dims: number[]
}

export namespace LayerShape {
  let _codec: Codec<LayerShape>

  export const codec = (): Codec<LayerShape> => {
    if (_codec == null) {
      _codec = message<LayerShape>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if (obj.dims != null && obj.dims.length > 0) {
          for (const value of obj.dims) {
            w.uint32(16)
            w.uint32(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          dims: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              if (opts.limits?.dims != null && obj.dims.length === opts.limits.dims) {
                throw new MaxLengthError('Decode error - repeated field "dims" had too many elements')
              }

              obj.dims.push(reader.uint32())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          dims: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
              if (opts.limits?.dims != null && obj.dims === opts.limits.dims) {
                throw new MaxLengthError('Streaming decode error - repeated field "dims" had too many elements')
              }

              yield {
                field: `${prefix}.dims[]`,
                index: obj.dims,
                value: reader.uint32()
              }

              obj.dims++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface LayerShapeNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface LayerShapeDimsFieldEvent {
    field: '$.dims[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<LayerShape>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, LayerShape.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LayerShape>): LayerShape {
    return decodeMessage(buf, LayerShape.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LayerShape>): Generator<LayerShapeNameFieldEvent | LayerShapeDimsFieldEvent> {
    return streamMessage(buf, LayerShape.codec(), opts)
  }
}

export interface ModelUpdate {
  round: bigint
  baseModelHash: Uint8Array<ArrayBuffer>
  sampleCount: number
  layers: LayerShape[]
  encoding: ValueEncoding
  values: Uint8Array<ArrayBuffer>
  scales: number[]
  clipNorm: number
}

export namespace ModelUpdate {
  let _codec: Codec<ModelUpdate>

  export const codec = (): Codec<ModelUpdate> => {
    if (_codec == null) {
      _codec = message<ModelUpdate>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.round != null && obj.round !== 0n)) {
          w.uint32(8)
          w.uint64(obj.round)
        }

        if ((obj.baseModelHash != null && obj.baseModelHash.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.baseModelHash)
        }

        if ((obj.sampleCount != null && obj.sampleCount !== 0)) {
          w.uint32(24)
          w.uint32(obj.sampleCount)
        }

        if (obj.layers != null && obj.layers.length > 0) {
          for (const value of obj.layers) {
            w.uint32(34)
            LayerShape.codec().encode(value, w)
          }
        }

        if (obj.encoding != null && __ValueEncodingValues[obj.encoding] !== 0) {
          w.uint32(40)
          ValueEncoding.codec().encode(obj.encoding, w)
        }

        if ((obj.values != null && obj.values.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.values)
        }

        if (obj.scales != null && obj.scales.length > 0) {
          for (const value of obj.scales) {
            w.uint32(61)
            w.float(value)
          }
        }

        if ((obj.clipNorm != null && obj.clipNorm !== 0)) {
          w.uint32(69)
          w.float(obj.clipNorm)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          round: 0n,
          baseModelHash: uint8ArrayAlloc(0),
          sampleCount: 0,
          layers: [],
          encoding: ValueEncoding.FLOAT32,
          values: uint8ArrayAlloc(0),
          scales: [],
          clipNorm: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.round = reader.uint64()
              break
            }
            case 2: {
              obj.baseModelHash = reader.bytes()
              break
            }
            case 3: {
              obj.sampleCount = reader.uint32()
              break
            }
            case 4: {
              if (opts.limits?.layers != null && obj.layers.length === opts.limits.layers) {
                throw new MaxLengthError('Decode error - repeated field "layers" had too many elements')
              }

              obj.layers.push(LayerShape.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.layers$
              }))
              break
            }
            case 5: {
              obj.encoding = ValueEncoding.codec().decode(reader)
              break
            }
            case 6: {
              obj.values = reader.bytes()
              break
            }
            case 7: {
              if (opts.limits?.scales != null && obj.scales.length === opts.limits.scales) {
                throw new MaxLengthError('Decode error - repeated field "scales" had too many elements')
              }

              obj.scales.push(reader.float())
              break
            }
            case 8: {
              obj.clipNorm = reader.float()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          layers: 0,
          scales: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.round`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.baseModelHash`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.sampleCount`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              if (opts.limits?.layers != null && obj.layers === opts.limits.layers) {
                throw new MaxLengthError('Streaming decode error - repeated field "layers" had too many elements')
              }

              for (const evt of LayerShape.codec().stream(reader, reader.uint32(), `${prefix}.layers[]`, {
                limits: opts.limits?.layers$
              })) {
                yield {
                  ...evt,
                  index: obj.layers
                }
              }

              obj.layers++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.encoding`,
                value: ValueEncoding.codec().decode(reader)
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.values`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              if (opts.limits?.scales != null && obj.scales === opts.limits.scales) {
                throw new MaxLengthError('Streaming decode error - repeated field "scales" had too many elements')
              }

              yield {
                field: `${prefix}.scales[]`,
                index: obj.scales,
                value: reader.float()
              }

              obj.scales++

              break
            }
            case 8: {
              yield {
                field: `${prefix}.clipNorm`,
                value: reader.float()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ModelUpdateRoundFieldEvent {
    field: '$.round'
    value: bigint
  }

  export interface ModelUpdateBaseModelHashFieldEvent {
    field: '$.baseModelHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ModelUpdateSampleCountFieldEvent {
    field: '$.sampleCount'
    value: number
  }

  export interface ModelUpdateLayersNameFieldEvent {
    field: '$.layers[].name'
    value: string
    index: number
  }

  export interface ModelUpdateLayersDimsFieldEvent {
    field: '$.layers[].dims[]'
    index: number
    value: number
  }

  export interface ModelUpdateEncodingFieldEvent {
    field: '$.encoding'
    value: ValueEncoding
  }

  export interface ModelUpdateValuesFieldEvent {
    field: '$.values'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ModelUpdateScalesFieldEvent {
    field: '$.scales[]'
    index: number
    value: number
  }

  export interface ModelUpdateClipNormFieldEvent {
    field: '$.clipNorm'
    value: number
  }

  export function encode (obj: Partial<ModelUpdate>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ModelUpdate.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ModelUpdate>): ModelUpdate {
    return decodeMessage(buf, ModelUpdate.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ModelUpdate>): Generator<ModelUpdateRoundFieldEvent | ModelUpdateBaseModelHashFieldEvent | ModelUpdateSampleCountFieldEvent | ModelUpdateLayersNameFieldEvent | ModelUpdateLayersDimsFieldEvent | ModelUpdateEncodingFieldEvent | ModelUpdateValuesFieldEvent | ModelUpdateScalesFieldEvent | ModelUpdateClipNormFieldEvent> {
    return streamMessage(buf, ModelUpdate.codec(), opts)
  }
}

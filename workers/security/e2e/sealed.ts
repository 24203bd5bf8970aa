import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface SealedBox {
  version: number
  ephemeralPublicKey: Uint8Array<ArrayBuffer>
  chunkBytes: number
  chunks: Uint8Array<ArrayBuffer>[]
}

export namespace SealedBox {
  let _codec: Codec<SealedBox>

  export const codec = (): Codec<SealedBox> => {
    if (_codec == null) {
      _codec = message<SealedBox>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.ephemeralPublicKey != null && obj.ephemeralPublicKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.ephemeralPublicKey)
        }

        if ((obj.chunkBytes != null && obj.chunkBytes !== 0)) {
          w.uint32(24)
          w.uint32(obj.chunkBytes)
        }

        if (obj.chunks != null && obj.chunks.length > 0) {
          for (const value of obj.chunks) {
            w.uint32(34)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          ephemeralPublicKey: uint8ArrayAlloc(0),
          chunkBytes: 0,
          chunks: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.ephemeralPublicKey = reader.bytes()
              break
            }
            case 3: {
              obj.chunkBytes = reader.uint32()
              break
            }
            case 4: {
              if (opts.limits?.chunks != null && obj.chunks.length === opts.limits.chunks) {
                throw new MaxLengthError('Decode error - repeated field "chunks" had too many elements')
              }

              obj.chunks.push(reader.bytes())
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
          chunks: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.ephemeralPublicKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.chunkBytes`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              if (opts.limits?.chunks != null && obj.chunks === opts.limits.chunks) {
                throw new MaxLengthError('Streaming decode error - repeated field "chunks" had too many elements')
              }

              yield {
                field: `${prefix}.chunks[]`,
                index: obj.chunks,
                value: reader.bytes()
              }

              obj.chunks++

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

  export interface SealedBoxVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface SealedBoxEphemeralPublicKeyFieldEvent {
    field: '$.ephemeralPublicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SealedBoxChunkBytesFieldEvent {
    field: '$.chunkBytes'
    value: number
  }

  export interface SealedBoxChunksFieldEvent {
    field: '$.chunks[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SealedBox>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SealedBox.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SealedBox>): SealedBox {
    return decodeMessage(buf, SealedBox.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SealedBox>): Generator<SealedBoxVersionFieldEvent | SealedBoxEphemeralPublicKeyFieldEvent | SealedBoxChunkBytesFieldEvent | SealedBoxChunksFieldEvent> {
    return streamMessage(buf, SealedBox.codec(), opts)
  }
}

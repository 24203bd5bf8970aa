import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface AuditRead {
  fromSeq: bigint
  limit: number
}

export namespace AuditRead {
  let _codec: Codec<AuditRead>

  export const codec = (): Codec<AuditRead> => {
    if (_codec == null) {
      _codec = message<AuditRead>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.fromSeq != null && obj.fromSeq !== 0n)) {
          w.uint32(8)
          w.uint64(obj.fromSeq)
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(16)
          w.uint32(obj.limit)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          fromSeq: 0n,
          limit: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.fromSeq = reader.uint64()
              break
            }
            case 2: {
              obj.limit = reader.uint32()
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
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.fromSeq`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.limit`,
                value: reader.uint32()
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

  export interface AuditReadFromSeqFieldEvent {
    field: '$.fromSeq'
    value: bigint
  }

  export interface AuditReadLimitFieldEvent {
    field: '$.limit'
    value: number
  }

  export function encode (obj: Partial<AuditRead>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AuditRead.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuditRead>): AuditRead {
    return decodeMessage(buf, AuditRead.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuditRead>): Generator<AuditReadFromSeqFieldEvent | AuditReadLimitFieldEvent> {
    return streamMessage(buf, AuditRead.codec(), opts)
  }
}

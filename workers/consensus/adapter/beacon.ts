import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface BeaconRecord {
  height: bigint
  previousValueId: Uint8Array<ArrayBuffer>
  proposer: string
  timeMs: bigint
}

export namespace BeaconRecord {
  let _codec: Codec<BeaconRecord>

  export const codec = (): Codec<BeaconRecord> => {
    if (_codec == null) {
      _codec = message<BeaconRecord>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.height != null && obj.height !== 0n)) {
          w.uint32(8)
          w.uint64(obj.height)
        }

        if ((obj.previousValueId != null && obj.previousValueId.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.previousValueId)
        }

        if ((obj.proposer != null && obj.proposer !== '')) {
          w.uint32(26)
          w.string(obj.proposer)
        }

        if ((obj.timeMs != null && obj.timeMs !== 0n)) {
          w.uint32(32)
          w.uint64(obj.timeMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          height: 0n,
          previousValueId: uint8ArrayAlloc(0),
          proposer: '',
          timeMs: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.height = reader.uint64()
              break
            }
            case 2: {
              obj.previousValueId = reader.bytes()
              break
            }
            case 3: {
              obj.proposer = reader.string()
              break
            }
            case 4: {
              obj.timeMs = reader.uint64()
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
                field: `${prefix}.height`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.previousValueId`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.proposer`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.timeMs`,
                value: reader.uint64()
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

  export interface BeaconRecordHeightFieldEvent {
    field: '$.height'
    value: bigint
  }

  export interface BeaconRecordPreviousValueIdFieldEvent {
    field: '$.previousValueId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BeaconRecordProposerFieldEvent {
    field: '$.proposer'
    value: string
  }

  export interface BeaconRecordTimeMsFieldEvent {
    field: '$.timeMs'
    value: bigint
  }

  export function encode (obj: Partial<BeaconRecord>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BeaconRecord.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BeaconRecord>): BeaconRecord {
    return decodeMessage(buf, BeaconRecord.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BeaconRecord>): Generator<BeaconRecordHeightFieldEvent | BeaconRecordPreviousValueIdFieldEvent | BeaconRecordProposerFieldEvent | BeaconRecordTimeMsFieldEvent> {
    return streamMessage(buf, BeaconRecord.codec(), opts)
  }
}

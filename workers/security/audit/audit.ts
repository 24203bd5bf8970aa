import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface AuditEntry {
  seq: bigint
  event: string
  actor: string
  subject: string
  timeMs: bigint
  details: string
  prevHash: Uint8Array<ArrayBuffer>
  writer: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace AuditEntry {
  let _codec: Codec<AuditEntry>

  export const codec = (): Codec<AuditEntry> => {
    if (_codec == null) {
      _codec = message<AuditEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(8)
          w.uint64(obj.seq)
        }

        if ((obj.event != null && obj.event !== '')) {
          w.uint32(18)
          w.string(obj.event)
        }

        if ((obj.actor != null && obj.actor !== '')) {
          w.uint32(26)
          w.string(obj.actor)
        }

        if ((obj.subject != null && obj.subject !== '')) {
          w.uint32(34)
          w.string(obj.subject)
        }

        if ((obj.timeMs != null && obj.timeMs !== 0n)) {
          w.uint32(40)
          w.uint64(obj.timeMs)
        }

        if ((obj.details != null && obj.details !== '')) {
          w.uint32(50)
          w.string(obj.details)
        }

        if ((obj.prevHash != null && obj.prevHash.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.prevHash)
        }

        if ((obj.writer != null && obj.writer.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.writer)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(74)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          seq: 0n,
          event: '',
          actor: '',
          subject: '',
          timeMs: 0n,
          details: '',
          prevHash: uint8ArrayAlloc(0),
          writer: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.seq = reader.uint64()
              break
            }
            case 2: {
              obj.event = reader.string()
              break
            }
            case 3: {
              obj.actor = reader.string()
              break
            }
            case 4: {
              obj.subject = reader.string()
              break
            }
            case 5: {
              obj.timeMs = reader.uint64()
              break
            }
            case 6: {
              obj.details = reader.string()
              break
            }
            case 7: {
              obj.prevHash = reader.bytes()
              break
            }
            case 8: {
              obj.writer = reader.bytes()
              break
            }
            case 9: {
              obj.signature = reader.bytes()
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
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.event`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.actor`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.subject`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.timeMs`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.details`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.prevHash`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.writer`,
                value: reader.bytes()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
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

  export interface AuditEntrySeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface AuditEntryEventFieldEvent {
    field: '$.event'
    value: string
  }

  export interface AuditEntryActorFieldEvent {
    field: '$.actor'
    value: string
  }

  export interface AuditEntrySubjectFieldEvent {
    field: '$.subject'
    value: string
  }

  export interface AuditEntryTimeMsFieldEvent {
    field: '$.timeMs'
    value: bigint
  }

  export interface AuditEntryDetailsFieldEvent {
    field: '$.details'
    value: string
  }

  export interface AuditEntryPrevHashFieldEvent {
    field: '$.prevHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AuditEntryWriterFieldEvent {
    field: '$.writer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AuditEntrySignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<AuditEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AuditEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuditEntry>): AuditEntry {
    return decodeMessage(buf, AuditEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuditEntry>): Generator<AuditEntrySeqFieldEvent | AuditEntryEventFieldEvent | AuditEntryActorFieldEvent | AuditEntrySubjectFieldEvent | AuditEntryTimeMsFieldEvent | AuditEntryDetailsFieldEvent | AuditEntryPrevHashFieldEvent | AuditEntryWriterFieldEvent | AuditEntrySignatureFieldEvent> {
    return streamMessage(buf, AuditEntry.codec(), opts)
  }
}

export interface AuditHead {
  seq: bigint
  hash: Uint8Array<ArrayBuffer>
  timeMs: bigint
  writer: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace AuditHead {
  let _codec: Codec<AuditHead>

  export const codec = (): Codec<AuditHead> => {
    if (_codec == null) {
      _codec = message<AuditHead>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(8)
          w.uint64(obj.seq)
        }

        if ((obj.hash != null && obj.hash.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.hash)
        }

        if ((obj.timeMs != null && obj.timeMs !== 0n)) {
          w.uint32(24)
          w.uint64(obj.timeMs)
        }

        if ((obj.writer != null && obj.writer.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.writer)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          seq: 0n,
          hash: uint8ArrayAlloc(0),
          timeMs: 0n,
          writer: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.seq = reader.uint64()
              break
            }
            case 2: {
              obj.hash = reader.bytes()
              break
            }
            case 3: {
              obj.timeMs = reader.uint64()
              break
            }
            case 4: {
              obj.writer = reader.bytes()
              break
            }
            case 5: {
              obj.signature = reader.bytes()
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
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.hash`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.timeMs`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.writer`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
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

  export interface AuditHeadSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface AuditHeadHashFieldEvent {
    field: '$.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AuditHeadTimeMsFieldEvent {
    field: '$.timeMs'
    value: bigint
  }

  export interface AuditHeadWriterFieldEvent {
    field: '$.writer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AuditHeadSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<AuditHead>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AuditHead.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuditHead>): AuditHead {
    return decodeMessage(buf, AuditHead.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuditHead>): Generator<AuditHeadSeqFieldEvent | AuditHeadHashFieldEvent | AuditHeadTimeMsFieldEvent | AuditHeadWriterFieldEvent | AuditHeadSignatureFieldEvent> {
    return streamMessage(buf, AuditHead.codec(), opts)
  }
}

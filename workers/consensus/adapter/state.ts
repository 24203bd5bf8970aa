import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface PersistedSlot {
  round: number
  value: Uint8Array<ArrayBuffer>
  justification: Uint8Array<ArrayBuffer>[]
}

export namespace PersistedSlot {
  let _codec: Codec<PersistedSlot>

  export const codec = (): Codec<PersistedSlot> => {
    if (_codec == null) {
      _codec = message<PersistedSlot>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(8)
          w.uint32(obj.round)
        }

        if ((obj.value != null && obj.value.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.value)
        }

        if (obj.justification != null && obj.justification.length > 0) {
          for (const value of obj.justification) {
            w.uint32(26)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          round: 0,
          value: uint8ArrayAlloc(0),
          justification: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.round = reader.uint32()
              break
            }
            case 2: {
              obj.value = reader.bytes()
              break
            }
            case 3: {
              if (opts.limits?.justification != null && obj.justification.length === opts.limits.justification) {
                throw new MaxLengthError('Decode error - repeated field "justification" had too many elements')
              }

              obj.justification.push(reader.bytes())
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
          justification: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.round`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.value`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              if (opts.limits?.justification != null && obj.justification === opts.limits.justification) {
                throw new MaxLengthError('Streaming decode error - repeated field "justification" had too many elements')
              }

              yield {
                field: `${prefix}.justification[]`,
                index: obj.justification,
                value: reader.bytes()
              }

              obj.justification++

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

  export interface PersistedSlotRoundFieldEvent {
    field: '$.round'
    value: number
  }

  export interface PersistedSlotValueFieldEvent {
    field: '$.value'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PersistedSlotJustificationFieldEvent {
    field: '$.justification[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<PersistedSlot>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PersistedSlot.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PersistedSlot>): PersistedSlot {
    return decodeMessage(buf, PersistedSlot.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PersistedSlot>): Generator<PersistedSlotRoundFieldEvent | PersistedSlotValueFieldEvent | PersistedSlotJustificationFieldEvent> {
    return streamMessage(buf, PersistedSlot.codec(), opts)
  }
}

export interface PersistedBftStateRecord {
  height: bigint
  round: number
  step: number
  locked?: PersistedSlot
  valid?: PersistedSlot
  signed: Uint8Array<ArrayBuffer>[]
  lastCommit: Uint8Array<ArrayBuffer>
}

export namespace PersistedBftStateRecord {
  let _codec: Codec<PersistedBftStateRecord>

  export const codec = (): Codec<PersistedBftStateRecord> => {
    if (_codec == null) {
      _codec = message<PersistedBftStateRecord>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.height != null && obj.height !== 0n)) {
          w.uint32(8)
          w.uint64(obj.height)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(16)
          w.uint32(obj.round)
        }

        if ((obj.step != null && obj.step !== 0)) {
          w.uint32(24)
          w.uint32(obj.step)
        }

        if (obj.locked != null) {
          w.uint32(34)
          PersistedSlot.codec().encode(obj.locked, w)
        }

        if (obj.valid != null) {
          w.uint32(42)
          PersistedSlot.codec().encode(obj.valid, w)
        }

        if (obj.signed != null && obj.signed.length > 0) {
          for (const value of obj.signed) {
            w.uint32(50)
            w.bytes(value)
          }
        }

        if ((obj.lastCommit != null && obj.lastCommit.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.lastCommit)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          height: 0n,
          round: 0,
          step: 0,
          signed: [],
          lastCommit: uint8ArrayAlloc(0)
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
              obj.round = reader.uint32()
              break
            }
            case 3: {
              obj.step = reader.uint32()
              break
            }
            case 4: {
              obj.locked = PersistedSlot.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.locked
              })
              break
            }
            case 5: {
              obj.valid = PersistedSlot.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.valid
              })
              break
            }
            case 6: {
              if (opts.limits?.signed != null && obj.signed.length === opts.limits.signed) {
                throw new MaxLengthError('Decode error - repeated field "signed" had too many elements')
              }

              obj.signed.push(reader.bytes())
              break
            }
            case 7: {
              obj.lastCommit = reader.bytes()
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
          signed: 0
        }

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
                field: `${prefix}.round`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.step`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield * PersistedSlot.codec().stream(reader, reader.uint32(), `${prefix}.locked`, {
                limits: opts.limits?.locked
              })

              break
            }
            case 5: {
              yield * PersistedSlot.codec().stream(reader, reader.uint32(), `${prefix}.valid`, {
                limits: opts.limits?.valid
              })

              break
            }
            case 6: {
              if (opts.limits?.signed != null && obj.signed === opts.limits.signed) {
                throw new MaxLengthError('Streaming decode error - repeated field "signed" had too many elements')
              }

              yield {
                field: `${prefix}.signed[]`,
                index: obj.signed,
                value: reader.bytes()
              }

              obj.signed++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.lastCommit`,
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

  export interface PersistedBftStateRecordHeightFieldEvent {
    field: '$.height'
    value: bigint
  }

  export interface PersistedBftStateRecordRoundFieldEvent {
    field: '$.round'
    value: number
  }

  export interface PersistedBftStateRecordStepFieldEvent {
    field: '$.step'
    value: number
  }

  export interface PersistedBftStateRecordLockedRoundFieldEvent {
    field: '$.locked.round'
    value: number
  }

  export interface PersistedBftStateRecordLockedValueFieldEvent {
    field: '$.locked.value'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PersistedBftStateRecordLockedJustificationFieldEvent {
    field: '$.locked.justification[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface PersistedBftStateRecordValidRoundFieldEvent {
    field: '$.valid.round'
    value: number
  }

  export interface PersistedBftStateRecordValidValueFieldEvent {
    field: '$.valid.value'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PersistedBftStateRecordValidJustificationFieldEvent {
    field: '$.valid.justification[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface PersistedBftStateRecordSignedFieldEvent {
    field: '$.signed[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface PersistedBftStateRecordLastCommitFieldEvent {
    field: '$.lastCommit'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<PersistedBftStateRecord>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PersistedBftStateRecord.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PersistedBftStateRecord>): PersistedBftStateRecord {
    return decodeMessage(buf, PersistedBftStateRecord.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PersistedBftStateRecord>): Generator<PersistedBftStateRecordHeightFieldEvent | PersistedBftStateRecordRoundFieldEvent | PersistedBftStateRecordStepFieldEvent | PersistedBftStateRecordLockedRoundFieldEvent | PersistedBftStateRecordLockedValueFieldEvent | PersistedBftStateRecordLockedJustificationFieldEvent | PersistedBftStateRecordValidRoundFieldEvent | PersistedBftStateRecordValidValueFieldEvent | PersistedBftStateRecordValidJustificationFieldEvent | PersistedBftStateRecordSignedFieldEvent | PersistedBftStateRecordLastCommitFieldEvent> {
    return streamMessage(buf, PersistedBftStateRecord.codec(), opts)
  }
}

import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface ValidatorEntry {
  id: string
  identityKey: Uint8Array<ArrayBuffer>
  voteKey: Uint8Array<ArrayBuffer>
  possession: Uint8Array<ArrayBuffer>
}

export namespace ValidatorEntry {
  let _codec: Codec<ValidatorEntry>

  export const codec = (): Codec<ValidatorEntry> => {
    if (_codec == null) {
      _codec = message<ValidatorEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.identityKey != null && obj.identityKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.identityKey)
        }

        if ((obj.voteKey != null && obj.voteKey.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.voteKey)
        }

        if ((obj.possession != null && obj.possession.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.possession)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          identityKey: uint8ArrayAlloc(0),
          voteKey: uint8ArrayAlloc(0),
          possession: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.identityKey = reader.bytes()
              break
            }
            case 3: {
              obj.voteKey = reader.bytes()
              break
            }
            case 4: {
              obj.possession = reader.bytes()
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
                field: `${prefix}.id`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.identityKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.voteKey`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.possession`,
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

  export interface ValidatorEntryIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface ValidatorEntryIdentityKeyFieldEvent {
    field: '$.identityKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ValidatorEntryVoteKeyFieldEvent {
    field: '$.voteKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ValidatorEntryPossessionFieldEvent {
    field: '$.possession'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ValidatorEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ValidatorEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ValidatorEntry>): ValidatorEntry {
    return decodeMessage(buf, ValidatorEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ValidatorEntry>): Generator<ValidatorEntryIdFieldEvent | ValidatorEntryIdentityKeyFieldEvent | ValidatorEntryVoteKeyFieldEvent | ValidatorEntryPossessionFieldEvent> {
    return streamMessage(buf, ValidatorEntry.codec(), opts)
  }
}

export interface ValidatorSetBody {
  validators: ValidatorEntry[]
}

export namespace ValidatorSetBody {
  let _codec: Codec<ValidatorSetBody>

  export const codec = (): Codec<ValidatorSetBody> => {
    if (_codec == null) {
      _codec = message<ValidatorSetBody>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.validators != null && obj.validators.length > 0) {
          for (const value of obj.validators) {
            w.uint32(10)
            ValidatorEntry.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          validators: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.validators != null && obj.validators.length === opts.limits.validators) {
                throw new MaxLengthError('Decode error - repeated field "validators" had too many elements')
              }

              obj.validators.push(ValidatorEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.validators$
              }))
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
          validators: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.validators != null && obj.validators === opts.limits.validators) {
                throw new MaxLengthError('Streaming decode error - repeated field "validators" had too many elements')
              }

              for (const evt of ValidatorEntry.codec().stream(reader, reader.uint32(), `${prefix}.validators[]`, {
                limits: opts.limits?.validators$
              })) {
                yield {
                  ...evt,
                  index: obj.validators
                }
              }

              obj.validators++

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

  export interface ValidatorSetBodyValidatorsIdFieldEvent {
    field: '$.validators[].id'
    value: string
    index: number
  }

  export interface ValidatorSetBodyValidatorsIdentityKeyFieldEvent {
    field: '$.validators[].identityKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ValidatorSetBodyValidatorsVoteKeyFieldEvent {
    field: '$.validators[].voteKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ValidatorSetBodyValidatorsPossessionFieldEvent {
    field: '$.validators[].possession'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<ValidatorSetBody>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ValidatorSetBody.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ValidatorSetBody>): ValidatorSetBody {
    return decodeMessage(buf, ValidatorSetBody.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ValidatorSetBody>): Generator<ValidatorSetBodyValidatorsIdFieldEvent | ValidatorSetBodyValidatorsIdentityKeyFieldEvent | ValidatorSetBodyValidatorsVoteKeyFieldEvent | ValidatorSetBodyValidatorsPossessionFieldEvent> {
    return streamMessage(buf, ValidatorSetBody.codec(), opts)
  }
}

export interface CommitCertificate {
  chainId: string
  height: bigint
  round: number
  valueId: Uint8Array<ArrayBuffer>
  validatorSetHash: Uint8Array<ArrayBuffer>
  signers: Uint8Array<ArrayBuffer>
  aggregateSignature: Uint8Array<ArrayBuffer>
}

export namespace CommitCertificate {
  let _codec: Codec<CommitCertificate>

  export const codec = (): Codec<CommitCertificate> => {
    if (_codec == null) {
      _codec = message<CommitCertificate>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.chainId != null && obj.chainId !== '')) {
          w.uint32(10)
          w.string(obj.chainId)
        }

        if ((obj.height != null && obj.height !== 0n)) {
          w.uint32(16)
          w.uint64(obj.height)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(24)
          w.uint32(obj.round)
        }

        if ((obj.valueId != null && obj.valueId.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.valueId)
        }

        if ((obj.validatorSetHash != null && obj.validatorSetHash.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.validatorSetHash)
        }

        if ((obj.signers != null && obj.signers.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.signers)
        }

        if ((obj.aggregateSignature != null && obj.aggregateSignature.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.aggregateSignature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          chainId: '',
          height: 0n,
          round: 0,
          valueId: uint8ArrayAlloc(0),
          validatorSetHash: uint8ArrayAlloc(0),
          signers: uint8ArrayAlloc(0),
          aggregateSignature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.chainId = reader.string()
              break
            }
            case 2: {
              obj.height = reader.uint64()
              break
            }
            case 3: {
              obj.round = reader.uint32()
              break
            }
            case 4: {
              obj.valueId = reader.bytes()
              break
            }
            case 5: {
              obj.validatorSetHash = reader.bytes()
              break
            }
            case 6: {
              obj.signers = reader.bytes()
              break
            }
            case 7: {
              obj.aggregateSignature = reader.bytes()
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
                field: `${prefix}.chainId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.height`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.round`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.valueId`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.validatorSetHash`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.signers`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.aggregateSignature`,
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

  export interface CommitCertificateChainIdFieldEvent {
    field: '$.chainId'
    value: string
  }

  export interface CommitCertificateHeightFieldEvent {
    field: '$.height'
    value: bigint
  }

  export interface CommitCertificateRoundFieldEvent {
    field: '$.round'
    value: number
  }

  export interface CommitCertificateValueIdFieldEvent {
    field: '$.valueId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CommitCertificateValidatorSetHashFieldEvent {
    field: '$.validatorSetHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CommitCertificateSignersFieldEvent {
    field: '$.signers'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CommitCertificateAggregateSignatureFieldEvent {
    field: '$.aggregateSignature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<CommitCertificate>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CommitCertificate.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CommitCertificate>): CommitCertificate {
    return decodeMessage(buf, CommitCertificate.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CommitCertificate>): Generator<CommitCertificateChainIdFieldEvent | CommitCertificateHeightFieldEvent | CommitCertificateRoundFieldEvent | CommitCertificateValueIdFieldEvent | CommitCertificateValidatorSetHashFieldEvent | CommitCertificateSignersFieldEvent | CommitCertificateAggregateSignatureFieldEvent> {
    return streamMessage(buf, CommitCertificate.codec(), opts)
  }
}

export interface CommitSignBytes {
  domain: string
  chainId: string
  height: bigint
  round: number
  valueId: Uint8Array<ArrayBuffer>
}

export namespace CommitSignBytes {
  let _codec: Codec<CommitSignBytes>

  export const codec = (): Codec<CommitSignBytes> => {
    if (_codec == null) {
      _codec = message<CommitSignBytes>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.domain != null && obj.domain !== '')) {
          w.uint32(10)
          w.string(obj.domain)
        }

        if ((obj.chainId != null && obj.chainId !== '')) {
          w.uint32(18)
          w.string(obj.chainId)
        }

        if ((obj.height != null && obj.height !== 0n)) {
          w.uint32(24)
          w.uint64(obj.height)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(32)
          w.uint32(obj.round)
        }

        if ((obj.valueId != null && obj.valueId.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.valueId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          domain: '',
          chainId: '',
          height: 0n,
          round: 0,
          valueId: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.domain = reader.string()
              break
            }
            case 2: {
              obj.chainId = reader.string()
              break
            }
            case 3: {
              obj.height = reader.uint64()
              break
            }
            case 4: {
              obj.round = reader.uint32()
              break
            }
            case 5: {
              obj.valueId = reader.bytes()
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
                field: `${prefix}.domain`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.chainId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.height`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.round`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.valueId`,
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

  export interface CommitSignBytesDomainFieldEvent {
    field: '$.domain'
    value: string
  }

  export interface CommitSignBytesChainIdFieldEvent {
    field: '$.chainId'
    value: string
  }

  export interface CommitSignBytesHeightFieldEvent {
    field: '$.height'
    value: bigint
  }

  export interface CommitSignBytesRoundFieldEvent {
    field: '$.round'
    value: number
  }

  export interface CommitSignBytesValueIdFieldEvent {
    field: '$.valueId'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<CommitSignBytes>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CommitSignBytes.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CommitSignBytes>): CommitSignBytes {
    return decodeMessage(buf, CommitSignBytes.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CommitSignBytes>): Generator<CommitSignBytesDomainFieldEvent | CommitSignBytesChainIdFieldEvent | CommitSignBytesHeightFieldEvent | CommitSignBytesRoundFieldEvent | CommitSignBytesValueIdFieldEvent> {
    return streamMessage(buf, CommitSignBytes.codec(), opts)
  }
}

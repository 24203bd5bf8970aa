import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface BftVote {
  height: bigint
  round: number
  type: number
  valueId: Uint8Array<ArrayBuffer>
  validator: number
  commitSignature: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace BftVote {
  let _codec: Codec<BftVote>

  export const codec = (): Codec<BftVote> => {
    if (_codec == null) {
      _codec = message<BftVote>((obj, w, opts = {}) => {
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

        if ((obj.type != null && obj.type !== 0)) {
          w.uint32(24)
          w.uint32(obj.type)
        }

        if ((obj.valueId != null && obj.valueId.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.valueId)
        }

        if ((obj.validator != null && obj.validator !== 0)) {
          w.uint32(40)
          w.uint32(obj.validator)
        }

        if ((obj.commitSignature != null && obj.commitSignature.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.commitSignature)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          height: 0n,
          round: 0,
          type: 0,
          valueId: uint8ArrayAlloc(0),
          validator: 0,
          commitSignature: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
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
              obj.type = reader.uint32()
              break
            }
            case 4: {
              obj.valueId = reader.bytes()
              break
            }
            case 5: {
              obj.validator = reader.uint32()
              break
            }
            case 6: {
              obj.commitSignature = reader.bytes()
              break
            }
            case 7: {
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
                field: `${prefix}.type`,
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
                field: `${prefix}.validator`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.commitSignature`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
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

  export interface BftVoteHeightFieldEvent {
    field: '$.height'
    value: bigint
  }

  export interface BftVoteRoundFieldEvent {
    field: '$.round'
    value: number
  }

  export interface BftVoteTypeFieldEvent {
    field: '$.type'
    value: number
  }

  export interface BftVoteValueIdFieldEvent {
    field: '$.valueId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BftVoteValidatorFieldEvent {
    field: '$.validator'
    value: number
  }

  export interface BftVoteCommitSignatureFieldEvent {
    field: '$.commitSignature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BftVoteSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<BftVote>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BftVote.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BftVote>): BftVote {
    return decodeMessage(buf, BftVote.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BftVote>): Generator<BftVoteHeightFieldEvent | BftVoteRoundFieldEvent | BftVoteTypeFieldEvent | BftVoteValueIdFieldEvent | BftVoteValidatorFieldEvent | BftVoteCommitSignatureFieldEvent | BftVoteSignatureFieldEvent> {
    return streamMessage(buf, BftVote.codec(), opts)
  }
}

export interface BftProposal {
  height: bigint
  round: number
  value: Uint8Array<ArrayBuffer>
  validRound: number
  proposer: number
  justification: BftVote[]
  signature: Uint8Array<ArrayBuffer>
}

export namespace BftProposal {
  let _codec: Codec<BftProposal>

  export const codec = (): Codec<BftProposal> => {
    if (_codec == null) {
      _codec = message<BftProposal>((obj, w, opts = {}) => {
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

        if ((obj.value != null && obj.value.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.value)
        }

        if ((obj.validRound != null && obj.validRound !== 0)) {
          w.uint32(32)
          w.sint32(obj.validRound)
        }

        if ((obj.proposer != null && obj.proposer !== 0)) {
          w.uint32(40)
          w.uint32(obj.proposer)
        }

        if (obj.justification != null && obj.justification.length > 0) {
          for (const value of obj.justification) {
            w.uint32(50)
            BftVote.codec().encode(value, w)
          }
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          height: 0n,
          round: 0,
          value: uint8ArrayAlloc(0),
          validRound: 0,
          proposer: 0,
          justification: [],
          signature: uint8ArrayAlloc(0)
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
              obj.value = reader.bytes()
              break
            }
            case 4: {
              obj.validRound = reader.sint32()
              break
            }
            case 5: {
              obj.proposer = reader.uint32()
              break
            }
            case 6: {
              if (opts.limits?.justification != null && obj.justification.length === opts.limits.justification) {
                throw new MaxLengthError('Decode error - repeated field "justification" had too many elements')
              }

              obj.justification.push(BftVote.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.justification$
              }))
              break
            }
            case 7: {
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
        const obj = {
          justification: 0
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
                field: `${prefix}.value`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.validRound`,
                value: reader.sint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.proposer`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              if (opts.limits?.justification != null && obj.justification === opts.limits.justification) {
                throw new MaxLengthError('Streaming decode error - repeated field "justification" had too many elements')
              }

              for (const evt of BftVote.codec().stream(reader, reader.uint32(), `${prefix}.justification[]`, {
                limits: opts.limits?.justification$
              })) {
                yield {
                  ...evt,
                  index: obj.justification
                }
              }

              obj.justification++

              break
            }
            case 7: {
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

  export interface BftProposalHeightFieldEvent {
    field: '$.height'
    value: bigint
  }

  export interface BftProposalRoundFieldEvent {
    field: '$.round'
    value: number
  }

  export interface BftProposalValueFieldEvent {
    field: '$.value'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BftProposalValidRoundFieldEvent {
    field: '$.validRound'
    value: number
  }

  export interface BftProposalProposerFieldEvent {
    field: '$.proposer'
    value: number
  }

  export interface BftProposalJustificationHeightFieldEvent {
    field: '$.justification[].height'
    value: bigint
    index: number
  }

  export interface BftProposalJustificationRoundFieldEvent {
    field: '$.justification[].round'
    value: number
    index: number
  }

  export interface BftProposalJustificationTypeFieldEvent {
    field: '$.justification[].type'
    value: number
    index: number
  }

  export interface BftProposalJustificationValueIdFieldEvent {
    field: '$.justification[].valueId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BftProposalJustificationValidatorFieldEvent {
    field: '$.justification[].validator'
    value: number
    index: number
  }

  export interface BftProposalJustificationCommitSignatureFieldEvent {
    field: '$.justification[].commitSignature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BftProposalJustificationSignatureFieldEvent {
    field: '$.justification[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BftProposalSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<BftProposal>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BftProposal.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BftProposal>): BftProposal {
    return decodeMessage(buf, BftProposal.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BftProposal>): Generator<BftProposalHeightFieldEvent | BftProposalRoundFieldEvent | BftProposalValueFieldEvent | BftProposalValidRoundFieldEvent | BftProposalProposerFieldEvent | BftProposalJustificationHeightFieldEvent | BftProposalJustificationRoundFieldEvent | BftProposalJustificationTypeFieldEvent | BftProposalJustificationValueIdFieldEvent | BftProposalJustificationValidatorFieldEvent | BftProposalJustificationCommitSignatureFieldEvent | BftProposalJustificationSignatureFieldEvent | BftProposalSignatureFieldEvent> {
    return streamMessage(buf, BftProposal.codec(), opts)
  }
}

export interface BftCommit {
  certificate: Uint8Array<ArrayBuffer>
  value: Uint8Array<ArrayBuffer>
}

export namespace BftCommit {
  let _codec: Codec<BftCommit>

  export const codec = (): Codec<BftCommit> => {
    if (_codec == null) {
      _codec = message<BftCommit>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.certificate != null && obj.certificate.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.certificate)
        }

        if ((obj.value != null && obj.value.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.value)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          certificate: uint8ArrayAlloc(0),
          value: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.certificate = reader.bytes()
              break
            }
            case 2: {
              obj.value = reader.bytes()
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
                field: `${prefix}.certificate`,
                value: reader.bytes()
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

  export interface BftCommitCertificateFieldEvent {
    field: '$.certificate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BftCommitValueFieldEvent {
    field: '$.value'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<BftCommit>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BftCommit.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BftCommit>): BftCommit {
    return decodeMessage(buf, BftCommit.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BftCommit>): Generator<BftCommitCertificateFieldEvent | BftCommitValueFieldEvent> {
    return streamMessage(buf, BftCommit.codec(), opts)
  }
}

export interface BftMessage {
  proposal?: BftProposal
  vote?: BftVote
  commit?: BftCommit
}

export namespace BftMessage {
  let _codec: Codec<BftMessage>

  export const codec = (): Codec<BftMessage> => {
    if (_codec == null) {
      _codec = message<BftMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.commit != null) {
          obj.vote = undefined
          obj.proposal = undefined
        }

        if (obj.vote != null) {
          obj.commit = undefined
          obj.proposal = undefined
        }

        if (obj.proposal != null) {
          obj.commit = undefined
          obj.vote = undefined
        }

        if (obj.proposal != null) {
          w.uint32(10)
          BftProposal.codec().encode(obj.proposal, w)
        }

        if (obj.vote != null) {
          w.uint32(18)
          BftVote.codec().encode(obj.vote, w)
        }

        if (obj.commit != null) {
          w.uint32(26)
          BftCommit.codec().encode(obj.commit, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.proposal = BftProposal.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.proposal
              })
              break
            }
            case 2: {
              obj.vote = BftVote.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.vote
              })
              break
            }
            case 3: {
              obj.commit = BftCommit.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.commit
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.commit != null) {
          delete obj.vote
          delete obj.proposal
        }

        if (obj.vote != null) {
          delete obj.commit
          delete obj.proposal
        }

        if (obj.proposal != null) {
          delete obj.commit
          delete obj.vote
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * BftProposal.codec().stream(reader, reader.uint32(), `${prefix}.proposal`, {
                limits: opts.limits?.proposal
              })

              break
            }
            case 2: {
              yield * BftVote.codec().stream(reader, reader.uint32(), `${prefix}.vote`, {
                limits: opts.limits?.vote
              })

              break
            }
            case 3: {
              yield * BftCommit.codec().stream(reader, reader.uint32(), `${prefix}.commit`, {
                limits: opts.limits?.commit
              })

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

  export interface BftMessageProposalHeightFieldEvent {
    field: '$.proposal.height'
    value: bigint
  }

  export interface BftMessageProposalRoundFieldEvent {
    field: '$.proposal.round'
    value: number
  }

  export interface BftMessageProposalValueFieldEvent {
    field: '$.proposal.value'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BftMessageProposalValidRoundFieldEvent {
    field: '$.proposal.validRound'
    value: number
  }

  export interface BftMessageProposalProposerFieldEvent {
    field: '$.proposal.proposer'
    value: number
  }

  export interface BftMessageProposalJustificationHeightFieldEvent {
    field: '$.proposal.justification[].height'
    value: bigint
    index: number
  }

  export interface BftMessageProposalJustificationRoundFieldEvent {
    field: '$.proposal.justification[].round'
    value: number
    index: number
  }

  export interface BftMessageProposalJustificationTypeFieldEvent {
    field: '$.proposal.justification[].type'
    value: number
    index: number
  }

  export interface BftMessageProposalJustificationValueIdFieldEvent {
    field: '$.proposal.justification[].valueId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BftMessageProposalJustificationValidatorFieldEvent {
    field: '$.proposal.justification[].validator'
    value: number
    index: number
  }

  export interface BftMessageProposalJustificationCommitSignatureFieldEvent {
    field: '$.proposal.justification[].commitSignature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BftMessageProposalJustificationSignatureFieldEvent {
    field: '$.proposal.justification[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BftMessageProposalSignatureFieldEvent {
    field: '$.proposal.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BftMessageVoteHeightFieldEvent {
    field: '$.vote.height'
    value: bigint
  }

  export interface BftMessageVoteRoundFieldEvent {
    field: '$.vote.round'
    value: number
  }

  export interface BftMessageVoteTypeFieldEvent {
    field: '$.vote.type'
    value: number
  }

  export interface BftMessageVoteValueIdFieldEvent {
    field: '$.vote.valueId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BftMessageVoteValidatorFieldEvent {
    field: '$.vote.validator'
    value: number
  }

  export interface BftMessageVoteCommitSignatureFieldEvent {
    field: '$.vote.commitSignature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BftMessageVoteSignatureFieldEvent {
    field: '$.vote.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BftMessageCommitCertificateFieldEvent {
    field: '$.commit.certificate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BftMessageCommitValueFieldEvent {
    field: '$.commit.value'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<BftMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BftMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BftMessage>): BftMessage {
    return decodeMessage(buf, BftMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BftMessage>): Generator<BftMessageProposalHeightFieldEvent | BftMessageProposalRoundFieldEvent | BftMessageProposalValueFieldEvent | BftMessageProposalValidRoundFieldEvent | BftMessageProposalProposerFieldEvent | BftMessageProposalJustificationHeightFieldEvent | BftMessageProposalJustificationRoundFieldEvent | BftMessageProposalJustificationTypeFieldEvent | BftMessageProposalJustificationValueIdFieldEvent | BftMessageProposalJustificationValidatorFieldEvent | BftMessageProposalJustificationCommitSignatureFieldEvent | BftMessageProposalJustificationSignatureFieldEvent | BftMessageProposalSignatureFieldEvent | BftMessageVoteHeightFieldEvent | BftMessageVoteRoundFieldEvent | BftMessageVoteTypeFieldEvent | BftMessageVoteValueIdFieldEvent | BftMessageVoteValidatorFieldEvent | BftMessageVoteCommitSignatureFieldEvent | BftMessageVoteSignatureFieldEvent | BftMessageCommitCertificateFieldEvent | BftMessageCommitValueFieldEvent> {
    return streamMessage(buf, BftMessage.codec(), opts)
  }
}

export interface BftVoteSignBytes {
  domain: string
  chainId: string
  height: bigint
  round: number
  type: number
  valueId: Uint8Array<ArrayBuffer>
  validator: number
  commitSignature: Uint8Array<ArrayBuffer>
}

export namespace BftVoteSignBytes {
  let _codec: Codec<BftVoteSignBytes>

  export const codec = (): Codec<BftVoteSignBytes> => {
    if (_codec == null) {
      _codec = message<BftVoteSignBytes>((obj, w, opts = {}) => {
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

        if ((obj.type != null && obj.type !== 0)) {
          w.uint32(40)
          w.uint32(obj.type)
        }

        if ((obj.valueId != null && obj.valueId.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.valueId)
        }

        if ((obj.validator != null && obj.validator !== 0)) {
          w.uint32(56)
          w.uint32(obj.validator)
        }

        if ((obj.commitSignature != null && obj.commitSignature.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.commitSignature)
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
          type: 0,
          valueId: uint8ArrayAlloc(0),
          validator: 0,
          commitSignature: uint8ArrayAlloc(0)
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
              obj.type = reader.uint32()
              break
            }
            case 6: {
              obj.valueId = reader.bytes()
              break
            }
            case 7: {
              obj.validator = reader.uint32()
              break
            }
            case 8: {
              obj.commitSignature = reader.bytes()
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
                field: `${prefix}.type`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.valueId`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.validator`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.commitSignature`,
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

  export interface BftVoteSignBytesDomainFieldEvent {
    field: '$.domain'
    value: string
  }

  export interface BftVoteSignBytesChainIdFieldEvent {
    field: '$.chainId'
    value: string
  }

  export interface BftVoteSignBytesHeightFieldEvent {
    field: '$.height'
    value: bigint
  }

  export interface BftVoteSignBytesRoundFieldEvent {
    field: '$.round'
    value: number
  }

  export interface BftVoteSignBytesTypeFieldEvent {
    field: '$.type'
    value: number
  }

  export interface BftVoteSignBytesValueIdFieldEvent {
    field: '$.valueId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BftVoteSignBytesValidatorFieldEvent {
    field: '$.validator'
    value: number
  }

  export interface BftVoteSignBytesCommitSignatureFieldEvent {
    field: '$.commitSignature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<BftVoteSignBytes>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BftVoteSignBytes.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BftVoteSignBytes>): BftVoteSignBytes {
    return decodeMessage(buf, BftVoteSignBytes.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BftVoteSignBytes>): Generator<BftVoteSignBytesDomainFieldEvent | BftVoteSignBytesChainIdFieldEvent | BftVoteSignBytesHeightFieldEvent | BftVoteSignBytesRoundFieldEvent | BftVoteSignBytesTypeFieldEvent | BftVoteSignBytesValueIdFieldEvent | BftVoteSignBytesValidatorFieldEvent | BftVoteSignBytesCommitSignatureFieldEvent> {
    return streamMessage(buf, BftVoteSignBytes.codec(), opts)
  }
}

export interface BftProposalSignBytes {
  domain: string
  chainId: string
  height: bigint
  round: number
  valueId: Uint8Array<ArrayBuffer>
  validRound: number
  proposer: number
}

export namespace BftProposalSignBytes {
  let _codec: Codec<BftProposalSignBytes>

  export const codec = (): Codec<BftProposalSignBytes> => {
    if (_codec == null) {
      _codec = message<BftProposalSignBytes>((obj, w, opts = {}) => {
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

        if ((obj.validRound != null && obj.validRound !== 0)) {
          w.uint32(48)
          w.sint32(obj.validRound)
        }

        if ((obj.proposer != null && obj.proposer !== 0)) {
          w.uint32(56)
          w.uint32(obj.proposer)
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
          valueId: uint8ArrayAlloc(0),
          validRound: 0,
          proposer: 0
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
            case 6: {
              obj.validRound = reader.sint32()
              break
            }
            case 7: {
              obj.proposer = reader.uint32()
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
            case 6: {
              yield {
                field: `${prefix}.validRound`,
                value: reader.sint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.proposer`,
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

  export interface BftProposalSignBytesDomainFieldEvent {
    field: '$.domain'
    value: string
  }

  export interface BftProposalSignBytesChainIdFieldEvent {
    field: '$.chainId'
    value: string
  }

  export interface BftProposalSignBytesHeightFieldEvent {
    field: '$.height'
    value: bigint
  }

  export interface BftProposalSignBytesRoundFieldEvent {
    field: '$.round'
    value: number
  }

  export interface BftProposalSignBytesValueIdFieldEvent {
    field: '$.valueId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BftProposalSignBytesValidRoundFieldEvent {
    field: '$.validRound'
    value: number
  }

  export interface BftProposalSignBytesProposerFieldEvent {
    field: '$.proposer'
    value: number
  }

  export function encode (obj: Partial<BftProposalSignBytes>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BftProposalSignBytes.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BftProposalSignBytes>): BftProposalSignBytes {
    return decodeMessage(buf, BftProposalSignBytes.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BftProposalSignBytes>): Generator<BftProposalSignBytesDomainFieldEvent | BftProposalSignBytesChainIdFieldEvent | BftProposalSignBytesHeightFieldEvent | BftProposalSignBytesRoundFieldEvent | BftProposalSignBytesValueIdFieldEvent | BftProposalSignBytesValidRoundFieldEvent | BftProposalSignBytesProposerFieldEvent> {
    return streamMessage(buf, BftProposalSignBytes.codec(), opts)
  }
}

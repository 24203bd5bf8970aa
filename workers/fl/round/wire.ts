import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface SubmissionRef {
  trainer: string
  update: Uint8Array<ArrayBuffer>
  samples: number
  signature: Uint8Array<ArrayBuffer>
}

export namespace SubmissionRef {
  let _codec: Codec<SubmissionRef>

  export const codec = (): Codec<SubmissionRef> => {
    if (_codec == null) {
      _codec = message<SubmissionRef>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.trainer != null && obj.trainer !== '')) {
          w.uint32(10)
          w.string(obj.trainer)
        }

        if ((obj.update != null && obj.update.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.update)
        }

        if ((obj.samples != null && obj.samples !== 0)) {
          w.uint32(24)
          w.uint32(obj.samples)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          trainer: '',
          update: uint8ArrayAlloc(0),
          samples: 0,
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.trainer = reader.string()
              break
            }
            case 2: {
              obj.update = reader.bytes()
              break
            }
            case 3: {
              obj.samples = reader.uint32()
              break
            }
            case 4: {
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
                field: `${prefix}.trainer`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.update`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.samples`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
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

  export interface SubmissionRefTrainerFieldEvent {
    field: '$.trainer'
    value: string
  }

  export interface SubmissionRefUpdateFieldEvent {
    field: '$.update'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SubmissionRefSamplesFieldEvent {
    field: '$.samples'
    value: number
  }

  export interface SubmissionRefSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SubmissionRef>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SubmissionRef.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SubmissionRef>): SubmissionRef {
    return decodeMessage(buf, SubmissionRef.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SubmissionRef>): Generator<SubmissionRefTrainerFieldEvent | SubmissionRefUpdateFieldEvent | SubmissionRefSamplesFieldEvent | SubmissionRefSignatureFieldEvent> {
    return streamMessage(buf, SubmissionRef.codec(), opts)
  }
}

export interface ProposalDescriptor {
  version: number
  taskId: string
  round: number
  attempt: number
  aggregator: string
  baseModel: Uint8Array<ArrayBuffer>
  inputs: SubmissionRef[]
  candidate: Uint8Array<ArrayBuffer>
}

export namespace ProposalDescriptor {
  let _codec: Codec<ProposalDescriptor>

  export const codec = (): Codec<ProposalDescriptor> => {
    if (_codec == null) {
      _codec = message<ProposalDescriptor>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(18)
          w.string(obj.taskId)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(24)
          w.uint32(obj.round)
        }

        if ((obj.attempt != null && obj.attempt !== 0)) {
          w.uint32(32)
          w.uint32(obj.attempt)
        }

        if ((obj.aggregator != null && obj.aggregator !== '')) {
          w.uint32(42)
          w.string(obj.aggregator)
        }

        if ((obj.baseModel != null && obj.baseModel.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.baseModel)
        }

        if (obj.inputs != null && obj.inputs.length > 0) {
          for (const value of obj.inputs) {
            w.uint32(58)
            SubmissionRef.codec().encode(value, w)
          }
        }

        if ((obj.candidate != null && obj.candidate.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.candidate)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          taskId: '',
          round: 0,
          attempt: 0,
          aggregator: '',
          baseModel: uint8ArrayAlloc(0),
          inputs: [],
          candidate: uint8ArrayAlloc(0)
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
              obj.taskId = reader.string()
              break
            }
            case 3: {
              obj.round = reader.uint32()
              break
            }
            case 4: {
              obj.attempt = reader.uint32()
              break
            }
            case 5: {
              obj.aggregator = reader.string()
              break
            }
            case 6: {
              obj.baseModel = reader.bytes()
              break
            }
            case 7: {
              if (opts.limits?.inputs != null && obj.inputs.length === opts.limits.inputs) {
                throw new MaxLengthError('Decode error - repeated field "inputs" had too many elements')
              }

              obj.inputs.push(SubmissionRef.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.inputs$
              }))
              break
            }
            case 8: {
              obj.candidate = reader.bytes()
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
          inputs: 0
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
                field: `${prefix}.taskId`,
                value: reader.string()
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
                field: `${prefix}.attempt`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.aggregator`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.baseModel`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              if (opts.limits?.inputs != null && obj.inputs === opts.limits.inputs) {
                throw new MaxLengthError('Streaming decode error - repeated field "inputs" had too many elements')
              }

              for (const evt of SubmissionRef.codec().stream(reader, reader.uint32(), `${prefix}.inputs[]`, {
                limits: opts.limits?.inputs$
              })) {
                yield {
                  ...evt,
                  index: obj.inputs
                }
              }

              obj.inputs++

              break
            }
            case 8: {
              yield {
                field: `${prefix}.candidate`,
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

  export interface ProposalDescriptorVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface ProposalDescriptorTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface ProposalDescriptorRoundFieldEvent {
    field: '$.round'
    value: number
  }

  export interface ProposalDescriptorAttemptFieldEvent {
    field: '$.attempt'
    value: number
  }

  export interface ProposalDescriptorAggregatorFieldEvent {
    field: '$.aggregator'
    value: string
  }

  export interface ProposalDescriptorBaseModelFieldEvent {
    field: '$.baseModel'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ProposalDescriptorInputsTrainerFieldEvent {
    field: '$.inputs[].trainer'
    value: string
    index: number
  }

  export interface ProposalDescriptorInputsUpdateFieldEvent {
    field: '$.inputs[].update'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ProposalDescriptorInputsSamplesFieldEvent {
    field: '$.inputs[].samples'
    value: number
    index: number
  }

  export interface ProposalDescriptorInputsSignatureFieldEvent {
    field: '$.inputs[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ProposalDescriptorCandidateFieldEvent {
    field: '$.candidate'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ProposalDescriptor>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ProposalDescriptor.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProposalDescriptor>): ProposalDescriptor {
    return decodeMessage(buf, ProposalDescriptor.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProposalDescriptor>): Generator<ProposalDescriptorVersionFieldEvent | ProposalDescriptorTaskIdFieldEvent | ProposalDescriptorRoundFieldEvent | ProposalDescriptorAttemptFieldEvent | ProposalDescriptorAggregatorFieldEvent | ProposalDescriptorBaseModelFieldEvent | ProposalDescriptorInputsTrainerFieldEvent | ProposalDescriptorInputsUpdateFieldEvent | ProposalDescriptorInputsSamplesFieldEvent | ProposalDescriptorInputsSignatureFieldEvent | ProposalDescriptorCandidateFieldEvent> {
    return streamMessage(buf, ProposalDescriptor.codec(), opts)
  }
}

export interface CommitProof {
  descriptor?: ProposalDescriptor
  certificate: Uint8Array<ArrayBuffer>
}

export namespace CommitProof {
  let _codec: Codec<CommitProof>

  export const codec = (): Codec<CommitProof> => {
    if (_codec == null) {
      _codec = message<CommitProof>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.descriptor != null) {
          w.uint32(10)
          ProposalDescriptor.codec().encode(obj.descriptor, w)
        }

        if ((obj.certificate != null && obj.certificate.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.certificate)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          certificate: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.descriptor = ProposalDescriptor.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.descriptor
              })
              break
            }
            case 2: {
              obj.certificate = reader.bytes()
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
              yield * ProposalDescriptor.codec().stream(reader, reader.uint32(), `${prefix}.descriptor`, {
                limits: opts.limits?.descriptor
              })

              break
            }
            case 2: {
              yield {
                field: `${prefix}.certificate`,
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

  export interface CommitProofDescriptorVersionFieldEvent {
    field: '$.descriptor.version'
    value: number
  }

  export interface CommitProofDescriptorTaskIdFieldEvent {
    field: '$.descriptor.taskId'
    value: string
  }

  export interface CommitProofDescriptorRoundFieldEvent {
    field: '$.descriptor.round'
    value: number
  }

  export interface CommitProofDescriptorAttemptFieldEvent {
    field: '$.descriptor.attempt'
    value: number
  }

  export interface CommitProofDescriptorAggregatorFieldEvent {
    field: '$.descriptor.aggregator'
    value: string
  }

  export interface CommitProofDescriptorBaseModelFieldEvent {
    field: '$.descriptor.baseModel'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CommitProofDescriptorInputsTrainerFieldEvent {
    field: '$.descriptor.inputs[].trainer'
    value: string
    index: number
  }

  export interface CommitProofDescriptorInputsUpdateFieldEvent {
    field: '$.descriptor.inputs[].update'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface CommitProofDescriptorInputsSamplesFieldEvent {
    field: '$.descriptor.inputs[].samples'
    value: number
    index: number
  }

  export interface CommitProofDescriptorInputsSignatureFieldEvent {
    field: '$.descriptor.inputs[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface CommitProofDescriptorCandidateFieldEvent {
    field: '$.descriptor.candidate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CommitProofCertificateFieldEvent {
    field: '$.certificate'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<CommitProof>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CommitProof.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CommitProof>): CommitProof {
    return decodeMessage(buf, CommitProof.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CommitProof>): Generator<CommitProofDescriptorVersionFieldEvent | CommitProofDescriptorTaskIdFieldEvent | CommitProofDescriptorRoundFieldEvent | CommitProofDescriptorAttemptFieldEvent | CommitProofDescriptorAggregatorFieldEvent | CommitProofDescriptorBaseModelFieldEvent | CommitProofDescriptorInputsTrainerFieldEvent | CommitProofDescriptorInputsUpdateFieldEvent | CommitProofDescriptorInputsSamplesFieldEvent | CommitProofDescriptorInputsSignatureFieldEvent | CommitProofDescriptorCandidateFieldEvent | CommitProofCertificateFieldEvent> {
    return streamMessage(buf, CommitProof.codec(), opts)
  }
}

export interface RoundAnnounce {
  version: number
  taskId: string
  round: number
  attempt: number
  baseModel: Uint8Array<ArrayBuffer>
  cohort: string[]
  previous?: CommitProof
}

export namespace RoundAnnounce {
  let _codec: Codec<RoundAnnounce>

  export const codec = (): Codec<RoundAnnounce> => {
    if (_codec == null) {
      _codec = message<RoundAnnounce>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(18)
          w.string(obj.taskId)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(24)
          w.uint32(obj.round)
        }

        if ((obj.attempt != null && obj.attempt !== 0)) {
          w.uint32(32)
          w.uint32(obj.attempt)
        }

        if ((obj.baseModel != null && obj.baseModel.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.baseModel)
        }

        if (obj.cohort != null && obj.cohort.length > 0) {
          for (const value of obj.cohort) {
            w.uint32(50)
            w.string(value)
          }
        }

        if (obj.previous != null) {
          w.uint32(58)
          CommitProof.codec().encode(obj.previous, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          taskId: '',
          round: 0,
          attempt: 0,
          baseModel: uint8ArrayAlloc(0),
          cohort: []
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
              obj.taskId = reader.string()
              break
            }
            case 3: {
              obj.round = reader.uint32()
              break
            }
            case 4: {
              obj.attempt = reader.uint32()
              break
            }
            case 5: {
              obj.baseModel = reader.bytes()
              break
            }
            case 6: {
              if (opts.limits?.cohort != null && obj.cohort.length === opts.limits.cohort) {
                throw new MaxLengthError('Decode error - repeated field "cohort" had too many elements')
              }

              obj.cohort.push(reader.string())
              break
            }
            case 7: {
              obj.previous = CommitProof.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.previous
              })
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
          cohort: 0
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
                field: `${prefix}.taskId`,
                value: reader.string()
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
                field: `${prefix}.attempt`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.baseModel`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              if (opts.limits?.cohort != null && obj.cohort === opts.limits.cohort) {
                throw new MaxLengthError('Streaming decode error - repeated field "cohort" had too many elements')
              }

              yield {
                field: `${prefix}.cohort[]`,
                index: obj.cohort,
                value: reader.string()
              }

              obj.cohort++

              break
            }
            case 7: {
              yield * CommitProof.codec().stream(reader, reader.uint32(), `${prefix}.previous`, {
                limits: opts.limits?.previous
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

  export interface RoundAnnounceVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface RoundAnnounceTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface RoundAnnounceRoundFieldEvent {
    field: '$.round'
    value: number
  }

  export interface RoundAnnounceAttemptFieldEvent {
    field: '$.attempt'
    value: number
  }

  export interface RoundAnnounceBaseModelFieldEvent {
    field: '$.baseModel'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RoundAnnounceCohortFieldEvent {
    field: '$.cohort[]'
    index: number
    value: string
  }

  export interface RoundAnnouncePreviousDescriptorVersionFieldEvent {
    field: '$.previous.descriptor.version'
    value: number
  }

  export interface RoundAnnouncePreviousDescriptorTaskIdFieldEvent {
    field: '$.previous.descriptor.taskId'
    value: string
  }

  export interface RoundAnnouncePreviousDescriptorRoundFieldEvent {
    field: '$.previous.descriptor.round'
    value: number
  }

  export interface RoundAnnouncePreviousDescriptorAttemptFieldEvent {
    field: '$.previous.descriptor.attempt'
    value: number
  }

  export interface RoundAnnouncePreviousDescriptorAggregatorFieldEvent {
    field: '$.previous.descriptor.aggregator'
    value: string
  }

  export interface RoundAnnouncePreviousDescriptorBaseModelFieldEvent {
    field: '$.previous.descriptor.baseModel'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RoundAnnouncePreviousDescriptorInputsTrainerFieldEvent {
    field: '$.previous.descriptor.inputs[].trainer'
    value: string
    index: number
  }

  export interface RoundAnnouncePreviousDescriptorInputsUpdateFieldEvent {
    field: '$.previous.descriptor.inputs[].update'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RoundAnnouncePreviousDescriptorInputsSamplesFieldEvent {
    field: '$.previous.descriptor.inputs[].samples'
    value: number
    index: number
  }

  export interface RoundAnnouncePreviousDescriptorInputsSignatureFieldEvent {
    field: '$.previous.descriptor.inputs[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RoundAnnouncePreviousDescriptorCandidateFieldEvent {
    field: '$.previous.descriptor.candidate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RoundAnnouncePreviousCertificateFieldEvent {
    field: '$.previous.certificate'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<RoundAnnounce>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RoundAnnounce.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RoundAnnounce>): RoundAnnounce {
    return decodeMessage(buf, RoundAnnounce.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RoundAnnounce>): Generator<RoundAnnounceVersionFieldEvent | RoundAnnounceTaskIdFieldEvent | RoundAnnounceRoundFieldEvent | RoundAnnounceAttemptFieldEvent | RoundAnnounceBaseModelFieldEvent | RoundAnnounceCohortFieldEvent | RoundAnnouncePreviousDescriptorVersionFieldEvent | RoundAnnouncePreviousDescriptorTaskIdFieldEvent | RoundAnnouncePreviousDescriptorRoundFieldEvent | RoundAnnouncePreviousDescriptorAttemptFieldEvent | RoundAnnouncePreviousDescriptorAggregatorFieldEvent | RoundAnnouncePreviousDescriptorBaseModelFieldEvent | RoundAnnouncePreviousDescriptorInputsTrainerFieldEvent | RoundAnnouncePreviousDescriptorInputsUpdateFieldEvent | RoundAnnouncePreviousDescriptorInputsSamplesFieldEvent | RoundAnnouncePreviousDescriptorInputsSignatureFieldEvent | RoundAnnouncePreviousDescriptorCandidateFieldEvent | RoundAnnouncePreviousCertificateFieldEvent> {
    return streamMessage(buf, RoundAnnounce.codec(), opts)
  }
}

export interface RoundSubmit {
  version: number
  taskId: string
  round: number
  attempt: number
  submission?: SubmissionRef
}

export namespace RoundSubmit {
  let _codec: Codec<RoundSubmit>

  export const codec = (): Codec<RoundSubmit> => {
    if (_codec == null) {
      _codec = message<RoundSubmit>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(18)
          w.string(obj.taskId)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(24)
          w.uint32(obj.round)
        }

        if ((obj.attempt != null && obj.attempt !== 0)) {
          w.uint32(32)
          w.uint32(obj.attempt)
        }

        if (obj.submission != null) {
          w.uint32(42)
          SubmissionRef.codec().encode(obj.submission, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          taskId: '',
          round: 0,
          attempt: 0
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
              obj.taskId = reader.string()
              break
            }
            case 3: {
              obj.round = reader.uint32()
              break
            }
            case 4: {
              obj.attempt = reader.uint32()
              break
            }
            case 5: {
              obj.submission = SubmissionRef.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.submission
              })
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
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.taskId`,
                value: reader.string()
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
                field: `${prefix}.attempt`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield * SubmissionRef.codec().stream(reader, reader.uint32(), `${prefix}.submission`, {
                limits: opts.limits?.submission
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

  export interface RoundSubmitVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface RoundSubmitTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface RoundSubmitRoundFieldEvent {
    field: '$.round'
    value: number
  }

  export interface RoundSubmitAttemptFieldEvent {
    field: '$.attempt'
    value: number
  }

  export interface RoundSubmitSubmissionTrainerFieldEvent {
    field: '$.submission.trainer'
    value: string
  }

  export interface RoundSubmitSubmissionUpdateFieldEvent {
    field: '$.submission.update'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RoundSubmitSubmissionSamplesFieldEvent {
    field: '$.submission.samples'
    value: number
  }

  export interface RoundSubmitSubmissionSignatureFieldEvent {
    field: '$.submission.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<RoundSubmit>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RoundSubmit.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RoundSubmit>): RoundSubmit {
    return decodeMessage(buf, RoundSubmit.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RoundSubmit>): Generator<RoundSubmitVersionFieldEvent | RoundSubmitTaskIdFieldEvent | RoundSubmitRoundFieldEvent | RoundSubmitAttemptFieldEvent | RoundSubmitSubmissionTrainerFieldEvent | RoundSubmitSubmissionUpdateFieldEvent | RoundSubmitSubmissionSamplesFieldEvent | RoundSubmitSubmissionSignatureFieldEvent> {
    return streamMessage(buf, RoundSubmit.codec(), opts)
  }
}

export interface RoundPropose {
  descriptor?: ProposalDescriptor
}

export namespace RoundPropose {
  let _codec: Codec<RoundPropose>

  export const codec = (): Codec<RoundPropose> => {
    if (_codec == null) {
      _codec = message<RoundPropose>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.descriptor != null) {
          w.uint32(10)
          ProposalDescriptor.codec().encode(obj.descriptor, w)
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
              obj.descriptor = ProposalDescriptor.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.descriptor
              })
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
              yield * ProposalDescriptor.codec().stream(reader, reader.uint32(), `${prefix}.descriptor`, {
                limits: opts.limits?.descriptor
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

  export interface RoundProposeDescriptorVersionFieldEvent {
    field: '$.descriptor.version'
    value: number
  }

  export interface RoundProposeDescriptorTaskIdFieldEvent {
    field: '$.descriptor.taskId'
    value: string
  }

  export interface RoundProposeDescriptorRoundFieldEvent {
    field: '$.descriptor.round'
    value: number
  }

  export interface RoundProposeDescriptorAttemptFieldEvent {
    field: '$.descriptor.attempt'
    value: number
  }

  export interface RoundProposeDescriptorAggregatorFieldEvent {
    field: '$.descriptor.aggregator'
    value: string
  }

  export interface RoundProposeDescriptorBaseModelFieldEvent {
    field: '$.descriptor.baseModel'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RoundProposeDescriptorInputsTrainerFieldEvent {
    field: '$.descriptor.inputs[].trainer'
    value: string
    index: number
  }

  export interface RoundProposeDescriptorInputsUpdateFieldEvent {
    field: '$.descriptor.inputs[].update'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RoundProposeDescriptorInputsSamplesFieldEvent {
    field: '$.descriptor.inputs[].samples'
    value: number
    index: number
  }

  export interface RoundProposeDescriptorInputsSignatureFieldEvent {
    field: '$.descriptor.inputs[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RoundProposeDescriptorCandidateFieldEvent {
    field: '$.descriptor.candidate'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<RoundPropose>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RoundPropose.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RoundPropose>): RoundPropose {
    return decodeMessage(buf, RoundPropose.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RoundPropose>): Generator<RoundProposeDescriptorVersionFieldEvent | RoundProposeDescriptorTaskIdFieldEvent | RoundProposeDescriptorRoundFieldEvent | RoundProposeDescriptorAttemptFieldEvent | RoundProposeDescriptorAggregatorFieldEvent | RoundProposeDescriptorBaseModelFieldEvent | RoundProposeDescriptorInputsTrainerFieldEvent | RoundProposeDescriptorInputsUpdateFieldEvent | RoundProposeDescriptorInputsSamplesFieldEvent | RoundProposeDescriptorInputsSignatureFieldEvent | RoundProposeDescriptorCandidateFieldEvent> {
    return streamMessage(buf, RoundPropose.codec(), opts)
  }
}

export interface RoundCommitted {
  proof?: CommitProof
}

export namespace RoundCommitted {
  let _codec: Codec<RoundCommitted>

  export const codec = (): Codec<RoundCommitted> => {
    if (_codec == null) {
      _codec = message<RoundCommitted>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.proof != null) {
          w.uint32(10)
          CommitProof.codec().encode(obj.proof, w)
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
              obj.proof = CommitProof.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.proof
              })
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
              yield * CommitProof.codec().stream(reader, reader.uint32(), `${prefix}.proof`, {
                limits: opts.limits?.proof
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

  export interface RoundCommittedProofDescriptorVersionFieldEvent {
    field: '$.proof.descriptor.version'
    value: number
  }

  export interface RoundCommittedProofDescriptorTaskIdFieldEvent {
    field: '$.proof.descriptor.taskId'
    value: string
  }

  export interface RoundCommittedProofDescriptorRoundFieldEvent {
    field: '$.proof.descriptor.round'
    value: number
  }

  export interface RoundCommittedProofDescriptorAttemptFieldEvent {
    field: '$.proof.descriptor.attempt'
    value: number
  }

  export interface RoundCommittedProofDescriptorAggregatorFieldEvent {
    field: '$.proof.descriptor.aggregator'
    value: string
  }

  export interface RoundCommittedProofDescriptorBaseModelFieldEvent {
    field: '$.proof.descriptor.baseModel'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RoundCommittedProofDescriptorInputsTrainerFieldEvent {
    field: '$.proof.descriptor.inputs[].trainer'
    value: string
    index: number
  }

  export interface RoundCommittedProofDescriptorInputsUpdateFieldEvent {
    field: '$.proof.descriptor.inputs[].update'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RoundCommittedProofDescriptorInputsSamplesFieldEvent {
    field: '$.proof.descriptor.inputs[].samples'
    value: number
    index: number
  }

  export interface RoundCommittedProofDescriptorInputsSignatureFieldEvent {
    field: '$.proof.descriptor.inputs[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RoundCommittedProofDescriptorCandidateFieldEvent {
    field: '$.proof.descriptor.candidate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RoundCommittedProofCertificateFieldEvent {
    field: '$.proof.certificate'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<RoundCommitted>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RoundCommitted.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RoundCommitted>): RoundCommitted {
    return decodeMessage(buf, RoundCommitted.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RoundCommitted>): Generator<RoundCommittedProofDescriptorVersionFieldEvent | RoundCommittedProofDescriptorTaskIdFieldEvent | RoundCommittedProofDescriptorRoundFieldEvent | RoundCommittedProofDescriptorAttemptFieldEvent | RoundCommittedProofDescriptorAggregatorFieldEvent | RoundCommittedProofDescriptorBaseModelFieldEvent | RoundCommittedProofDescriptorInputsTrainerFieldEvent | RoundCommittedProofDescriptorInputsUpdateFieldEvent | RoundCommittedProofDescriptorInputsSamplesFieldEvent | RoundCommittedProofDescriptorInputsSignatureFieldEvent | RoundCommittedProofDescriptorCandidateFieldEvent | RoundCommittedProofCertificateFieldEvent> {
    return streamMessage(buf, RoundCommitted.codec(), opts)
  }
}

export interface SubmissionSignBytes {
  domain: string
  taskId: string
  round: number
  update: Uint8Array<ArrayBuffer>
  samples: number
}

export namespace SubmissionSignBytes {
  let _codec: Codec<SubmissionSignBytes>

  export const codec = (): Codec<SubmissionSignBytes> => {
    if (_codec == null) {
      _codec = message<SubmissionSignBytes>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.domain != null && obj.domain !== '')) {
          w.uint32(10)
          w.string(obj.domain)
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(18)
          w.string(obj.taskId)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(24)
          w.uint32(obj.round)
        }

        if ((obj.update != null && obj.update.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.update)
        }

        if ((obj.samples != null && obj.samples !== 0)) {
          w.uint32(40)
          w.uint32(obj.samples)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          domain: '',
          taskId: '',
          round: 0,
          update: uint8ArrayAlloc(0),
          samples: 0
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
              obj.taskId = reader.string()
              break
            }
            case 3: {
              obj.round = reader.uint32()
              break
            }
            case 4: {
              obj.update = reader.bytes()
              break
            }
            case 5: {
              obj.samples = reader.uint32()
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
                field: `${prefix}.taskId`,
                value: reader.string()
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
                field: `${prefix}.update`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.samples`,
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

  export interface SubmissionSignBytesDomainFieldEvent {
    field: '$.domain'
    value: string
  }

  export interface SubmissionSignBytesTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface SubmissionSignBytesRoundFieldEvent {
    field: '$.round'
    value: number
  }

  export interface SubmissionSignBytesUpdateFieldEvent {
    field: '$.update'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SubmissionSignBytesSamplesFieldEvent {
    field: '$.samples'
    value: number
  }

  export function encode (obj: Partial<SubmissionSignBytes>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SubmissionSignBytes.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SubmissionSignBytes>): SubmissionSignBytes {
    return decodeMessage(buf, SubmissionSignBytes.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SubmissionSignBytes>): Generator<SubmissionSignBytesDomainFieldEvent | SubmissionSignBytesTaskIdFieldEvent | SubmissionSignBytesRoundFieldEvent | SubmissionSignBytesUpdateFieldEvent | SubmissionSignBytesSamplesFieldEvent> {
    return streamMessage(buf, SubmissionSignBytes.codec(), opts)
  }
}

export interface KeyWrap {
  recipient: Uint8Array<ArrayBuffer>
  box: Uint8Array<ArrayBuffer>
}

export namespace KeyWrap {
  let _codec: Codec<KeyWrap>

  export const codec = (): Codec<KeyWrap> => {
    if (_codec == null) {
      _codec = message<KeyWrap>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.recipient != null && obj.recipient.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.recipient)
        }

        if ((obj.box != null && obj.box.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.box)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          recipient: uint8ArrayAlloc(0),
          box: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.recipient = reader.bytes()
              break
            }
            case 2: {
              obj.box = reader.bytes()
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
                field: `${prefix}.recipient`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.box`,
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

  export interface KeyWrapRecipientFieldEvent {
    field: '$.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface KeyWrapBoxFieldEvent {
    field: '$.box'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<KeyWrap>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, KeyWrap.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeyWrap>): KeyWrap {
    return decodeMessage(buf, KeyWrap.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeyWrap>): Generator<KeyWrapRecipientFieldEvent | KeyWrapBoxFieldEvent> {
    return streamMessage(buf, KeyWrap.codec(), opts)
  }
}

export interface SealedUpdate {
  version: number
  wraps: KeyWrap[]
  nonce: Uint8Array<ArrayBuffer>
  ciphertext: Uint8Array<ArrayBuffer>
}

export namespace SealedUpdate {
  let _codec: Codec<SealedUpdate>

  export const codec = (): Codec<SealedUpdate> => {
    if (_codec == null) {
      _codec = message<SealedUpdate>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.wraps != null && obj.wraps.length > 0) {
          for (const value of obj.wraps) {
            w.uint32(18)
            KeyWrap.codec().encode(value, w)
          }
        }

        if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.nonce)
        }

        if ((obj.ciphertext != null && obj.ciphertext.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.ciphertext)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          wraps: [],
          nonce: uint8ArrayAlloc(0),
          ciphertext: uint8ArrayAlloc(0)
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
              if (opts.limits?.wraps != null && obj.wraps.length === opts.limits.wraps) {
                throw new MaxLengthError('Decode error - repeated field "wraps" had too many elements')
              }

              obj.wraps.push(KeyWrap.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.wraps$
              }))
              break
            }
            case 3: {
              obj.nonce = reader.bytes()
              break
            }
            case 4: {
              obj.ciphertext = reader.bytes()
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
          wraps: 0
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
              if (opts.limits?.wraps != null && obj.wraps === opts.limits.wraps) {
                throw new MaxLengthError('Streaming decode error - repeated field "wraps" had too many elements')
              }

              for (const evt of KeyWrap.codec().stream(reader, reader.uint32(), `${prefix}.wraps[]`, {
                limits: opts.limits?.wraps$
              })) {
                yield {
                  ...evt,
                  index: obj.wraps
                }
              }

              obj.wraps++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.nonce`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.ciphertext`,
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

  export interface SealedUpdateVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface SealedUpdateWrapsRecipientFieldEvent {
    field: '$.wraps[].recipient'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SealedUpdateWrapsBoxFieldEvent {
    field: '$.wraps[].box'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SealedUpdateNonceFieldEvent {
    field: '$.nonce'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SealedUpdateCiphertextFieldEvent {
    field: '$.ciphertext'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SealedUpdate>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SealedUpdate.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SealedUpdate>): SealedUpdate {
    return decodeMessage(buf, SealedUpdate.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SealedUpdate>): Generator<SealedUpdateVersionFieldEvent | SealedUpdateWrapsRecipientFieldEvent | SealedUpdateWrapsBoxFieldEvent | SealedUpdateNonceFieldEvent | SealedUpdateCiphertextFieldEvent> {
    return streamMessage(buf, SealedUpdate.codec(), opts)
  }
}

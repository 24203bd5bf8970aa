import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Envelope {
  version: number
  kind: string
  sender: Uint8Array<ArrayBuffer>
  seq: bigint
  timestampMs: bigint
  payload: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
  traceparent?: string
}

export namespace Envelope {
  let _codec: Codec<Envelope>

  export const codec = (): Codec<Envelope> => {
    if (_codec == null) {
      _codec = message<Envelope>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.kind != null && obj.kind !== '')) {
          w.uint32(18)
          w.string(obj.kind)
        }

        if ((obj.sender != null && obj.sender.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.sender)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(32)
          w.uint64(obj.seq)
        }

        if ((obj.timestampMs != null && obj.timestampMs !== 0n)) {
          w.uint32(40)
          w.uint64(obj.timestampMs)
        }

        if ((obj.payload != null && obj.payload.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.payload)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.signature)
        }

        if (obj.traceparent != null) {
          w.uint32(66)
          w.string(obj.traceparent)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          kind: '',
          sender: uint8ArrayAlloc(0),
          seq: 0n,
          timestampMs: 0n,
          payload: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
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
              obj.kind = reader.string()
              break
            }
            case 3: {
              obj.sender = reader.bytes()
              break
            }
            case 4: {
              obj.seq = reader.uint64()
              break
            }
            case 5: {
              obj.timestampMs = reader.uint64()
              break
            }
            case 6: {
              obj.payload = reader.bytes()
              break
            }
            case 7: {
              obj.signature = reader.bytes()
              break
            }
            case 8: {
              obj.traceparent = reader.string()
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
                field: `${prefix}.kind`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.sender`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.timestampMs`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.payload`,
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
            case 8: {
              yield {
                field: `${prefix}.traceparent`,
                value: reader.string()
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

  export interface EnvelopeVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface EnvelopeKindFieldEvent {
    field: '$.kind'
    value: string
  }

  export interface EnvelopeSenderFieldEvent {
    field: '$.sender'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface EnvelopeTimestampMsFieldEvent {
    field: '$.timestampMs'
    value: bigint
  }

  export interface EnvelopePayloadFieldEvent {
    field: '$.payload'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeTraceparentFieldEvent {
    field: '$.traceparent'
    value: string
  }

  export function encode (obj: Partial<Envelope>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Envelope.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Envelope {
    return decodeMessage(buf, Envelope.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Generator<EnvelopeVersionFieldEvent | EnvelopeKindFieldEvent | EnvelopeSenderFieldEvent | EnvelopeSeqFieldEvent | EnvelopeTimestampMsFieldEvent | EnvelopePayloadFieldEvent | EnvelopeSignatureFieldEvent | EnvelopeTraceparentFieldEvent> {
    return streamMessage(buf, Envelope.codec(), opts)
  }
}

export interface Presence {
  multiaddrs: Uint8Array<ArrayBuffer>[]
  agent: string
  nodeKind: string
  credential: Uint8Array<ArrayBuffer>
}

export namespace Presence {
  let _codec: Codec<Presence>

  export const codec = (): Codec<Presence> => {
    if (_codec == null) {
      _codec = message<Presence>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.multiaddrs != null && obj.multiaddrs.length > 0) {
          for (const value of obj.multiaddrs) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if ((obj.agent != null && obj.agent !== '')) {
          w.uint32(18)
          w.string(obj.agent)
        }

        if ((obj.nodeKind != null && obj.nodeKind !== '')) {
          w.uint32(26)
          w.string(obj.nodeKind)
        }

        if ((obj.credential != null && obj.credential.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.credential)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          multiaddrs: [],
          agent: '',
          nodeKind: '',
          credential: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.multiaddrs != null && obj.multiaddrs.length === opts.limits.multiaddrs) {
                throw new MaxLengthError('Decode error - repeated field "multiaddrs" had too many elements')
              }

              obj.multiaddrs.push(reader.bytes())
              break
            }
            case 2: {
              obj.agent = reader.string()
              break
            }
            case 3: {
              obj.nodeKind = reader.string()
              break
            }
            case 4: {
              obj.credential = reader.bytes()
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
          multiaddrs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.multiaddrs != null && obj.multiaddrs === opts.limits.multiaddrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "multiaddrs" had too many elements')
              }

              yield {
                field: `${prefix}.multiaddrs[]`,
                index: obj.multiaddrs,
                value: reader.bytes()
              }

              obj.multiaddrs++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.agent`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.nodeKind`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.credential`,
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

  export interface PresenceMultiaddrsFieldEvent {
    field: '$.multiaddrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface PresenceAgentFieldEvent {
    field: '$.agent'
    value: string
  }

  export interface PresenceNodeKindFieldEvent {
    field: '$.nodeKind'
    value: string
  }

  export interface PresenceCredentialFieldEvent {
    field: '$.credential'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Presence>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Presence.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Presence>): Presence {
    return decodeMessage(buf, Presence.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Presence>): Generator<PresenceMultiaddrsFieldEvent | PresenceAgentFieldEvent | PresenceNodeKindFieldEvent | PresenceCredentialFieldEvent> {
    return streamMessage(buf, Presence.codec(), opts)
  }
}

export interface Chat {
  text: string
  sentAtUs: bigint
}

export namespace Chat {
  let _codec: Codec<Chat>

  export const codec = (): Codec<Chat> => {
    if (_codec == null) {
      _codec = message<Chat>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.text != null && obj.text !== '')) {
          w.uint32(10)
          w.string(obj.text)
        }

        if ((obj.sentAtUs != null && obj.sentAtUs !== 0n)) {
          w.uint32(16)
          w.uint64(obj.sentAtUs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          text: '',
          sentAtUs: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.text = reader.string()
              break
            }
            case 2: {
              obj.sentAtUs = reader.uint64()
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
                field: `${prefix}.text`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.sentAtUs`,
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

  export interface ChatTextFieldEvent {
    field: '$.text'
    value: string
  }

  export interface ChatSentAtUsFieldEvent {
    field: '$.sentAtUs'
    value: bigint
  }

  export function encode (obj: Partial<Chat>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Chat.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Chat>): Chat {
    return decodeMessage(buf, Chat.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Chat>): Generator<ChatTextFieldEvent | ChatSentAtUsFieldEvent> {
    return streamMessage(buf, Chat.codec(), opts)
  }
}

export interface TransferRequest {
  sha256: Uint8Array<ArrayBuffer>
  fromChunk: number
}

export namespace TransferRequest {
  let _codec: Codec<TransferRequest>

  export const codec = (): Codec<TransferRequest> => {
    if (_codec == null) {
      _codec = message<TransferRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.sha256 != null && obj.sha256.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.sha256)
        }

        if ((obj.fromChunk != null && obj.fromChunk !== 0)) {
          w.uint32(16)
          w.uint32(obj.fromChunk)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          sha256: uint8ArrayAlloc(0),
          fromChunk: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.sha256 = reader.bytes()
              break
            }
            case 2: {
              obj.fromChunk = reader.uint32()
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
                field: `${prefix}.sha256`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.fromChunk`,
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

  export interface TransferRequestSha256FieldEvent {
    field: '$.sha256'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TransferRequestFromChunkFieldEvent {
    field: '$.fromChunk'
    value: number
  }

  export function encode (obj: Partial<TransferRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TransferRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TransferRequest>): TransferRequest {
    return decodeMessage(buf, TransferRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TransferRequest>): Generator<TransferRequestSha256FieldEvent | TransferRequestFromChunkFieldEvent> {
    return streamMessage(buf, TransferRequest.codec(), opts)
  }
}

export interface TransferManifest {
  sha256: Uint8Array<ArrayBuffer>
  totalBytes: bigint
  chunkBytes: number
  chunkSha256: Uint8Array<ArrayBuffer>[]
  error: string
}

export namespace TransferManifest {
  let _codec: Codec<TransferManifest>

  export const codec = (): Codec<TransferManifest> => {
    if (_codec == null) {
      _codec = message<TransferManifest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.sha256 != null && obj.sha256.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.sha256)
        }

        if ((obj.totalBytes != null && obj.totalBytes !== 0n)) {
          w.uint32(16)
          w.uint64(obj.totalBytes)
        }

        if ((obj.chunkBytes != null && obj.chunkBytes !== 0)) {
          w.uint32(24)
          w.uint32(obj.chunkBytes)
        }

        if (obj.chunkSha256 != null && obj.chunkSha256.length > 0) {
          for (const value of obj.chunkSha256) {
            w.uint32(34)
            w.bytes(value)
          }
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(42)
          w.string(obj.error)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          sha256: uint8ArrayAlloc(0),
          totalBytes: 0n,
          chunkBytes: 0,
          chunkSha256: [],
          error: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.sha256 = reader.bytes()
              break
            }
            case 2: {
              obj.totalBytes = reader.uint64()
              break
            }
            case 3: {
              obj.chunkBytes = reader.uint32()
              break
            }
            case 4: {
              if (opts.limits?.chunkSha256 != null && obj.chunkSha256.length === opts.limits.chunkSha256) {
                throw new MaxLengthError('Decode error - repeated field "chunkSha256" had too many elements')
              }

              obj.chunkSha256.push(reader.bytes())
              break
            }
            case 5: {
              obj.error = reader.string()
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
          chunkSha256: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.sha256`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.totalBytes`,
                value: reader.uint64()
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
              if (opts.limits?.chunkSha256 != null && obj.chunkSha256 === opts.limits.chunkSha256) {
                throw new MaxLengthError('Streaming decode error - repeated field "chunkSha256" had too many elements')
              }

              yield {
                field: `${prefix}.chunkSha256[]`,
                index: obj.chunkSha256,
                value: reader.bytes()
              }

              obj.chunkSha256++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.error`,
                value: reader.string()
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

  export interface TransferManifestSha256FieldEvent {
    field: '$.sha256'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TransferManifestTotalBytesFieldEvent {
    field: '$.totalBytes'
    value: bigint
  }

  export interface TransferManifestChunkBytesFieldEvent {
    field: '$.chunkBytes'
    value: number
  }

  export interface TransferManifestChunkSha256FieldEvent {
    field: '$.chunkSha256[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface TransferManifestErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export function encode (obj: Partial<TransferManifest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TransferManifest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TransferManifest>): TransferManifest {
    return decodeMessage(buf, TransferManifest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TransferManifest>): Generator<TransferManifestSha256FieldEvent | TransferManifestTotalBytesFieldEvent | TransferManifestChunkBytesFieldEvent | TransferManifestChunkSha256FieldEvent | TransferManifestErrorFieldEvent> {
    return streamMessage(buf, TransferManifest.codec(), opts)
  }
}

export interface TransferChunk {
  index: number
  data: Uint8Array<ArrayBuffer>
}

export namespace TransferChunk {
  let _codec: Codec<TransferChunk>

  export const codec = (): Codec<TransferChunk> => {
    if (_codec == null) {
      _codec = message<TransferChunk>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint32(obj.index)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.data)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          data: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint32()
              break
            }
            case 2: {
              obj.data = reader.bytes()
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
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.data`,
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

  export interface TransferChunkIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface TransferChunkDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<TransferChunk>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TransferChunk.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TransferChunk>): TransferChunk {
    return decodeMessage(buf, TransferChunk.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TransferChunk>): Generator<TransferChunkIndexFieldEvent | TransferChunkDataFieldEvent> {
    return streamMessage(buf, TransferChunk.codec(), opts)
  }
}

export interface NodeReport {
  backend: string
  samplesPerSecond: number
  gateRejections: number
  roundPhase: string
}

export namespace NodeReport {
  let _codec: Codec<NodeReport>

  export const codec = (): Codec<NodeReport> => {
    if (_codec == null) {
      _codec = message<NodeReport>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.backend != null && obj.backend !== '')) {
          w.uint32(10)
          w.string(obj.backend)
        }

        if ((obj.samplesPerSecond != null && obj.samplesPerSecond !== 0)) {
          w.uint32(17)
          w.double(obj.samplesPerSecond)
        }

        if ((obj.gateRejections != null && obj.gateRejections !== 0)) {
          w.uint32(24)
          w.uint32(obj.gateRejections)
        }

        if ((obj.roundPhase != null && obj.roundPhase !== '')) {
          w.uint32(34)
          w.string(obj.roundPhase)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          backend: '',
          samplesPerSecond: 0,
          gateRejections: 0,
          roundPhase: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.backend = reader.string()
              break
            }
            case 2: {
              obj.samplesPerSecond = reader.double()
              break
            }
            case 3: {
              obj.gateRejections = reader.uint32()
              break
            }
            case 4: {
              obj.roundPhase = reader.string()
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
                field: `${prefix}.backend`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.samplesPerSecond`,
                value: reader.double()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.gateRejections`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.roundPhase`,
                value: reader.string()
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

  export interface NodeReportBackendFieldEvent {
    field: '$.backend'
    value: string
  }

  export interface NodeReportSamplesPerSecondFieldEvent {
    field: '$.samplesPerSecond'
    value: number
  }

  export interface NodeReportGateRejectionsFieldEvent {
    field: '$.gateRejections'
    value: number
  }

  export interface NodeReportRoundPhaseFieldEvent {
    field: '$.roundPhase'
    value: string
  }

  export function encode (obj: Partial<NodeReport>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, NodeReport.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<NodeReport>): NodeReport {
    return decodeMessage(buf, NodeReport.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<NodeReport>): Generator<NodeReportBackendFieldEvent | NodeReportSamplesPerSecondFieldEvent | NodeReportGateRejectionsFieldEvent | NodeReportRoundPhaseFieldEvent> {
    return streamMessage(buf, NodeReport.codec(), opts)
  }
}

import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface AdvertiseKeys {
  roundId: Uint8Array<ArrayBuffer>
  sender: number
  encryptionPublicKey: Uint8Array<ArrayBuffer>
  maskPublicKey: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace AdvertiseKeys {
  let _codec: Codec<AdvertiseKeys>

  export const codec = (): Codec<AdvertiseKeys> => {
    if (_codec == null) {
      _codec = message<AdvertiseKeys>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.roundId != null && obj.roundId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.roundId)
        }

        if ((obj.sender != null && obj.sender !== 0)) {
          w.uint32(16)
          w.uint32(obj.sender)
        }

        if ((obj.encryptionPublicKey != null && obj.encryptionPublicKey.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.encryptionPublicKey)
        }

        if ((obj.maskPublicKey != null && obj.maskPublicKey.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.maskPublicKey)
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
          roundId: uint8ArrayAlloc(0),
          sender: 0,
          encryptionPublicKey: uint8ArrayAlloc(0),
          maskPublicKey: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.roundId = reader.bytes()
              break
            }
            case 2: {
              obj.sender = reader.uint32()
              break
            }
            case 3: {
              obj.encryptionPublicKey = reader.bytes()
              break
            }
            case 4: {
              obj.maskPublicKey = reader.bytes()
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
                field: `${prefix}.roundId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.sender`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.encryptionPublicKey`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.maskPublicKey`,
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

  export interface AdvertiseKeysRoundIdFieldEvent {
    field: '$.roundId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AdvertiseKeysSenderFieldEvent {
    field: '$.sender'
    value: number
  }

  export interface AdvertiseKeysEncryptionPublicKeyFieldEvent {
    field: '$.encryptionPublicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AdvertiseKeysMaskPublicKeyFieldEvent {
    field: '$.maskPublicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AdvertiseKeysSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<AdvertiseKeys>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AdvertiseKeys.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AdvertiseKeys>): AdvertiseKeys {
    return decodeMessage(buf, AdvertiseKeys.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AdvertiseKeys>): Generator<AdvertiseKeysRoundIdFieldEvent | AdvertiseKeysSenderFieldEvent | AdvertiseKeysEncryptionPublicKeyFieldEvent | AdvertiseKeysMaskPublicKeyFieldEvent | AdvertiseKeysSignatureFieldEvent> {
    return streamMessage(buf, AdvertiseKeys.codec(), opts)
  }
}

export interface KeyRoster {
  roundId: Uint8Array<ArrayBuffer>
  keys: AdvertiseKeys[]
}

export namespace KeyRoster {
  let _codec: Codec<KeyRoster>

  export const codec = (): Codec<KeyRoster> => {
    if (_codec == null) {
      _codec = message<KeyRoster>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.roundId != null && obj.roundId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.roundId)
        }

        if (obj.keys != null && obj.keys.length > 0) {
          for (const value of obj.keys) {
            w.uint32(18)
            AdvertiseKeys.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          roundId: uint8ArrayAlloc(0),
          keys: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.roundId = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.keys != null && obj.keys.length === opts.limits.keys) {
                throw new MaxLengthError('Decode error - repeated field "keys" had too many elements')
              }

              obj.keys.push(AdvertiseKeys.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.keys$
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
          keys: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.roundId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              if (opts.limits?.keys != null && obj.keys === opts.limits.keys) {
                throw new MaxLengthError('Streaming decode error - repeated field "keys" had too many elements')
              }

              for (const evt of AdvertiseKeys.codec().stream(reader, reader.uint32(), `${prefix}.keys[]`, {
                limits: opts.limits?.keys$
              })) {
                yield {
                  ...evt,
                  index: obj.keys
                }
              }

              obj.keys++

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

  export interface KeyRosterRoundIdFieldEvent {
    field: '$.roundId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface KeyRosterKeysRoundIdFieldEvent {
    field: '$.keys[].roundId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface KeyRosterKeysSenderFieldEvent {
    field: '$.keys[].sender'
    value: number
    index: number
  }

  export interface KeyRosterKeysEncryptionPublicKeyFieldEvent {
    field: '$.keys[].encryptionPublicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface KeyRosterKeysMaskPublicKeyFieldEvent {
    field: '$.keys[].maskPublicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface KeyRosterKeysSignatureFieldEvent {
    field: '$.keys[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<KeyRoster>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, KeyRoster.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeyRoster>): KeyRoster {
    return decodeMessage(buf, KeyRoster.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeyRoster>): Generator<KeyRosterRoundIdFieldEvent | KeyRosterKeysRoundIdFieldEvent | KeyRosterKeysSenderFieldEvent | KeyRosterKeysEncryptionPublicKeyFieldEvent | KeyRosterKeysMaskPublicKeyFieldEvent | KeyRosterKeysSignatureFieldEvent> {
    return streamMessage(buf, KeyRoster.codec(), opts)
  }
}

export interface EncryptedShare {
  sender: number
  recipient: number
  ciphertext: Uint8Array<ArrayBuffer>
}

export namespace EncryptedShare {
  let _codec: Codec<EncryptedShare>

  export const codec = (): Codec<EncryptedShare> => {
    if (_codec == null) {
      _codec = message<EncryptedShare>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.sender != null && obj.sender !== 0)) {
          w.uint32(8)
          w.uint32(obj.sender)
        }

        if ((obj.recipient != null && obj.recipient !== 0)) {
          w.uint32(16)
          w.uint32(obj.recipient)
        }

        if ((obj.ciphertext != null && obj.ciphertext.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.ciphertext)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          sender: 0,
          recipient: 0,
          ciphertext: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.sender = reader.uint32()
              break
            }
            case 2: {
              obj.recipient = reader.uint32()
              break
            }
            case 3: {
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
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.sender`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.recipient`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
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

  export interface EncryptedShareSenderFieldEvent {
    field: '$.sender'
    value: number
  }

  export interface EncryptedShareRecipientFieldEvent {
    field: '$.recipient'
    value: number
  }

  export interface EncryptedShareCiphertextFieldEvent {
    field: '$.ciphertext'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<EncryptedShare>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, EncryptedShare.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<EncryptedShare>): EncryptedShare {
    return decodeMessage(buf, EncryptedShare.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<EncryptedShare>): Generator<EncryptedShareSenderFieldEvent | EncryptedShareRecipientFieldEvent | EncryptedShareCiphertextFieldEvent> {
    return streamMessage(buf, EncryptedShare.codec(), opts)
  }
}

export interface ShareKeys {
  roundId: Uint8Array<ArrayBuffer>
  sender: number
  shares: EncryptedShare[]
  selfSeedCommitment: Uint8Array<ArrayBuffer>
}

export namespace ShareKeys {
  let _codec: Codec<ShareKeys>

  export const codec = (): Codec<ShareKeys> => {
    if (_codec == null) {
      _codec = message<ShareKeys>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.roundId != null && obj.roundId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.roundId)
        }

        if ((obj.sender != null && obj.sender !== 0)) {
          w.uint32(16)
          w.uint32(obj.sender)
        }

        if (obj.shares != null && obj.shares.length > 0) {
          for (const value of obj.shares) {
            w.uint32(26)
            EncryptedShare.codec().encode(value, w)
          }
        }

        if ((obj.selfSeedCommitment != null && obj.selfSeedCommitment.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.selfSeedCommitment)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          roundId: uint8ArrayAlloc(0),
          sender: 0,
          shares: [],
          selfSeedCommitment: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.roundId = reader.bytes()
              break
            }
            case 2: {
              obj.sender = reader.uint32()
              break
            }
            case 3: {
              if (opts.limits?.shares != null && obj.shares.length === opts.limits.shares) {
                throw new MaxLengthError('Decode error - repeated field "shares" had too many elements')
              }

              obj.shares.push(EncryptedShare.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.shares$
              }))
              break
            }
            case 4: {
              obj.selfSeedCommitment = reader.bytes()
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
          shares: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.roundId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.sender`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              if (opts.limits?.shares != null && obj.shares === opts.limits.shares) {
                throw new MaxLengthError('Streaming decode error - repeated field "shares" had too many elements')
              }

              for (const evt of EncryptedShare.codec().stream(reader, reader.uint32(), `${prefix}.shares[]`, {
                limits: opts.limits?.shares$
              })) {
                yield {
                  ...evt,
                  index: obj.shares
                }
              }

              obj.shares++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.selfSeedCommitment`,
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

  export interface ShareKeysRoundIdFieldEvent {
    field: '$.roundId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ShareKeysSenderFieldEvent {
    field: '$.sender'
    value: number
  }

  export interface ShareKeysSharesSenderFieldEvent {
    field: '$.shares[].sender'
    value: number
    index: number
  }

  export interface ShareKeysSharesRecipientFieldEvent {
    field: '$.shares[].recipient'
    value: number
    index: number
  }

  export interface ShareKeysSharesCiphertextFieldEvent {
    field: '$.shares[].ciphertext'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ShareKeysSelfSeedCommitmentFieldEvent {
    field: '$.selfSeedCommitment'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ShareKeys>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ShareKeys.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ShareKeys>): ShareKeys {
    return decodeMessage(buf, ShareKeys.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ShareKeys>): Generator<ShareKeysRoundIdFieldEvent | ShareKeysSenderFieldEvent | ShareKeysSharesSenderFieldEvent | ShareKeysSharesRecipientFieldEvent | ShareKeysSharesCiphertextFieldEvent | ShareKeysSelfSeedCommitmentFieldEvent> {
    return streamMessage(buf, ShareKeys.codec(), opts)
  }
}

export interface SharePlaintext {
  roundId: Uint8Array<ArrayBuffer>
  sender: number
  recipient: number
  maskKeyShare: Uint8Array<ArrayBuffer>
  selfSeedShare: Uint8Array<ArrayBuffer>
}

export namespace SharePlaintext {
  let _codec: Codec<SharePlaintext>

  export const codec = (): Codec<SharePlaintext> => {
    if (_codec == null) {
      _codec = message<SharePlaintext>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.roundId != null && obj.roundId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.roundId)
        }

        if ((obj.sender != null && obj.sender !== 0)) {
          w.uint32(16)
          w.uint32(obj.sender)
        }

        if ((obj.recipient != null && obj.recipient !== 0)) {
          w.uint32(24)
          w.uint32(obj.recipient)
        }

        if ((obj.maskKeyShare != null && obj.maskKeyShare.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.maskKeyShare)
        }

        if ((obj.selfSeedShare != null && obj.selfSeedShare.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.selfSeedShare)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          roundId: uint8ArrayAlloc(0),
          sender: 0,
          recipient: 0,
          maskKeyShare: uint8ArrayAlloc(0),
          selfSeedShare: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.roundId = reader.bytes()
              break
            }
            case 2: {
              obj.sender = reader.uint32()
              break
            }
            case 3: {
              obj.recipient = reader.uint32()
              break
            }
            case 4: {
              obj.maskKeyShare = reader.bytes()
              break
            }
            case 5: {
              obj.selfSeedShare = reader.bytes()
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
                field: `${prefix}.roundId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.sender`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.recipient`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.maskKeyShare`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.selfSeedShare`,
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

  export interface SharePlaintextRoundIdFieldEvent {
    field: '$.roundId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SharePlaintextSenderFieldEvent {
    field: '$.sender'
    value: number
  }

  export interface SharePlaintextRecipientFieldEvent {
    field: '$.recipient'
    value: number
  }

  export interface SharePlaintextMaskKeyShareFieldEvent {
    field: '$.maskKeyShare'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SharePlaintextSelfSeedShareFieldEvent {
    field: '$.selfSeedShare'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SharePlaintext>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SharePlaintext.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SharePlaintext>): SharePlaintext {
    return decodeMessage(buf, SharePlaintext.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SharePlaintext>): Generator<SharePlaintextRoundIdFieldEvent | SharePlaintextSenderFieldEvent | SharePlaintextRecipientFieldEvent | SharePlaintextMaskKeyShareFieldEvent | SharePlaintextSelfSeedShareFieldEvent> {
    return streamMessage(buf, SharePlaintext.codec(), opts)
  }
}

export interface ShareDelivery {
  roundId: Uint8Array<ArrayBuffer>
  recipient: number
  shares: EncryptedShare[]
}

export namespace ShareDelivery {
  let _codec: Codec<ShareDelivery>

  export const codec = (): Codec<ShareDelivery> => {
    if (_codec == null) {
      _codec = message<ShareDelivery>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.roundId != null && obj.roundId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.roundId)
        }

        if ((obj.recipient != null && obj.recipient !== 0)) {
          w.uint32(16)
          w.uint32(obj.recipient)
        }

        if (obj.shares != null && obj.shares.length > 0) {
          for (const value of obj.shares) {
            w.uint32(26)
            EncryptedShare.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          roundId: uint8ArrayAlloc(0),
          recipient: 0,
          shares: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.roundId = reader.bytes()
              break
            }
            case 2: {
              obj.recipient = reader.uint32()
              break
            }
            case 3: {
              if (opts.limits?.shares != null && obj.shares.length === opts.limits.shares) {
                throw new MaxLengthError('Decode error - repeated field "shares" had too many elements')
              }

              obj.shares.push(EncryptedShare.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.shares$
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
          shares: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.roundId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.recipient`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              if (opts.limits?.shares != null && obj.shares === opts.limits.shares) {
                throw new MaxLengthError('Streaming decode error - repeated field "shares" had too many elements')
              }

              for (const evt of EncryptedShare.codec().stream(reader, reader.uint32(), `${prefix}.shares[]`, {
                limits: opts.limits?.shares$
              })) {
                yield {
                  ...evt,
                  index: obj.shares
                }
              }

              obj.shares++

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

  export interface ShareDeliveryRoundIdFieldEvent {
    field: '$.roundId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ShareDeliveryRecipientFieldEvent {
    field: '$.recipient'
    value: number
  }

  export interface ShareDeliverySharesSenderFieldEvent {
    field: '$.shares[].sender'
    value: number
    index: number
  }

  export interface ShareDeliverySharesRecipientFieldEvent {
    field: '$.shares[].recipient'
    value: number
    index: number
  }

  export interface ShareDeliverySharesCiphertextFieldEvent {
    field: '$.shares[].ciphertext'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<ShareDelivery>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ShareDelivery.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ShareDelivery>): ShareDelivery {
    return decodeMessage(buf, ShareDelivery.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ShareDelivery>): Generator<ShareDeliveryRoundIdFieldEvent | ShareDeliveryRecipientFieldEvent | ShareDeliverySharesSenderFieldEvent | ShareDeliverySharesRecipientFieldEvent | ShareDeliverySharesCiphertextFieldEvent> {
    return streamMessage(buf, ShareDelivery.codec(), opts)
  }
}

export interface MaskedInput {
  roundId: Uint8Array<ArrayBuffer>
  sender: number
  length: number
  masked: Uint8Array<ArrayBuffer>
}

export namespace MaskedInput {
  let _codec: Codec<MaskedInput>

  export const codec = (): Codec<MaskedInput> => {
    if (_codec == null) {
      _codec = message<MaskedInput>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.roundId != null && obj.roundId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.roundId)
        }

        if ((obj.sender != null && obj.sender !== 0)) {
          w.uint32(16)
          w.uint32(obj.sender)
        }

        if ((obj.length != null && obj.length !== 0)) {
          w.uint32(24)
          w.uint32(obj.length)
        }

        if ((obj.masked != null && obj.masked.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.masked)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          roundId: uint8ArrayAlloc(0),
          sender: 0,
          length: 0,
          masked: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.roundId = reader.bytes()
              break
            }
            case 2: {
              obj.sender = reader.uint32()
              break
            }
            case 3: {
              obj.length = reader.uint32()
              break
            }
            case 4: {
              obj.masked = reader.bytes()
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
                field: `${prefix}.roundId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.sender`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.length`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.masked`,
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

  export interface MaskedInputRoundIdFieldEvent {
    field: '$.roundId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MaskedInputSenderFieldEvent {
    field: '$.sender'
    value: number
  }

  export interface MaskedInputLengthFieldEvent {
    field: '$.length'
    value: number
  }

  export interface MaskedInputMaskedFieldEvent {
    field: '$.masked'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<MaskedInput>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MaskedInput.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MaskedInput>): MaskedInput {
    return decodeMessage(buf, MaskedInput.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MaskedInput>): Generator<MaskedInputRoundIdFieldEvent | MaskedInputSenderFieldEvent | MaskedInputLengthFieldEvent | MaskedInputMaskedFieldEvent> {
    return streamMessage(buf, MaskedInput.codec(), opts)
  }
}

export interface SurvivorList {
  roundId: Uint8Array<ArrayBuffer>
  survivors: number[]
}

export namespace SurvivorList {
  let _codec: Codec<SurvivorList>

  export const codec = (): Codec<SurvivorList> => {
    if (_codec == null) {
      _codec = message<SurvivorList>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.roundId != null && obj.roundId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.roundId)
        }

        if (obj.survivors != null && obj.survivors.length > 0) {
          for (const value of obj.survivors) {
            w.uint32(16)
            w.uint32(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          roundId: uint8ArrayAlloc(0),
          survivors: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.roundId = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.survivors != null && obj.survivors.length === opts.limits.survivors) {
                throw new MaxLengthError('Decode error - repeated field "survivors" had too many elements')
              }

              obj.survivors.push(reader.uint32())
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
          survivors: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.roundId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              if (opts.limits?.survivors != null && obj.survivors === opts.limits.survivors) {
                throw new MaxLengthError('Streaming decode error - repeated field "survivors" had too many elements')
              }

              yield {
                field: `${prefix}.survivors[]`,
                index: obj.survivors,
                value: reader.uint32()
              }

              obj.survivors++

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

  export interface SurvivorListRoundIdFieldEvent {
    field: '$.roundId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SurvivorListSurvivorsFieldEvent {
    field: '$.survivors[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<SurvivorList>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SurvivorList.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SurvivorList>): SurvivorList {
    return decodeMessage(buf, SurvivorList.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SurvivorList>): Generator<SurvivorListRoundIdFieldEvent | SurvivorListSurvivorsFieldEvent> {
    return streamMessage(buf, SurvivorList.codec(), opts)
  }
}

export interface ConsistencySignature {
  roundId: Uint8Array<ArrayBuffer>
  sender: number
  signature: Uint8Array<ArrayBuffer>
}

export namespace ConsistencySignature {
  let _codec: Codec<ConsistencySignature>

  export const codec = (): Codec<ConsistencySignature> => {
    if (_codec == null) {
      _codec = message<ConsistencySignature>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.roundId != null && obj.roundId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.roundId)
        }

        if ((obj.sender != null && obj.sender !== 0)) {
          w.uint32(16)
          w.uint32(obj.sender)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          roundId: uint8ArrayAlloc(0),
          sender: 0,
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.roundId = reader.bytes()
              break
            }
            case 2: {
              obj.sender = reader.uint32()
              break
            }
            case 3: {
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
                field: `${prefix}.roundId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.sender`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
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

  export interface ConsistencySignatureRoundIdFieldEvent {
    field: '$.roundId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ConsistencySignatureSenderFieldEvent {
    field: '$.sender'
    value: number
  }

  export interface ConsistencySignatureSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ConsistencySignature>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ConsistencySignature.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ConsistencySignature>): ConsistencySignature {
    return decodeMessage(buf, ConsistencySignature.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ConsistencySignature>): Generator<ConsistencySignatureRoundIdFieldEvent | ConsistencySignatureSenderFieldEvent | ConsistencySignatureSignatureFieldEvent> {
    return streamMessage(buf, ConsistencySignature.codec(), opts)
  }
}

export interface UnmaskRequest {
  roundId: Uint8Array<ArrayBuffer>
  survivors: number[]
  dropped: number[]
  signatures: ConsistencySignature[]
}

export namespace UnmaskRequest {
  let _codec: Codec<UnmaskRequest>

  export const codec = (): Codec<UnmaskRequest> => {
    if (_codec == null) {
      _codec = message<UnmaskRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.roundId != null && obj.roundId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.roundId)
        }

        if (obj.survivors != null && obj.survivors.length > 0) {
          for (const value of obj.survivors) {
            w.uint32(16)
            w.uint32(value)
          }
        }

        if (obj.dropped != null && obj.dropped.length > 0) {
          for (const value of obj.dropped) {
            w.uint32(24)
            w.uint32(value)
          }
        }

        if (obj.signatures != null && obj.signatures.length > 0) {
          for (const value of obj.signatures) {
            w.uint32(34)
            ConsistencySignature.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          roundId: uint8ArrayAlloc(0),
          survivors: [],
          dropped: [],
          signatures: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.roundId = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.survivors != null && obj.survivors.length === opts.limits.survivors) {
                throw new MaxLengthError('Decode error - repeated field "survivors" had too many elements')
              }

              obj.survivors.push(reader.uint32())
              break
            }
            case 3: {
              if (opts.limits?.dropped != null && obj.dropped.length === opts.limits.dropped) {
                throw new MaxLengthError('Decode error - repeated field "dropped" had too many elements')
              }

              obj.dropped.push(reader.uint32())
              break
            }
            case 4: {
              if (opts.limits?.signatures != null && obj.signatures.length === opts.limits.signatures) {
                throw new MaxLengthError('Decode error - repeated field "signatures" had too many elements')
              }

              obj.signatures.push(ConsistencySignature.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.signatures$
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
          survivors: 0,
          dropped: 0,
          signatures: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.roundId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              if (opts.limits?.survivors != null && obj.survivors === opts.limits.survivors) {
                throw new MaxLengthError('Streaming decode error - repeated field "survivors" had too many elements')
              }

              yield {
                field: `${prefix}.survivors[]`,
                index: obj.survivors,
                value: reader.uint32()
              }

              obj.survivors++

              break
            }
            case 3: {
              if (opts.limits?.dropped != null && obj.dropped === opts.limits.dropped) {
                throw new MaxLengthError('Streaming decode error - repeated field "dropped" had too many elements')
              }

              yield {
                field: `${prefix}.dropped[]`,
                index: obj.dropped,
                value: reader.uint32()
              }

              obj.dropped++

              break
            }
            case 4: {
              if (opts.limits?.signatures != null && obj.signatures === opts.limits.signatures) {
                throw new MaxLengthError('Streaming decode error - repeated field "signatures" had too many elements')
              }

              for (const evt of ConsistencySignature.codec().stream(reader, reader.uint32(), `${prefix}.signatures[]`, {
                limits: opts.limits?.signatures$
              })) {
                yield {
                  ...evt,
                  index: obj.signatures
                }
              }

              obj.signatures++

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

  export interface UnmaskRequestRoundIdFieldEvent {
    field: '$.roundId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface UnmaskRequestSurvivorsFieldEvent {
    field: '$.survivors[]'
    index: number
    value: number
  }

  export interface UnmaskRequestDroppedFieldEvent {
    field: '$.dropped[]'
    index: number
    value: number
  }

  export interface UnmaskRequestSignaturesRoundIdFieldEvent {
    field: '$.signatures[].roundId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface UnmaskRequestSignaturesSenderFieldEvent {
    field: '$.signatures[].sender'
    value: number
    index: number
  }

  export interface UnmaskRequestSignaturesSignatureFieldEvent {
    field: '$.signatures[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<UnmaskRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, UnmaskRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UnmaskRequest>): UnmaskRequest {
    return decodeMessage(buf, UnmaskRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UnmaskRequest>): Generator<UnmaskRequestRoundIdFieldEvent | UnmaskRequestSurvivorsFieldEvent | UnmaskRequestDroppedFieldEvent | UnmaskRequestSignaturesRoundIdFieldEvent | UnmaskRequestSignaturesSenderFieldEvent | UnmaskRequestSignaturesSignatureFieldEvent> {
    return streamMessage(buf, UnmaskRequest.codec(), opts)
  }
}

export interface RevealedShare {
  owner: number
  share: Uint8Array<ArrayBuffer>
}

export namespace RevealedShare {
  let _codec: Codec<RevealedShare>

  export const codec = (): Codec<RevealedShare> => {
    if (_codec == null) {
      _codec = message<RevealedShare>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.owner != null && obj.owner !== 0)) {
          w.uint32(8)
          w.uint32(obj.owner)
        }

        if ((obj.share != null && obj.share.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.share)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          owner: 0,
          share: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.owner = reader.uint32()
              break
            }
            case 2: {
              obj.share = reader.bytes()
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
                field: `${prefix}.owner`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.share`,
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

  export interface RevealedShareOwnerFieldEvent {
    field: '$.owner'
    value: number
  }

  export interface RevealedShareShareFieldEvent {
    field: '$.share'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<RevealedShare>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RevealedShare.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RevealedShare>): RevealedShare {
    return decodeMessage(buf, RevealedShare.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RevealedShare>): Generator<RevealedShareOwnerFieldEvent | RevealedShareShareFieldEvent> {
    return streamMessage(buf, RevealedShare.codec(), opts)
  }
}

export interface UnmaskResponse {
  roundId: Uint8Array<ArrayBuffer>
  sender: number
  selfSeedShares: RevealedShare[]
  maskKeyShares: RevealedShare[]
}

export namespace UnmaskResponse {
  let _codec: Codec<UnmaskResponse>

  export const codec = (): Codec<UnmaskResponse> => {
    if (_codec == null) {
      _codec = message<UnmaskResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.roundId != null && obj.roundId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.roundId)
        }

        if ((obj.sender != null && obj.sender !== 0)) {
          w.uint32(16)
          w.uint32(obj.sender)
        }

        if (obj.selfSeedShares != null && obj.selfSeedShares.length > 0) {
          for (const value of obj.selfSeedShares) {
            w.uint32(26)
            RevealedShare.codec().encode(value, w)
          }
        }

        if (obj.maskKeyShares != null && obj.maskKeyShares.length > 0) {
          for (const value of obj.maskKeyShares) {
            w.uint32(34)
            RevealedShare.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          roundId: uint8ArrayAlloc(0),
          sender: 0,
          selfSeedShares: [],
          maskKeyShares: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.roundId = reader.bytes()
              break
            }
            case 2: {
              obj.sender = reader.uint32()
              break
            }
            case 3: {
              if (opts.limits?.selfSeedShares != null && obj.selfSeedShares.length === opts.limits.selfSeedShares) {
                throw new MaxLengthError('Decode error - repeated field "selfSeedShares" had too many elements')
              }

              obj.selfSeedShares.push(RevealedShare.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.selfSeedShares$
              }))
              break
            }
            case 4: {
              if (opts.limits?.maskKeyShares != null && obj.maskKeyShares.length === opts.limits.maskKeyShares) {
                throw new MaxLengthError('Decode error - repeated field "maskKeyShares" had too many elements')
              }

              obj.maskKeyShares.push(RevealedShare.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.maskKeyShares$
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
          selfSeedShares: 0,
          maskKeyShares: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.roundId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.sender`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              if (opts.limits?.selfSeedShares != null && obj.selfSeedShares === opts.limits.selfSeedShares) {
                throw new MaxLengthError('Streaming decode error - repeated field "selfSeedShares" had too many elements')
              }

              for (const evt of RevealedShare.codec().stream(reader, reader.uint32(), `${prefix}.selfSeedShares[]`, {
                limits: opts.limits?.selfSeedShares$
              })) {
                yield {
                  ...evt,
                  index: obj.selfSeedShares
                }
              }

              obj.selfSeedShares++

              break
            }
            case 4: {
              if (opts.limits?.maskKeyShares != null && obj.maskKeyShares === opts.limits.maskKeyShares) {
                throw new MaxLengthError('Streaming decode error - repeated field "maskKeyShares" had too many elements')
              }

              for (const evt of RevealedShare.codec().stream(reader, reader.uint32(), `${prefix}.maskKeyShares[]`, {
                limits: opts.limits?.maskKeyShares$
              })) {
                yield {
                  ...evt,
                  index: obj.maskKeyShares
                }
              }

              obj.maskKeyShares++

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

  export interface UnmaskResponseRoundIdFieldEvent {
    field: '$.roundId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface UnmaskResponseSenderFieldEvent {
    field: '$.sender'
    value: number
  }

  export interface UnmaskResponseSelfSeedSharesOwnerFieldEvent {
    field: '$.selfSeedShares[].owner'
    value: number
    index: number
  }

  export interface UnmaskResponseSelfSeedSharesShareFieldEvent {
    field: '$.selfSeedShares[].share'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface UnmaskResponseMaskKeySharesOwnerFieldEvent {
    field: '$.maskKeyShares[].owner'
    value: number
    index: number
  }

  export interface UnmaskResponseMaskKeySharesShareFieldEvent {
    field: '$.maskKeyShares[].share'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<UnmaskResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, UnmaskResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UnmaskResponse>): UnmaskResponse {
    return decodeMessage(buf, UnmaskResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UnmaskResponse>): Generator<UnmaskResponseRoundIdFieldEvent | UnmaskResponseSenderFieldEvent | UnmaskResponseSelfSeedSharesOwnerFieldEvent | UnmaskResponseSelfSeedSharesShareFieldEvent | UnmaskResponseMaskKeySharesOwnerFieldEvent | UnmaskResponseMaskKeySharesShareFieldEvent> {
    return streamMessage(buf, UnmaskResponse.codec(), opts)
  }
}

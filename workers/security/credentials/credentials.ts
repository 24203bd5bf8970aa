import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface JoinRequest {
  identityPublicKey: Uint8Array<ArrayBuffer>
  blsPublicKey: Uint8Array<ArrayBuffer>
  blsProofOfPossession: Uint8Array<ArrayBuffer>
  agreementPublicKey: Uint8Array<ArrayBuffer>
  roles: string[]
}

export namespace JoinRequest {
  let _codec: Codec<JoinRequest>

  export const codec = (): Codec<JoinRequest> => {
    if (_codec == null) {
      _codec = message<JoinRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.identityPublicKey != null && obj.identityPublicKey.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.identityPublicKey)
        }

        if ((obj.blsPublicKey != null && obj.blsPublicKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.blsPublicKey)
        }

        if ((obj.blsProofOfPossession != null && obj.blsProofOfPossession.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.blsProofOfPossession)
        }

        if ((obj.agreementPublicKey != null && obj.agreementPublicKey.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.agreementPublicKey)
        }

        if (obj.roles != null && obj.roles.length > 0) {
          for (const value of obj.roles) {
            w.uint32(42)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          identityPublicKey: uint8ArrayAlloc(0),
          blsPublicKey: uint8ArrayAlloc(0),
          blsProofOfPossession: uint8ArrayAlloc(0),
          agreementPublicKey: uint8ArrayAlloc(0),
          roles: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.identityPublicKey = reader.bytes()
              break
            }
            case 2: {
              obj.blsPublicKey = reader.bytes()
              break
            }
            case 3: {
              obj.blsProofOfPossession = reader.bytes()
              break
            }
            case 4: {
              obj.agreementPublicKey = reader.bytes()
              break
            }
            case 5: {
              if (opts.limits?.roles != null && obj.roles.length === opts.limits.roles) {
                throw new MaxLengthError('Decode error - repeated field "roles" had too many elements')
              }

              obj.roles.push(reader.string())
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
          roles: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.identityPublicKey`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.blsPublicKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.blsProofOfPossession`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.agreementPublicKey`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              if (opts.limits?.roles != null && obj.roles === opts.limits.roles) {
                throw new MaxLengthError('Streaming decode error - repeated field "roles" had too many elements')
              }

              yield {
                field: `${prefix}.roles[]`,
                index: obj.roles,
                value: reader.string()
              }

              obj.roles++

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

  export interface JoinRequestIdentityPublicKeyFieldEvent {
    field: '$.identityPublicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JoinRequestBlsPublicKeyFieldEvent {
    field: '$.blsPublicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JoinRequestBlsProofOfPossessionFieldEvent {
    field: '$.blsProofOfPossession'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JoinRequestAgreementPublicKeyFieldEvent {
    field: '$.agreementPublicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JoinRequestRolesFieldEvent {
    field: '$.roles[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<JoinRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, JoinRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JoinRequest>): JoinRequest {
    return decodeMessage(buf, JoinRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JoinRequest>): Generator<JoinRequestIdentityPublicKeyFieldEvent | JoinRequestBlsPublicKeyFieldEvent | JoinRequestBlsProofOfPossessionFieldEvent | JoinRequestAgreementPublicKeyFieldEvent | JoinRequestRolesFieldEvent> {
    return streamMessage(buf, JoinRequest.codec(), opts)
  }
}

export interface GrantRequest {
  adminCertificate: Uint8Array<ArrayBuffer>
  subjectCertificate: Uint8Array<ArrayBuffer>
  roles: string[]
  notAfterMs: bigint
  requestedAtMs: bigint
  nonce: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace GrantRequest {
  let _codec: Codec<GrantRequest>

  export const codec = (): Codec<GrantRequest> => {
    if (_codec == null) {
      _codec = message<GrantRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.adminCertificate != null && obj.adminCertificate.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.adminCertificate)
        }

        if ((obj.subjectCertificate != null && obj.subjectCertificate.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.subjectCertificate)
        }

        if (obj.roles != null && obj.roles.length > 0) {
          for (const value of obj.roles) {
            w.uint32(26)
            w.string(value)
          }
        }

        if ((obj.notAfterMs != null && obj.notAfterMs !== 0n)) {
          w.uint32(32)
          w.uint64(obj.notAfterMs)
        }

        if ((obj.requestedAtMs != null && obj.requestedAtMs !== 0n)) {
          w.uint32(40)
          w.uint64(obj.requestedAtMs)
        }

        if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.nonce)
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
          adminCertificate: uint8ArrayAlloc(0),
          subjectCertificate: uint8ArrayAlloc(0),
          roles: [],
          notAfterMs: 0n,
          requestedAtMs: 0n,
          nonce: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.adminCertificate = reader.bytes()
              break
            }
            case 2: {
              obj.subjectCertificate = reader.bytes()
              break
            }
            case 3: {
              if (opts.limits?.roles != null && obj.roles.length === opts.limits.roles) {
                throw new MaxLengthError('Decode error - repeated field "roles" had too many elements')
              }

              obj.roles.push(reader.string())
              break
            }
            case 4: {
              obj.notAfterMs = reader.uint64()
              break
            }
            case 5: {
              obj.requestedAtMs = reader.uint64()
              break
            }
            case 6: {
              obj.nonce = reader.bytes()
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
          roles: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.adminCertificate`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.subjectCertificate`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              if (opts.limits?.roles != null && obj.roles === opts.limits.roles) {
                throw new MaxLengthError('Streaming decode error - repeated field "roles" had too many elements')
              }

              yield {
                field: `${prefix}.roles[]`,
                index: obj.roles,
                value: reader.string()
              }

              obj.roles++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.notAfterMs`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.requestedAtMs`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.nonce`,
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

  export interface GrantRequestAdminCertificateFieldEvent {
    field: '$.adminCertificate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GrantRequestSubjectCertificateFieldEvent {
    field: '$.subjectCertificate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GrantRequestRolesFieldEvent {
    field: '$.roles[]'
    index: number
    value: string
  }

  export interface GrantRequestNotAfterMsFieldEvent {
    field: '$.notAfterMs'
    value: bigint
  }

  export interface GrantRequestRequestedAtMsFieldEvent {
    field: '$.requestedAtMs'
    value: bigint
  }

  export interface GrantRequestNonceFieldEvent {
    field: '$.nonce'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GrantRequestSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<GrantRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, GrantRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GrantRequest>): GrantRequest {
    return decodeMessage(buf, GrantRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GrantRequest>): Generator<GrantRequestAdminCertificateFieldEvent | GrantRequestSubjectCertificateFieldEvent | GrantRequestRolesFieldEvent | GrantRequestNotAfterMsFieldEvent | GrantRequestRequestedAtMsFieldEvent | GrantRequestNonceFieldEvent | GrantRequestSignatureFieldEvent> {
    return streamMessage(buf, GrantRequest.codec(), opts)
  }
}

export interface CredentialGrant {
  certificate: Uint8Array<ArrayBuffer>
}

export namespace CredentialGrant {
  let _codec: Codec<CredentialGrant>

  export const codec = (): Codec<CredentialGrant> => {
    if (_codec == null) {
      _codec = message<CredentialGrant>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.certificate != null && obj.certificate.byteLength > 0)) {
          w.uint32(10)
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

  export interface CredentialGrantCertificateFieldEvent {
    field: '$.certificate'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<CredentialGrant>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CredentialGrant.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CredentialGrant>): CredentialGrant {
    return decodeMessage(buf, CredentialGrant.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CredentialGrant>): Generator<CredentialGrantCertificateFieldEvent> {
    return streamMessage(buf, CredentialGrant.codec(), opts)
  }
}

export interface Revocation {
  serial: string
  revokedAtMs: bigint
  reason: string
  signature: Uint8Array<ArrayBuffer>
}

export namespace Revocation {
  let _codec: Codec<Revocation>

  export const codec = (): Codec<Revocation> => {
    if (_codec == null) {
      _codec = message<Revocation>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.serial != null && obj.serial !== '')) {
          w.uint32(10)
          w.string(obj.serial)
        }

        if ((obj.revokedAtMs != null && obj.revokedAtMs !== 0n)) {
          w.uint32(16)
          w.uint64(obj.revokedAtMs)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(26)
          w.string(obj.reason)
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
          serial: '',
          revokedAtMs: 0n,
          reason: '',
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.serial = reader.string()
              break
            }
            case 2: {
              obj.revokedAtMs = reader.uint64()
              break
            }
            case 3: {
              obj.reason = reader.string()
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
                field: `${prefix}.serial`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.revokedAtMs`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.reason`,
                value: reader.string()
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

  export interface RevocationSerialFieldEvent {
    field: '$.serial'
    value: string
  }

  export interface RevocationRevokedAtMsFieldEvent {
    field: '$.revokedAtMs'
    value: bigint
  }

  export interface RevocationReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export interface RevocationSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Revocation>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Revocation.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Revocation>): Revocation {
    return decodeMessage(buf, Revocation.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Revocation>): Generator<RevocationSerialFieldEvent | RevocationRevokedAtMsFieldEvent | RevocationReasonFieldEvent | RevocationSignatureFieldEvent> {
    return streamMessage(buf, Revocation.codec(), opts)
  }
}

import { encodeMessage } from 'protons-runtime'
import { decodeExact } from '../../protocol/exact-decode'
import { CommitCertificate as WireCertificate } from './wire.pb'
import { commitSignBytes } from './sign-bytes'
import type { SignatureScheme } from './scheme'
import type { ValidatorSet } from './validator-set'
import { equalBytes } from '../../common/bytes'

/** Proof that a quorum of a validator set committed `valueId` at `height`. */
export interface CommitCertificate {
  readonly chainId: string
  readonly height: number
  readonly round: number
  /** SHA-256 of the decided value. */
  readonly valueId: Uint8Array
  readonly validatorSetHash: Uint8Array
  /** Bit i (byte i >> 3, bit i & 7) set: validator i of the set signed. */
  readonly signers: Uint8Array
  readonly aggregateSignature: Uint8Array
}

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly reason: string }

export const MAX_ROUND = 2 ** 31 - 1
export const VALUE_ID_BYTES = 32

export function signerBitmap(validatorCount: number, indices: Iterable<number>): Uint8Array {
  const bitmap = new Uint8Array(Math.ceil(validatorCount / 8))
  for (const i of indices) bitmap[i >> 3] |= 1 << (i & 7)
  return bitmap
}

/** Indices set in the bitmap, or a reason it cannot belong to a set of this size. */
export function bitmapSigners(bitmap: Uint8Array, validatorCount: number): number[] | string {
  if (bitmap.length !== Math.ceil(validatorCount / 8)) return `signer bitmap is ${bitmap.length} bytes for ${validatorCount} validators`
  const signers: number[] = []
  for (let i = 0; i < bitmap.length * 8; i++) {
    if ((bitmap[i >> 3] & (1 << (i & 7))) === 0) continue
    if (i >= validatorCount) return `signer bit ${i} is beyond the set`
    signers.push(i)
  }
  return signers
}

export interface CertificateVote {
  /** Validator index in the set. */
  readonly index: number
  /** Its vote-key signature over commitSignBytes. */
  readonly signature: Uint8Array
}

/** Folds already-checked precommit signatures into a certificate; verify the result if any input might be bad. */
export function buildCertificate(
  fields: { chainId: string; height: number; round: number; valueId: Uint8Array; set: ValidatorSet; votes: readonly CertificateVote[] },
  scheme: SignatureScheme,
): CommitCertificate {
  const votes = [...fields.votes].sort((a, b) => a.index - b.index)
  return {
    chainId: fields.chainId,
    height: fields.height,
    round: fields.round,
    valueId: fields.valueId,
    validatorSetHash: fields.set.hash,
    signers: signerBitmap(
      fields.set.validators.length,
      votes.map((v) => v.index),
    ),
    aggregateSignature: scheme.aggregateVotes(votes.map((v) => v.signature)),
  }
}

export interface CertificateExpectation {
  readonly chainId?: string
  readonly height?: number
  readonly valueId?: Uint8Array
}

/**
 * What any node runs before trusting a decision: the certificate names this set, at least a
 * quorum of distinct validators signed, and their aggregate signature verifies (one
 * aggregate check: about two pairings with the real scheme, whatever the set size).
 */
export function verifyCertificate(
  certificate: CommitCertificate,
  set: ValidatorSet,
  scheme: SignatureScheme,
  expect: CertificateExpectation = {},
): Verdict {
  const c = certificate
  if (typeof c.chainId !== 'string') return { ok: false, reason: 'chain id missing' }
  if (!Number.isSafeInteger(c.height) || c.height < 1) return { ok: false, reason: `bad height ${c.height}` }
  if (!Number.isSafeInteger(c.round) || c.round < 0 || c.round > MAX_ROUND) return { ok: false, reason: `bad round ${c.round}` }
  if (!(c.valueId instanceof Uint8Array) || c.valueId.length !== VALUE_ID_BYTES) return { ok: false, reason: 'value id is not 32 bytes' }
  if (expect.chainId !== undefined && c.chainId !== expect.chainId) return { ok: false, reason: `certificate is for chain ${c.chainId}` }
  if (expect.height !== undefined && c.height !== expect.height)
    return { ok: false, reason: `certificate is for height ${c.height}, expected ${expect.height}` }
  if (expect.valueId !== undefined && !equalBytes(c.valueId, expect.valueId))
    return { ok: false, reason: 'certificate is for another value' }
  if (!equalBytes(c.validatorSetHash, set.hash)) return { ok: false, reason: 'certificate names another validator set' }
  const signers = bitmapSigners(c.signers, set.validators.length)
  if (typeof signers === 'string') return { ok: false, reason: signers }
  if (signers.length < set.quorum) return { ok: false, reason: `${signers.length} signers, quorum is ${set.quorum}` }
  const message = commitSignBytes(c.chainId, c.height, c.round, c.valueId)
  const keys = signers.map((i) => set.validators[i].voteKey)
  if (!scheme.verifyAggregateVote(keys, message, c.aggregateSignature)) return { ok: false, reason: 'aggregate signature does not verify' }
  return { ok: true }
}

export function encodeCertificate(certificate: CommitCertificate): Uint8Array {
  return encodeMessage({ ...certificate, height: BigInt(certificate.height) } as WireCertificate, WireCertificate.codec())
}

export type CertificateDecodeResult =
  { readonly ok: true; readonly certificate: CommitCertificate } | { readonly ok: false; readonly reason: string }

/** Structural decode only; verifyCertificate decides whether to trust it. Never throws. */
export function decodeCertificate(bytes: Uint8Array): CertificateDecodeResult {
  let wire: WireCertificate
  try {
    wire = decodeExact(bytes, WireCertificate.codec())
  } catch (error) {
    return { ok: false, reason: `undecodable certificate: ${(error as Error).message}` }
  }
  if (wire.height > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: 'height out of range' }
  return { ok: true, certificate: { ...wire, height: Number(wire.height) } }
}

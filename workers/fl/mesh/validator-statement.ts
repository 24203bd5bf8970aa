/**
 * The federated-learning validator set as a statement signed by a relay's CA, and the one rule
 * by which a browser decides which set it checks certificates against (README, "Which
 * validators a browser trusts"): it pins the CA together with the first statement, follows a
 * newer statement only when that CA signed it, and otherwise keeps what it pinned.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { encodeMessage } from 'protons-runtime'
import { FlValidatorSetStatement } from './validator-statement.pb'
import { ValidatorSetBody } from '../../consensus/certificate/wire.pb'
import { createValidatorSet, MAX_VALIDATORS, type Validator, type ValidatorSet } from '../../consensus/certificate/validator-set'
import type { SignatureScheme } from '../../consensus/certificate/scheme'
import { signAsAuthority, type CertificateAuthority } from '../../security/credentials/ca'
import { decodeExact } from '../../protocol/exact-decode'
import { withDomain } from '../../common/domains'
import { equalBytes } from '../../common/bytes'

const VERSION = 1
/** A full set of MAX_VALIDATORS entries (id, 32 + 48 + 96 key bytes, framing) with room to spare. */
export const MAX_STATEMENT_BYTES = MAX_VALIDATORS * 400

export interface ValidatorSetStatement {
  readonly issuedAtMs: number
  readonly set: ValidatorSet
  /** The signed bytes, as served and as pinned. */
  readonly bytes: Uint8Array
}

function signedBytes(statement: FlValidatorSetStatement): Uint8Array {
  return withDomain('flValidatorSet', FlValidatorSetStatement.encode({ ...statement, signature: new Uint8Array(0) }))
}

function encodeSet(validators: readonly Validator[]): Uint8Array {
  return encodeMessage({ validators: validators as ValidatorSetBody['validators'] }, ValidatorSetBody.codec())
}

/** Signs `set` with the CA key, as issued at `issuedAtMs`. */
export async function signValidatorSetStatement(ca: CertificateAuthority, set: ValidatorSet, issuedAtMs: number): Promise<Uint8Array> {
  const unsigned: FlValidatorSetStatement = {
    version: VERSION,
    issuedAtMs: BigInt(Math.floor(issuedAtMs)),
    validatorSet: encodeSet(set.validators) as Uint8Array<ArrayBuffer>,
    signature: new Uint8Array(0),
  }
  const signature = await signAsAuthority(ca, signedBytes(unsigned))
  return FlValidatorSetStatement.encode({ ...unsigned, signature: signature as Uint8Array<ArrayBuffer> })
}

export type StatementVerdict =
  { readonly ok: true; readonly statement: ValidatorSetStatement } | { readonly ok: false; readonly reason: string }

/**
 * Checks a statement against a CA's Ed25519 key: size, exact encoding, version, signature, and
 * that it holds a usable set (every proof of possession checked) in canonical order.
 */
export function verifyValidatorSetStatement(bytes: Uint8Array, caPublicKey: Uint8Array, scheme: SignatureScheme): StatementVerdict {
  if (bytes.length > MAX_STATEMENT_BYTES) return { ok: false, reason: `statement is ${bytes.length} bytes (limit ${MAX_STATEMENT_BYTES})` }
  let statement: FlValidatorSetStatement
  let body: ValidatorSetBody
  try {
    statement = decodeExact(bytes, FlValidatorSetStatement.codec())
    body = decodeExact(statement.validatorSet, ValidatorSetBody.codec(), { limits: { validators: MAX_VALIDATORS } })
  } catch (err) {
    return { ok: false, reason: `statement does not decode: ${(err as Error).message}` }
  }
  if (statement.version !== VERSION) return { ok: false, reason: `statement version ${statement.version} (this node reads ${VERSION})` }
  let signed = false
  try {
    signed = statement.signature.length === 64 && ed25519.verify(statement.signature, signedBytes(statement), caPublicKey)
  } catch {
    signed = false
  }
  if (!signed) return { ok: false, reason: 'not signed by this CA' }
  const created = createValidatorSet(body.validators, scheme)
  if (!created.ok) return { ok: false, reason: `its validator set is not usable: ${created.reason}` }
  if (!equalBytes(encodeSet(created.set.validators), statement.validatorSet))
    return { ok: false, reason: 'its validators are not in canonical order' }
  return { ok: true, statement: { issuedAtMs: Number(statement.issuedAtMs), set: created.set, bytes } }
}

/** What a browser has pinned: the CA and its statement, or (pinned before statements existed) a bare set. */
export interface PinnedTrust {
  readonly caPublicKey: Uint8Array | null
  readonly statement: Uint8Array | null
  readonly legacySet: readonly Validator[] | null
}

export type TrustDecision =
  /** Pin this CA and statement: the first join, or a bare pinned set that this CA signs unchanged. */
  | { readonly kind: 'pin'; readonly statement: ValidatorSetStatement; readonly caPublicKey: Uint8Array }
  /** Keep checking against the pinned set; `warning` says why what the relay serves was not taken. */
  | { readonly kind: 'keep'; readonly set: ValidatorSet; readonly issuedAtMs: number | null; readonly warning: string | null }
  /** The pinned CA signed a newer set: check against it from now on. */
  | { readonly kind: 'follow'; readonly statement: ValidatorSetStatement; readonly previous: ValidatorSet }
  | { readonly kind: 'refuse'; readonly reason: string }

export interface TrustInput {
  readonly pinned: PinnedTrust | null
  /** The relay's `validatorSetStatement`, decoded from base64; null when it serves none. */
  readonly served: Uint8Array | null
  /** The CA of the relay this page came from (its /api/bootstrap): trusted only for a first pin. */
  readonly relayCaPublicKey: Uint8Array
  readonly scheme: SignatureScheme
}

export function decideTrustedSet({ pinned, served, relayCaPublicKey, scheme }: TrustInput): TrustDecision {
  if (!pinned) {
    if (!served) return { kind: 'refuse', reason: 'the relay serves no CA-signed validator set; it runs an older version than this page' }
    const first = verifyValidatorSetStatement(served, relayCaPublicKey, scheme)
    if (!first.ok) return { kind: 'refuse', reason: `the relay's validator set is refused: ${first.reason}` }
    return { kind: 'pin', statement: first.statement, caPublicKey: relayCaPublicKey }
  }
  if (!pinned.caPublicKey || !pinned.statement) {
    const legacy = createValidatorSet(pinned.legacySet ?? [], scheme)
    if (!legacy.ok) return { kind: 'refuse', reason: `the pinned validator set is not usable: ${legacy.reason}` }
    const upgrade = served ? verifyValidatorSetStatement(served, relayCaPublicKey, scheme) : null
    if (upgrade?.ok && equalBytes(upgrade.statement.set.hash, legacy.set.hash))
      return { kind: 'pin', statement: upgrade.statement, caPublicKey: relayCaPublicKey }
    return {
      kind: 'keep',
      set: legacy.set,
      issuedAtMs: null,
      warning: 'the validator set was pinned before sets were signed, and the relay does not sign that same set; keeping it',
    }
  }
  const current = verifyValidatorSetStatement(pinned.statement, pinned.caPublicKey, scheme)
  if (!current.ok) return { kind: 'refuse', reason: `the pinned validator set no longer verifies: ${current.reason}` }
  const keep = (warning: string | null): TrustDecision => ({
    kind: 'keep',
    set: current.statement.set,
    issuedAtMs: current.statement.issuedAtMs,
    warning,
  })
  if (!served) return keep('the relay serves no CA-signed validator set; keeping the pinned one')
  const offered = verifyValidatorSetStatement(served, pinned.caPublicKey, scheme)
  if (!offered.ok) return keep(`the relay serves a validator set the pinned CA did not sign (${offered.reason}); keeping the pinned one`)
  if (equalBytes(offered.statement.set.hash, current.statement.set.hash)) return keep(null)
  if (offered.statement.issuedAtMs <= current.statement.issuedAtMs)
    return keep(
      `the relay serves an older validator set (issued ${iso(offered.statement.issuedAtMs)}) than the pinned one (issued ${iso(current.statement.issuedAtMs)}); keeping the pinned one`,
    )
  return { kind: 'follow', statement: offered.statement, previous: current.statement.set }
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

import { sha256 } from '@noble/hashes/sha2.js'
import { encodeMessage } from 'protons-runtime'
import { ValidatorSetBody } from './wire.pb'
import type { SignatureScheme } from './scheme'
import { equalBytes, hex } from '../../common/bytes'

export interface Validator {
  /** The node's id (its PeerId string in the mesh). */
  readonly id: string
  /** Ed25519 public key: signs every consensus message. */
  readonly identityKey: Uint8Array
  /** BLS12-381 public key: signs precommits, aggregated into commit certificates. */
  readonly voteKey: Uint8Array
  /** Proof of possession of the vote key, bound to the identity key. */
  readonly possession: Uint8Array
}

/**
 * A fixed validator set with equal voting power, ordered by id so that every node numbers
 * the validators alike (votes and certificate bitmaps refer to validators by index).
 * Only createValidatorSet makes one, after checking every proof of possession.
 */
export interface ValidatorSet {
  readonly validators: readonly Validator[]
  /** SHA-256 of the encoded set: certificates name the set they were signed under. */
  readonly hash: Uint8Array
  /** f: the most Byzantine validators the set tolerates, floor((n - 1) / 3). */
  readonly maxFaulty: number
  /** Votes needed to decide: floor(2n / 3) + 1, which is 2f + 1 when n = 3f + 1. Any two quorums share an honest validator when at most f are faulty. */
  readonly quorum: number
  /** Index of the validator with this id, or -1. */
  indexOf(id: string): number
}

export const MAX_VALIDATORS = 1024

/**
 * Proofs of possession already checked, per scheme: every set change rebuilds a whole set, and
 * a pairing check per member each time (tens of ms each in pure JS) would make validators that
 * judge a proposed change fall behind. Verification is deterministic, so remembering it is safe.
 */
const checkedPossessions = new WeakMap<SignatureScheme, Set<string>>()
const MAX_REMEMBERED_PROOFS = 4 * MAX_VALIDATORS

function possessionVerifies(scheme: SignatureScheme, v: Validator): boolean {
  let checked = checkedPossessions.get(scheme)
  if (!checked) checkedPossessions.set(scheme, (checked = new Set()))
  const key = `${hex(v.identityKey)}:${hex(v.voteKey)}:${hex(v.possession)}`
  if (checked.has(key)) return true
  if (!scheme.verifyPossession(v.identityKey, v.voteKey, v.possession)) return false
  if (checked.size >= MAX_REMEMBERED_PROOFS) checked.clear()
  checked.add(key)
  return true
}

export type ValidatorSetResult = { readonly ok: true; readonly set: ValidatorSet } | { readonly ok: false; readonly reason: string }

export function createValidatorSet(entries: readonly Validator[], scheme: SignatureScheme): ValidatorSetResult {
  if (entries.length === 0) return { ok: false, reason: 'empty validator set' }
  if (entries.length > MAX_VALIDATORS) return { ok: false, reason: `more than ${MAX_VALIDATORS} validators` }
  const validators = [...entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  for (let i = 0; i < validators.length; i++) {
    const v = validators[i]
    if (typeof v.id !== 'string' || v.id.length === 0 || v.id.length > 256) return { ok: false, reason: `validator ${i}: bad id` }
    if (i > 0 && validators[i - 1].id === v.id) return { ok: false, reason: `duplicate validator id ${v.id}` }
    for (let j = 0; j < i; j++) {
      if (equalBytes(validators[j].identityKey, v.identityKey))
        return { ok: false, reason: `validators ${validators[j].id} and ${v.id} share an identity key` }
      if (equalBytes(validators[j].voteKey, v.voteKey))
        return { ok: false, reason: `validators ${validators[j].id} and ${v.id} share a vote key` }
    }
    if (!possessionVerifies(scheme, v)) return { ok: false, reason: `validator ${v.id}: proof of possession does not verify` }
  }
  const frozen = validators.map((v) =>
    Object.freeze({ id: v.id, identityKey: v.identityKey, voteKey: v.voteKey, possession: v.possession }),
  )
  const hash = sha256(encodeMessage({ validators: frozen } as ValidatorSetBody, ValidatorSetBody.codec()))
  const positions = new Map(frozen.map((v, i) => [v.id, i]))
  const n = frozen.length
  return {
    ok: true,
    set: Object.freeze({
      validators: Object.freeze(frozen),
      hash,
      maxFaulty: Math.floor((n - 1) / 3),
      quorum: Math.floor((2 * n) / 3) + 1,
      indexOf: (id: string) => positions.get(id) ?? -1,
    }),
  }
}

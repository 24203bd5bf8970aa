import { hexToBytes, bytesToHex } from '@noble/hashes/utils.js'
import { createValidatorSet, type SignatureScheme, type ValidatorSet, type ValidatorSigner } from '../certificate'
import { peerIdStringFromPublicKey } from '../../identity/ed25519'

/**
 * The JSON an operator assembles from each validator's printed entry:
 * { "chainId": "...", "validators": [ { "peerId", "identityKey", "voteKey", "possession", "multiaddrs"? } ], "admins"?: [hex] }
 * with keys in hex. multiaddrs (optional) are where the other validators dial it. admins
 * (optional) are the Ed25519 keys (`npm run relay -- validators admin-key`) whose signed orders
 * may add or remove validators live; without any, the set is fixed.
 */
export interface ValidatorEntryJson {
  readonly peerId: string
  readonly identityKey: string
  readonly voteKey: string
  readonly possession: string
  readonly multiaddrs?: readonly string[]
}

export interface ValidatorSetFile {
  readonly chainId: string
  readonly validators: readonly ValidatorEntryJson[]
  readonly admins?: readonly string[]
}

export interface LoadedValidatorSet {
  readonly chainId: string
  readonly set: ValidatorSet
  /** Each validator's addresses by PeerId, as the file lists them. */
  readonly multiaddrs: ReadonlyMap<string, readonly string[]>
  /** Keys allowed to order validator-set changes (empty: the set is fixed). */
  readonly admins: readonly Uint8Array[]
}

export function validatorEntry(peerId: string, signer: ValidatorSigner, multiaddrs: readonly string[] = []): ValidatorEntryJson {
  return {
    peerId,
    identityKey: bytesToHex(signer.identityKey),
    voteKey: bytesToHex(signer.voteKey),
    possession: bytesToHex(signer.proofOfPossession()),
    ...(multiaddrs.length > 0 ? { multiaddrs: [...multiaddrs] } : {}),
  }
}

/** Parses and checks a validator-set file: shapes, PeerIds matching keys, proofs of possession. Throws with the reason. */
export function parseValidatorSetFile(text: string, scheme: SignatureScheme): LoadedValidatorSet {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new Error(`validator set is not JSON: ${(error as Error).message}`)
  }
  const file = json as Partial<ValidatorSetFile>
  if (typeof file !== 'object' || file === null) throw new Error('validator set must be a JSON object')
  if (typeof file.chainId !== 'string' || file.chainId.length === 0 || file.chainId.length > 128)
    throw new Error('validator set needs a chainId (a non-empty string of at most 128 characters)')
  if (!Array.isArray(file.validators)) throw new Error('validator set needs a "validators" array')
  const multiaddrs = new Map<string, readonly string[]>()
  const entries = file.validators.map((raw, i) => {
    const { validator, addresses } = parseValidatorEntry(raw, `validators[${i}]`)
    multiaddrs.set(validator.id, addresses)
    return validator
  })
  if (file.admins !== undefined && !Array.isArray(file.admins)) throw new Error('"admins" must be a list of hex Ed25519 keys')
  const admins = (file.admins ?? []).map((key, i) => {
    const bytes = typeof key === 'string' && /^[0-9a-f]{64}$/i.test(key) ? hexToBytes(key) : null
    if (!bytes) throw new Error(`admins[${i}] is not a 32-byte hex Ed25519 key (print one with: npm run relay -- validators admin-key)`)
    return bytes
  })
  const created = createValidatorSet(entries, scheme)
  if (!created.ok) throw new Error(`validator set: ${created.reason}`)
  return { chainId: file.chainId, set: created.set, multiaddrs, admins }
}

/** Checks one validator's entry (as --validator-entry prints it): shapes and the PeerId matching its key; throws with the reason. */
export function parseValidatorEntry(
  raw: unknown,
  where = 'entry',
): { validator: { id: string; identityKey: Uint8Array; voteKey: Uint8Array; possession: Uint8Array }; addresses: readonly string[] } {
  const entry = raw as Partial<ValidatorEntryJson>
  for (const field of ['peerId', 'identityKey', 'voteKey', 'possession'] as const) {
    if (typeof entry?.[field] !== 'string') throw new Error(`${where}.${field} is missing`)
  }
  const bytes = (field: 'identityKey' | 'voteKey' | 'possession') => {
    try {
      return hexToBytes(entry[field]!)
    } catch {
      throw new Error(`${where}.${field} is not hex`)
    }
  }
  const identityKey = bytes('identityKey')
  if (identityKey.length !== 32) throw new Error(`${where}.identityKey is not a 32-byte Ed25519 key`)
  if (peerIdStringFromPublicKey(identityKey) !== entry.peerId)
    throw new Error(`${where}: peerId ${entry.peerId} does not belong to its identityKey`)
  if (
    entry.multiaddrs !== undefined &&
    (!Array.isArray(entry.multiaddrs) || entry.multiaddrs.some((a) => typeof a !== 'string' || !a.startsWith('/')))
  ) {
    throw new Error(`${where}.multiaddrs must be a list of multiaddrs`)
  }
  return {
    validator: { id: entry.peerId!, identityKey, voteKey: bytes('voteKey'), possession: bytes('possession') },
    addresses: entry.multiaddrs ?? [],
  }
}

/**
 * Robust mode's submissions (README, "Federated round"): a trainer encrypts its encoded update
 * once under a fresh content key and wraps that key for each recipient — the round's
 * aggregator and every validator — with the sealed-box format of workers/security/e2e. The
 * blob is content-addressed (its SHA-256 is what the trainer signs and the descriptor names),
 * so everyone fetches the same bytes over the transfer protocol and a relay that forwards them
 * reads nothing. Task, round and the trainer's identity key are bound as associated data:
 * an aggregator cannot re-label one trainer's blob as another's or replay it in another round.
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js'
import { randomBytes } from '@noble/hashes/utils.js'
import { openSealed, sealForRecipient, type SealContext } from '../../security/e2e/seal'
import { SealedUpdate } from './wire.pb'
import { decodeExact } from '../../protocol/exact-decode'

export const SEALED_UPDATE_VERSION = 1
const KEY_BYTES = 32
const NONCE_BYTES = 12
/** A round's recipients: one aggregator and the validator set; far above any real set. */
export const MAX_RECIPIENTS = 256

export interface UpdateContext {
  readonly taskId: string
  readonly round: number
  /** The trainer's Ed25519 identity key. */
  readonly trainerKey: Uint8Array
}

function associatedData(context: UpdateContext): Uint8Array {
  const head = new TextEncoder().encode(`agent-mesh/fl/update/v1\0${context.taskId}\0${context.round}\0`)
  const ad = new Uint8Array(head.length + context.trainerKey.length)
  ad.set(head)
  ad.set(context.trainerKey, head.length)
  return ad
}

function wrapContext(context: UpdateContext): SealContext {
  return { purpose: `fl.update-key/${context.taskId}`, round: context.round, sender: context.trainerKey }
}

export function sealUpdate(
  plaintext: Uint8Array,
  context: UpdateContext,
  recipients: readonly Uint8Array[],
  random: (n: number) => Uint8Array = randomBytes,
): Uint8Array {
  if (recipients.length === 0 || recipients.length > MAX_RECIPIENTS)
    throw new RangeError(`an update needs 1..${MAX_RECIPIENTS} recipients, got ${recipients.length}`)
  const key = random(KEY_BYTES)
  const nonce = random(NONCE_BYTES)
  const ciphertext = chacha20poly1305(key, nonce, associatedData(context)).encrypt(plaintext)
  const wraps = recipients.map((recipient) => ({
    recipient: recipient as Uint8Array<ArrayBuffer>,
    box: sealForRecipient(key, recipient, wrapContext(context)) as Uint8Array<ArrayBuffer>,
  }))
  key.fill(0)
  return SealedUpdate.encode({
    version: SEALED_UPDATE_VERSION,
    wraps,
    nonce: nonce as Uint8Array<ArrayBuffer>,
    ciphertext: ciphertext as Uint8Array<ArrayBuffer>,
  })
}

export type OpenedUpdate = { readonly ok: true; readonly plaintext: Uint8Array } | { readonly ok: false; readonly reason: string }

export function openUpdate(
  blob: Uint8Array,
  context: UpdateContext,
  recipient: { readonly publicKey: Uint8Array; readonly secretKey: Uint8Array },
  maxBytes = 64 * 1024 * 1024,
): OpenedUpdate {
  let sealed: SealedUpdate
  try {
    sealed = decodeExact(blob, SealedUpdate.codec(), { limits: { wraps: MAX_RECIPIENTS } })
  } catch (error) {
    return { ok: false, reason: `not a sealed update: ${(error as Error).message}` }
  }
  if (sealed.version !== SEALED_UPDATE_VERSION) return { ok: false, reason: `sealed update version ${sealed.version}` }
  if (sealed.nonce.length !== NONCE_BYTES) return { ok: false, reason: 'bad nonce' }
  if (sealed.ciphertext.length > maxBytes + 16) return { ok: false, reason: `larger than ${maxBytes} bytes` }
  const wrap = sealed.wraps.find(
    (w) => w.recipient.length === recipient.publicKey.length && w.recipient.every((b, i) => b === recipient.publicKey[i]),
  )
  if (!wrap) return { ok: false, reason: 'the update is not addressed to this node' }
  const key = openSealed(wrap.box, recipient.secretKey, wrapContext(context), { maxBytes: KEY_BYTES })
  if (!key.ok || key.plaintext.length !== KEY_BYTES)
    return { ok: false, reason: `content key does not open: ${key.ok ? 'wrong length' : key.reason}` }
  try {
    return { ok: true, plaintext: chacha20poly1305(key.plaintext, sealed.nonce, associatedData(context)).decrypt(sealed.ciphertext) }
  } catch {
    return { ok: false, reason: 'the update does not authenticate (wrong task, round or trainer, or tampered)' }
  } finally {
    key.plaintext.fill(0)
  }
}

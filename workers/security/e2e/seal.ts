import { x25519 } from '@noble/curves/ed25519.js'
import { chacha20poly1305 } from '@noble/ciphers/chacha.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { SealedBox } from './sealed.pb'
import { decodeExact } from '../../protocol/exact-decode'
import { concatBytes } from '@noble/hashes/utils.js'
import { withDomain } from '../../common/domains'

/**
 * Encryption of a payload (a model update) to one recipient's X25519 key, so that the
 * relay or any peer that forwards it learns nothing and cannot re-label it.
 *
 * - Key: X25519 between a fresh ephemeral key and the recipient's key, through
 *   HKDF-SHA256 (salt = ephemeral || recipient public keys); one key per message.
 * - Chunks: ChaCha20-Poly1305 over fixed-size chunks, nonce = chunk index || last-chunk
 *   flag (the STREAM construction), so chunks can be sealed and opened one at a time and
 *   dropping, reordering or truncating chunks fails authentication.
 * - Associated data: purpose, round, the sender's identity key, both X25519 keys and the
 *   chunk size. The opener supplies round and sender from the signed envelope, so a
 *   forwarder that swaps either makes the box fail to open.
 */
export const SEALED_VERSION = 1
export const DEFAULT_CHUNK_BYTES = 64 * 1024
const INFO = new TextEncoder().encode('agent-mesh/sealed/v1')

export interface SealContext {
  /** What the payload is, e.g. "fl.update"; a box made for one purpose never opens as another. */
  readonly purpose: string
  readonly round: bigint | number
  /** The sender's Ed25519 identity key (the envelope's `sender`). */
  readonly sender: Uint8Array
}

export interface SealHeader {
  readonly ephemeralPublicKey: Uint8Array
  readonly chunkBytes: number
}

function deriveKey(shared: Uint8Array, ephemeralPublicKey: Uint8Array, recipientPublicKey: Uint8Array): Uint8Array {
  if (shared.every((b) => b === 0)) throw new Error('X25519 produced the all-zero secret (a low-order key)')
  const salt = new Uint8Array(64)
  salt.set(ephemeralPublicKey)
  salt.set(recipientPublicKey, 32)
  return hkdf(sha256, shared, salt, INFO, 32)
}

function associatedData(context: SealContext, recipientPublicKey: Uint8Array, header: SealHeader): Uint8Array {
  const purpose = new TextEncoder().encode(context.purpose)
  const fixed = new Uint8Array(8 + 4 + 4)
  const view = new DataView(fixed.buffer)
  view.setBigUint64(0, BigInt(context.round))
  view.setUint32(8, header.chunkBytes)
  view.setUint32(12, purpose.length)
  return sha256(
    withDomain('sealedAssociatedData', concatBytes(fixed, purpose, context.sender, recipientPublicKey, header.ephemeralPublicKey)),
  )
}

function chunkNonce(index: number, last: boolean): Uint8Array {
  const nonce = new Uint8Array(12)
  new DataView(nonce.buffer).setUint32(7, index)
  nonce[11] = last ? 1 : 0
  return nonce
}

export interface Sealer {
  readonly header: SealHeader
  /** Encrypts the next chunk: exactly `chunkBytes` long unless `last`. */
  seal(chunk: Uint8Array, last: boolean): Uint8Array
}

export interface SealOptions {
  readonly chunkBytes?: number
  /** 32 random bytes for the one-time key; drawn from crypto.getRandomValues when absent. */
  readonly ephemeralSecret?: Uint8Array
}

export function createSealer(recipientPublicKey: Uint8Array, context: SealContext, options: SealOptions = {}): Sealer {
  if (recipientPublicKey.length !== 32) throw new Error('the recipient X25519 key is 32 bytes')
  if (context.sender.length !== 32) throw new Error('the sender identity key is 32 bytes')
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > 16 * 1024 * 1024) throw new Error('chunkBytes must be 1 B to 16 MiB')
  const ephemeralSecret = options.ephemeralSecret ?? crypto.getRandomValues(new Uint8Array(32))
  const header = { ephemeralPublicKey: x25519.getPublicKey(ephemeralSecret), chunkBytes }
  const key = deriveKey(x25519.getSharedSecret(ephemeralSecret, recipientPublicKey), header.ephemeralPublicKey, recipientPublicKey)
  const ad = associatedData(context, recipientPublicKey, header)
  let index = 0
  let finished = false
  return {
    header,
    seal(chunk, last) {
      if (finished) throw new Error('the last chunk was already sealed')
      if (chunk.length > chunkBytes || (!last && chunk.length !== chunkBytes))
        throw new Error(`every chunk but the last must be ${chunkBytes} bytes`)
      finished = last
      return chacha20poly1305(key, chunkNonce(index++, last), ad).encrypt(chunk)
    },
  }
}

export interface Opener {
  /** Decrypts the next chunk, or returns null when it is not authentic (then stop: the box is bad). */
  open(sealedChunk: Uint8Array, last: boolean): Uint8Array | null
}

export function createOpener(header: SealHeader, recipientSecret: Uint8Array, context: SealContext): Opener | null {
  if (header.ephemeralPublicKey.length !== 32 || context.sender.length !== 32 || header.chunkBytes < 1) return null
  const recipientPublicKey = x25519.getPublicKey(recipientSecret)
  let key: Uint8Array
  try {
    key = deriveKey(x25519.getSharedSecret(recipientSecret, header.ephemeralPublicKey), header.ephemeralPublicKey, recipientPublicKey)
  } catch {
    return null
  }
  const ad = associatedData(context, recipientPublicKey, header)
  let index = 0
  return {
    open(sealedChunk, last) {
      if (sealedChunk.length > header.chunkBytes + 16) return null
      try {
        return chacha20poly1305(key, chunkNonce(index++, last), ad).decrypt(sealedChunk)
      } catch {
        return null
      }
    },
  }
}

/** Encrypts a whole payload into one SealedBox message. */
export function sealForRecipient(
  plaintext: Uint8Array,
  recipientPublicKey: Uint8Array,
  context: SealContext,
  options: SealOptions = {},
): Uint8Array {
  const sealer = createSealer(recipientPublicKey, context, options)
  const size = sealer.header.chunkBytes
  const chunks: Uint8Array<ArrayBuffer>[] = []
  for (let at = 0; ; at += size) {
    const last = at + size >= plaintext.length
    chunks.push(sealer.seal(plaintext.subarray(at, Math.min(at + size, plaintext.length)), last) as Uint8Array<ArrayBuffer>)
    if (last) break
  }
  return SealedBox.encode({
    version: SEALED_VERSION,
    ephemeralPublicKey: sealer.header.ephemeralPublicKey as Uint8Array<ArrayBuffer>,
    chunkBytes: size,
    chunks,
  })
}

export type OpenResult = { readonly ok: true; readonly plaintext: Uint8Array } | { readonly ok: false; readonly reason: string }

export interface OpenOptions {
  /** Refuse boxes that would decrypt to more than this. */
  readonly maxBytes?: number
}

/** Opens a SealedBox addressed to `recipientSecret`'s key, for the round and sender the envelope states. */
export function openSealed(box: Uint8Array, recipientSecret: Uint8Array, context: SealContext, options: OpenOptions = {}): OpenResult {
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024
  let decoded: SealedBox
  try {
    decoded = decodeExact(box, SealedBox.codec(), { limits: { chunks: Math.ceil(maxBytes / 1024) + 1 } })
  } catch (err) {
    return { ok: false, reason: `not a sealed box: ${(err as Error).message}` }
  }
  if (decoded.version !== SEALED_VERSION) return { ok: false, reason: `sealed box version ${decoded.version}` }
  if (decoded.chunks.length === 0) return { ok: false, reason: 'no chunks' }
  if ((decoded.chunks.length - 1) * decoded.chunkBytes > maxBytes) return { ok: false, reason: `larger than ${maxBytes} bytes` }
  const opener = createOpener({ ephemeralPublicKey: decoded.ephemeralPublicKey, chunkBytes: decoded.chunkBytes }, recipientSecret, context)
  if (!opener) return { ok: false, reason: 'bad header' }
  const total = decoded.chunks.reduce((n, c) => n + c.length - 16, 0)
  if (total < 0 || total > maxBytes) return { ok: false, reason: `larger than ${maxBytes} bytes` }
  const plaintext = new Uint8Array(total)
  let at = 0
  for (let i = 0; i < decoded.chunks.length; i++) {
    const last = i === decoded.chunks.length - 1
    if (!last && decoded.chunks[i].length !== decoded.chunkBytes + 16) return { ok: false, reason: `chunk ${i} has the wrong size` }
    const chunk = opener.open(decoded.chunks[i], last)
    if (!chunk) return { ok: false, reason: `chunk ${i} does not authenticate (wrong recipient, round, sender or purpose, or tampered)` }
    plaintext.set(chunk, at)
    at += chunk.length
  }
  return { ok: true, plaintext }
}

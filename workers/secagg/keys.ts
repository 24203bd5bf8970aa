/**
 * Every key derivation and signed transcript of the protocol, in one place so the client and
 * the aggregator cannot disagree. Labels carry a version so a later change cannot be confused
 * with this one. X25519 agreement on a low-order or malformed key returns null, never throws.
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes } from '@noble/hashes/utils.js'
import type { SecAggPrimitives } from './primitives'

const LABEL = 'agent-mesh/secagg/v1/'
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

function u32(value: number): Uint8Array {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, value, false)
  return out
}

/** Length-prefixed so distinct (label, round) pairs can never produce the same bytes. */
function transcriptHead(label: string, roundId: Uint8Array): Uint8Array {
  return concatBytes(utf8(LABEL + label), u32(roundId.length), roundId)
}

export function advertisementTranscript(
  roundId: Uint8Array,
  sender: number,
  encryptionPublicKey: Uint8Array,
  maskPublicKey: Uint8Array,
): Uint8Array {
  return concatBytes(transcriptHead('advertise', roundId), u32(sender), encryptionPublicKey, maskPublicKey)
}

/** What each survivor signs in the consistency check: the round and the sorted survivor set. */
export function survivorTranscript(roundId: Uint8Array, survivors: readonly number[]): Uint8Array {
  return concatBytes(transcriptHead('survivors', roundId), u32(survivors.length), ...survivors.map(u32))
}

/** Agreement of one own secret with many peers, each result bound to the round and the key's purpose. */
function agreement(
  crypto: SecAggPrimitives,
  secretKey: Uint8Array,
  roundId: Uint8Array,
  label: string,
): (peerPublicKey: Uint8Array) => Uint8Array | null {
  const agree = crypto.x25519Agreement(secretKey)
  return (peerPublicKey) => {
    const shared = agree(peerPublicKey)
    return shared ? hkdf(sha256, shared, roundId, utf8(LABEL + label), 32) : null
  }
}

/** The symmetric keys for encrypted Shamir shares with each peer (one key per pair, both directions). */
export function shareKeyAgreement(
  crypto: SecAggPrimitives,
  ownEncryptionSecret: Uint8Array,
  roundId: Uint8Array,
): (peerEncryptionPublic: Uint8Array) => Uint8Array | null {
  return agreement(crypto, ownEncryptionSecret, roundId, 'share-key')
}

/** The ChaCha20 keys of the pairwise masks agreed with each peer. */
export function maskSeedAgreement(
  crypto: SecAggPrimitives,
  ownMaskSecret: Uint8Array,
  roundId: Uint8Array,
): (peerMaskPublic: Uint8Array) => Uint8Array | null {
  return agreement(crypto, ownMaskSecret, roundId, 'pairwise-mask')
}

export function selfMaskSeed(selfSeed: Uint8Array, roundId: Uint8Array): Uint8Array {
  return hkdf(sha256, selfSeed, roundId, utf8(LABEL + 'self-mask'), 32)
}

export function selfSeedCommitment(roundId: Uint8Array, owner: number, selfSeed: Uint8Array): Uint8Array {
  return sha256(concatBytes(transcriptHead('self-seed-commitment', roundId), u32(owner), selfSeed))
}

/**
 * Each share key encrypts exactly one message per direction in a round (keys are fresh per
 * round), so a nonce made of (sender, recipient) is never reused; the associated data binds the
 * round, sender and recipient so a share cannot be replayed into another round or redirected.
 */
function shareCipher(key: Uint8Array, roundId: Uint8Array, sender: number, recipient: number) {
  const nonce = concatBytes(u32(sender), u32(recipient), new Uint8Array(4))
  const aad = concatBytes(transcriptHead('share', roundId), u32(sender), u32(recipient))
  return chacha20poly1305(key, nonce, aad)
}

export function encryptShare(key: Uint8Array, roundId: Uint8Array, sender: number, recipient: number, plaintext: Uint8Array): Uint8Array {
  return shareCipher(key, roundId, sender, recipient).encrypt(plaintext)
}

export function decryptShare(
  key: Uint8Array,
  roundId: Uint8Array,
  sender: number,
  recipient: number,
  ciphertext: Uint8Array,
): Uint8Array | null {
  try {
    return shareCipher(key, roundId, sender, recipient).decrypt(ciphertext)
  } catch {
    return null
  }
}

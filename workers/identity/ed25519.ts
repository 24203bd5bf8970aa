import { ed25519 } from '@noble/curves/ed25519.js'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'

/** A node's signing identity: the Ed25519 key that is also its libp2p PeerId. */
export interface SigningIdentity {
  readonly publicKey: Uint8Array
  sign(message: Uint8Array): Uint8Array
}

export function identityFromSeed(seed: Uint8Array): SigningIdentity & { readonly seed: Uint8Array } {
  if (seed.length !== 32) throw new Error(`an Ed25519 seed is 32 bytes, got ${seed.length}`)
  const publicKey = ed25519.getPublicKey(seed)
  return { seed, publicKey, sign: (message) => ed25519.sign(message, seed) }
}

export function randomIdentitySeed(): Uint8Array {
  return ed25519.utils.randomSecretKey()
}

export function peerIdStringFromPublicKey(publicKey: Uint8Array): string {
  return peerIdFromPublicKey(publicKeyFromRaw(publicKey) as Parameters<typeof peerIdFromPublicKey>[0]).toString()
}

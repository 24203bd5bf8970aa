/**
 * The key an update is sealed to for a node (README, "Federated round"): the X25519 form of
 * the node's Ed25519 identity key, so anyone who knows a PeerId can seal to it, and only the
 * holder of that identity can open. One definition for trainers, aggregators and validators.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { peerIdFromString } from '@libp2p/peer-id'

export function recipientKeyOf(peerId: string): Uint8Array {
  const key = peerIdFromString(peerId).publicKey
  if (key?.type !== 'Ed25519') throw new Error(`${peerId} is not an Ed25519 PeerId`)
  return ed25519.utils.toMontgomery(key.raw)
}

/** This node's side: the secret that opens what was sealed to recipientKeyOf(its PeerId). */
export function recipientKeyPair(identitySeed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array } {
  const secretKey = ed25519.utils.toMontgomerySecret(identitySeed)
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) }
}

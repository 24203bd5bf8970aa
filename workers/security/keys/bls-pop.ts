import { bls12_381 } from '@noble/curves/bls12-381.js'
import { BLS_POP_DST, blsPossessionMessage } from '../../common/domains'

const bls = bls12_381.longSignatures

/**
 * Proof of possession (IETF BLS signature draft, POP ciphersuite): a signature under a tag
 * no vote can use, over the BLS public key followed by the node's Ed25519 identity key.
 * The CA binds a voting key only with one, so nobody can register a rogue key that cancels
 * others in a same-message aggregate, nor claim another node's voting key as its own.
 * Message and tags come from workers/common/domains.ts, shared with the certificate scheme,
 * so one proof serves both.
 */

export function blsProofOfPossession(secretKey: Uint8Array, blsPublicKey: Uint8Array, identityPublicKey: Uint8Array): Uint8Array {
  return bls.sign(bls.hash(blsPossessionMessage(blsPublicKey, identityPublicKey), BLS_POP_DST), secretKey).toBytes()
}

export function verifyBlsProofOfPossession(blsPublicKey: Uint8Array, identityPublicKey: Uint8Array, proof: Uint8Array): boolean {
  try {
    return bls.verify(proof, bls.hash(blsPossessionMessage(blsPublicKey, identityPublicKey), BLS_POP_DST), blsPublicKey)
  } catch {
    return false
  }
}

import { bls12_381 } from '@noble/curves/bls12-381.js'
import { concatBytes } from '@noble/hashes/utils.js'

const bls = bls12_381.longSignatures

/**
 * Proof of possession (IETF BLS signature draft, POP ciphersuite): a signature under a tag
 * no vote can use, over the BLS public key followed by the node's Ed25519 identity key.
 * The CA binds a voting key only with one, so nobody can register a rogue key that cancels
 * others in a same-message aggregate, nor claim another node's voting key as its own.
 * Same message and tags as workers/consensus/certificate/real-scheme.ts, so one proof
 * serves both. Votes are signed under VOTE_DST.
 */
export const POP_DST = 'BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_'
export const VOTE_DST = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_'

export function blsProofOfPossession(secretKey: Uint8Array, blsPublicKey: Uint8Array, identityPublicKey: Uint8Array): Uint8Array {
  return bls.sign(bls.hash(concatBytes(blsPublicKey, identityPublicKey), POP_DST), secretKey).toBytes()
}

export function verifyBlsProofOfPossession(blsPublicKey: Uint8Array, identityPublicKey: Uint8Array, proof: Uint8Array): boolean {
  try {
    return bls.verify(proof, bls.hash(concatBytes(blsPublicKey, identityPublicKey), POP_DST), blsPublicKey)
  } catch {
    return false
  }
}

import { ed25519 } from '@noble/curves/ed25519.js'
import { bls12_381 } from '@noble/curves/bls12-381.js'
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js'
import type { SignatureScheme, ValidatorSigner } from './scheme'
import { BLS_POP_DST, BLS_VOTE_DST, blsPossessionMessage } from '../../common/domains'

/**
 * Production signatures: Ed25519 per message (about 1 ms to verify) and BLS12-381 for
 * votes in the "long signature" layout (48-byte G1 public keys, 96-byte G2 signatures, as
 * Ethereum uses), so aggregate verification adds cheap G1 points and pays two pairings.
 * Domain tags follow the proof-of-possession ciphersuite of the BLS signature draft.
 */
const bls = bls12_381.longSignatures
const VOTE_SEED_BYTES = 48

type G1 = ReturnType<typeof bls.getPublicKey>

/** Decoding a public key checks it lies in the subgroup, which costs; keep what was decoded. */
class VoteKeyCache {
  private readonly points = new Map<string, G1>()
  get(voteKey: Uint8Array): G1 {
    const key = bytesToHex(voteKey)
    let point = this.points.get(key)
    if (!point) {
      point = bls12_381.G1.Point.fromBytes(voteKey)
      point.assertValidity()
      if (point.is0()) throw new Error('vote key is the identity point')
      if (this.points.size > 4096) this.points.clear()
      this.points.set(key, point)
    }
    return point
  }
}

function never(check: () => boolean): boolean {
  try {
    return check()
  } catch {
    return false
  }
}

export interface RealSchemeOptions {
  /**
   * A faster synchronous Ed25519 check where the platform has one (Node's crypto.verify is
   * ~10x @noble's); it must return false, not throw, on malformed input. Default: @noble.
   */
  readonly verifyEd25519?: (identityKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean
}

export function createRealScheme(options: RealSchemeOptions = {}): SignatureScheme {
  const keys = new VoteKeyCache()
  const verifyEd25519 = options.verifyEd25519 ?? ((identityKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => ed25519.verify(signature, message, identityKey))
  return {
    name: 'ed25519+bls12-381',
    verifyMessage: (identityKey, message, signature) => never(() => verifyEd25519(identityKey, message, signature)),
    verifyVote: (voteKey, message, signature) => never(() => bls.verify(signature, bls.hash(message, BLS_VOTE_DST), keys.get(voteKey))),
    aggregateVotes: (signatures) => bls.Signature.toBytes(bls.aggregateSignatures([...signatures])),
    verifyAggregateVote: (voteKeys, message, aggregate) =>
      never(() => voteKeys.length > 0 && bls.verify(aggregate, bls.hash(message, BLS_VOTE_DST), bls.aggregatePublicKeys(voteKeys.map((k) => keys.get(k))))),
    verifyPossession: (identityKey, voteKey, proof) =>
      never(() => bls.verify(proof, bls.hash(blsPossessionMessage(voteKey, identityKey), BLS_POP_DST), keys.get(voteKey))),
  }
}

export interface RealSignerSeeds {
  /** 32 bytes: the Ed25519 identity seed (the node's PeerId key). */
  readonly identitySeed: Uint8Array
  /** 48 bytes of key material for the BLS vote key (the IKM of BLS KeyGen). */
  readonly voteSeed: Uint8Array
}

export function createRealSigner(seeds: RealSignerSeeds = { identitySeed: randomBytes(32), voteSeed: randomBytes(VOTE_SEED_BYTES) }): ValidatorSigner {
  if (seeds.identitySeed.length !== 32) throw new Error(`an Ed25519 seed is 32 bytes, got ${seeds.identitySeed.length}`)
  if (seeds.voteSeed.length !== VOTE_SEED_BYTES) throw new Error(`a BLS key seed is ${VOTE_SEED_BYTES} bytes, got ${seeds.voteSeed.length}`)
  const identityKey = ed25519.getPublicKey(seeds.identitySeed)
  const { secretKey, publicKey } = bls.keygen(seeds.voteSeed)
  const voteKey = publicKey.toBytes()
  return {
    identityKey,
    voteKey,
    signMessage: (message) => ed25519.sign(message, seeds.identitySeed),
    signVote: (message) => bls.Signature.toBytes(bls.sign(bls.hash(message, BLS_VOTE_DST), secretKey)),
    proofOfPossession: () => bls.Signature.toBytes(bls.sign(bls.hash(blsPossessionMessage(voteKey, identityKey), BLS_POP_DST), secretKey)),
  }
}

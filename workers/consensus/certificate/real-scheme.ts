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
 *
 * The BLS checks (votes, their aggregates, proofs of possession) sit behind a BlsVoteBackend:
 * @noble's pure JS by default, or the WebAssembly build of herumi's BLS (wasm-bls.ts, about
 * 4-6x faster here, the same bytes), which loadRealScheme loads once per process or page.
 * Proofs are made (once per key) with @noble.
 */
const bls = bls12_381.longSignatures
const VOTE_SEED_BYTES = 48
type G1 = ReturnType<typeof bls.getPublicKey>

/** BLS votes under BLS_VOTE_DST, proofs of possession under BLS_POP_DST. Verification and aggregation never throw: bad bytes verify as false. */
export interface BlsVoteBackend {
  readonly name: string
  /** secretKey: the 32-byte big-endian scalar @noble's keygen returns. */
  sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array
  verify(voteKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean
  /** An empty array when any input is not a signature (which then fails verification). */
  aggregate(signatures: readonly Uint8Array[]): Uint8Array
  verifyAggregate(voteKeys: readonly Uint8Array[], message: Uint8Array, aggregate: Uint8Array): boolean
  /** A proof of possession: a signature of `message` (blsPossessionMessage) under BLS_POP_DST. */
  verifyPossession(voteKey: Uint8Array, message: Uint8Array, proof: Uint8Array): boolean
}

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

const EMPTY = new Uint8Array(0)

/** The pure-JS backend: works everywhere with nothing to load. */
export function nobleBlsBackend(): BlsVoteBackend {
  const keys = new VoteKeyCache()
  return {
    name: 'bls12-381 (@noble)',
    sign: (secretKey, message) => bls.Signature.toBytes(bls.sign(bls.hash(message, BLS_VOTE_DST), secretKey)),
    verify: (voteKey, message, signature) => never(() => bls.verify(signature, bls.hash(message, BLS_VOTE_DST), keys.get(voteKey))),
    aggregate(signatures) {
      try {
        return bls.Signature.toBytes(bls.aggregateSignatures([...signatures]))
      } catch {
        return EMPTY
      }
    },
    verifyAggregate: (voteKeys, message, aggregate) =>
      never(
        () =>
          voteKeys.length > 0 &&
          bls.verify(aggregate, bls.hash(message, BLS_VOTE_DST), bls.aggregatePublicKeys(voteKeys.map((k) => keys.get(k)))),
      ),
    verifyPossession: (voteKey, message, proof) => never(() => bls.verify(proof, bls.hash(message, BLS_POP_DST), keys.get(voteKey))),
  }
}

export interface RealSchemeOptions {
  /**
   * A faster synchronous Ed25519 check where the platform has one (Node's crypto.verify is
   * ~10x @noble's); it must return false, not throw, on malformed input. Default: @noble.
   */
  readonly verifyEd25519?: (identityKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean
  /** BLS vote operations; default @noble (see loadWasmBls for the fast one). */
  readonly bls?: BlsVoteBackend
}

export function createRealScheme(options: RealSchemeOptions = {}): SignatureScheme {
  const votes = options.bls ?? nobleBlsBackend()
  const verifyEd25519 =
    options.verifyEd25519 ??
    ((identityKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => ed25519.verify(signature, message, identityKey))
  return {
    name: `ed25519+${votes.name}`,
    verifyMessage: (identityKey, message, signature) => never(() => verifyEd25519(identityKey, message, signature)),
    verifyVote: (voteKey, message, signature) => votes.verify(voteKey, message, signature),
    aggregateVotes: (signatures) => votes.aggregate(signatures),
    verifyAggregateVote: (voteKeys, message, aggregate) => votes.verifyAggregate(voteKeys, message, aggregate),
    verifyPossession: (identityKey, voteKey, proof) => votes.verifyPossession(voteKey, blsPossessionMessage(voteKey, identityKey), proof),
  }
}

export interface RealSignerSeeds {
  /** 32 bytes: the Ed25519 identity seed (the node's PeerId key). */
  readonly identitySeed: Uint8Array
  /** 48 bytes of key material for the BLS vote key (the IKM of BLS KeyGen). */
  readonly voteSeed: Uint8Array
}

export interface RealSignerOptions {
  /** BLS vote signing; default @noble. */
  readonly bls?: BlsVoteBackend
  /** A faster Ed25519 signer for this identity seed where the platform has one (Node's crypto.sign); default @noble. */
  readonly signEd25519?: (message: Uint8Array) => Uint8Array
}

export function createRealSigner(
  seeds: RealSignerSeeds = { identitySeed: randomBytes(32), voteSeed: randomBytes(VOTE_SEED_BYTES) },
  options: RealSignerOptions = {},
): ValidatorSigner {
  if (seeds.identitySeed.length !== 32) throw new Error(`an Ed25519 seed is 32 bytes, got ${seeds.identitySeed.length}`)
  if (seeds.voteSeed.length !== VOTE_SEED_BYTES) throw new Error(`a BLS key seed is ${VOTE_SEED_BYTES} bytes, got ${seeds.voteSeed.length}`)
  return createSignerFromKeys({ identitySeed: seeds.identitySeed, voteSecretKey: bls.keygen(seeds.voteSeed).secretKey }, options)
}

/**
 * A signer from keys a node already holds: a browser's identity seed and the BLS voting key
 * derived from its recovery phrase (workers/security/keys/derive.ts, EIP-2333), so a browser
 * votes with the keys its credential names.
 */
export function createSignerFromKeys(
  keys: { readonly identitySeed: Uint8Array; readonly voteSecretKey: Uint8Array },
  options: RealSignerOptions = {},
): ValidatorSigner {
  if (keys.identitySeed.length !== 32) throw new Error(`an Ed25519 seed is 32 bytes, got ${keys.identitySeed.length}`)
  const identityKey = ed25519.getPublicKey(keys.identitySeed)
  const secretKey = keys.voteSecretKey
  const voteKey = bls.getPublicKey(secretKey).toBytes()
  const votes = options.bls ?? nobleBlsBackend()
  const identitySeed = keys.identitySeed
  return {
    identityKey,
    voteKey,
    signMessage: options.signEd25519 ?? ((message) => ed25519.sign(message, identitySeed)),
    signVote: (message) => votes.sign(secretKey, message),
    proofOfPossession: () => bls.Signature.toBytes(bls.sign(bls.hash(blsPossessionMessage(voteKey, identityKey), BLS_POP_DST), secretKey)),
  }
}

import { HDKey } from 'micro-key-producer/slip10.js'
import { deriveSeedTree } from 'micro-key-producer/bls.js'
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { bls12_381 } from '@noble/curves/bls12-381.js'
import { identityFromSeed, peerIdStringFromPublicKey, type SigningIdentity } from '../../identity/ed25519'
import { equalBytes } from '../../common/bytes'

/**
 * Where each key sits in the trees grown from the node's BIP-39 seed.
 *
 * - Ed25519 identity (the libp2p PeerId) and X25519 agreement key: SLIP-0010 ed25519,
 *   all levels hardened (SLIP-0010 allows only hardened derivation for ed25519), under
 *   purpose 16717' (0x414D, "AM"). The agreement key is the 32-byte SLIP-0010 private key
 *   of its own branch used as an X25519 scalar (X25519 clamps it); it shares no material
 *   with the identity key beyond the seed.
 * - BLS12-381 voting key: EIP-2333 (HKDF-mod-r KeyGen, the tree Ethereum validators use),
 *   at the EIP-2334-shaped path m/12381/16717/account/0. BLS keys need their own scheme:
 *   a SLIP-0010 output is not uniformly distributed modulo the BLS group order.
 */
export const KEY_PURPOSE = 16717
export const identityPath = (account: number): string => `m/${KEY_PURPOSE}'/0'/${account}'`
export const agreementPath = (account: number): string => `m/${KEY_PURPOSE}'/1'/${account}'`
export const votingPath = (account: number): string => `m/12381/${KEY_PURPOSE}/${account}/0`

export interface KeyPair {
  readonly secretKey: Uint8Array
  readonly publicKey: Uint8Array
}

export interface NodeKeys {
  /** Ed25519: 32-byte seed-form secret key, 32-byte public key. */
  readonly identity: KeyPair
  /** BLS12-381, public keys in G1 (48 bytes compressed), signatures in G2: the min-pk variant. */
  readonly voting: KeyPair
  /** X25519: 32-byte secret and public keys. */
  readonly agreement: KeyPair
}

/** SLIP-0010 ed25519 private key at `path` (every index hardened). */
export function slip10Ed25519(seed: Uint8Array, path: string): KeyPair {
  const node = HDKey.fromMasterSeed(seed).derive(path)
  return { secretKey: node.privateKey, publicKey: node.publicKeyRaw }
}

/** The same seed and account always give the same three keys. */
export function deriveNodeKeys(seed: Uint8Array, account = 0): NodeKeys {
  if (seed.length < 32 || seed.length > 64) throw new Error(`a node seed is 32 to 64 bytes, got ${seed.length}`)
  if (!Number.isInteger(account) || account < 0 || account >= 2 ** 31)
    throw new Error(`account must be an integer in [0, 2^31), got ${account}`)
  const identity = slip10Ed25519(seed, identityPath(account))
  const agreementSecret = slip10Ed25519(seed, agreementPath(account)).secretKey
  const votingSecret = deriveSeedTree(seed, votingPath(account))
  return {
    identity,
    voting: { secretKey: votingSecret, publicKey: bls12_381.longSignatures.getPublicKey(votingSecret).toBytes() },
    agreement: { secretKey: agreementSecret, publicKey: x25519.getPublicKey(agreementSecret) },
  }
}

/**
 * The 64-byte secret||public form that `privateKeyFromRaw` in @libp2p/crypto/keys reads as
 * Ed25519. Pass exactly this: a 32-byte buffer is read as secp256k1 there, not Ed25519.
 * (`generateKeyPairFromSeed('Ed25519', keys.identity.secretKey)` gives the same key.)
 */
export function libp2pRawPrivateKey(identity: KeyPair): Uint8Array {
  const expected = ed25519.getPublicKey(identity.secretKey)
  if (!equalBytes(expected, identity.publicKey)) throw new Error('identity public key does not match its secret key')
  const raw = new Uint8Array(64)
  raw.set(identity.secretKey, 0)
  raw.set(identity.publicKey, 32)
  return raw
}

/** The signer the envelope layer takes. */
export function signingIdentityOf(keys: NodeKeys): SigningIdentity & { readonly seed: Uint8Array } {
  return identityFromSeed(keys.identity.secretKey)
}

/** libp2p PeerId string ("12D3KooW…") of an Ed25519 identity public key. */
export function peerIdOf(identityPublicKey: Uint8Array): string {
  return peerIdStringFromPublicKey(identityPublicKey)
}

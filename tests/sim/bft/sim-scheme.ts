/**
 * A fast stand-in for Ed25519 + BLS in bulk simulations. A signature is a 64-bit keyed
 * digest under the signer's secret; public keys are random labels, and only this module
 * maps a label to its secret. Code that holds a ValidatorSigner can sign for that one key;
 * nothing else in the simulation (Byzantine processes included) can compute another key's
 * signatures, short of guessing 64 bits. Aggregation XORs the digests, which like BLS lets
 * anyone fold signatures that exist but never mint a missing one.
 *
 * Costs about a microsecond per operation, against ~1 ms (Ed25519) and ~20 ms (BLS).
 */
import type { SignatureScheme, ValidatorSigner } from '../../../workers/consensus/certificate'
import type { Rng } from '../../../workers/common/random'
import { hex } from '../../../workers/common/bytes'

const SIGNATURE_BYTES = 8

function digest(secret: Uint32Array, domain: number, message: Uint8Array): Uint8Array {
  let h1 = secret[0] ^ domain
  let h2 = secret[1] ^ Math.imul(domain, 0x9e3779b1)
  for (let i = 0; i < message.length; i++) {
    h1 = Math.imul(h1 ^ message[i], 0x01000193) ^ secret[2]
    h2 = Math.imul((h2 + message[i]) ^ (h1 >>> 13), 0x85ebca6b) ^ secret[3]
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 0x7feb352d) ^ h2
  h2 = Math.imul(h2 ^ (h2 >>> 15), 0x846ca68b) ^ h1
  h1 = Math.imul(h1 ^ (h1 >>> 15), 0xc2b2ae35) ^ Math.imul(message.length, 0x27d4eb2f)
  const out = new Uint8Array(SIGNATURE_BYTES)
  const view = new DataView(out.buffer)
  view.setUint32(0, h1 >>> 0)
  view.setUint32(4, h2 >>> 0)
  return out
}

const MESSAGE = 1
const VOTE = 2
const POSSESSION = 3

function xorInto(target: Uint8Array, source: Uint8Array): void {
  for (let i = 0; i < target.length; i++) target[i] ^= source[i] ?? 0
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export interface SimSignatures {
  readonly scheme: SignatureScheme
  /** A fresh validator key pair drawn from `random`. */
  createSigner(random: Rng): ValidatorSigner
}

export function createSimSignatures(): SimSignatures {
  const secrets = new Map<string, Uint32Array>()
  const secretOf = (key: Uint8Array) => (key.length === 16 ? secrets.get(hex(key)) : undefined)
  const newKey = (random: Rng) => {
    const label = new Uint8Array(16)
    for (let i = 0; i < label.length; i++) label[i] = random.intBetween(0, 255)
    const secret = new Uint32Array(4)
    for (let i = 0; i < 4; i++) secret[i] = random.intBetween(0, 0xffffffff)
    secrets.set(hex(label), secret)
    return { label, secret }
  }
  const possessionBytes = (identityKey: Uint8Array, voteKey: Uint8Array) => {
    const bytes = new Uint8Array(identityKey.length + voteKey.length)
    bytes.set(voteKey)
    bytes.set(identityKey, voteKey.length)
    return bytes
  }
  const scheme: SignatureScheme = {
    name: 'simulated keyed digest',
    verifyMessage(identityKey, message, signature) {
      const secret = secretOf(identityKey)
      return secret !== undefined && equal(digest(secret, MESSAGE, message), signature)
    },
    verifyVote(voteKey, message, signature) {
      const secret = secretOf(voteKey)
      return secret !== undefined && equal(digest(secret, VOTE, message), signature)
    },
    aggregateVotes(signatures) {
      const aggregate = new Uint8Array(SIGNATURE_BYTES)
      for (const s of signatures) xorInto(aggregate, s)
      return aggregate
    },
    verifyAggregateVote(voteKeys, message, aggregate) {
      if (voteKeys.length === 0) return false
      const expected = new Uint8Array(SIGNATURE_BYTES)
      for (const key of voteKeys) {
        const secret = secretOf(key)
        if (!secret) return false
        xorInto(expected, digest(secret, VOTE, message))
      }
      return equal(expected, aggregate)
    },
    verifyPossession(identityKey, voteKey, proof) {
      const secret = secretOf(voteKey)
      return secret !== undefined && equal(digest(secret, POSSESSION, possessionBytes(identityKey, voteKey)), proof)
    },
  }
  return {
    scheme,
    createSigner(random) {
      const identity = newKey(random)
      const vote = newKey(random)
      return {
        identityKey: identity.label,
        voteKey: vote.label,
        signMessage: (message) => digest(identity.secret, MESSAGE, message),
        signVote: (message) => digest(vote.secret, VOTE, message),
        proofOfPossession: () => digest(vote.secret, POSSESSION, possessionBytes(identity.label, vote.label)),
      }
    },
  }
}

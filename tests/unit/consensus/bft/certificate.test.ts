import { describe, expect, it } from 'vitest'
import { bls12_381 } from '@noble/curves/bls12-381.js'
import { sha256 } from '@noble/hashes/sha2.js'
import {
  buildCertificate,
  commitSignBytes,
  createRealScheme,
  createRealSigner,
  createValidatorSet,
  decodeCertificate,
  encodeCertificate,
  verifyCertificate,
  type ValidatorSigner,
} from '../../../../workers/consensus/certificate'

// Real Ed25519 + BLS12-381 throughout; each BLS operation costs milliseconds, so few of them.
const scheme = createRealScheme()
const signers: ValidatorSigner[] = [1, 2, 3, 4].map((i) =>
  createRealSigner({ identitySeed: new Uint8Array(32).fill(i), voteSeed: new Uint8Array(48).fill(i) }),
)
const entries = signers.map((s, i) => ({
  id: `peer-${'dcba'[i]}`,
  identityKey: s.identityKey,
  voteKey: s.voteKey,
  possession: s.proofOfPossession(),
}))
const created = createValidatorSet(entries, scheme)
if (!created.ok) throw new Error(created.reason)
const set = created.set
const indexOfSigner = (s: ValidatorSigner) => set.validators.findIndex((v) => v.identityKey === s.identityKey)
const valueId = sha256(new TextEncoder().encode('model-hash'))
const message = commitSignBytes('chain', 7, 2, valueId)

function certificateBy(voters: ValidatorSigner[]) {
  return buildCertificate(
    {
      chainId: 'chain',
      height: 7,
      round: 2,
      valueId,
      set,
      votes: voters.map((s) => ({ index: indexOfSigner(s), signature: s.signVote(message) })),
    },
    scheme,
  )
}

describe('validator set', () => {
  it('orders validators by id, whatever order they come in, with the same hash', () => {
    expect(set.validators.map((v) => v.id)).toEqual(['peer-a', 'peer-b', 'peer-c', 'peer-d'])
    const again = createValidatorSet([...entries].reverse(), scheme)
    expect(again.ok && again.set.hash).toEqual(set.hash)
    expect(set.quorum).toBe(3)
    expect(set.maxFaulty).toBe(1)
  })

  it('refuses duplicate ids and keys, and a vote key without a valid proof of possession', () => {
    expect(createValidatorSet([entries[0], { ...entries[1], id: entries[0].id }], scheme).ok).toBe(false)
    expect(createValidatorSet([entries[0], { ...entries[1], voteKey: entries[0].voteKey }], scheme).ok).toBe(false)
    // A proof made for another identity key does not transfer.
    const moved = createValidatorSet([entries[0], { ...entries[1], identityKey: signers[2].identityKey }], scheme)
    expect(moved.ok).toBe(false)
  })

  it('stops a rogue-key attack: the forged aggregate verifies, but the rogue key cannot be registered', () => {
    // The attacker picks x and publishes rogue = x*G - victim, so victim + rogue = x*G and it can sign "for both" alone.
    const G1 = bls12_381.G1.Point
    const x = 123456789n
    const victim = G1.fromBytes(signers[0].voteKey)
    const rogueKey = G1.BASE.multiply(x).subtract(victim).toBytes()
    const xBytes = new Uint8Array(32)
    new DataView(xBytes.buffer).setBigUint64(24, x)
    const bls = bls12_381.longSignatures
    const forged = bls.Signature.toBytes(bls.sign(bls.hash(message, 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_'), xBytes))
    expect(scheme.verifyAggregateVote([signers[0].voteKey, rogueKey], message, forged)).toBe(true)
    const attacker = createRealSigner({ identitySeed: new Uint8Array(32).fill(9), voteSeed: new Uint8Array(48).fill(9) })
    const withRogue = createValidatorSet(
      [entries[0], { id: 'rogue', identityKey: attacker.identityKey, voteKey: rogueKey, possession: attacker.proofOfPossession() }],
      scheme,
    )
    expect(withRogue.ok).toBe(false)
  })
})

describe('commit certificate', () => {
  const good = certificateBy(signers.slice(0, 3))

  it('verifies with a quorum of BLS signatures folded into one, and survives encoding', () => {
    expect(verifyCertificate(good, set, scheme, { chainId: 'chain', height: 7, valueId })).toEqual({ ok: true })
    const decoded = decodeCertificate(encodeCertificate(good))
    expect(decoded.ok && verifyCertificate(decoded.certificate, set, scheme)).toEqual({ ok: true })
    expect(good.aggregateSignature).toHaveLength(96)
  })

  it('refuses fewer signers than a quorum, a bitmap that lies, and anything else that changed', () => {
    expect(verifyCertificate(certificateBy(signers.slice(0, 2)), set, scheme).ok).toBe(false)
    const bitmap = good.signers[0]
    const swapped = bitmap ^ (1 << indexOfSigner(signers[0])) ^ (1 << indexOfSigner(signers[3]))
    const cases = {
      'a signer swapped in the bitmap': { ...good, signers: new Uint8Array([swapped]) },
      'an extra signer claimed': { ...good, signers: new Uint8Array([0b1111]) },
      'a bit beyond the set': { ...good, signers: new Uint8Array([bitmap | 0b10000]) },
      'another value': { ...good, valueId: sha256(new Uint8Array([1])) },
      'another round': { ...good, round: 3 },
      'another chain': { ...good, chainId: 'other' },
      'another validator set': { ...good, validatorSetHash: sha256(new Uint8Array([2])) },
      'a garbage aggregate': { ...good, aggregateSignature: new Uint8Array(96).fill(1) },
    }
    for (const [label, certificate] of Object.entries(cases)) expect(verifyCertificate(certificate, set, scheme).ok, label).toBe(false)
    expect(verifyCertificate(good, set, scheme, { height: 8 }).ok).toBe(false)
    expect(decodeCertificate(new Uint8Array([0xff, 0x01])).ok).toBe(false)
  })
})

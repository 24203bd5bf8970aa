import { describe, expect, it } from 'vitest'
import { sha256 } from '@noble/hashes/sha2.js'
import { bls12_381 } from '@noble/curves/bls12-381.js'
import { blsPossessionMessage } from '../../../../workers/common/domains'
import {
  buildCertificate,
  commitSignBytes,
  createRealScheme,
  createRealSigner,
  createValidatorSet,
  loadWasmBls,
  nobleBlsBackend,
  verifyCertificate,
} from '../../../../workers/consensus/certificate'

// The WebAssembly BLS backend must be interchangeable with @noble's: same signature bytes,
// each accepting what the other makes, and refusing the same bad inputs.
const wasm = await loadWasmBls()
const noble = nobleBlsBackend()
const keys = [1, 2, 3, 4].map((i) => bls12_381.longSignatures.keygen(new Uint8Array(48).fill(i)))
const voteKeys = keys.map((k) => k.publicKey.toBytes())
const message = commitSignBytes('chain', 3, 0, sha256(new Uint8Array([1])))
const other = commitSignBytes('chain', 3, 1, sha256(new Uint8Array([1])))

describe('WebAssembly BLS backend', () => {
  it('signs the same bytes as @noble, and each verifies the other', () => {
    const a = wasm.sign(keys[0].secretKey, message)
    expect(a).toEqual(noble.sign(keys[0].secretKey, message))
    expect(wasm.verify(voteKeys[0], message, a)).toBe(true)
    expect(noble.verify(voteKeys[0], message, a)).toBe(true)
    const shares = keys.slice(0, 3).map((k) => wasm.sign(k.secretKey, message))
    const aggregate = wasm.aggregate(shares)
    expect(aggregate).toEqual(noble.aggregate(shares))
    expect(wasm.verifyAggregate(voteKeys.slice(0, 3), message, aggregate)).toBe(true)
    expect(noble.verifyAggregate(voteKeys.slice(0, 3), message, aggregate)).toBe(true)
  })

  it('refuses wrong keys, wrong messages, mixed shares and bytes that are not signatures, without throwing', () => {
    const good = keys.slice(0, 3).map((k) => wasm.sign(k.secretKey, message))
    expect(wasm.verify(voteKeys[1], message, good[0])).toBe(false)
    expect(wasm.verify(voteKeys[0], other, good[0])).toBe(false)
    // One share over another message spoils the aggregate; the good ones alone still verify.
    const mixed = [good[0], good[1], wasm.sign(keys[2].secretKey, other)]
    expect(wasm.verifyAggregate(voteKeys.slice(0, 3), message, wasm.aggregate(mixed))).toBe(false)
    expect(wasm.verifyAggregate(voteKeys.slice(0, 2), message, wasm.aggregate(good.slice(0, 2)))).toBe(true)
    // The aggregate must name exactly its signers.
    expect(wasm.verifyAggregate(voteKeys.slice(0, 4), message, wasm.aggregate(good))).toBe(false)
    expect(wasm.verifyAggregate([], message, wasm.aggregate(good))).toBe(false)
    const garbage = new Uint8Array(96).fill(7)
    const flipped = Uint8Array.from(good[0])
    flipped[10] ^= 1
    for (const bad of [garbage, flipped, new Uint8Array(0), new Uint8Array(95)]) {
      expect(wasm.verify(voteKeys[0], message, bad)).toBe(false)
      expect(wasm.aggregate([good[1], bad])).toHaveLength(0)
      expect(wasm.verifyAggregate(voteKeys.slice(0, 2), message, wasm.aggregate([good[1], bad]))).toBe(false)
    }
    expect(wasm.verify(new Uint8Array(48).fill(3), message, good[0])).toBe(false)
    expect(wasm.verify(new Uint8Array(48), message, good[0])).toBe(false)
  })

  it('makes certificates that the @noble scheme verifies', () => {
    const fast = createRealScheme({ bls: wasm })
    const slow = createRealScheme()
    const signers = [5, 6, 7, 8].map((i) =>
      createRealSigner({ identitySeed: new Uint8Array(32).fill(i), voteSeed: new Uint8Array(48).fill(i) }, { bls: wasm }),
    )
    const created = createValidatorSet(
      signers.map((s, i) => ({ id: `v${i}`, identityKey: s.identityKey, voteKey: s.voteKey, possession: s.proofOfPossession() })),
      fast,
    )
    if (!created.ok) throw new Error(created.reason)
    const valueId = sha256(new Uint8Array([9]))
    const votes = signers.slice(0, 3).map((s, i) => ({ index: i, signature: s.signVote(commitSignBytes('c', 1, 0, valueId)) }))
    const certificate = buildCertificate({ chainId: 'c', height: 1, round: 0, valueId, set: created.set, votes }, fast)
    expect(verifyCertificate(certificate, created.set, slow)).toEqual({ ok: true })
    expect(verifyCertificate(certificate, created.set, fast)).toEqual({ ok: true })
    expect(verifyCertificate({ ...certificate, round: 1 }, created.set, fast).ok).toBe(false)
  })

  it('checks proofs of possession as @noble does, under their own tag, and leaves votes under theirs', () => {
    const signers = [9, 10].map((i) => createRealSigner({ identitySeed: new Uint8Array(32).fill(i), voteSeed: new Uint8Array(48).fill(i) }))
    const [a, b] = signers
    const possession = blsPossessionMessage(a.voteKey, a.identityKey)
    const proof = a.proofOfPossession()
    for (const backend of [wasm, noble]) {
      expect(backend.verifyPossession(a.voteKey, possession, proof)).toBe(true)
      // Bound to the identity key and to the vote key.
      expect(backend.verifyPossession(a.voteKey, blsPossessionMessage(a.voteKey, b.identityKey), proof)).toBe(false)
      expect(backend.verifyPossession(b.voteKey, blsPossessionMessage(b.voteKey, a.identityKey), proof)).toBe(false)
      // A vote signature over the same bytes is not a proof (another hash-to-curve tag), nor a proof a vote.
      const vote = a.signVote(possession)
      expect(backend.verifyPossession(a.voteKey, possession, vote)).toBe(false)
      expect(backend.verify(a.voteKey, possession, proof)).toBe(false)
      expect(backend.verify(a.voteKey, possession, vote)).toBe(true)
      for (const bad of [new Uint8Array(96).fill(7), new Uint8Array(0), proof.subarray(1)])
        expect(backend.verifyPossession(a.voteKey, possession, bad)).toBe(false)
      expect(backend.verifyPossession(new Uint8Array(48), possession, proof)).toBe(false)
    }
    // Votes made and checked right after a failed proof check still use the votes' tag.
    const after = wasm.sign(keys[0].secretKey, message)
    expect(after).toEqual(noble.sign(keys[0].secretKey, message))
    expect(wasm.verify(voteKeys[0], message, after)).toBe(true)
    // The scheme builds sets through the backend: the two accept and refuse the same members.
    const forged = { id: 'v1', identityKey: b.identityKey, voteKey: b.voteKey, possession: proof }
    const honest = { id: 'v0', identityKey: a.identityKey, voteKey: a.voteKey, possession: proof }
    for (const scheme of [createRealScheme({ bls: wasm }), createRealScheme()]) {
      expect(createValidatorSet([honest], scheme).ok).toBe(true)
      expect(createValidatorSet([honest, forged], scheme)).toEqual({
        ok: false,
        reason: 'validator v1: proof of possession does not verify',
      })
    }
  })
})

import { describe, expect, it } from 'vitest'
import { identityFromSeed } from '../../../workers/identity/ed25519'
import { createEnvelopeSigner, sealMessage, sealRaw, signingBytes } from '../../../workers/protocol/envelope'
import { InboundValidator, type Rejected } from '../../../workers/protocol/inbound'
import { verifyEd25519Batch, type BatchVerifier } from '../../../workers/protocol/verify'
import { nativeVerifyEd25519Batch } from '../../../workers/protocol/node/ed25519'
import { Envelope, Chat } from '../../../workers/protocol/wire.pb'
import { messageKinds } from '../../../workers/kinds'

const alice = identityFromSeed(new Uint8Array(32).fill(1))
const mallory = identityFromSeed(new Uint8Array(32).fill(2))

// Browsers verify with WebCrypto, the relay with node:crypto: the gate must refuse the same things with either.
const verifiers: [string, BatchVerifier][] = [
  ['WebCrypto', verifyEd25519Batch],
  ['node:crypto', nativeVerifyEd25519Batch],
]

for (const [verifierName, verify] of verifiers) {
  function setup(nowMs = 1_700_000_000_000) {
    let now = nowMs
    const rejections: Rejected[] = []
    const validator = new InboundValidator({
      kinds: messageKinds,
      verify,
      now: () => now,
      onReject: (r) => rejections.push(r),
    })
    const signer = createEnvelopeSigner(alice, messageKinds, () => now)
    return { validator, signer, rejections, advance: (ms: number) => (now += ms) }
  }

  describe(`inbound validation (${verifierName} signatures)`, () => {
    it('accepts an honest chat message and decodes its payload', async () => {
      const { validator, signer } = setup()
      const verdict = await validator.check(sealMessage(signer, 'mesh.chat', { text: 'hi', sentAtUs: 5n }), {
        carrier: 'gossip',
        originPublicKey: alice.publicKey,
      })
      expect(verdict).toMatchObject({ ok: true, kind: 'mesh.chat', payload: { text: 'hi', sentAtUs: 5n } })
      expect(validator.accepted).toBe(1)
    })

    it('rejects a replayed message but accepts reordered fresh ones', async () => {
      const { validator, signer } = setup()
      const first = sealMessage(signer, 'mesh.chat', { text: 'a', sentAtUs: 1n })
      const second = sealMessage(signer, 'mesh.chat', { text: 'b', sentAtUs: 2n })
      expect((await validator.check(second, { carrier: 'gossip' })).ok).toBe(true)
      expect((await validator.check(first, { carrier: 'gossip' })).ok).toBe(true)
      const replay = await validator.check(first, { carrier: 'gossip' })
      expect(replay).toMatchObject({ ok: false, reason: 'replay' })
    })

    it('rejects concurrent duplicates exactly once', async () => {
      const { validator, signer } = setup()
      const msg = sealMessage(signer, 'mesh.chat', { text: 'dup', sentAtUs: 1n })
      const verdicts = await Promise.all([validator.check(msg, { carrier: 'gossip' }), validator.check(msg, { carrier: 'gossip' })])
      expect(verdicts.filter((v) => v.ok)).toHaveLength(1)
      expect(validator.rejected.replay).toBe(1)
    })

    it('rejects stale and future timestamps', async () => {
      const { validator, signer, advance } = setup()
      const old = sealMessage(signer, 'mesh.chat', { text: 'old', sentAtUs: 1n })
      advance(10 * 60_000)
      expect(await validator.check(old, { carrier: 'gossip' })).toMatchObject({ ok: false, reason: 'stale' })
      const { validator: v2, signer: s2, advance: adv2 } = setup()
      adv2(10 * 60_000)
      const fromFuture = sealMessage(s2, 'mesh.chat', { text: 'later', sentAtUs: 1n })
      adv2(-10 * 60_000)
      expect(await v2.check(fromFuture, { carrier: 'gossip' })).toMatchObject({ ok: false, reason: 'future' })
    })

    it('rejects forged signatures, impersonation and a signer that is not the origin', async () => {
      const { validator, signer } = setup()
      const honest = Envelope.decode(sealMessage(signer, 'mesh.chat', { text: 'x', sentAtUs: 1n }))
      const tampered = Envelope.encode({ ...honest, payload: Chat.encode({ text: 'y', sentAtUs: 1n }) })
      expect(await validator.check(tampered, { carrier: 'gossip' })).toMatchObject({ ok: false, reason: 'bad-signature' })
      // Mallory signs with her key but claims to be Alice.
      const forged: Envelope = { ...honest, seq: honest.seq + 1n, signature: new Uint8Array(0) }
      const forgedBytes = Envelope.encode({ ...forged, signature: mallory.sign(signingBytes(forged)) as Uint8Array<ArrayBuffer> })
      expect(await validator.check(forgedBytes, { carrier: 'gossip' })).toMatchObject({ ok: false, reason: 'bad-signature' })
      // A valid Alice message relayed as if Mallory originated it.
      const relayed = sealMessage(signer, 'mesh.chat', { text: 'z', sentAtUs: 1n })
      expect(await validator.check(relayed, { carrier: 'gossip', originPublicKey: mallory.publicKey })).toMatchObject({
        ok: false,
        reason: 'sender-mismatch',
      })
      expect(validator.accepted).toBe(0)
    })

    it('rejects malformed, oversized, unknown-kind, wrong-carrier and bad-payload input with counters', async () => {
      const { validator, signer, rejections } = setup()
      const cases: Array<[Uint8Array, 'gossip' | 'stream', string]> = [
        [new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), 'gossip', 'malformed'],
        [new Uint8Array(2 * 1024 * 1024), 'gossip', 'oversized'],
        [sealRaw(signer, 'mesh.chat', new Uint8Array(20_000)), 'gossip', 'oversized'],
        [sealRaw(signer, 'nope.kind', new Uint8Array(1)), 'gossip', 'unknown-kind'],
        [sealMessage(signer, 'transfer.request', { sha256: new Uint8Array(32), fromChunk: 0 }), 'gossip', 'wrong-carrier'],
        [sealRaw(signer, 'mesh.chat', new Uint8Array([0x0a, 0xff, 0x01])), 'gossip', 'bad-payload'],
      ]
      for (const [bytes, carrier, reason] of cases) {
        expect(await validator.check(bytes, { carrier })).toMatchObject({ ok: false, reason })
      }
      expect(rejections.map((r) => r.reason)).toEqual(cases.map((c) => c[2]))
      expect(validator.rejected.oversized).toBe(2)
      // Still serving honest traffic afterwards.
      expect((await validator.check(sealMessage(signer, 'mesh.chat', { text: 'ok', sentAtUs: 1n }), { carrier: 'gossip' })).ok).toBe(true)
    })

    it('runs the authorisation hook after the signature and refuses what it refuses', async () => {
      const { signer } = setup()
      const validator = new InboundValidator({
        kinds: messageKinds,
        verify,
        now: () => 1_700_000_000_000,
        authorize: (kind) => (kind === 'mesh.chat' ? 'chat is muted' : null),
      })
      expect(await validator.check(sealMessage(signer, 'mesh.chat', { text: 'x', sentAtUs: 1n }), { carrier: 'gossip' })).toMatchObject({
        ok: false,
        reason: 'unauthorized',
      })
    })
  })
}

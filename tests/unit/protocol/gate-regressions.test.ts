import { describe, expect, it } from 'vitest'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { identityFromSeed } from '../../../workers/identity/ed25519'
import { createEnvelopeSigner, sealMessage, sealRaw } from '../../../workers/protocol/envelope'
import { InboundValidator, type Rejected } from '../../../workers/protocol/inbound'
import { verifyEd25519Batch } from '../../../workers/protocol/verify'
import { Chat, Envelope } from '../../../workers/protocol/wire.pb'
import { topicForKind } from '../../../workers/net/gossip'
import { gossipHarness } from './gossip-harness'
import { meshMessageId } from '../../../workers/net/gossip-config'
import { messageKinds } from '../../../workers/kinds'

const NOW = 1_700_000_000_000
const alice = identityFromSeed(new Uint8Array(32).fill(11))

describe('replay window poisoning (issue 15, defect 2)', () => {
  it('a copy of an honest message sent first on another topic does not censor the honest one', async () => {
    const { arrive, delivered, rejections, validator } = gossipHarness({ now: NOW })
    const honest = sealMessage(
      createEnvelopeSigner(alice, messageKinds, () => NOW),
      'mesh.chat',
      { text: 'hello from alice', sentAtUs: 1n },
    )
    // Mallory re-publishes Alice's signed chat on the presence topic first.
    expect(await arrive('mesh.presence', honest)).toBe(TopicValidatorResult.Reject)
    expect(rejections.map((r) => r.reason)).toEqual(['wrong-topic'])
    expect(validator.rejected['wrong-topic']).toBe(1)
    // Alice's genuine message on its own topic must still be delivered, exactly once.
    expect(await arrive('mesh.chat', honest)).toBe(TopicValidatorResult.Accept)
    expect(delivered.map(({ kind, text }) => ({ kind, text }))).toEqual([{ kind: 'mesh.chat', text: 'hello from alice' }])
    expect(await arrive('mesh.chat', honest)).toBe(TopicValidatorResult.Reject)
    expect(rejections.map((r) => r.reason)).toEqual(['wrong-topic', 'replay'])
  })

  it('gives the same bytes on two topics two GossipSub ids, so the refused copy does not make the honest one a duplicate', async () => {
    const data = sealMessage(
      createEnvelopeSigner(alice, messageKinds, () => NOW),
      'mesh.chat',
      { text: 'x', sentAtUs: 1n },
    )
    const onChat = await meshMessageId({ topic: topicForKind('mesh.chat'), data })
    const onPresence = await meshMessageId({ topic: topicForKind('mesh.presence'), data })
    expect(Buffer.from(onChat).equals(Buffer.from(onPresence))).toBe(false)
    expect(Buffer.from(await meshMessageId({ topic: topicForKind('mesh.chat'), data })).equals(Buffer.from(onChat))).toBe(true)
  })

  it('refuses a kind on the wrong stream or route inside the gate, leaving the replay slot free', async () => {
    const validator = new InboundValidator({ kinds: messageKinds, verify: verifyEd25519Batch, now: () => NOW })
    const request = sealMessage(
      createEnvelopeSigner(alice, messageKinds, () => NOW),
      'transfer.request',
      { sha256: new Uint8Array(32), fromChunk: 0 },
    )
    expect(await validator.check(request, { carrier: 'stream', expectedKind: 'transfer.manifest' })).toMatchObject({
      ok: false,
      reason: 'wrong-topic',
    })
    expect(await validator.check(request, { carrier: 'stream', expectedKind: 'transfer.request' })).toMatchObject({ ok: true })
  })
})

describe('envelopes and payloads are consumed exactly (issue 15, defect 3)', () => {
  const signer = () => createEnvelopeSigner(alice, messageKinds, () => NOW)

  it('refuses an envelope with bytes appended, a duplicated field or a padded varint, and still accepts the honest bytes', async () => {
    const validator = new InboundValidator({ kinds: messageKinds, verify: verifyEd25519Batch, now: () => NOW })
    const honest = sealMessage(signer(), 'mesh.chat', { text: 'exact', sentAtUs: 1n })
    const decoded = Envelope.decode(honest)
    const variants = {
      // An unknown field (number 10, varint 1): the signature covers only the known fields.
      appendedUnknownField: Uint8Array.from([...honest, 0x50, 0x01]),
      // The version field once more at the end: protobuf keeps the last copy.
      duplicatedField: Uint8Array.from([...honest, 0x08, 0x01]),
      // version = 1 written as a two-byte varint.
      paddedVarint: Uint8Array.from([0x08, 0x81, 0x00, ...honest.subarray(2)]),
    }
    expect(honest[0]).toBe(0x08)
    expect(decoded.version).toBe(1)
    for (const [name, bytes] of Object.entries(variants)) {
      const verdict = await validator.check(bytes, { carrier: 'gossip' })
      expect(verdict, name).toMatchObject({ ok: false, reason: 'malformed' })
      expect((verdict as Rejected).detail, name).toMatch(/canonical/)
    }
    expect(await validator.check(honest, { carrier: 'gossip' })).toMatchObject({ ok: true })
  })

  it('refuses a signed payload with trailing bytes', async () => {
    const validator = new InboundValidator({ kinds: messageKinds, verify: verifyEd25519Batch, now: () => NOW })
    const payload = Chat.encode({ text: 'x', sentAtUs: 1n })
    const padded = sealRaw(signer(), 'mesh.chat', Uint8Array.from([...payload, 0x50, 0x01]))
    expect(await validator.check(padded, { carrier: 'gossip' })).toMatchObject({ ok: false, reason: 'bad-payload' })
  })
})

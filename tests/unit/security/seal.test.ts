import { describe, expect, it } from 'vitest'
import { bytesToHex } from '@noble/hashes/utils.js'
import { createOpener, createSealer, openSealed, sealForRecipient, type SealContext } from '../../../workers/security/e2e/seal'
import { SealedBox } from '../../../workers/security/e2e/sealed.pb'
import { nodeKeys } from './fixtures'
import { seededBytes } from '../../../workers/common/random'

const sender = nodeKeys(60)
const recipient = nodeKeys(61)
const forwarder = nodeKeys(62)
const context: SealContext = { purpose: 'fl.update', round: 7n, sender: sender.identity.publicKey }
const random = seededBytes(11)

function payload(n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let at = 0; at < n; at += 4096) out.set(random(Math.min(4096, n - at)), at)
  return out
}

describe('sealed model updates', () => {
  it.each([0, 1, 65535, 65536, 65537, 200_000])('round-trips %i bytes', (size) => {
    const plaintext = payload(size)
    const box = sealForRecipient(plaintext, recipient.agreement.publicKey, context)
    const opened = openSealed(box, recipient.agreement.secretKey, context)
    if (!opened.ok) throw new Error(opened.reason)
    expect(bytesToHex(opened.plaintext)).toBe(bytesToHex(plaintext))
  })

  it('carries several megabytes, and the ciphertext reveals nothing of the plaintext', () => {
    const plaintext = new Uint8Array(6 * 1024 * 1024).fill(0x42)
    const box = sealForRecipient(plaintext, recipient.agreement.publicKey, context, { ephemeralSecret: random(32) })
    expect(box.length).toBeLessThan(plaintext.length + 96 * (16 + 4) + 64)
    const decoded = SealedBox.decode(box, { limits: { chunks: 1000 } } as never)
    expect(decoded.chunks).toHaveLength(96)
    const firstChunk = decoded.chunks[0]
    expect(firstChunk.filter((b) => b === 0x42).length).toBeLessThan(firstChunk.length / 64)
    const opened = openSealed(box, recipient.agreement.secretKey, context)
    expect(opened.ok && opened.plaintext.length).toBe(plaintext.length)
    expect(opened.ok && opened.plaintext.every((b) => b === 0x42)).toBe(true)
  })

  it('cannot be read by the forwarder or anyone but the recipient', () => {
    const box = sealForRecipient(payload(1000), recipient.agreement.publicKey, context)
    expect(openSealed(box, forwarder.agreement.secretKey, context).ok).toBe(false)
    expect(openSealed(box, sender.agreement.secretKey, context).ok).toBe(false)
  })

  it('refuses a swapped round, sender or purpose', () => {
    const box = sealForRecipient(payload(1000), recipient.agreement.publicKey, context)
    expect(openSealed(box, recipient.agreement.secretKey, { ...context, round: 8n }).ok).toBe(false)
    expect(openSealed(box, recipient.agreement.secretKey, { ...context, round: 6 }).ok).toBe(false)
    expect(openSealed(box, recipient.agreement.secretKey, { ...context, sender: forwarder.identity.publicKey }).ok).toBe(false)
    expect(openSealed(box, recipient.agreement.secretKey, { ...context, purpose: 'secagg.client.masked-input' }).ok).toBe(false)
    expect(openSealed(box, recipient.agreement.secretKey, { ...context, round: 7 }).ok).toBe(true)
  })

  it('refuses dropped, reordered, duplicated, truncated or flipped chunks and a swapped ephemeral key', () => {
    const box = SealedBox.decode(sealForRecipient(payload(5 * 1000), recipient.agreement.publicKey, context, { chunkBytes: 1000 }))
    expect(box.chunks).toHaveLength(5)
    const variants: SealedBox[] = [
      { ...box, chunks: [box.chunks[0], ...box.chunks.slice(2)] },
      { ...box, chunks: [box.chunks[1], box.chunks[0], ...box.chunks.slice(2)] },
      { ...box, chunks: [...box.chunks, box.chunks[4]] },
      { ...box, chunks: box.chunks.slice(0, 4) },
      { ...box, chunks: box.chunks.map((c, i) => (i === 2 ? c.map((b, j) => (j === 5 ? b ^ 1 : b)) : c)) },
      { ...box, ephemeralPublicKey: forwarder.agreement.publicKey as Uint8Array<ArrayBuffer> },
      { ...box, chunkBytes: 999 },
      { ...box, version: 2 },
      { ...box, chunks: [] },
    ]
    for (const [i, variant] of variants.entries()) {
      expect(openSealed(SealedBox.encode(variant), recipient.agreement.secretKey, context).ok, `variant ${i}`).toBe(false)
    }
    expect(openSealed(SealedBox.encode(box), recipient.agreement.secretKey, context).ok).toBe(true)
    expect(openSealed(new Uint8Array([1, 2, 3, 4]), recipient.agreement.secretKey, context).ok).toBe(false)
    expect(openSealed(SealedBox.encode(box), recipient.agreement.secretKey, context, { maxBytes: 4000 }).ok).toBe(false)
  })

  it('streams chunk by chunk, and the same ephemeral secret gives the same box', () => {
    const ephemeralSecret = random(32)
    const plaintext = payload(10_000)
    const sealer = createSealer(recipient.agreement.publicKey, context, { chunkBytes: 4096, ephemeralSecret })
    const sealed = [
      sealer.seal(plaintext.subarray(0, 4096), false),
      sealer.seal(plaintext.subarray(4096, 8192), false),
      sealer.seal(plaintext.subarray(8192), true),
    ]
    expect(() => sealer.seal(new Uint8Array(1), true)).toThrow()
    const opener = createOpener(sealer.header, recipient.agreement.secretKey, context)!
    const opened = sealed.map((c, i) => opener.open(c, i === 2)!)
    expect(bytesToHex(new Uint8Array(opened.flatMap((c) => [...c])))).toBe(bytesToHex(plaintext))
    const again = sealForRecipient(plaintext, recipient.agreement.publicKey, context, { chunkBytes: 4096, ephemeralSecret })
    expect(bytesToHex(again)).toBe(
      bytesToHex(
        SealedBox.encode({
          version: 1,
          ephemeralPublicKey: sealer.header.ephemeralPublicKey as Uint8Array<ArrayBuffer>,
          chunkBytes: 4096,
          chunks: sealed as Uint8Array<ArrayBuffer>[],
        }),
      ),
    )
  })

  it('refuses a low-order recipient key', () => {
    expect(() => sealForRecipient(payload(10), new Uint8Array(32), context)).toThrow()
  })
})

import { describe, expect, it } from 'vitest'
import { x25519 } from '@noble/curves/ed25519.js'
import { decodeTask, defaultMnistTask, encodeTask } from '../../../workers/fl/task/spec'
import { openUpdate, sealUpdate } from '../../../workers/fl/round/sealed-update'

// What comes over the network in a federated task is consumed exactly or refused: appended or
// duplicated fields could otherwise change the bytes (and their hash) without changing the meaning.
describe('federated-task decoders consume their input exactly', () => {
  const withTail = (bytes: Uint8Array, tail: number[]) => Uint8Array.from([...bytes, ...tail])

  it('refuses a task spec with a field appended or repeated', () => {
    const bytes = encodeTask(defaultMnistTask('admin', 1_800_000_000_000))
    expect(decodeTask(bytes).ok).toBe(true)
    // Field 2 (name) again, and an unknown field 99 (varint): both mean "the same task" to a lax decoder.
    for (const tail of [
      [0x12, 0x01, 0x78],
      [0x98, 0x06, 0x01],
    ])
      expect(decodeTask(withTail(bytes, tail))).toMatchObject({ ok: false, reason: expect.stringContaining('canonical') })
  })

  it('refuses a sealed update with bytes appended', () => {
    const secretKey = new Uint8Array(32).fill(5)
    const recipient = { secretKey, publicKey: x25519.getPublicKey(secretKey) }
    const context = { taskId: 'task', round: 1, trainerKey: new Uint8Array(32).fill(9) }
    const blob = sealUpdate(new TextEncoder().encode('an update'), context, [recipient.publicKey])
    expect(openUpdate(blob, context, recipient).ok).toBe(true)
    expect(openUpdate(withTail(blob, [0x98, 0x06, 0x01]), context, recipient).ok).toBe(false)
  })
})

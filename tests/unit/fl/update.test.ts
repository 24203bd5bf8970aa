import { describe, expect, it } from 'vitest'
import { contentHash, decodeUpdate, encodeUpdate, modelHash, type ClientUpdate } from '../../../workers/fl/update/codec'
import { clipL2, l2Norm } from '../../../workers/fl/update/delta'
import { fromFloat16Bits, toFloat16Bits } from '../../../workers/fl/update/quantize'
import { ModelUpdate as ModelUpdateMessage, ValueEncoding } from '../../../workers/fl/update/update.pb'
import { createRng } from '../../../workers/common/random'

const rng = createRng(11)
const shapes = [
  { name: '0/kernel', shape: [30, 20] },
  { name: '0/bias', shape: [20] },
  { name: '1/kernel', shape: [20, 10] },
  { name: '1/bias', shape: [10] },
]
const delta = Float32Array.from({ length: 30 * 20 + 20 + 20 * 10 + 10 }, (_, i) => rng.normal() * (i < 600 ? 0.01 : 0.5))
const update: ClientUpdate = { round: 42, baseModelHash: new Uint8Array(32).fill(7), sampleCount: 375, shapes, delta, clipNorm: 5 }

describe('clipping', () => {
  it('scales down to the bound and leaves short vectors alone', () => {
    const long = Float32Array.from([3, 4])
    const clipped = clipL2(long, 1)
    expect(clipped.clipped).toBe(true)
    expect(clipped.norm).toBe(5)
    expect(l2Norm(clipped.delta)).toBeCloseTo(1, 6)
    expect(Array.from(long)).toEqual([3, 4])
    expect(clipL2(long, 10)).toMatchObject({ clipped: false, norm: 5 })
    expect(() => clipL2(long, 0)).toThrow()
  })
})

describe('encoding', () => {
  it('float32 round-trips exactly and keeps the metadata', () => {
    const decoded = decodeUpdate(encodeUpdate(update))
    if (!decoded.ok) throw new Error(decoded.reason)
    expect(decoded.encoding).toBe('float32')
    expect(Array.from(decoded.update.delta)).toEqual(Array.from(delta))
    expect(decoded.update).toMatchObject({ round: 42, sampleCount: 375, clipNorm: 5 })
    expect(decoded.update.shapes.map((s) => [s.name, [...s.shape]])).toEqual(shapes.map((s) => [s.name, s.shape]))
    expect(Array.from(decoded.update.baseModelHash)).toEqual(Array.from(update.baseModelHash))
  })

  it('float16 error is within half a unit in the last place (relative 2^-11)', () => {
    const decoded = decodeUpdate(encodeUpdate(update, 'float16'))
    if (!decoded.ok) throw new Error(decoded.reason)
    delta.forEach((x, i) => {
      const bound = Math.max(Math.abs(x) * 2 ** -11, 2 ** -25)
      expect(Math.abs(decoded.update.delta[i] - x)).toBeLessThanOrEqual(bound)
    })
  })

  it('int8 error is at most half a step of each layer scale', () => {
    const decoded = decodeUpdate(encodeUpdate(update, 'int8'))
    if (!decoded.ok) throw new Error(decoded.reason)
    let offset = 0
    for (const { shape } of shapes) {
      const size = shape.reduce((a, b) => a * b, 1)
      const layer = delta.subarray(offset, offset + size)
      const step = Math.max(...Array.from(layer, Math.abs)) / 127
      for (let i = 0; i < size; i++) expect(Math.abs(decoded.update.delta[offset + i] - layer[i])).toBeLessThanOrEqual(step / 2 + 1e-7)
      offset += size
    }
  })

  it('float16 conversion handles exact values, ties to even, subnormals and saturation', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00)
    expect(toFloat16Bits(-2)).toBe(0xc000)
    expect(toFloat16Bits(65504)).toBe(0x7bff)
    expect(toFloat16Bits(1e9)).toBe(0x7bff)
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001)
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00) // tie → even
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02) // tie → even (up)
    expect(fromFloat16Bits(0x3555)).toBeCloseTo(1 / 3, 3)
    for (let bits = 0; bits < 0x7c00; bits += 97) expect(toFloat16Bits(fromFloat16Bits(bits))).toBe(bits)
  })

  it('the content hash is stable and changes with any field', () => {
    const bytes = encodeUpdate(update)
    expect(contentHash(bytes)).toBe(contentHash(encodeUpdate(update)))
    expect(contentHash(encodeUpdate({ ...update, round: 43 }))).not.toBe(contentHash(bytes))
    const tweaked = Float32Array.from(delta)
    tweaked[5] += 1e-6
    expect(contentHash(encodeUpdate({ ...update, delta: tweaked }))).not.toBe(contentHash(bytes))
    const decoded = decodeUpdate(bytes)
    expect(decoded.ok && decoded.hash).toBe(contentHash(bytes))
  })

  it('model hashes depend on values and shapes', () => {
    const a = modelHash({ shapes, values: delta })
    expect(a).toMatch(/^[0-9a-f]{64}$/)
    expect(modelHash({ shapes: [...shapes].reverse(), values: delta })).not.toBe(a)
  })
})

describe('decoding rejects bad input with a reason', () => {
  const message = ModelUpdateMessage.decode(encodeUpdate(update))
  it.each([
    ['garbage', new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]), /ModelUpdate/],
    ['a truncated payload', ModelUpdateMessage.encode({ ...message, values: message.values.subarray(0, 100) }), /bytes/],
    ['a short base hash', ModelUpdateMessage.encode({ ...message, baseModelHash: new Uint8Array(31) }), /32 bytes/],
    ['zero samples', ModelUpdateMessage.encode({ ...message, sampleCount: 0 }), /sample/],
    [
      'a NaN value',
      ModelUpdateMessage.encode({ ...message, values: new Uint8Array(new Float32Array(delta.length).fill(NaN).buffer) }),
      /finite/,
    ],
    [
      'int8 without scales',
      ModelUpdateMessage.encode({ ...message, encoding: ValueEncoding.INT8, values: new Uint8Array(delta.length) }),
      /scales/,
    ],
    ['an empty layer', ModelUpdateMessage.encode({ ...message, layers: [{ name: 'x', dims: [0] }] }), /shape/],
  ])('%s', (_, bytes, reason) => {
    expect(decodeUpdate(bytes)).toMatchObject({ ok: false, reason: expect.stringMatching(reason) })
  })

  it('non-canonical bytes (a duplicated field) are refused, so one content has one hash', () => {
    const bytes = encodeUpdate(update)
    const withExtra = new Uint8Array([...bytes, 0x18, 0x05]) // sample_count again (last one wins in protobuf)
    const decoded = decodeUpdate(withExtra)
    expect(decoded.ok).toBe(false)
  })
})

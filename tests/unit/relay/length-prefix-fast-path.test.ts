import { describe, expect, it } from 'vitest'
import { LengthPrefixedDecoder } from '@libp2p/utils'
import { Uint8ArrayList } from 'uint8arraylist'
import { installLengthPrefixFastPath } from '../../../relay/length-prefix-fast-path'
import { createRng } from '../../../workers/common/random'

/** A uint16 big-endian length, as Noise frames carry, counting the calls that would throw. */
function noiseLengths() {
  const calls = { empty: 0, total: 0 }
  const lengthDecoder = (data: Uint8ArrayList | Uint8Array) => {
    calls.total++
    if (data.byteLength === 0) calls.empty++
    if (data.byteLength < 2) throw new RangeError('Could not decode int16BE')
    return data instanceof Uint8Array ? (data[0] << 8) | data[1] : data.getUint16(0)
  }
  return { calls, decoder: new LengthPrefixedDecoder({ lengthDecoder, encodingLength: () => 2, maxDataLength: 1000 }) }
}

function frame(body: Uint8Array): Uint8Array {
  return new Uint8Array([body.length >> 8, body.length & 0xff, ...body])
}

describe('the length-prefix fast path (relay)', () => {
  installLengthPrefixFastPath()

  it('decodes frames split and joined at random exactly as sent, without asking for the length of nothing', () => {
    const rng = createRng(17)
    const bodies = Array.from({ length: 300 }, (_, i) => new Uint8Array(rng.int(300)).fill(i % 251))
    const stream = new Uint8Array(bodies.reduce<number[]>((all, b) => [...all, ...frame(b)], []))
    const { calls, decoder } = noiseLengths()
    const out: Uint8Array[] = []
    for (let at = 0; at < stream.length;) {
      const next = Math.min(stream.length, at + 1 + rng.int(700))
      for (const buf of decoder.decode(stream.subarray(at, next))) out.push(buf.subarray())
      at = next
    }
    expect(out.map((b) => [...b])).toEqual(bodies.filter((b) => b.length > 0).map((b) => [...b]))
    expect(calls.total).toBeGreaterThan(0)
    // Before the fast path every call ended by decoding the length of an empty buffer, which threw.
    expect(calls.empty).toBe(0)
  })

  it('still refuses a frame over the length limit', () => {
    const { decoder } = noiseLengths()
    expect(() => [...decoder.decode(new Uint8Array([0xff, 0xff, 1]))]).toThrow(/length/i)
  })

  it('waits on one byte of a length as before', () => {
    const { decoder } = noiseLengths()
    expect([...decoder.decode(new Uint8Array([0]))]).toEqual([])
    expect([...decoder.decode(new Uint8Array([2, 7, 8]))].map((b) => [...b.subarray()])).toEqual([[7, 8]])
  })

  it('reads varint-prefixed frames (the default length) split across chunks', () => {
    const decoder = new LengthPrefixedDecoder()
    const body = new Uint8Array(200).fill(9)
    const bytes = new Uint8Array([0xc8, 0x01, ...body, 0x02, 4, 5])
    const out = [...decoder.decode(bytes.subarray(0, 1)), ...decoder.decode(bytes.subarray(1, 150)), ...decoder.decode(bytes.subarray(150))]
    expect(out.map((b) => b.byteLength)).toEqual([200, 2])
  })

  it('leaves a decoder whose prefix takes no bytes as it was (it would spin on an empty buffer)', () => {
    const decoder = new LengthPrefixedDecoder({
      lengthDecoder: (data) => {
        if (data.byteLength < 1) throw new RangeError('no length')
        return 1
      },
      encodingLength: () => 0,
    })
    expect([...decoder.decode(new Uint8Array(0))]).toEqual([])
  })
})

import { LengthPrefixedDecoder } from '@libp2p/utils'

/**
 * libp2p's LengthPrefixedDecoder (@libp2p/utils 7.x; Noise reads every frame through it) ends
 * each call by asking its length decoder for the next length, and the decoder *throws* a
 * RangeError when no bytes are left: one Error with a captured stack per frame received, which
 * the loop then catches. On the relay that was the single most expensive line under gossip load
 * (12 % of its main thread in a CPU profile; 6.5 µs per call measured, 0.5 µs without the
 * throw). An empty buffer now reads as a length-0 frame that is not there yet (the loop waits
 * for more bytes, as after the RangeError), without the throw. Every other input reaches the
 * original decoder unchanged, so what is decoded, and every error on a bad length, stays the same.
 */
type Decoder = (data: { byteLength: number }) => number
interface DecoderInternals {
  lengthDecoder: Decoder
  readonly encodingLength: (length: number) => number
}

const installed = Symbol('agent-mesh:length-prefix-fast-path')
/** Marks a decoder whose length decoder is wrapped (the prototype's mark would be inherited). */
const wrapped = new WeakSet<object>()

export function installLengthPrefixFastPath(): void {
  const proto = LengthPrefixedDecoder.prototype as unknown as { decode: (buf: unknown) => unknown; [installed]?: true }
  if (proto[installed]) return
  const decode = proto.decode
  if (typeof decode !== 'function')
    throw new Error('@libp2p/utils LengthPrefixedDecoder has no decode(); see relay/length-prefix-fast-path.ts')
  proto.decode = function (this: DecoderInternals, buf: unknown) {
    if (!wrapped.has(this)) {
      const lengthOf = this.lengthDecoder
      if (typeof lengthOf !== 'function')
        throw new Error('LengthPrefixedDecoder has no lengthDecoder; see relay/length-prefix-fast-path.ts')
      // The loop waits for a frame of length 0 only if its prefix takes bytes; otherwise (no such
      // decoder in libp2p today) it would take the empty buffer as a frame forever: left as it is.
      if (this.encodingLength(0) > 0) this.lengthDecoder = (data) => (data.byteLength === 0 ? 0 : lengthOf(data))
      wrapped.add(this)
    }
    return decode.call(this, buf)
  }
  proto[installed] = true
}

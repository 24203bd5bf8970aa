/**
 * Lossy encodings of update values. float16 keeps ~3 significant digits (relative error ≤ 2^-11
 * in the normal range); int8 uses one symmetric scale per layer, so each value is off by at most
 * scale / 2 = max|layer| / 254.
 */

const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)

/** IEEE 754 binary16 bits, round to nearest even; finite values beyond ±65504 saturate. */
export function toFloat16Bits(value: number): number {
  f32[0] = value
  const x = u32[0]
  const sign = (x >>> 16) & 0x8000
  const exponent = (x >>> 23) & 0xff
  let mantissa = x & 0x7fffff
  if (exponent === 0xff) return mantissa ? sign | 0x7e00 : sign | 0x7bff
  const e = exponent - 127 + 15
  if (e >= 31) return sign | 0x7bff
  if (e <= 0) {
    if (e < -10) return sign
    mantissa |= 0x800000
    const shift = 14 - e
    let half = mantissa >>> shift
    const rest = mantissa & ((1 << shift) - 1)
    const halfway = 1 << (shift - 1)
    if (rest > halfway || (rest === halfway && half & 1)) half++
    return sign | half
  }
  let half = (e << 10) | (mantissa >>> 13)
  const rest = mantissa & 0x1fff
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++
  if ((half & 0x7fff) >= 0x7c00) return sign | 0x7bff
  return sign | half
}

export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1
  const exponent = (bits >>> 10) & 0x1f
  const mantissa = bits & 0x3ff
  if (exponent === 0) return sign * mantissa * 2 ** -24
  if (exponent === 31) return mantissa ? NaN : sign * Infinity
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15)
}

export function encodeFloat16(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 2)
  for (let i = 0; i < values.length; i++) {
    const h = toFloat16Bits(values[i])
    out[2 * i] = h & 0xff
    out[2 * i + 1] = h >>> 8
  }
  return out
}

export function decodeFloat16(bytes: Uint8Array): Float32Array {
  if (bytes.length % 2 !== 0) throw new RangeError('float16 payload length is odd')
  const out = new Float32Array(bytes.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = fromFloat16Bits(bytes[2 * i] | (bytes[2 * i + 1] << 8))
  return out
}

/** Per-segment symmetric int8; `segments` are the layer sizes in order. */
export function encodeInt8(values: Float32Array, segments: readonly number[]): { bytes: Uint8Array; scales: number[] } {
  const bytes = new Uint8Array(values.length)
  const scales: number[] = []
  let offset = 0
  for (const size of segments) {
    let maxAbs = 0
    for (let i = offset; i < offset + size; i++) maxAbs = Math.max(maxAbs, Math.abs(values[i]))
    // The scale travels as float32; quantise against exactly the value the receiver will see.
    const scale = Math.fround(maxAbs / 127)
    scales.push(scale)
    for (let i = offset; i < offset + size; i++) {
      const q = scale === 0 ? 0 : Math.max(-127, Math.min(127, Math.round(values[i] / scale)))
      bytes[i] = q & 0xff
    }
    offset += size
  }
  return { bytes, scales }
}

export function decodeInt8(bytes: Uint8Array, scales: readonly number[], segments: readonly number[]): Float32Array {
  const out = new Float32Array(bytes.length)
  let offset = 0
  segments.forEach((size, layer) => {
    for (let i = offset; i < offset + size; i++) out[i] = ((bytes[i] << 24) >> 24) * scales[layer]
    offset += size
  })
  return out
}

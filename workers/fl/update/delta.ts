/** Vector arithmetic on flat float32 updates; norms are accumulated in float64. */

export function l2Norm(values: Float32Array): number {
  let sum = 0
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i]
  return Math.sqrt(sum)
}

/** Scales `delta` so its L2 norm is at most `maxNorm` (a copy; the input is untouched). */
export function clipL2(delta: Float32Array, maxNorm: number): { delta: Float32Array; norm: number; clipped: boolean } {
  if (!(maxNorm > 0)) throw new RangeError(`clip norm must be positive, got ${maxNorm}`)
  const norm = l2Norm(delta)
  const out = Float32Array.from(delta)
  if (norm <= maxNorm) return { delta: out, norm, clipped: false }
  const scale = maxNorm / norm
  for (let i = 0; i < out.length; i++) out[i] = delta[i] * scale
  return { delta: out, norm, clipped: true }
}

/** base + delta (a new array). */
export function applyDelta(base: Float32Array, delta: Float32Array): Float32Array {
  if (base.length !== delta.length) throw new RangeError(`length mismatch: ${base.length} vs ${delta.length}`)
  const out = new Float32Array(base.length)
  for (let i = 0; i < base.length; i++) out[i] = base[i] + delta[i]
  return out
}

export function subtract(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length !== b.length) throw new RangeError(`length mismatch: ${a.length} vs ${b.length}`)
  const out = new Float32Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i]
  return out
}

/** The platform's float32 bytes, little-endian on every platform. */
export function float32LE(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
  if (LITTLE_ENDIAN) return bytes
  const out = new Uint8Array(bytes.length)
  for (let i = 0; i < bytes.length; i += 4) {
    out[i] = bytes[i + 3]
    out[i + 1] = bytes[i + 2]
    out[i + 2] = bytes[i + 1]
    out[i + 3] = bytes[i]
  }
  return out
}

export function float32FromLE(bytes: Uint8Array): Float32Array {
  if (bytes.length % 4 !== 0) throw new RangeError('float32 payload length is not a multiple of 4')
  const copy = new Uint8Array(bytes)
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < copy.length; i += 4) {
      const [a, b, c, d] = [copy[i], copy[i + 1], copy[i + 2], copy[i + 3]]
      copy[i] = d
      copy[i + 1] = c
      copy[i + 2] = b
      copy[i + 3] = a
    }
  }
  return new Float32Array(copy.buffer)
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/**
 * Fixed-point encoding into the ring Z_2^32 (uint32 words, arithmetic mod 2^32).
 *
 * Each coordinate is clamped to [-bound, bound] and encoded as round(x · scale) mod 2^32, with
 *   scale = (2^31 − 1 − n) / (n · bound)
 * for a cohort of n clients. A sum of at most n such integers has magnitude below 2^31, so it is
 * read back without wrap-around as a signed int32 and divided by scale. Rounding to nearest puts
 * each client's coordinate within 1/(2·scale) of its clamped value, hence
 *   |decoded sum − Σ clamp(x_i)| ≤ m / (2 · scale)   per coordinate, for m ≤ n summed clients.
 * Example: n = 100, bound = 1 → scale ≈ 2.1·10^7, error ≤ 2.3·10^-6 per coordinate of the sum.
 */

export interface Quantization {
  readonly bound: number
  readonly scale: number
  readonly cohortSize: number
}

export function quantization(bound: number, cohortSize: number): Quantization {
  return { bound, cohortSize, scale: (2 ** 31 - 1 - cohortSize) / (cohortSize * bound) }
}

/** The guaranteed per-coordinate error of a decoded sum of `summed` clients (clamping aside). */
export function sumErrorBound(q: Quantization, summed: number): number {
  return summed / (2 * q.scale)
}

/** Encodes into a fresh ring vector; returns how many coordinates had to be clamped. */
export function encode(values: Float32Array, q: Quantization): { ring: Uint32Array; clamped: number } {
  const ring = new Uint32Array(values.length)
  let clamped = 0
  for (let i = 0; i < values.length; i++) {
    let x = values[i]
    if (x > q.bound || x < -q.bound) {
      x = x > 0 ? q.bound : -q.bound
      clamped++
    }
    // Uint32Array stores ToUint32 of the value, i.e. the integer mod 2^32.
    ring[i] = Math.round(x * q.scale)
  }
  return { ring, clamped }
}

export function decodeSum(ring: Uint32Array, q: Quantization): Float64Array {
  const signed = new Int32Array(ring.buffer, ring.byteOffset, ring.length)
  const out = new Float64Array(ring.length)
  for (let i = 0; i < out.length; i++) out[i] = signed[i] / q.scale
  return out
}

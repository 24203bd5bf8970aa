/** Small conversions between noble's byte arrays, ring vectors and the protons message types. */

/** protons types want Uint8Array<ArrayBuffer>; noble may return views of any buffer. */
export function bytes(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : new Uint8Array(b)
}

export function ringToBytes(ring: Uint32Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(ring.buffer as ArrayBuffer, ring.byteOffset, ring.byteLength)
}

/** A ring vector read from wire bytes (copied when unaligned, as decoded protobuf fields may be). */
export function bytesToRing(b: Uint8Array): Uint32Array {
  if (b.byteOffset % 4 === 0) return new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4)
  return new Uint32Array(b.slice().buffer)
}

export function isStrictlyIncreasing(values: readonly number[]): boolean {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isInteger(values[i]) || values[i] < 0 || (i > 0 && values[i] <= values[i - 1])) return false
  }
  return true
}

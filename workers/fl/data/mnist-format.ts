/**
 * The compact MNIST file at public/data/mnist.bin: one parser for the browser (fetch) and Node (fs).
 *
 * Layout (little-endian):
 *   0  8 bytes  magic "AMMNIST1"
 *   8  u32      sample count
 *  12  u16      rows
 *  14  u16      cols
 *  16  32 bytes SHA-256 of everything after the header (pixels then labels)
 *  48  count*rows*cols bytes of pixels (0..255, row-major, one image after another)
 *   …  count bytes of labels (0..9)
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'

export const MNIST_MAGIC = 'AMMNIST1'
export const MNIST_HEADER_BYTES = 48
export const MNIST_CLASSES = 10

export interface ImageDataset {
  readonly count: number
  readonly rows: number
  readonly cols: number
  /** count*rows*cols pixel intensities, 0..255. */
  readonly pixels: Uint8Array
  /** count labels, 0..9. */
  readonly labels: Uint8Array
  /** Hex SHA-256 of the pixel and label bytes, as stored in the header. */
  readonly sha256: string
}

export type ParseResult = { ok: true; dataset: ImageDataset } | { ok: false; reason: string }

export function encodeMnistBinary(pixels: Uint8Array, labels: Uint8Array, rows: number, cols: number): Uint8Array {
  const count = labels.length
  if (pixels.length !== count * rows * cols) throw new RangeError('pixel count does not match labels × rows × cols')
  const body = new Uint8Array(pixels.length + labels.length)
  body.set(pixels, 0)
  body.set(labels, pixels.length)
  const out = new Uint8Array(MNIST_HEADER_BYTES + body.length)
  const view = new DataView(out.buffer)
  out.set(new TextEncoder().encode(MNIST_MAGIC), 0)
  view.setUint32(8, count, true)
  view.setUint16(12, rows, true)
  view.setUint16(14, cols, true)
  out.set(sha256(body), 16)
  out.set(body, MNIST_HEADER_BYTES)
  return out
}

/** Parses and verifies the file; the returned arrays are views into `bytes`. */
export function parseMnistBinary(bytes: Uint8Array): ParseResult {
  if (bytes.length < MNIST_HEADER_BYTES) return { ok: false, reason: 'file shorter than its header' }
  const magic = new TextDecoder().decode(bytes.subarray(0, 8))
  if (magic !== MNIST_MAGIC) return { ok: false, reason: `bad magic ${JSON.stringify(magic)}` }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const count = view.getUint32(8, true)
  const rows = view.getUint16(12, true)
  const cols = view.getUint16(14, true)
  const expectedLength = MNIST_HEADER_BYTES + count * rows * cols + count
  if (bytes.length !== expectedLength) {
    return { ok: false, reason: `length ${bytes.length} does not match header (${expectedLength})` }
  }
  const body = bytes.subarray(MNIST_HEADER_BYTES)
  const stored = bytesToHex(bytes.subarray(16, 48))
  const actual = bytesToHex(sha256(body))
  if (stored !== actual) return { ok: false, reason: 'SHA-256 mismatch: file is corrupt or truncated' }
  const pixels = body.subarray(0, count * rows * cols)
  const labels = body.subarray(count * rows * cols)
  for (let i = 0; i < count; i++) {
    if (labels[i] >= MNIST_CLASSES) return { ok: false, reason: `label ${labels[i]} at ${i} is out of range` }
  }
  return { ok: true, dataset: { count, rows, cols, pixels, labels, sha256: actual } }
}

/** Browser and worker loading: fetch streams off the main thread when called from a worker. */
export async function fetchMnistBinary(url: string, fetchImpl: typeof fetch = fetch): Promise<ImageDataset> {
  const response = await fetchImpl(url)
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`)
  const parsed = parseMnistBinary(new Uint8Array(await response.arrayBuffer()))
  if (!parsed.ok) throw new Error(`${url}: ${parsed.reason}`)
  return parsed.dataset
}

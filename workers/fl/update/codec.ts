/**
 * A client update in memory and on the wire. The wire form is the protobuf in update.proto,
 * and its bytes are canonical: decodeUpdate accepts only what encodeUpdate would produce for
 * the decoded value, so the SHA-256 of the bytes identifies the update's content.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import type { WeightShape } from '../model/spec'
import { sizeOf, totalSize, type FlatWeights } from '../model/weights'
import { float32FromLE, float32LE } from './delta'
import { decodeFloat16, decodeInt8, encodeFloat16, encodeInt8 } from './quantize'
import { ModelUpdate as ModelUpdateMessage, ValueEncoding } from './update.pb'
import { decodeExact } from '../../protocol/exact-decode'
import { equalBytes } from '../../common/bytes'

export { ValueEncoding }

export interface ClientUpdate {
  readonly round: number
  /** SHA-256 (32 bytes) of the global model this delta applies to. */
  readonly baseModelHash: Uint8Array
  readonly sampleCount: number
  readonly shapes: readonly WeightShape[]
  readonly delta: Float32Array
  /** The L2 bound the client clipped to; 0 when unclipped. */
  readonly clipNorm: number
}

export type Encoding = 'float32' | 'float16' | 'int8'

export const MAX_UPDATE_VALUES = 20_000_000
const MAX_LAYERS = 256

const WIRE: Record<Encoding, ValueEncoding> = { float32: ValueEncoding.FLOAT32, float16: ValueEncoding.FLOAT16, int8: ValueEncoding.INT8 }

export function encodeUpdate(update: ClientUpdate, encoding: Encoding = 'float32'): Uint8Array {
  const segments = update.shapes.map((s) => sizeOf(s.shape))
  if (totalSize(update.shapes) !== update.delta.length) throw new RangeError('delta length does not match its shapes')
  let values: Uint8Array<ArrayBufferLike>
  let scales: number[] = []
  if (encoding === 'float32') values = float32LE(update.delta)
  else if (encoding === 'float16') values = encodeFloat16(update.delta)
  else ({ bytes: values, scales } = encodeInt8(update.delta, segments))
  return ModelUpdateMessage.encode({
    round: BigInt(update.round),
    baseModelHash: new Uint8Array(update.baseModelHash),
    sampleCount: update.sampleCount,
    layers: update.shapes.map((s) => ({ name: s.name, dims: [...s.shape] })),
    encoding: WIRE[encoding],
    values: new Uint8Array(values),
    scales,
    clipNorm: Math.fround(update.clipNorm),
  })
}

export type DecodedUpdate = { ok: true; update: ClientUpdate; encoding: Encoding; hash: string } | { ok: false; reason: string }

/** Validates everything before returning; never throws on bad input. */
export function decodeUpdate(bytes: Uint8Array): DecodedUpdate {
  let message: ModelUpdateMessage
  try {
    message = decodeExact(bytes, ModelUpdateMessage.codec(), { limits: { layers: MAX_LAYERS } })
  } catch (error) {
    return { ok: false, reason: `not a ModelUpdate: ${(error as Error).message}` }
  }
  if (message.round > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: 'round out of range' }
  if (message.baseModelHash.length !== 32) return { ok: false, reason: 'base model hash must be 32 bytes' }
  if (message.sampleCount < 1) return { ok: false, reason: 'sample count must be positive' }
  if (!(message.clipNorm >= 0) || !Number.isFinite(message.clipNorm)) return { ok: false, reason: 'bad clip norm' }
  if (message.layers.length === 0) return { ok: false, reason: 'no layers' }
  const shapes: WeightShape[] = []
  let total = 0
  for (const layer of message.layers) {
    if (layer.dims.length === 0 || layer.dims.length > 4 || layer.dims.some((d) => d < 1))
      return { ok: false, reason: `bad shape for ${layer.name}` }
    const size = layer.dims.reduce((a, b) => a * b, 1)
    total += size
    if (total > MAX_UPDATE_VALUES) return { ok: false, reason: 'update too large' }
    shapes.push({ name: layer.name, shape: layer.dims })
  }
  const segments = shapes.map((s) => sizeOf(s.shape))
  const encoding = (Object.keys(WIRE) as Encoding[]).find((k) => WIRE[k] === message.encoding)
  if (!encoding) return { ok: false, reason: 'unknown encoding' }
  const bytesPerValue = encoding === 'float32' ? 4 : encoding === 'float16' ? 2 : 1
  if (message.values.length !== total * bytesPerValue)
    return { ok: false, reason: `values hold ${message.values.length} bytes, expected ${total * bytesPerValue}` }
  if (encoding === 'int8' ? message.scales.length !== shapes.length : message.scales.length !== 0)
    return { ok: false, reason: 'scales do not match the encoding' }
  if (message.scales.some((s) => !(s >= 0) || !Number.isFinite(s))) return { ok: false, reason: 'bad scale' }
  const delta =
    encoding === 'float32'
      ? float32FromLE(message.values)
      : encoding === 'float16'
        ? decodeFloat16(message.values)
        : decodeInt8(message.values, message.scales, segments)
  for (let i = 0; i < delta.length; i++) if (!Number.isFinite(delta[i])) return { ok: false, reason: `value ${i} is not finite` }
  const update: ClientUpdate = {
    round: Number(message.round),
    baseModelHash: message.baseModelHash,
    sampleCount: message.sampleCount,
    shapes,
    delta,
    clipNorm: message.clipNorm,
  }
  // int8 re-encoding is exact only for the scales it would compute itself; compare the message form instead.
  const canonical = ModelUpdateMessage.encode(message)
  if (!equalBytes(canonical, bytes)) return { ok: false, reason: 'non-canonical encoding' }
  return { ok: true, update, encoding, hash: contentHash(bytes) }
}

/** Hex SHA-256 of an encoded update: its identity for aggregation order, proposals and votes. */
export function contentHash(encoded: Uint8Array): string {
  return bytesToHex(sha256(encoded))
}

/** Hex SHA-256 of a model: layer names and shapes, then float32 little-endian values. */
export function modelHash(weights: FlatWeights): string {
  return bytesToHex(modelHashBytes(weights))
}

export function modelHashBytes(weights: FlatWeights): Uint8Array {
  const h = sha256.create()
  h.update(utf8ToBytes(`agent-mesh/model/v1\n${JSON.stringify(weights.shapes.map((s) => [s.name, [...s.shape]]))}\n`))
  h.update(float32LE(weights.values))
  return h.digest()
}

import { decodeMessage, encodeMessage, type Codec } from 'protons-runtime'
import { equalBytes } from '../common/bytes'

export class NonCanonicalError extends Error {
  override name = 'NonCanonicalError'
}

/**
 * Decodes protobuf bytes and insists they are exactly what our encoder writes for the decoded
 * value. Protobuf itself accepts trailing fields, unknown fields, repeated copies of a field
 * (last wins), padded varints and unpacked arrays; each is a way to make different bytes
 * that mean the same thing, so a signed message could change its bytes (and its gossip id)
 * without touching its signature, and a decoder would quietly ignore what was appended.
 * Every protobuf from the network goes through here and is consumed exactly or refused.
 */
export function decodeExact<T>(bytes: Uint8Array, codec: Codec<T>, options?: { limits?: unknown }): T {
  const value = decodeMessage(bytes, codec, options as never)
  const canonical = encodeMessage(value, codec)
  if (!equalBytes(canonical, bytes)) {
    throw new NonCanonicalError(
      `not the canonical encoding: ${bytes.length} bytes carry ${canonical.length} bytes of known fields (trailing, unknown, duplicated or padded fields)`,
    )
  }
  return value
}

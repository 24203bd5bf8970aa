import { createHash } from 'node:crypto'

/**
 * SHA-256 through node:crypto, synchronous: for gossip message ids (one per received copy),
 * about 5 µs for a small message where WebCrypto's async digest costs 40-80 µs (measured here).
 */
export function nodeSha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest())
}

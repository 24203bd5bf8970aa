import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import type { Logger } from '../log'

/** A message's id in logs: SHA-256 of its envelope bytes, the same on every node that saw it. */
export function messageId(envelopeBytes: Uint8Array): string {
  return bytesToHex(sha256(envelopeBytes))
}

/**
 * The ids that follow one piece of work across nodes. Every log line about it carries them
 * under these names, so `grep <id>` over the relay's and the validators' logs tells its story.
 */
export interface Correlation {
  /** Agent task id. */
  readonly taskId?: string
  /** Federated round number. */
  readonly flRound?: number
  /** BFT height. */
  readonly height?: number
  /** Envelope hash (messageId). */
  readonly msgId?: string
  /** OpenTelemetry trace id, when the work is traced. */
  readonly traceId?: string
}

/** A child logger that stamps the given ids on every line (undefined ids are left out). */
export function correlated(log: Logger, ids: Correlation): Logger {
  return log.child(Object.fromEntries(Object.entries(ids).filter(([, value]) => value !== undefined)))
}

import { sha256 } from '@noble/hashes/sha2.js'
import { encodeMessage } from 'protons-runtime'
import type { SetChange, ValidatorSet } from '../certificate'
import { BeaconRecord } from './beacon.pb'
import type { BftApplication, HeightContext } from './types'
import { equalBytes } from '../../common/bytes'
import { decodeExact } from '../../protocol/exact-decode'
import { decodeSetChangeOrder, orderProblem, setChangeOfOrder } from './set-change-order'

export interface BeaconOptions {
  /** This node's PeerId, written into the records it proposes. */
  readonly selfId: string
  /** The pinned set; with set changes, each height's set comes from the context's chain instead. */
  readonly validators: ValidatorSet
  /**
   * Validator-set changes: admins' signed orders ride in records (one per record). Without this,
   * a record carrying an order is refused.
   */
  readonly setChanges?: {
    readonly chainId: string
    /** The set file's admins' Ed25519 keys. */
    readonly admins: readonly Uint8Array[]
    /** The admin's order waiting on this node, put into the next record it proposes while the chain can take it. */
    pendingOrder(): Uint8Array | null
  }
  /** How long a proposer waits after being asked before it hands over its record: paces the chain. */
  readonly intervalMs?: number
  /** A record's time may be ahead of this node's clock by at most this much. */
  readonly maxFutureMs?: number
  readonly wallNow?: () => number
  readonly sleep?: (ms: number) => Promise<void>
}

export interface DecodedBeacon {
  readonly height: number
  readonly previousValueId: Uint8Array
  readonly proposer: string
  readonly timeMs: number
  /** An encoded SetChangeOrder, or empty. */
  readonly setChange: Uint8Array
}

export function decodeBeacon(value: Uint8Array): DecodedBeacon | string {
  let record: BeaconRecord
  try {
    // Exact: a proposer cannot append or pad fields the validators would silently ignore.
    record = decodeExact(value, BeaconRecord.codec())
  } catch (error) {
    return `not a beacon record: ${(error as Error).message}`
  }
  if (record.height > BigInt(Number.MAX_SAFE_INTEGER) || record.timeMs > BigInt(Number.MAX_SAFE_INTEGER)) return 'number out of range'
  return {
    height: Number(record.height),
    previousValueId: record.previousValueId,
    proposer: record.proposer,
    timeMs: Number(record.timeMs),
    setChange: record.setChange,
  }
}

/** The validator-set change a decided beacon record carries, if any (the chain's setChangeOf). */
export function beaconSetChangeOf(value: Uint8Array): SetChange | null {
  const record = decodeBeacon(value)
  return typeof record === 'string' || record.setChange.length === 0 ? null : setChangeOfOrder(record.setChange)
}

/**
 * The demo application the validators agree on until the federated-learning round plugs in:
 * a beacon chain, one record per height naming the height, the hash of the previous
 * decision, its proposer and the time. Every validator re-checks a proposed record against
 * its own last decision, so a value that does not extend the agreed chain is voted down.
 */
export function createBeaconApplication(
  options: BeaconOptions,
): BftApplication & { explain(context: HeightContext, value: Uint8Array): string | null } {
  const wallNow = options.wallNow ?? Date.now
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  const maxFutureMs = options.maxFutureMs ?? 10_000

  /** Why the record cannot be the value at this height, or null when it can. */
  function explain(context: HeightContext, value: Uint8Array): string | null {
    const record = decodeBeacon(value)
    if (typeof record === 'string') return record
    if (record.height !== context.height) return `record is for height ${record.height}, deciding ${context.height}`
    const set = context.chain?.setAt(context.height) ?? options.validators
    if (set.indexOf(record.proposer) < 0) return `proposer ${record.proposer} is not a validator`
    if (record.setChange.length > 0) {
      if (!options.setChanges || !context.chain) return 'this chain takes no validator-set changes (its set file names no admins)'
      const order = decodeSetChangeOrder(record.setChange)
      if (!order.ok) return order.reason
      const problem = orderProblem(order.order, { ...options.setChanges, chain: context.chain, height: context.height })
      if (problem) return `set change refused: ${problem}`
    }
    if (record.timeMs > wallNow() + maxFutureMs) return 'record time is in the future'
    if (context.previous) {
      if (!equalBytes(record.previousValueId, sha256(context.previous.value))) return 'record does not extend the last decision'
      const previous = decodeBeacon(context.previous.value)
      if (typeof previous !== 'string' && record.timeMs < previous.timeMs) return 'record time is before the previous record'
    } else if (context.height === 1) {
      if (record.previousValueId.length !== 0) return 'the first record names a previous value'
    } else if (record.previousValueId.length !== 32) {
      // This node lost its earlier decisions: it can only check the shape.
      return 'previous value id is not 32 bytes'
    }
    return null
  }

  /** The waiting order when the chain can take it at this height; empty otherwise (it stays waiting). */
  function pendingOrderFor(context: HeightContext): Uint8Array {
    const empty = new Uint8Array(0)
    const bytes = options.setChanges?.pendingOrder()
    if (!bytes || !options.setChanges || !context.chain || context.chain.height !== context.height - 1) return empty
    const order = decodeSetChangeOrder(bytes)
    if (!order.ok || orderProblem(order.order, { ...options.setChanges, chain: context.chain, height: context.height })) return empty
    return bytes
  }

  return {
    explain,
    async proposeValue(context) {
      if (options.intervalMs) await sleep(options.intervalMs)
      const record: BeaconRecord = {
        height: BigInt(context.height),
        previousValueId: (context.previous ? sha256(context.previous.value) : new Uint8Array(0)) as Uint8Array<ArrayBuffer>,
        proposer: options.selfId,
        timeMs: BigInt(wallNow()),
        setChange: pendingOrderFor(context) as Uint8Array<ArrayBuffer>,
      }
      return encodeMessage(record, BeaconRecord.codec())
    },
    async validateValue(context, value) {
      return explain(context, value) === null
    },
  }
}

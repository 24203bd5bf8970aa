import { ed25519 } from '@noble/curves/ed25519.js'
import { encodeMessage } from 'protons-runtime'
import type { SetChange, ValidatorChain } from '../certificate'
import { SetChangeOrder, type SetChangeRequest, type ValidatorJoin } from './set-change.pb'
import { withDomain } from '../../common/domains'
import { equalBytes, hex } from '../../common/bytes'
import { peerIdStringFromPublicKey } from '../../identity/ed25519'
import { decodeExact } from '../../protocol/exact-decode'

/** Heights after the admin's view of the chain during which an order may still be decided. */
export const ORDER_LIFETIME_HEIGHTS = 10_000
/** An order is a few hundred bytes; anything much larger is not one. */
const MAX_ORDER_BYTES = 2048

/** A decoded admin order: the change it asks for and what binds it to one chain, one admin and one moment. */
export interface DecodedSetChangeOrder {
  readonly chainId: string
  readonly change: SetChange
  readonly seenHeight: number
  readonly adminKey: Uint8Array
  readonly signature: Uint8Array
  /** What the signature covers. */
  readonly signedBytes: Uint8Array
}

export type OrderDecodeResult =
  { readonly ok: true; readonly order: DecodedSetChangeOrder } | { readonly ok: false; readonly reason: string }

function orderRecord(chainId: string, change: SetChange, seenHeight: number, adminKey: Uint8Array): SetChangeOrder {
  return {
    chainId,
    add:
      change.kind === 'add'
        ? {
            id: change.validator.id,
            identityKey: change.validator.identityKey as Uint8Array<ArrayBuffer>,
            voteKey: change.validator.voteKey as Uint8Array<ArrayBuffer>,
            possession: change.validator.possession as Uint8Array<ArrayBuffer>,
          }
        : undefined,
    removeId: change.kind === 'remove' ? change.id : '',
    seenHeight: BigInt(seenHeight),
    adminKey: adminKey as Uint8Array<ArrayBuffer>,
    signature: new Uint8Array(0),
  }
}

function signingBytes(record: SetChangeOrder): Uint8Array {
  return withDomain('validatorSetChange', encodeMessage({ ...record, signature: new Uint8Array(0) }, SetChangeOrder.codec()))
}

/**
 * Builds and signs an order. `sign` is the admin's Ed25519 signature (a relay's CA key through
 * WebCrypto, or any other holder of a key the set file lists under admins).
 */
export async function createSetChangeOrder(
  fields: { readonly chainId: string; readonly change: SetChange; readonly seenHeight: number },
  adminKey: Uint8Array,
  sign: (message: Uint8Array) => Promise<Uint8Array>,
): Promise<Uint8Array> {
  const record = orderRecord(fields.chainId, fields.change, fields.seenHeight, adminKey)
  const signature = await sign(signingBytes(record))
  return encodeMessage({ ...record, signature: signature as Uint8Array<ArrayBuffer> }, SetChangeOrder.codec())
}

export function decodeSetChangeOrder(bytes: Uint8Array): OrderDecodeResult {
  if (bytes.length > MAX_ORDER_BYTES) return { ok: false, reason: `order is ${bytes.length} bytes, at most ${MAX_ORDER_BYTES}` }
  let record: SetChangeOrder
  try {
    record = decodeExact(bytes, SetChangeOrder.codec())
  } catch (error) {
    return { ok: false, reason: `not a set-change order: ${(error as Error).message}` }
  }
  if (record.seenHeight > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: 'seen height out of range' }
  if (record.adminKey.length !== 32) return { ok: false, reason: 'admin key is not a 32-byte Ed25519 key' }
  const named = changeOfFields(record)
  if (!named.ok) return named
  const change = named.change
  return {
    ok: true,
    order: {
      chainId: record.chainId,
      change,
      seenHeight: Number(record.seenHeight),
      adminKey: record.adminKey,
      signature: record.signature,
      signedBytes: signingBytes(record),
    },
  }
}

/**
 * The change that an order's or an admin's request's fields name: exactly one of add and
 * remove, the joining identity key bound to its id. Whether the chain can take it is
 * ValidatorChain.changeProblem's to say.
 */
export function changeOfFields(fields: {
  readonly add?: ValidatorJoin
  readonly removeId: string
}): { readonly ok: true; readonly change: SetChange } | { readonly ok: false; readonly reason: string } {
  if ((fields.add !== undefined) === (fields.removeId !== ''))
    return { ok: false, reason: 'an order adds or removes exactly one validator' }
  if (!fields.add) return { ok: true, change: { kind: 'remove', id: fields.removeId } }
  const { id, identityKey, voteKey, possession } = fields.add
  if (identityKey.length !== 32) return { ok: false, reason: 'the joining identity key is not 32 bytes' }
  if (peerIdStringFromPublicKey(identityKey) !== id) return { ok: false, reason: `id ${id} does not belong to the joining identity key` }
  return { ok: true, change: { kind: 'add', validator: { id, identityKey, voteKey, possession } } }
}

/** An admin's request for `change` on `chainId` (`bft.setchange.request`; see SetChangeDesk.request on the relay). */
export function setChangeRequestOf(chainId: string, change: SetChange): SetChangeRequest {
  if (change.kind === 'remove') return { chainId, removeId: change.id }
  const { id, identityKey, voteKey, possession } = change.validator
  return {
    chainId,
    add: {
      id,
      identityKey: identityKey as Uint8Array<ArrayBuffer>,
      voteKey: voteKey as Uint8Array<ArrayBuffer>,
      possession: possession as Uint8Array<ArrayBuffer>,
    },
    removeId: '',
  }
}

/** One validator-set change order as a relay serves it to admins' pages (`/api/consensus/orders`): no bytes. */
export interface ChangeOrderSummary {
  readonly id: number
  readonly change: string
  readonly state: string
  readonly reason: string | null
  readonly createdMs: number
  readonly resolvedHeight: number | null
}

/** The change an encoded order carries, without judging it (decided values were judged by a quorum). */
export function setChangeOfOrder(bytes: Uint8Array): SetChange | null {
  const decoded = decodeSetChangeOrder(bytes)
  return decoded.ok ? decoded.order.change : null
}

export interface OrderRules {
  readonly chainId: string
  /** Ed25519 keys allowed to order set changes: the pinned set file's admins. */
  readonly admins: readonly Uint8Array[]
  /** Recorded up to `height - 1`. */
  readonly chain: ValidatorChain
  /** The height whose value would carry the order. */
  readonly height: number
}

/**
 * Why `order` cannot be decided at `rules.height` (null: it can). Single use without a nonce
 * store: an order is stale once any set change is decided after the height its admin saw, so the
 * order that was decided can never be replayed, and neither can one signed before it.
 */
export function orderProblem(order: DecodedSetChangeOrder, rules: OrderRules): string | null {
  if (order.chainId !== rules.chainId) return `the order is for chain ${order.chainId}, not ${rules.chainId}`
  if (!rules.admins.some((key) => equalBytes(key, order.adminKey)))
    return `admin key ${hex(order.adminKey).slice(0, 16)}… is not among the set file's admins`
  let signed = false
  try {
    signed = ed25519.verify(order.signature, order.signedBytes, order.adminKey)
  } catch {
    signed = false
  }
  if (!signed) return "the admin's signature does not verify"
  if (order.seenHeight >= rules.height) return `the order saw height ${order.seenHeight}, which is not decided before ${rules.height}`
  if (rules.height > order.seenHeight + ORDER_LIFETIME_HEIGHTS)
    return `the order expired: signed at height ${order.seenHeight}, valid for ${ORDER_LIFETIME_HEIGHTS} heights`
  const last = rules.chain.lastChange()
  if (last && last.decidedAt > order.seenHeight)
    return `stale: a set change was decided at height ${last.decidedAt}, after the order was signed (at ${order.seenHeight})`
  return rules.chain.changeProblem(order.change)
}

/** One line for logs, audit entries and the CLI. */
export function describeChange(change: SetChange): string {
  return change.kind === 'add' ? `add ${change.validator.id}` : `remove ${change.id}`
}

import { bytesToHex } from '@noble/hashes/utils.js'
import type { SqliteConsensusStore } from './consensus-store'
import type { AuditFields } from '../workers/security/audit/entry'
import type { Logger } from '../workers/log'
import {
  changeOfFields,
  createSetChangeOrder,
  decodeBeacon,
  decodeSetChangeOrder,
  describeChange,
  orderProblem,
  type AdapterDecision,
  type ConsensusAdapter,
} from '../workers/consensus/adapter'
import type { SetChangeRequest } from '../workers/consensus/adapter/set-change.pb'
import type { SetChange, ValidatorChain } from '../workers/consensus/certificate'
import { equalBytes } from '../workers/common/bytes'

/** How often the relay looks for orders the admin CLI wrote to the data dir. */
export const ORDER_POLL_MS = 1000

function changeDetails(change: SetChange) {
  return change.kind === 'add'
    ? { kind: 'add', id: change.validator.id, identityKey: bytesToHex(change.validator.identityKey) }
    : { kind: 'remove', id: change.id }
}

/** The key an admin relay signs orders with (its CA key, listed under the set file's admins). */
export interface OrderAuthority {
  readonly publicKey: Uint8Array
  sign(message: Uint8Array): Promise<Uint8Array>
}

/**
 * Checks one change against the chain as this validator relay has it, signs it as an order with
 * the relay's admin key and queues it in consensus.sqlite, where the running relay picks it up
 * and proposes it: what `validators add/remove` does, and what an admin's request from the PWA
 * does (SetChangeDesk.request). Throws with the reason it cannot be queued.
 */
export async function queueSetChangeOrder(o: {
  readonly store: SqliteConsensusStore
  readonly chainId: string
  readonly chain: ValidatorChain
  readonly selfId: string
  readonly authority: OrderAuthority
  readonly change: SetChange
  readonly nowMs: number
}): Promise<{ readonly id: number; readonly summary: string; readonly seenHeight: number }> {
  const { chain, change } = o
  const next = chain.height + 1
  if (chain.setAt(next)!.indexOf(o.selfId) < 0)
    throw new Error(`this relay (${o.selfId}) is not a validator at height ${next}, so it never proposes: use a validator's data dir`)
  const last = chain.lastChange()
  if (last && last.from > next)
    throw new Error(
      `the last change (${describeChange(last.change)}, decided at height ${last.decidedAt}) takes effect at height ${last.from}: one change at a time, try again then`,
    )
  const problem = chain.changeProblem(change)
  if (problem) throw new Error(problem)
  const bytes = await createSetChangeOrder({ chainId: o.chainId, change, seenHeight: chain.height }, o.authority.publicKey, (message) =>
    o.authority.sign(message),
  )
  const summary = describeChange(change)
  return { id: o.store.addOrder(bytes, summary, o.nowMs), summary, seenHeight: chain.height }
}

/**
 * A validator relay's side of live set changes: hands the admin's waiting order (from the
 * `validators` CLI, in consensus.sqlite) to the beacon application when this relay proposes,
 * audits each order when it sees it and each change when it is decided, lets an added
 * validator's messages through RBAC, and retires orders that were decided or can never be.
 */
type PendingOrder = NonNullable<ReturnType<SqliteConsensusStore['pendingOrder']>>

export class SetChangeDesk {
  private adapter: ConsensusAdapter | null = null
  /** The order and chain height last judged: an order's fate changes only with the chain. */
  private judged = { order: -1, height: -1 }
  private timer: ReturnType<typeof setInterval> | null = null
  /** Orders whose request this run has audited (or is auditing). */
  private readonly requestsAudited = new Set<number>()

  constructor(
    private readonly deps: {
      readonly store: SqliteConsensusStore
      readonly chainId: string
      readonly admins: readonly Uint8Array[]
      readonly peerId: string
      readonly log: Logger
      audit(fields: AuditFields): Promise<unknown>
      admitValidators(identityKeys: readonly Uint8Array[]): void
      /** This relay's admin key, when it is among the admins: admins' requests from the PWA are ordered with it. */
      readonly authority?: OrderAuthority
    },
  ) {}

  /**
   * An admin's request from the PWA (`bft.setchange.request`, which RBAC lets through from
   * admins only): queued as an order signed with this relay's admin key, through the CLI's
   * checks, and audited with the admin as its actor. A request for another chain, or one this
   * relay cannot order (no admin key of the chain's), is left to the relays that can.
   */
  async request(request: SetChangeRequest, admin: string): Promise<{ readonly queued: number } | { readonly refused: string } | null> {
    const { authority, chainId, store, log } = this.deps
    const chain = this.adapter?.chain
    if (request.chainId !== chainId || !authority || !chain) return null
    if (!this.deps.admins.some((key) => equalBytes(key, authority.publicKey))) return null
    const named = changeOfFields(request)
    let outcome: { queued: number } | { refused: string }
    let summary = named.ok ? describeChange(named.change) : 'unreadable change'
    try {
      if (!named.ok) throw new Error(named.reason)
      const queued = await queueSetChangeOrder({
        store,
        chainId,
        chain,
        selfId: this.deps.peerId,
        authority,
        change: named.change,
        nowMs: Date.now(),
      })
      summary = queued.summary
      outcome = { queued: queued.id }
    } catch (error) {
      outcome = { refused: (error as Error).message }
    }
    const details = named.ok ? changeDetails(named.change) : {}
    if ('queued' in outcome) {
      this.requestsAudited.add(outcome.queued)
      await this.deps.audit({
        event: 'validator.change',
        actor: admin,
        subject: `${chainId} ${summary}`,
        details: { stage: 'requested', order: outcome.queued, via: 'pwa', ...details },
      })
      store.markOrderAudited(outcome.queued)
      log.info(
        { order: outcome.queued, change: summary, admin },
        "validator-set change requested by an admin's page; proposed when this relay proposes",
      )
    } else {
      await this.deps.audit({
        event: 'validator.change',
        actor: admin,
        subject: `${chainId} ${summary}`,
        details: { stage: 'refused', via: 'pwa', reason: outcome.refused, ...details },
      })
      log.warn({ change: summary, admin, reason: outcome.refused }, "an admin's validator-set change request refused")
    }
    return outcome
  }

  /** For the beacon application: the order waiting here, if any. */
  pendingOrder(): Uint8Array | null {
    return this.deps.store.pendingOrder()?.order ?? null
  }

  start(adapter: ConsensusAdapter): void {
    this.adapter = adapter
    adapter.onDecision((decision) => void this.decided(decision).catch((err) => this.failed(err)))
    this.timer = setInterval(() => void this.poll().catch((err) => this.failed(err)), ORDER_POLL_MS)
    void this.poll().catch((err) => this.failed(err))
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  private failed(err: unknown): void {
    this.deps.log.error({ err: (err as Error).message }, 'validator-set change bookkeeping failed')
  }

  /** Audits a newly written order, and refuses one the chain can never take (stale, expired, not an admin's). */
  async poll(): Promise<void> {
    const waiting = this.deps.store.pendingOrder()
    const chain = this.adapter?.chain
    if (!waiting || !chain) return
    const decoded = decodeSetChangeOrder(waiting.order)
    await this.auditRequest(waiting)
    // While another change is still taking effect the order only waits.
    const last = chain.lastChange()
    if (last && last.from > chain.height + 1) return
    if (this.judged.order === waiting.id && this.judged.height === chain.height) return
    this.judged = { order: waiting.id, height: chain.height }
    const problem = decoded.ok
      ? orderProblem(decoded.order, { chainId: this.deps.chainId, admins: this.deps.admins, chain, height: chain.height + 1 })
      : decoded.reason
    if (problem) await this.retire(waiting.id, waiting.summary, 'refused', chain.height, problem)
  }

  private async decided(decision: AdapterDecision): Promise<void> {
    if (!decision.setChange) return
    const { change, from } = decision.setChange
    if (change.kind === 'add') this.deps.admitValidators([change.validator.identityKey])
    this.deps.log.info({ height: decision.height, from, change: describeChange(change) }, 'validator set changes')
    const waiting = this.deps.store.pendingOrder()
    const record = decodeBeacon(decision.value)
    const ours = waiting && typeof record !== 'string' && equalBytes(record.setChange, waiting.order) ? waiting : null
    // An order can be proposed and decided before the next poll sees it: its request is still audited, first.
    if (ours) await this.auditRequest(ours)
    await this.deps.audit({
      event: 'validator.change',
      actor: this.deps.peerId,
      subject: `${this.deps.chainId} ${describeChange(change)}`,
      details: { stage: 'decided', height: decision.height, from, ...changeDetails(change) },
    })
    if (ours) await this.retire(ours.id, ours.summary, 'decided', decision.height, null)
  }

  /** Audits an admin's order as requested, once (the poll and a decision may both get to it first). */
  private async auditRequest(waiting: PendingOrder): Promise<void> {
    if (waiting.audited || this.requestsAudited.has(waiting.id)) return
    this.requestsAudited.add(waiting.id)
    const decoded = decodeSetChangeOrder(waiting.order)
    await this.deps.audit({
      event: 'validator.change',
      actor: 'cli',
      subject: `${this.deps.chainId} ${waiting.summary}`,
      details: { stage: 'requested', order: waiting.id, ...(decoded.ok ? changeDetails(decoded.order.change) : {}) },
    })
    this.deps.store.markOrderAudited(waiting.id)
    this.deps.log.info({ order: waiting.id, change: waiting.summary }, 'validator-set change requested; proposed when this relay proposes')
  }

  private async retire(id: number, summary: string, state: 'decided' | 'refused', height: number, reason: string | null): Promise<void> {
    this.deps.store.resolveOrder(id, state, height, reason)
    if (state === 'refused') {
      this.deps.log.warn({ order: id, change: summary, reason }, 'validator-set change order refused')
      await this.deps.audit({
        event: 'validator.change',
        actor: this.deps.peerId,
        subject: `${this.deps.chainId} ${summary}`,
        details: { stage: 'refused', order: id, reason },
      })
    }
  }
}

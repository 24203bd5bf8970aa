import { bytesToHex } from '@noble/hashes/utils.js'
import {
  createBftNode,
  decodeBftMessage,
  encodeBftMessage,
  type BftEvent,
  type BftMessage,
  type Outbound,
  type BftNode,
  type BftStatus,
  type BftTimeouts,
  type StepResult,
} from '../bft'
import {
  bitmapSigners,
  decodeCertificate,
  encodeCertificate,
  ValidatorChain,
  type SetChange,
  type SignatureScheme,
  type ValidatorSet,
  type ValidatorSigner,
} from '../certificate'
import type { Logger } from '../../log'
import { peerIdStringFromPublicKey } from '../../identity/ed25519'
import { decodePersistedState, encodePersistedState } from './state-codec'
import type { AdapterClock, AdapterDecision, BftApplication, BftTransport, ConsensusObserver, ConsensusStore, HeightContext } from './types'
import type { BatchVerifier } from '../../protocol/verify'
import { PreverifiedSignatures } from './preverified'

export interface ConsensusAdapterOptions {
  readonly chainId: string
  /** The set deciding height 1 (with membership: the pinned set, from which every later set is derived). */
  readonly validators: ValidatorSet
  /**
   * Validator-set changes decided by consensus: how a decided value names its change. The
   * adapter then derives each height's set from the stored decisions (replayed at start from
   * the pinned set), accepts messages from the sets around its height, and reports each
   * decided change with its decision. Without it the set is fixed.
   */
  readonly membership?: { setChangeOf(value: Uint8Array): SetChange | null }
  /** This node's id; needed when it is not (yet) in the pinned set, to follow until a change adds it. */
  readonly selfId?: string
  readonly signer: ValidatorSigner
  readonly scheme: SignatureScheme
  readonly transport: BftTransport
  readonly store: ConsensusStore
  readonly application: BftApplication
  readonly log: Logger
  readonly timeouts?: Partial<BftTimeouts>
  readonly clock?: AdapterClock
  /** Received messages waiting to be stepped beyond this are dropped (the core's re-sends recover them). */
  readonly maxQueuedMessages?: number
  /** Sees every message sent and received and every decision (tracing and metrics). */
  readonly observer?: ConsensusObserver
  /**
   * An asynchronous Ed25519 verifier (a browser's crypto worker) that checks each received
   * proposal's and vote's signatures before the core sees them, so the core's own synchronous
   * check (pure JS on a page) is skipped for those that verified (see PreverifiedSignatures).
   */
  readonly preverify?: BatchVerifier
}

export const adapterRejectReasons = ['not-a-validator', 'undecodable', 'refused', 'overloaded'] as const
export type AdapterRejectReason = (typeof adapterRejectReasons)[number]

export interface AdapterStats {
  readonly status: BftStatus
  readonly decisions: number
  /** Messages this node handed to the transport. */
  readonly published: number
  /** Messages from other validators stepped into the core. */
  readonly received: number
  /** Stored decisions sent to validators catching up. */
  readonly served: number
  /** Other validators' messages the core asked to forward to a laggard, not published (see send). */
  readonly forwardsSkipped: number
  /** Conflicting signed messages seen from one validator: proof it is Byzantine (or lost its disk). */
  readonly equivocations: number
  readonly rejected: Record<AdapterRejectReason, number>
  readonly queued: number
  readonly lastDecision: { readonly height: number; readonly valueId: string; readonly decidedAtMs: number } | null
  /** The highest height named by a message from another validator: more than one above status.height means this node is catching up. */
  readonly highestSeenHeight: number
  /** Signatures the core took as checked by `preverify` instead of checking them itself. */
  readonly signaturesPreverified: number
  /** Catch-up requests this node sent (it was far behind with nothing signed to show). */
  readonly catchUpRequests: number
  /** The set deciding the current height: its size and whether this node votes in it. */
  readonly validators: number
  readonly member: boolean
  /** The validator-set change decided last, and the height from which it applies (null: none, or no membership). */
  readonly setChange: { readonly kind: 'add' | 'remove'; readonly id: string; readonly decidedAt: number; readonly from: number } | null
}

export const systemClock: AdapterClock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  setTimer(ms, run) {
    const timer = setTimeout(run, ms)
    return () => clearTimeout(timer)
  },
}

type QueuedEvent = BftEvent | { readonly type: 'clock' }
type CommitMessage = Extract<BftMessage, { kind: 'commit' }>

/** Decided heights sent per catch-up answer, and how far ahead commits are held for a lagging core. */
const CATCH_UP_BATCH = 16
const MAX_HELD_HEIGHTS = 4 * CATCH_UP_BATCH
const SERVE_INTERVAL_MS = 500
/** A node far behind asks for stored decisions after this long without a decision, doubling up to the cap while unanswered. */
const CATCH_UP_ASK_MS = SERVE_INTERVAL_MS
const CATCH_UP_ASK_MAX_MS = 30_000
/** Stored decisions read per batch when the validator chain is replayed at start. */
const REPLAY_BATCH = 512

/**
 * Runs one validator's BFT core against the real world: messages from the transport (after
 * checking that their sender is a validator), ticks from a real clock at the core's wakeAt,
 * values and validity verdicts from the application, and its persistence written before any
 * of a step's messages leave. Events are stepped one at a time, in arrival order.
 *
 * No Node-only imports: browsers run it with their own transport and store.
 */
export class ConsensusAdapter {
  private readonly listeners = new Set<(decision: AdapterDecision) => void>()
  /** Envelope senders accepted: validators of the sets around the current height, by identity key (hex). */
  private validatorByKey: Map<string, string>
  private readonly selfId: string
  private readonly clock: AdapterClock
  private readonly queue: QueuedEvent[] = []
  private draining = false
  private idle: Promise<void> = Promise.resolve()
  private stopped = false
  private cancelTimer: (() => void) | null = null
  private unsubscribe: (() => void) | null = null
  private lastTick = 0
  private previous: HeightContext['previous'] = null
  private lastDecisionInfo: AdapterStats['lastDecision'] = null
  private highestSeenHeight = 0
  private counters = { decisions: 0, published: 0, received: 0, served: 0, equivocations: 0, forwardsSkipped: 0, catchUpRequests: 0 }
  /** Commits for heights the core has not reached, by height and sender, fed to it in order. */
  private readonly heldCommits = new Map<number, Map<string, CommitMessage>>()
  private readonly servedAt = new Map<string, number>()
  /** When this node last asked for stored decisions, and how long it waits before asking again. */
  private catchUp = { askedAt: -Infinity, waitMs: CATCH_UP_ASK_MS, progressAt: 0 }
  private unsubscribeCatchUp: (() => void) | null = null
  private readonly rejected = Object.fromEntries(adapterRejectReasons.map((r) => [r, 0])) as Record<AdapterRejectReason, number>

  /** Received messages whose signatures `preverify` is checking, in arrival order. */
  private preverifying = 0
  private inArrivalOrder: Promise<void> = Promise.resolve()

  private constructor(
    private readonly options: ConsensusAdapterOptions,
    private readonly node: BftNode,
    /** With membership: the set of every height, recorded by the core as it decides. */
    readonly chain: ValidatorChain | null,
    private readonly preverified: PreverifiedSignatures | null,
  ) {
    this.clock = options.clock ?? systemClock
    this.validatorByKey = this.knownSenders()
    this.selfId = options.selfId ?? this.validatorByKey.get(bytesToHex(options.signer.identityKey))!
  }

  /** The set deciding `height` (the pinned one without membership). */
  setAt(height: number): ValidatorSet | null {
    return this.chain ? this.chain.setAt(height) : this.options.validators
  }

  /**
   * Validators of the previous, current and newest known sets: a removed validator's messages
   * still count for the heights it decides, and an added one's from the moment its set is known.
   */
  private knownSenders(): Map<string, string> {
    const height = this.node.status().height
    const sets = this.chain
      ? [height - 1, height, this.chain.height + this.chain.delay].map((h) => this.chain!.setAt(h)).filter((s) => s !== null)
      : [this.options.validators]
    return new Map(sets.flatMap((set) => set.validators.map((v) => [bytesToHex(v.identityKey), v.id] as const)))
  }

  /** Every validator of every set this node knows: the keys RBAC must let send consensus messages. */
  knownValidatorKeys(): Uint8Array[] {
    const keys = new Map<string, Uint8Array>()
    const sets = [this.options.validators]
    if (this.chain) for (let h = this.chain.pinnedFrom; h <= this.chain.height + this.chain.delay; h++) sets.push(this.chain.setAt(h)!)
    for (const set of new Set(sets)) for (const v of set.validators) keys.set(bytesToHex(v.identityKey), v.identityKey)
    return [...keys.values()]
  }

  /** Restores the persisted state (or starts after the last stored decision), subscribes and starts ticking. */
  static async start(options: ConsensusAdapterOptions): Promise<ConsensusAdapter> {
    const clock = options.clock ?? systemClock
    const [stateBytes, lastDecision] = await Promise.all([options.store.loadState(), options.store.lastDecision()])
    let restored
    if (stateBytes) {
      const decoded = decodePersistedState(stateBytes)
      if (!decoded.ok)
        throw new Error(`stored consensus state is damaged (${decoded.reason}); move it aside to start over from the last decision`)
      restored = decoded.state
    }
    const chain = options.membership
      ? await replayValidatorChain({ ...options, setChangeOf: options.membership.setChangeOf }, lastDecision?.height ?? 0)
      : null
    const preverified = options.preverify ? new PreverifiedSignatures(options.preverify, options.chainId) : null
    const node = createBftNode({
      membership: chain && options.membership ? { chain, setChangeOf: options.membership.setChangeOf } : undefined,
      chainId: options.chainId,
      validators: options.validators,
      signer: options.signer,
      scheme: preverified ? preverified.scheme(options.scheme) : options.scheme,
      now: clock.now(),
      startHeight: (lastDecision?.height ?? 0) + 1,
      timeouts: options.timeouts,
      restored,
    })
    const adapter = new ConsensusAdapter(options, node, chain, preverified)
    if (!adapter.selfId) throw new Error('this node is not in the validator set; pass selfId to follow the chain until a change adds it')
    if (lastDecision) {
      adapter.previous = { height: lastDecision.height, value: lastDecision.value }
      adapter.lastDecisionInfo = { height: lastDecision.height, valueId: '', decidedAtMs: lastDecision.decidedAtMs }
    }
    adapter.unsubscribe = options.transport.subscribe((payload, sender, traceparent) => adapter.deliver(payload, sender, traceparent))
    adapter.unsubscribeCatchUp =
      options.transport.subscribeCatchUp?.((fromHeight, sender) => adapter.answerCatchUp(fromHeight, sender)) ?? null
    adapter.catchUp.progressAt = clock.now()
    options.log.info(
      {
        height: node.status().height,
        round: node.status().round,
        restored: restored !== undefined,
        validators: adapter.setAt(node.status().height)?.validators.length,
        member: node.status().index >= 0,
      },
      'consensus started',
    )
    adapter.push({ type: 'clock' })
    return adapter
  }

  get id(): string {
    return this.selfId
  }

  onDecision(listener: (decision: AdapterDecision) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  stats(): AdapterStats {
    const status = this.node.status()
    const last = this.chain?.lastChange() ?? null
    return {
      validators: this.setAt(status.height)?.validators.length ?? 0,
      member: status.index >= 0,
      setChange: last
        ? {
            kind: last.change.kind,
            id: last.change.kind === 'add' ? last.change.validator.id : last.change.id,
            decidedAt: last.decidedAt,
            from: last.from,
          }
        : null,
      status: this.node.status(),
      ...this.counters,
      rejected: { ...this.rejected },
      queued: this.queue.length,
      lastDecision: this.lastDecisionInfo,
      highestSeenHeight: this.highestSeenHeight,
      signaturesPreverified: this.preverified?.hits ?? 0,
    }
  }

  async stop(): Promise<void> {
    this.halt()
    await this.idle
  }

  private halt(): void {
    this.stopped = true
    this.cancelTimer?.()
    this.unsubscribe?.()
    this.unsubscribeCatchUp?.()
    this.queue.length = 0
  }

  private deliver(payload: Uint8Array, senderPublicKey: Uint8Array, traceparent?: string): void {
    if (this.stopped) return
    // Any validator may forward another's signed message (re-sends to laggards do), so the
    // envelope must come from a validator, while each proposal and vote carries its own signer's signature.
    const from = this.validatorByKey.get(bytesToHex(senderPublicKey))
    if (!from) return this.reject('not-a-validator', 'sender is not in the validator set')
    if (from === this.selfId) return
    const decoded = decodeBftMessage(payload)
    if (!decoded.ok) return this.reject('undecodable', decoded.reason, from)
    if (this.queue.length + this.preverifying >= (this.options.maxQueuedMessages ?? 10_000))
      return this.reject('overloaded', 'too many messages waiting', from)
    const message = decoded.message
    this.highestSeenHeight = Math.max(this.highestSeenHeight, message.kind === 'commit' ? message.certificate.height : message.height)
    this.observe(() => this.options.observer?.received(message, traceparent))
    const height = this.node.status().height
    if (message.kind === 'commit' && message.certificate.height > height) return this.hold(from, message, height)
    if (message.kind !== 'commit' && message.height < height - 1) this.serve(from, message.height)
    this.receive(from, message)
  }

  /** Steps a received message, after `preverify` has checked its signatures (keeping arrival order) when there is one. */
  private receive(from: string, message: BftMessage): void {
    const set = this.preverified && message.kind !== 'commit' ? this.setAt(message.height) : null
    if (!this.preverified || !set) return this.push({ type: 'receive', from, message })
    this.preverifying++
    const checked = this.preverified.confirm(message, set).catch((error) => {
      // The core checks the signatures itself then: slower, never less safe.
      this.options.log.debug({ err: error }, 'signature pre-check failed')
    })
    this.inArrivalOrder = Promise.all([this.inArrivalOrder, checked]).then(() => {
      this.preverifying--
      this.push({ type: 'receive', from, message })
    })
  }

  /**
   * Catch-up beyond the core's own: the core answers a validator one height behind with that
   * height's commit, from the few it remembers. One further behind (restarted after a long
   * outage) gets a batch of decisions from the store, from f+1 designated validators (at
   * least one honest), and holds them until its core reaches each height; every commit
   * carries its certificate, which the core verifies before deciding on it.
   */
  private serve(to: string, fromHeight: number, limit = CATCH_UP_BATCH): void {
    const set = this.setAt(this.node.status().height) ?? this.options.validators
    const n = set.validators.length
    const mine = set.indexOf(this.selfId)
    const theirs = set.indexOf(to)
    // A follower outside the set (a validator about to be added) is served by the first f + 1 members.
    const distance = theirs < 0 ? mine + 1 : (mine - theirs + n) % n
    if (mine < 0 || distance < 1 || distance > set.maxFaulty + 1) return
    const now = this.clock.now()
    const last = this.servedAt.get(to)
    if (last !== undefined && now - last < SERVE_INTERVAL_MS) return
    if (this.servedAt.size > 4 * n) this.servedAt.clear()
    this.servedAt.set(to, now)
    this.options.store.decisionsFrom(fromHeight, limit).then(
      (records) => {
        const commits: BftMessage[] = []
        for (const record of records) {
          const certificate = decodeCertificate(record.certificate)
          if (certificate.ok) commits.push({ kind: 'commit', certificate: certificate.certificate, value: record.value })
        }
        this.counters.served += commits.length
        this.publish(commits)
      },
      (error) => this.options.log.warn({ err: error }, 'could not read stored decisions for a validator catching up'),
    )
  }

  /**
   * A catch-up request: the inbound gate let it through only from a holder of the validator
   * role; stored decisions are certified and public, so a follower not yet in the set is served
   * too (by the first f + 1 members), rate-limited per requester like any catch-up.
   */
  private answerCatchUp(fromHeight: number, senderPublicKey: Uint8Array): void {
    if (this.stopped || senderPublicKey.length !== 32) return
    const from = this.validatorByKey.get(bytesToHex(senderPublicKey)) ?? peerIdStringFromPublicKey(senderPublicKey)
    if (from === this.selfId || fromHeight >= this.node.status().height) return
    // As many as the asker holds ahead of its height: it asked because it is far behind.
    this.serve(from, fromHeight, MAX_HELD_HEIGHTS)
  }

  /**
   * Asks for stored decisions when others are deciding heights ahead and this node has decided
   * nothing for a while: it may have nothing signed at its height to show (just added, or back
   * after an outage longer than the others' memory), so nobody would otherwise answer it.
   */
  private maybeAskForCatchUp(): void {
    const transport = this.options.transport
    if (!transport.requestCatchUp) return
    const now = this.clock.now()
    const height = this.node.status().height
    if (this.highestSeenHeight <= height + 1 || now - this.catchUp.progressAt < CATCH_UP_ASK_MS) return
    if (now - this.catchUp.askedAt < this.catchUp.waitMs) return
    this.catchUp.waitMs = this.catchUp.askedAt === -Infinity ? CATCH_UP_ASK_MS : Math.min(CATCH_UP_ASK_MAX_MS, this.catchUp.waitMs * 2)
    this.catchUp.askedAt = now
    this.counters.catchUpRequests++
    transport.requestCatchUp(height).catch((error) => this.options.log.warn({ err: error }, 'catch-up request not sent'))
  }

  private hold(from: string, commit: CommitMessage, coreHeight: number): void {
    const height = commit.certificate.height
    if (height > coreHeight + MAX_HELD_HEIGHTS) return
    let bySender = this.heldCommits.get(height)
    if (!bySender) this.heldCommits.set(height, (bySender = new Map()))
    bySender.set(from, commit)
  }

  /** Puts the held commits for the core's height at the front of the queue (the core verifies them). */
  private feedHeldCommits(): void {
    const height = this.node.status().height
    for (const h of this.heldCommits.keys()) if (h < height) this.heldCommits.delete(h)
    const held = this.heldCommits.get(height)
    if (!held) return
    this.heldCommits.delete(height)
    for (const [from, message] of held) this.queue.unshift({ type: 'receive', from, message })
  }

  private reject(reason: AdapterRejectReason, detail: string, from?: string): void {
    this.rejected[reason]++
    this.options.log.debug({ reason, detail, from }, 'consensus message rejected')
  }

  private push(event: QueuedEvent): void {
    if (this.stopped) return
    this.queue.push(event)
    if (!this.draining) {
      this.draining = true
      this.idle = this.drain()
    }
  }

  /** The flag drops in the same turn the queue is found empty, so an event pushed right after always starts a new drain. */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.stopped) {
        const next = this.queue.shift()!
        try {
          await this.handle(next)
        } catch (error) {
          // Storage failed: nothing of this step was sent, and going on could make this node
          // sign twice after a restart. Stop and say so.
          this.options.log.error({ err: error }, 'consensus stopped: could not persist its state')
          this.halt()
        }
      }
    } finally {
      this.draining = false
    }
  }

  private async handle(queued: QueuedEvent): Promise<void> {
    let event: BftEvent
    if (queued.type === 'clock') {
      this.lastTick = Math.max(this.lastTick, this.clock.now())
      event = { type: 'tick', now: this.lastTick }
      this.maybeAskForCatchUp()
    } else event = queued
    if (event.type === 'receive') this.counters.received++
    const result = this.node.step(event)
    if (!result.ok) {
      if (event.type === 'receive') this.reject('refused', result.reason ?? 'refused', event.from)
      else this.options.log.warn({ event: event.type, reason: result.reason }, 'consensus refused a local event')
    }
    for (const proof of result.equivocations) {
      this.counters.equivocations++
      const id = this.setAt(proof.first.height)?.validators[proof.validator]?.id
      this.options.log.warn(
        { validator: id, height: proof.first.height, round: proof.first.round, kind: proof.first.kind },
        'validator equivocated',
      )
    }
    await this.persist(result)
    this.send(result.messages)
    for (const request of result.validate) void this.judge(request.height, request.valueId, request.value)
    if (result.needValue !== null) void this.supplyValue(result.needValue)
    if (result.decisions.length > 0) {
      this.catchUp = { askedAt: -Infinity, waitMs: CATCH_UP_ASK_MS, progressAt: this.clock.now() }
      this.validatorByKey = this.knownSenders()
      this.feedHeldCommits()
    }
    this.schedule(result.wakeAt)
  }

  /** Decisions before state, both before any message: after a crash the store never lags what others saw. */
  private async persist(result: StepResult): Promise<void> {
    for (const decision of result.decisions) {
      const decidedAtMs = this.clock.wallNow()
      await this.options.store.saveDecision({
        height: decision.height,
        round: decision.certificate.round,
        value: decision.value,
        certificate: encodeCertificate(decision.certificate),
        decidedAtMs,
      })
      this.previous = { height: decision.height, value: decision.value }
      this.counters.decisions++
      this.lastDecisionInfo = { height: decision.height, valueId: bytesToHex(decision.certificate.valueId), decidedAtMs }
      const signers = bitmapSigners(decision.certificate.signers, this.setAt(decision.height)?.validators.length ?? 0)
      const signerCount = Array.isArray(signers) ? signers.length : 0
      this.observe(() =>
        this.options.observer?.decided({ height: decision.height, round: decision.certificate.round, signers: signerCount }),
      )
      this.options.log.info(
        { height: decision.height, round: decision.certificate.round, valueId: this.lastDecisionInfo.valueId, signers: signerCount },
        'consensus decision',
      )
      // The core recorded the height into the chain as it decided; one change at a time, so the last one is this height's if any.
      const change = this.chain?.lastChange()
      const event: AdapterDecision = {
        height: decision.height,
        round: decision.certificate.round,
        value: decision.value,
        certificate: decision.certificate,
        decidedAtMs,
        ...(change && change.decidedAt === decision.height ? { setChange: { change: change.change, from: change.from } } : {}),
      }
      if (event.setChange)
        this.options.log.info(
          { height: decision.height, change: event.setChange.change.kind, from: event.setChange.from },
          'validator-set change decided',
        )
      for (const listener of this.listeners) {
        try {
          listener(event)
        } catch (error) {
          this.options.log.error({ err: error }, 'decision listener failed')
        }
      }
    }
    if (result.persist) await this.options.store.saveState(encodePersistedState(result.persist))
  }

  /**
   * Point-to-point messages (re-sends to a laggard, commits for one still deciding) go out
   * on the same gossip topic as broadcasts: validators share one topic and a duplicate costs
   * the core nothing. The same message bound for several validators is published once. The
   * core also forwards other validators' signed messages to a laggard; on a broadcast medium
   * every validator already had the originals, and each one re-sends its own every
   * rebroadcast interval, so forwarding them would only multiply traffic by n: they are not
   * published.
   */
  private send(outbound: readonly Outbound[]): void {
    const distinct = new Set<BftMessage>()
    for (const { to, message } of outbound) {
      if (to === null || message.kind === 'commit' || this.signedByMe(message)) distinct.add(message)
      else this.counters.forwardsSkipped++
    }
    this.publish([...distinct])
  }

  private signedByMe(message: BftMessage): boolean {
    const me = this.node.status().index
    return message.kind === 'proposal' ? message.proposer === me : message.kind === 'vote' && message.validator === me
  }

  private publish(messages: readonly BftMessage[]): void {
    for (const message of messages) {
      this.counters.published++
      let traceparent: string | undefined
      this.observe(() => (traceparent = this.options.observer?.sending(message)))
      this.options.transport
        .publish(encodeBftMessage(message), traceparent)
        .catch((error) => this.options.log.warn({ err: error }, 'consensus publish failed'))
    }
  }

  /** An observer's failure must never stop consensus. */
  private observe(run: () => void): void {
    try {
      run()
    } catch (error) {
      this.options.log.warn({ err: error }, 'consensus observer failed')
    }
  }

  private context(height: number): HeightContext {
    return { height, previous: this.previous && this.previous.height === height - 1 ? this.previous : null, chain: this.chain }
  }

  private async judge(height: number, valueId: Uint8Array, value: Uint8Array): Promise<void> {
    let valid = false
    try {
      valid = await this.options.application.validateValue(this.context(height), value)
    } catch (error) {
      this.options.log.warn({ err: error, height }, 'validity check failed; treating the value as invalid')
    }
    if (!valid) this.options.log.warn({ height, valueId: bytesToHex(valueId) }, 'proposed value is invalid')
    this.push({ type: 'validity', height, valueId, valid })
  }

  private async supplyValue(height: number): Promise<void> {
    try {
      const value = await this.options.application.proposeValue(this.context(height))
      this.push({ type: 'value', height, value })
    } catch (error) {
      this.options.log.warn({ err: error, height }, 'the application gave no value to propose; this round will time out')
    }
  }

  private schedule(wakeAt: number): void {
    if (this.stopped) return
    this.cancelTimer?.()
    const delay = Math.max(0, Math.ceil(wakeAt - this.clock.now()))
    this.cancelTimer = this.clock.setTimer(delay, () => {
      this.cancelTimer = null
      this.push({ type: 'clock' })
    })
  }
}

/**
 * The validator chain from the pinned set through the stored decisions up to `throughHeight`,
 * read in batches: a restarted node derives the sets it needs from its own committed chain.
 */
export async function replayValidatorChain(
  options: {
    readonly validators: ValidatorSet
    readonly scheme: SignatureScheme
    readonly store: Pick<ConsensusStore, 'decisionsFrom'>
    setChangeOf(value: Uint8Array): SetChange | null
  },
  throughHeight: number,
): Promise<ValidatorChain> {
  const chain = new ValidatorChain(options.validators, options.scheme)
  while (chain.height < throughHeight) {
    const records = await options.store.decisionsFrom(chain.height + 1, REPLAY_BATCH)
    if (records.length === 0 || records[0].height !== chain.height + 1)
      throw new Error(`stored decisions have a gap at height ${chain.height + 1}: cannot derive the validator set of later heights`)
    for (const record of records) {
      if (record.height > throughHeight) break
      const problem = chain.record(record.height, options.setChangeOf(record.value))
      if (problem) throw new Error(`stored decision ${record.height} does not fit the validator chain: ${problem}`)
    }
  }
  return chain
}

/**
 * The thin driver between the round core and a real node: it feeds the core time (one timer
 * at the core's wakeAt), messages that passed the inbound gate, and presence; it runs the
 * core's requests with the node's own handlers (the training worker, the aggregation, the
 * validators' re-execution, certificate checks) and hands their answers back; and on a
 * validator it is the BFT application: `proposeValue` waits for a candidate this validator
 * judged valid for the height, `validateValue` re-executes (or reuses the verdict). The same
 * host serves the relay (Node) and the page; transports and storage stay outside.
 */
import type { BftApplication, HeightContext } from '../../consensus/adapter/types'
import { decodeDescriptor, encodeDescriptor } from './codec'
import { descriptorKey } from './identity'
import { createRoundNode, type RoundNode, type RoundNodeConfig } from './node'
import type {
  AggregateRequest,
  AggregateResult,
  CommitProof,
  Hash,
  ProposalDescriptor,
  RoundMessage,
  RoundOutput,
  RoundStatus,
  SubmissionRef,
  TrainRequest,
} from './types'

export interface HostClock {
  now(): number
  /** One-shot timer; returns its cancel function. */
  setTimer(ms: number, run: () => void): () => void
}

/** Real time, for the page and the relay (tests and the simulator pass a virtual clock). */
export const realTimeClock: HostClock = {
  now: () => performance.now(),
  setTimer: (ms, run) => {
    const timer = setTimeout(run, ms)
    return () => clearTimeout(timer)
  },
}

export interface RoundHostHandlers {
  /** Sends a round message: to one PeerId (a submission, on a stream) or to the task (gossip). */
  send(to: string | null, message: RoundMessage): void
  /** Trainers: fetch and check the base model, train, store and sign the update. */
  train?(request: TrainRequest): Promise<SubmissionRef>
  /** Aggregators: the candidate's hash from the inputs, with the task's rule (and, when some were left out, the trainers used). */
  aggregate?(
    request: AggregateRequest,
  ): Promise<Hash | { readonly candidate: Hash; readonly inputs: readonly string[]; readonly transcript?: Hash }>
  /** Validators: re-execute and evaluate (robust: reexecute.ts; secure: secure-transcript.ts). */
  verify?(descriptor: ProposalDescriptor): Promise<boolean>
  /** Everyone: does this commit's certificate verify against the pinned validator set? */
  certify(proof: CommitProof): Promise<boolean>
  /** A certified model to fetch if needed, persist, audit (`model.adopt`) and train on from now. */
  adopt(proof: CommitProof): Promise<void>
  /** The node's phase changed (for the dashboard). */
  status?(status: RoundStatus): void
  /** The node moved on to a later attempt of the round (secure trainers prepare a fresh update). */
  attempt?(round: number, attempt: number): void
  /** A refused input or failed request, with its reason. */
  warn?(what: string, reason: string): void
}

export class RoundHost {
  private readonly core: RoundNode
  private cancelTimer: (() => void) | null = null
  private stopped = false
  /** Valid candidates by round (height), in the order they were judged valid. */
  private readonly candidates = new Map<number, ProposalDescriptor[]>()
  private readonly waitingForCandidate = new Map<number, ((d: ProposalDescriptor) => void)[]>()
  private readonly waitingForVerdict = new Map<string, ((valid: boolean) => void)[]>()

  constructor(
    config: Omit<RoundNodeConfig, 'now'>,
    private readonly clock: HostClock,
    private readonly handlers: RoundHostHandlers,
  ) {
    this.core = createRoundNode({ ...config, now: clock.now() })
    this.step({ type: 'tick', now: clock.now() })
  }

  get status(): RoundStatus {
    return this.core.status()
  }

  receive(from: string, message: RoundMessage): void {
    this.tick()
    this.step({ type: 'receive', from, message })
  }

  presence(trainers: readonly string[]): void {
    this.tick()
    this.step({ type: 'presence', trainers })
  }

  /** A BFT decision at height = round (validators), already certified by the consensus core. */
  decided(proof: CommitProof): void {
    this.tick()
    this.step({ type: 'decided', proof })
  }

  stop(): void {
    this.stopped = true
    this.cancelTimer?.()
  }

  /** What a validator's consensus adapter runs in place of the beacon chain. */
  readonly application: BftApplication = {
    proposeValue: (context: HeightContext) =>
      new Promise<Uint8Array>((resolve) => {
        const ready = this.candidates.get(context.height)?.[0]
        if (ready) return resolve(encodeDescriptor(ready))
        const waiting = this.waitingForCandidate.get(context.height) ?? []
        waiting.push((d) => resolve(encodeDescriptor(d)))
        this.waitingForCandidate.set(context.height, waiting)
      }),
    validateValue: async (context: HeightContext, value: Uint8Array) => {
      const decoded = decodeDescriptor(value)
      if (!decoded.ok) return false
      const d = decoded.value
      if (d.round !== context.height) return false
      this.tick()
      let verdict = this.core.verdict(d)
      if (verdict === null) {
        this.step({ type: 'judge', descriptor: d })
        verdict = this.core.verdict(d)
      }
      if (verdict !== 'pending') return verdict === true
      return new Promise<boolean>((resolve) => {
        const key = descriptorKey(d)
        this.waitingForVerdict.set(key, [...(this.waitingForVerdict.get(key) ?? []), resolve])
      })
    },
  }

  private tick(): void {
    this.step({ type: 'tick', now: this.clock.now() })
  }

  private step(event: Parameters<RoundNode['step']>[0]): void {
    if (this.stopped) return
    const before = this.core.status()
    this.handle(this.core.step(event), event.type)
    const status = this.core.status()
    if (status.phase !== before.phase) this.handlers.status?.(status)
    if (status.round === before.round && status.attempt > before.attempt) this.handlers.attempt?.(status.round, status.attempt)
  }

  private handle(out: RoundOutput, cause: string): void {
    if (!out.ok) this.handlers.warn?.(`round event '${cause}' refused`, out.reason ?? '')
    for (const m of out.messages) this.handlers.send(m.to, m.message)
    if (out.train) void this.runTrain(out.train)
    if (out.aggregate) void this.runAggregate(out.aggregate)
    for (const d of out.verify) void this.runVerify(d)
    for (const proof of out.certify) void this.runCertify(proof)
    for (const d of out.candidates) this.offer(d)
    if (out.adopt) {
      const proof = out.adopt
      this.handlers
        .adopt(proof)
        .catch((error) => this.handlers.warn?.(`adopting round ${proof.descriptor.round}`, (error as Error).message))
      for (const round of [...this.candidates.keys()]) if (round <= proof.descriptor.round) this.candidates.delete(round)
    }
    this.schedule(out.wakeAt)
  }

  private offer(d: ProposalDescriptor): void {
    const list = this.candidates.get(d.round) ?? []
    if (list.some((c) => descriptorKey(c) === descriptorKey(d))) return
    list.push(d)
    this.candidates.set(d.round, list)
    const waiting = this.waitingForCandidate.get(d.round) ?? []
    this.waitingForCandidate.delete(d.round)
    for (const resolve of waiting) resolve(d)
  }

  private async runTrain(request: TrainRequest): Promise<void> {
    if (!this.handlers.train) return
    try {
      const submission = await this.handlers.train(request)
      this.tick()
      this.step({ type: 'trained', round: request.round, submission })
    } catch (error) {
      this.handlers.warn?.(`training round ${request.round}`, (error as Error).message)
      this.tick()
      this.step({ type: 'train-failed', round: request.round, reason: (error as Error).message })
    }
  }

  private async runAggregate(request: AggregateRequest): Promise<void> {
    let result: AggregateResult
    try {
      if (!this.handlers.aggregate) throw new Error('this node cannot aggregate')
      const answer = await this.handlers.aggregate(request)
      result = typeof answer === 'string' ? { ok: true, candidate: answer } : { ok: true, ...answer }
    } catch (error) {
      result = { ok: false, reason: (error as Error).message }
      this.handlers.warn?.(`aggregating round ${request.round}`, result.reason)
    }
    this.tick()
    this.step({ type: 'aggregated', round: request.round, attempt: request.attempt, result })
  }

  private async runVerify(d: ProposalDescriptor): Promise<void> {
    let valid = false
    try {
      if (!this.handlers.verify) throw new Error('this node cannot verify')
      valid = await this.handlers.verify(d)
    } catch (error) {
      this.handlers.warn?.(`verifying round ${d.round} from ${d.aggregator}`, (error as Error).message)
    }
    this.tick()
    this.step({ type: 'verified', descriptor: d, valid })
    const key = descriptorKey(d)
    const waiting = this.waitingForVerdict.get(key) ?? []
    this.waitingForVerdict.delete(key)
    for (const resolve of waiting) resolve(valid)
  }

  private async runCertify(proof: CommitProof): Promise<void> {
    let ok = false
    try {
      ok = await this.handlers.certify(proof)
    } catch (error) {
      this.handlers.warn?.(`checking the certificate of round ${proof.descriptor.round}`, (error as Error).message)
    }
    this.tick()
    this.step(ok ? { type: 'decided', proof } : { type: 'certify-failed', proof, reason: 'certificate does not verify' })
  }

  private schedule(wakeAt: number): void {
    if (this.stopped) return
    this.cancelTimer?.()
    this.cancelTimer = null
    if (!Number.isFinite(wakeAt)) return
    const delay = Math.max(0, Math.ceil(wakeAt - this.clock.now()))
    this.cancelTimer = this.clock.setTimer(delay, () => {
      this.cancelTimer = null
      this.tick()
    })
  }
}

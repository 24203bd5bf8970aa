/**
 * Secure mode's secure aggregation within one round attempt (README, "Federated round"), as
 * two pure state machines the handlers drive: the aggregator's session runs one SecAggAggregator
 * per bucket and writes down every client envelope it accepted and where it closed each phase
 * (the transcript validators replay); a trainer's session is one SecAggClient for its bucket.
 * No network, timers or storage: messages and times in, messages and outcomes out. The
 * aggregator's steps are async only because rebuilding Shamir secrets is.
 *
 * Who is in which bucket follows from the frame alone (`planSecureRound`): the announced cohort,
 * cut by `planBuckets` with `bucketSeed` (task, round, committed base model), so the aggregator
 * cannot choose who shares a bucket with whom, and each bucket's secure-aggregation round id
 * binds task, round, attempt, aggregator, base model and cohort.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes, hexToBytes } from '@noble/hashes/utils.js'
import { SecAggAggregator, type AggregatorStep, type SecAggResult } from '../../secagg/aggregator'
import { planBuckets, type BucketPlan } from '../../secagg/bucketed'
import { SecAggClient, type Step } from '../../secagg/client'
import type { SecAggPrimitives } from '../../secagg/primitives'
import type { RandomSource } from '../../secagg/random'
import {
  AdvertiseKeys,
  ConsistencySignature,
  KeyRoster,
  MaskedInput,
  ShareDelivery,
  ShareKeys,
  SurvivorList,
  UnmaskRequest,
  UnmaskResponse,
} from '../../secagg/secagg.pb'
import { decodeExact } from '../../protocol/exact-decode'
import { SECURE_MIN_BUCKET } from '../aggregation/aggregate'
import { bucketSeed, canonicalCohort, secaggPosition } from './identity'
import type { Hash } from './types'
import { SecaggPhase, type SecaggClient, type SecaggServer, type TranscriptEntry as WireEntry } from './wire.pb'

export const SECURE_WIRE_VERSION = 1

/** What fixes an attempt's secure aggregation; every party derives the same buckets from it. */
export interface SecureFrame {
  readonly taskId: string
  readonly round: number
  readonly attempt: number
  readonly aggregator: string
  readonly baseModel: Hash
  /** The announced cohort, sorted. */
  readonly cohort: readonly string[]
  readonly bucketSize: number
  /** Model parameters: the length of every update. */
  readonly vectorLength: number
  /** Each coordinate is clamped to [−bound, bound] before it is masked (secureBound). */
  readonly bound: number
}

/** The per-coordinate clamp of secure mode: the task's L2 clipping bound (no coordinate of a clipped update exceeds it), else 1. */
export function secureBound(clipNorm: number): number {
  return clipNorm > 0 ? clipNorm : 1
}

/** A bucket's Shamir threshold: a strict majority of its members, so up to ⌈m/2⌉ − 1 may drop out (1 of 3 or 4). */
export function bucketThreshold(size: number): number {
  return Math.floor(size / 2) + 1
}

/** The secure-aggregation round id of an attempt (planBuckets derives each bucket's from it). */
export function secureRoundId(frame: SecureFrame): Uint8Array {
  const text = new TextEncoder().encode(
    ['agent-mesh/fl/secagg/v1', frame.taskId, frame.round, frame.attempt, frame.aggregator, frame.cohort.join(',')].join('\0'),
  )
  return sha256(concatBytes(text, hexToBytes(frame.baseModel)))
}

export type Planned = { readonly ok: true; readonly buckets: readonly BucketPlan[] } | { readonly ok: false; readonly reason: string }

/** The attempt's buckets, each with its secure-aggregation parameters; `keyOf` gives a trainer's Ed25519 identity key. */
export function planSecureRound(frame: SecureFrame, keyOf: (peerId: string) => Uint8Array | null): Planned {
  const cohort = canonicalCohort(frame.cohort)
  if (cohort.length !== frame.cohort.length || cohort.some((id, i) => id !== frame.cohort[i]))
    return { ok: false, reason: 'cohort is not sorted and duplicate-free' }
  if (cohort.length < SECURE_MIN_BUCKET)
    return { ok: false, reason: `a cohort of ${cohort.length} cannot fill one bucket of ${SECURE_MIN_BUCKET}` }
  const keys: Uint8Array[] = []
  for (const id of cohort) {
    const key = keyOf(id)
    if (!key) return { ok: false, reason: `no identity key for ${id}` }
    keys.push(key)
  }
  try {
    const buckets = planBuckets({
      roundId: secureRoundId(frame),
      cohort: keys,
      seed: bucketSeed(frame.taskId, frame.round, frame.baseModel),
      bucketSize: frame.bucketSize,
      threshold: bucketThreshold,
      vectorLength: frame.vectorLength,
      bound: frame.bound,
    })
    return { ok: true, buckets }
  } catch (error) {
    return { ok: false, reason: (error as Error).message }
  }
}

const CLIENT_PHASE: Readonly<Record<string, SecaggPhase>> = {
  advertise: SecaggPhase.SECAGG_ADVERTISE,
  share: SecaggPhase.SECAGG_SHARE,
  mask: SecaggPhase.SECAGG_MASK,
  consistency: SecaggPhase.SECAGG_CONSISTENCY,
  unmask: SecaggPhase.SECAGG_UNMASK,
}

/** Transcript entry kinds (secure-transcript.ts) by the phase of a client message. */
export const ENTRY_KIND: Readonly<Partial<Record<SecaggPhase, 'advertise' | 'share' | 'mask' | 'consistency' | 'unmask'>>> = {
  [SecaggPhase.SECAGG_ADVERTISE]: 'advertise',
  [SecaggPhase.SECAGG_SHARE]: 'share',
  [SecaggPhase.SECAGG_MASK]: 'mask',
  [SecaggPhase.SECAGG_CONSISTENCY]: 'consistency',
  [SecaggPhase.SECAGG_UNMASK]: 'unmask',
}

export interface SecureOutbound<T> {
  readonly to: string
  readonly message: T
}

export type BucketOutcome = { readonly ok: true; readonly result: SecAggResult } | { readonly ok: false; readonly reason: string }

interface BucketState {
  readonly members: readonly string[]
  readonly machine: SecAggAggregator
  readonly entries: WireEntry[]
  /** Members that submitted for the round (the others will not answer). */
  readonly participants: ReadonlySet<string>
  /** Members (bucket indices) whose message of the current phase was accepted. */
  readonly answered: Set<number>
  deadline: number
  outcome: BucketOutcome | null
}

export interface AggregatorSessionOptions {
  readonly frame: SecureFrame
  readonly buckets: readonly BucketPlan[]
  /** Trainers that submitted for the attempt; only they are asked to take part. */
  readonly participants: Iterable<string>
  readonly now: number
  /** How long each phase of a bucket waits for its members before it closes with those that answered. */
  readonly phaseMs: number
  readonly primitives?: SecAggPrimitives
}

export interface AggregatorSessionOutput {
  readonly ok: boolean
  readonly reason?: string
  readonly messages: readonly SecureOutbound<SecaggServer>[]
}

/**
 * The aggregator's side. `start` sends BEGIN to every participant; client messages go to
 * `receive` with the envelope bytes they came in; `tick` closes phases whose deadline passed.
 * A bucket closes a phase early once every member still expected (and able: it submitted) has
 * answered. Calls are serialised internally, so the driver may call without waiting.
 */
export class SecureAggregatorSession {
  private readonly frame: SecureFrame
  private readonly buckets: BucketState[]
  private readonly phaseMs: number
  private queue: Promise<unknown> = Promise.resolve()

  constructor(options: AggregatorSessionOptions) {
    this.frame = options.frame
    this.phaseMs = options.phaseMs
    const participants = new Set(options.participants)
    this.buckets = options.buckets.map((plan) => {
      const members = plan.members.map((m) => options.frame.cohort[m])
      return {
        members,
        machine: new SecAggAggregator(plan.params, { primitives: options.primitives }),
        entries: [],
        participants: new Set(members.filter((m) => participants.has(m))),
        answered: new Set(),
        deadline: options.now + options.phaseMs,
        outcome: null,
      }
    })
  }

  get finished(): boolean {
    return this.buckets.every((b) => b.outcome !== null)
  }

  /** Each bucket's outcome, in plan order (null while it runs). */
  outcomes(): readonly (BucketOutcome | null)[] {
    return this.buckets.map((b) => b.outcome)
  }

  /** Every bucket's transcript entries, in plan order. */
  transcript(): readonly (readonly WireEntry[])[] {
    return this.buckets.map((b) => [...b.entries])
  }

  wakeAt(): number {
    return Math.min(...this.buckets.filter((b) => b.outcome === null).map((b) => b.deadline))
  }

  start(now: number): Promise<AggregatorSessionOutput> {
    return this.serial(async () => {
      const messages: SecureOutbound<SecaggServer>[] = []
      for (const [index, bucket] of this.buckets.entries()) {
        for (const to of bucket.members)
          if (bucket.participants.has(to))
            messages.push({ to, message: this.server(index, SecaggPhase.SECAGG_BEGIN, new Uint8Array(0), [...this.frame.cohort]) })
        // A bucket none of whose members submitted closes at once (its machine aborts).
        if (bucket.participants.size === 0) messages.push(...(await this.close(index, now)))
      }
      return { ok: true, messages }
    })
  }

  receive(from: string, envelope: Uint8Array, message: SecaggClient, now: number): Promise<AggregatorSessionOutput> {
    return this.serial(async () => {
      const refuse = (reason: string): AggregatorSessionOutput => ({ ok: false, reason, messages: [] })
      const f = this.frame
      if (message.version !== SECURE_WIRE_VERSION) return refuse(`secagg message version ${message.version}`)
      if (message.taskId !== f.taskId || message.round !== f.round || message.attempt !== f.attempt)
        return refuse('secagg message for another task, round or attempt')
      const bucket = this.buckets[message.bucket]
      if (!bucket) return refuse(`no bucket ${message.bucket}`)
      const index = bucket.members.indexOf(from)
      if (index < 0) return refuse(`${from} is not in bucket ${message.bucket}`)
      // Only trainers with a signed submission may add to a sum: the descriptor names exactly those inside the sums.
      if (!bucket.participants.has(from)) return refuse(`${from} did not submit for this attempt`)
      if (bucket.outcome) return refuse(`bucket ${message.bucket} has finished`)
      const expected = CLIENT_PHASE[bucket.machine.phase]
      if (message.phase !== expected)
        return refuse(`a phase ${message.phase} message while bucket ${message.bucket} is in ${bucket.machine.phase}`)
      let receipt
      try {
        receipt = this.feed(bucket.machine, index, message)
      } catch (error) {
        return refuse(`secagg message does not decode: ${(error as Error).message}`)
      }
      if (!receipt.ok) return refuse(receipt.reason)
      bucket.entries.push({ close: false, from: index, envelope: envelope as Uint8Array<ArrayBuffer> })
      bucket.answered.add(index)
      const answered = receipt.complete || this.allAbleAnswered(bucket)
      return { ok: true, messages: answered ? await this.close(message.bucket, now) : [] }
    })
  }

  tick(now: number): Promise<AggregatorSessionOutput> {
    return this.serial(async () => {
      const messages: SecureOutbound<SecaggServer>[] = []
      for (const [index, bucket] of this.buckets.entries())
        if (bucket.outcome === null && now >= bucket.deadline) messages.push(...(await this.close(index, now)))
      return { ok: true, messages }
    })
  }

  private serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run)
    this.queue = next.catch(() => {})
    return next
  }

  private feed(machine: SecAggAggregator, from: number, m: SecaggClient) {
    switch (m.phase) {
      case SecaggPhase.SECAGG_ADVERTISE:
        return machine.receiveAdvertisement(from, decodeExact(m.message, AdvertiseKeys.codec()))
      case SecaggPhase.SECAGG_SHARE:
        return machine.receiveShareKeys(from, decodeExact(m.message, ShareKeys.codec()))
      case SecaggPhase.SECAGG_MASK:
        return machine.receiveMaskedInput(from, decodeExact(m.message, MaskedInput.codec()))
      case SecaggPhase.SECAGG_CONSISTENCY:
        return machine.receiveConsistencySignature(from, decodeExact(m.message, ConsistencySignature.codec()))
      case SecaggPhase.SECAGG_UNMASK:
        return machine.receiveUnmaskResponse(from, decodeExact(m.message, UnmaskResponse.codec()))
      default:
        return { ok: false as const, reason: `phase ${m.phase} is not a client's` }
    }
  }

  /** Everyone the machine still expects who submitted has answered in this phase (the rest never will). */
  private allAbleAnswered(bucket: BucketState): boolean {
    return bucket.machine
      .expected()
      .filter((i) => bucket.participants.has(bucket.members[i]))
      .every((i) => bucket.answered.has(i))
  }

  private async close(index: number, now: number): Promise<SecureOutbound<SecaggServer>[]> {
    const bucket = this.buckets[index]
    bucket.entries.push({ close: true, from: 0, envelope: new Uint8Array(0) })
    bucket.answered.clear()
    const step: AggregatorStep = await bucket.machine.closePhase()
    bucket.deadline = now + this.phaseMs
    const out = (to: number, phase: SecaggPhase, bytes: Uint8Array) => ({
      to: bucket.members[to],
      message: this.server(index, phase, bytes),
    })
    switch (step.kind) {
      case 'broadcast-roster':
        return step.to.map((i) => out(i, SecaggPhase.SECAGG_SHARE, KeyRoster.encode(step.message)))
      case 'deliver-shares':
        return step.deliveries.map((d) => out(d.recipient, SecaggPhase.SECAGG_MASK, ShareDelivery.encode(d)))
      case 'broadcast-survivors':
        return step.to.map((i) => out(i, SecaggPhase.SECAGG_CONSISTENCY, SurvivorList.encode(step.message)))
      case 'request-unmask':
        return step.to.map((i) => out(i, SecaggPhase.SECAGG_UNMASK, UnmaskRequest.encode(step.message)))
      case 'done':
        bucket.outcome = { ok: true, result: step.result }
        return []
      case 'aborted':
        bucket.outcome = { ok: false, reason: step.reason }
        return []
    }
  }

  private server(bucket: number, phase: SecaggPhase, message: Uint8Array, cohort: string[] = []): SecaggServer {
    const f = this.frame
    return {
      version: SECURE_WIRE_VERSION,
      taskId: f.taskId,
      round: f.round,
      attempt: f.attempt,
      bucket,
      phase,
      message: message as Uint8Array<ArrayBuffer>,
      cohort,
    }
  }
}

export interface ClientSessionOptions {
  readonly frame: SecureFrame
  readonly buckets: readonly BucketPlan[]
  readonly self: string
  /** This trainer's clipped update. */
  readonly update: Float32Array
  readonly random: RandomSource
  /**
   * The 32-byte Ed25519 secret key of `self`; a host that keeps its key behind a signer passes
   * zeros and a `primitives.ed25519Sign` that signs with it (the key never leaves the signer).
   */
  readonly identitySecretKey: Uint8Array
  readonly primitives?: SecAggPrimitives
}

/** A trainer's side: one SecAggClient for its bucket; each aggregator message is answered by at most one client message. */
export class SecureClientSession {
  readonly bucket: number
  private readonly frame: SecureFrame
  private readonly client: SecAggClient

  /** Throws when `self` is not in the frame's cohort (the caller checks first). */
  constructor(options: ClientSessionOptions) {
    const position = secaggPosition(
      options.buckets.map((b) => b.members),
      options.frame.cohort.indexOf(options.self),
    )
    if (!position) throw new RangeError(`${options.self} is in no bucket of the attempt`)
    this.frame = options.frame
    this.bucket = position.bucket
    this.client = new SecAggClient({
      params: options.buckets[position.bucket].params,
      index: position.index,
      identitySecretKey: options.identitySecretKey,
      input: options.update,
      random: options.random,
      primitives: options.primitives,
    })
  }

  /** The answer to BEGIN: this client's key advertisement. */
  begin(): Step<SecaggClient> {
    return this.wrap(SecaggPhase.SECAGG_ADVERTISE, this.client.start(), AdvertiseKeys.encode)
  }

  async receive(message: SecaggServer): Promise<Step<SecaggClient>> {
    const f = this.frame
    if (message.version !== SECURE_WIRE_VERSION) return { ok: false, reason: `secagg message version ${message.version}` }
    if (message.taskId !== f.taskId || message.round !== f.round || message.attempt !== f.attempt || message.bucket !== this.bucket)
      return { ok: false, reason: 'secagg message for another task, round, attempt or bucket' }
    try {
      switch (message.phase) {
        case SecaggPhase.SECAGG_SHARE:
          return this.wrap(
            SecaggPhase.SECAGG_SHARE,
            await this.client.handleRoster(decodeExact(message.message, KeyRoster.codec())),
            ShareKeys.encode,
          )
        case SecaggPhase.SECAGG_MASK:
          return this.wrap(
            SecaggPhase.SECAGG_MASK,
            this.client.handleShares(decodeExact(message.message, ShareDelivery.codec())),
            MaskedInput.encode,
          )
        case SecaggPhase.SECAGG_CONSISTENCY:
          return this.wrap(
            SecaggPhase.SECAGG_CONSISTENCY,
            this.client.handleSurvivors(decodeExact(message.message, SurvivorList.codec())),
            ConsistencySignature.encode,
          )
        case SecaggPhase.SECAGG_UNMASK:
          return this.wrap(
            SecaggPhase.SECAGG_UNMASK,
            this.client.handleUnmaskRequest(decodeExact(message.message, UnmaskRequest.codec())),
            UnmaskResponse.encode,
          )
        default:
          return { ok: false, reason: `phase ${message.phase} in a running session` }
      }
    } catch (error) {
      return { ok: false, reason: `secagg message does not decode: ${(error as Error).message}` }
    }
  }

  private wrap<T>(phase: SecaggPhase, step: Step<T>, encode: (m: T) => Uint8Array): Step<SecaggClient> {
    if (!step.ok) return step
    const f = this.frame
    return {
      ok: true,
      message: {
        version: SECURE_WIRE_VERSION,
        taskId: f.taskId,
        round: f.round,
        attempt: f.attempt,
        bucket: this.bucket,
        phase,
        message: encode(step.message) as Uint8Array<ArrayBuffer>,
      },
    }
  }
}

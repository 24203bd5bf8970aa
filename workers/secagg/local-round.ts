/**
 * Runs one whole round in-process: n clients and the aggregator, every message encoded to its
 * protobuf bytes and decoded again as the network would, with a schedule of clients that drop
 * out. Tests use it to check outcomes; the benchmark uses it, with an injected clock, to time
 * each party and count the bytes each client sends and receives. No I/O and no timers.
 */
import { SecAggAggregator, type AggregatorStep } from './aggregator'
import { SecAggClient, type Step } from './client'
import type { RoundParams } from './params'
import type { SecAggPrimitives } from './primitives'
import type { RandomSource } from './random'
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
} from './secagg.pb'

export type Phase = 'advertise' | 'share' | 'mask' | 'consistency' | 'unmask'
export const PHASES: readonly Phase[] = ['advertise', 'share', 'mask', 'consistency', 'unmask']

export interface LocalRoundOptions {
  readonly params: RoundParams
  readonly identitySecretKeys: readonly Uint8Array[]
  readonly inputs: readonly Float32Array[]
  readonly random: (client: number) => RandomSource
  /** A client listed here sends nothing from that phase on (it has gone). */
  readonly dropBefore?: ReadonlyMap<number, Phase>
  /** Milliseconds, for timing; timing is skipped without it. */
  readonly clock?: () => number
  /**
   * Timing only: called after each client's masked-input step (the one that leaves megabytes of
   * keystream garbage), inside that client's time, so that in one process each party pays for
   * its own garbage rather than whoever runs when the collector starts (benchmarks pass a V8
   * minor GC).
   */
  readonly collectGarbage?: () => void
  /** Curve and cipher implementations for every party (noble by default). */
  readonly primitives?: SecAggPrimitives
  /** The aggregator to drive (e.g. one that records the round's transcript); a fresh one by default. */
  readonly aggregator?: SecAggAggregator
}

export interface LocalRoundReport {
  readonly outcome: Extract<AggregatorStep, { kind: 'done' | 'aborted' }>
  /** Everything either side refused, with its reason (empty in an honest round). */
  readonly refusals: readonly string[]
  readonly clientMs: readonly number[]
  readonly aggregatorMs: number
  /** Time spent in each phase: all clients together, and the aggregator (closing a phase counts toward the next one's work). */
  readonly phaseMs: Readonly<Record<Phase, { clients: number; aggregator: number }>>
  readonly bytesSent: readonly number[]
  readonly bytesReceived: readonly number[]
}

interface Codec<T> {
  encode(value: Partial<T>): Uint8Array
  decode(bytes: Uint8Array): T
}

export async function runLocalRound(options: LocalRoundOptions): Promise<LocalRoundReport> {
  const { params } = options
  const n = params.cohort.length
  const clock = options.clock ?? (() => 0)
  const clients = Array.from(
    { length: n },
    (_, i) =>
      new SecAggClient({
        params,
        index: i,
        identitySecretKey: options.identitySecretKeys[i],
        input: options.inputs[i],
        random: options.random(i),
        primitives: options.primitives,
      }),
  )
  const aggregator = options.aggregator ?? new SecAggAggregator(params, { primitives: options.primitives })
  const refusals: string[] = []
  const clientMs = new Array<number>(n).fill(0)
  const bytesSent = new Array<number>(n).fill(0)
  const bytesReceived = new Array<number>(n).fill(0)
  let aggregatorMs = 0
  const phaseMs = Object.fromEntries(PHASES.map((p) => [p, { clients: 0, aggregator: 0 }])) as Record<
    Phase,
    { clients: number; aggregator: number }
  >
  let current: Phase = 'advertise'
  const present = (client: number, phase: Phase): boolean => {
    const gone = options.dropBefore?.get(client)
    return gone === undefined || PHASES.indexOf(phase) < PHASES.indexOf(gone)
  }

  /** Aggregator → client over the wire, the client's handler, client → aggregator over the wire. */
  async function exchange<In, Out>(
    phase: Phase,
    client: number,
    inbound: { codec: Codec<In>; value: In } | null,
    handle: (c: SecAggClient, message: In) => Step<Out> | Promise<Step<Out>>,
    outCodec: Codec<Out>,
    receive: (from: number, message: Out) => ReturnType<SecAggAggregator['receiveAdvertisement']>,
  ): Promise<void> {
    current = phase
    if (!present(client, phase)) return
    let message = null as In
    if (inbound) {
      const wire = inbound.codec.encode(inbound.value)
      bytesReceived[client] += wire.length
      message = inbound.codec.decode(wire)
    }
    const started = clock()
    const step = await handle(clients[client], message)
    if (phase === 'mask') options.collectGarbage?.()
    const spent = clock() - started
    clientMs[client] += spent
    phaseMs[phase].clients += spent
    if (!step.ok) return void refusals.push(`client ${client}: ${step.reason}`)
    const wire = outCodec.encode(step.message)
    bytesSent[client] += wire.length
    const decoded = outCodec.decode(wire)
    const receivedAt = clock()
    const receipt = receive(client, decoded)
    aggregatorMs += clock() - receivedAt
    phaseMs[phase].aggregator += clock() - receivedAt
    if (!receipt.ok) refusals.push(`aggregator: ${receipt.reason}`)
  }
  async function close(): Promise<AggregatorStep> {
    const started = clock()
    const step = await aggregator.closePhase()
    aggregatorMs += clock() - started
    phaseMs[current].aggregator += clock() - started
    return step
  }
  const finish = (outcome: AggregatorStep): LocalRoundReport => {
    if (outcome.kind !== 'done' && outcome.kind !== 'aborted') throw new Error(`round ended on ${outcome.kind}`)
    return { outcome, refusals, clientMs, aggregatorMs, phaseMs, bytesSent, bytesReceived }
  }

  for (let i = 0; i < n; i++) {
    await exchange<null, AdvertiseKeys>(
      'advertise',
      i,
      null,
      (c) => c.start(),
      AdvertiseKeys,
      (f, m) => aggregator.receiveAdvertisement(f, m),
    )
  }
  let step = await close()
  if (step.kind !== 'broadcast-roster') return finish(step)
  for (const i of step.to) {
    await exchange(
      'share',
      i,
      { codec: KeyRoster, value: step.message },
      (c, m) => c.handleRoster(m),
      ShareKeys,
      (f, m) => aggregator.receiveShareKeys(f, m),
    )
  }
  step = await close()
  if (step.kind !== 'deliver-shares') return finish(step)
  for (const delivery of step.deliveries) {
    await exchange(
      'mask',
      delivery.recipient,
      { codec: ShareDelivery, value: delivery },
      (c, m) => c.handleShares(m),
      MaskedInput,
      (f, m) => aggregator.receiveMaskedInput(f, m),
    )
  }
  step = await close()
  if (step.kind !== 'broadcast-survivors') return finish(step)
  for (const i of step.to) {
    await exchange(
      'consistency',
      i,
      { codec: SurvivorList, value: step.message },
      (c, m) => c.handleSurvivors(m),
      ConsistencySignature,
      (f, m) => aggregator.receiveConsistencySignature(f, m),
    )
  }
  step = await close()
  if (step.kind !== 'request-unmask') return finish(step)
  for (const i of step.to) {
    await exchange(
      'unmask',
      i,
      { codec: UnmaskRequest, value: step.message },
      (c, m) => c.handleUnmaskRequest(m),
      UnmaskResponse,
      (f, m) => aggregator.receiveUnmaskResponse(f, m),
    )
  }
  return finish(await close())
}

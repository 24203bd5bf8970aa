/**
 * One task's federated rounds as this node's OpenTelemetry spans (README, "Traces"): a
 * `fl.round` root span per round with a child span per phase (announce, train, submit,
 * aggregate, validate, consensus, adopt) as the node's own round host, its round messages and
 * the task's BFT chain show them. The first message of a round that carries a traceparent
 * (usually the aggregator's announcement) makes this node's root a child of the sender's; every
 * node also derives the same trace id from task and round, so one that acts before any message
 * reaches it still joins the round's trace. Only observes: nothing here changes the round.
 */
import type { Attributes, Tracer } from '@opentelemetry/api'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import type { BftMessage } from '../../consensus/bft'
import type { ConsensusObserver } from '../../consensus/adapter/types'
import { flRoundPhases, type FlRoundPhase } from '../../telemetry/phases'
import { WorkTracer, type Work } from '../../telemetry/work-trace'
import type { CommitProof, Phase, RoundMessage, RoundStatus } from '../round/types'

/** The trace id every node derives for a round of a task. */
export function roundTraceId(taskId: string, round: number): string {
  return bytesToHex(sha256(utf8ToBytes(`agent-mesh/trace/fl.round/${taskId}/${round}`))).slice(0, 32)
}

/** The task a round message belongs to. */
export function taskIdOfRoundMessage(message: RoundMessage): string {
  if (message.kind === 'propose') return message.descriptor.taskId
  if (message.kind === 'committed') return message.proof.descriptor.taskId
  return message.taskId
}

function roundOf(message: RoundMessage): number {
  if (message.kind === 'propose') return message.descriptor.round
  if (message.kind === 'committed') return message.proof.descriptor.round
  return message.round
}

/** The phase a message marks, for its sender and its receivers alike. */
const phaseOfMessage: Record<RoundMessage['kind'], FlRoundPhase> = {
  announce: 'announce',
  submit: 'submit',
  propose: 'validate',
  committed: 'adopt',
}

/** The phase the round host's state means (an aggregator collecting is the round's submit phase). */
const phaseOfStatus: Partial<Record<Phase, FlRoundPhase>> = {
  training: 'train',
  submitted: 'submit',
  collecting: 'submit',
  aggregating: 'aggregate',
  proposed: 'validate',
  validating: 'validate',
}

function aboutACandidate(message: BftMessage): boolean {
  return message.kind !== 'vote' || message.valueId !== null
}

function heightOf(message: BftMessage): number {
  return message.kind === 'commit' ? message.certificate.height : message.height
}

/** Rounds traced at once on a node: the current one and a few a late or early message is about. */
const MAX_OPEN_ROUNDS = 8

export interface RoundTracingOptions {
  readonly tracer: Tracer
  readonly taskId: string
  /** This node's PeerId (an attribute, and how it knows it is the round's aggregator). */
  readonly self: string
  /** Rounds up to this one are committed here already: messages about them open no trace. */
  readonly committedRound?: number
  readonly now?: () => number
}

export class RoundTracing {
  private readonly rounds: WorkTracer<'fl.round'>
  private readonly open = new Set<number>()
  private finishedUpTo: number
  private closed = false

  constructor(private readonly options: RoundTracingOptions) {
    this.finishedUpTo = options.committedRound ?? 0
    this.rounds = new WorkTracer({
      tracer: options.tracer,
      kind: 'fl.round',
      phases: flRoundPhases,
      attributes: { 'fl.task': options.taskId, 'mesh.node': options.self },
      maxOpen: MAX_OPEN_ROUNDS,
      now: options.now,
      traceIdFor: (round) => roundTraceId(options.taskId, Number(round)),
    })
  }

  /** A round message that passed the gate, with its envelope's traceparent. */
  received(message: RoundMessage, traceparent: string | undefined): void {
    this.enter(roundOf(message), phaseOfMessage[message.kind], traceparent)
  }

  /** A round message about to be sent: the traceparent to put in its envelope. */
  sending(message: RoundMessage): string | undefined {
    return this.enter(roundOf(message), phaseOfMessage[message.kind])?.traceparent
  }

  /** The round host's phase changed (its status callback). */
  status(status: RoundStatus): void {
    // The latest committed round ends when adopted() says so; the ones before it are over.
    this.finishUpTo(status.committedRounds - 1)
    const phase = phaseOfStatus[status.phase]
    if (phase) this.enter(status.round, phase, undefined, { 'fl.attempt': status.attempt })
    // The aggregator's announce phase is its wait for enough trainers.
    else if (status.phase === 'waiting' && status.aggregator === this.options.self) this.enter(status.round, 'announce')
  }

  /** This node adopted a committed round (model fetched, stored, audited): its trace here ends. */
  adopted(proof: CommitProof): void {
    const d = proof.descriptor
    this.enter(d.round, 'adopt')
    this.rounds.find(String(d.round))?.root.setAttributes({
      'fl.attempt': d.attempt,
      'fl.aggregator': d.aggregator,
      'fl.inputs': d.inputs.length,
    })
    this.finishUpTo(d.round)
  }

  /**
   * The task chain's BFT messages and decisions (height = round): the round's consensus phase,
   * and its traceparent on them. Nil votes (timeouts while no candidate exists yet) are not
   * consensus on the round: they carry its traceparent when it is open but move no phase.
   */
  readonly consensus: ConsensusObserver = {
    received: (message, traceparent) => {
      if (aboutACandidate(message)) this.enter(heightOf(message), 'consensus', traceparent)
    },
    sending: (message) =>
      aboutACandidate(message)
        ? this.enter(heightOf(message), 'consensus')?.traceparent
        : this.rounds.find(String(heightOf(message)))?.traceparent,
    decided: (decision) => {
      // A validator set of one decides in the step that proposes, before any message goes out: its consensus took no time.
      this.enter(decision.height, 'consensus')
      this.enter(decision.height, 'adopt', undefined, { 'bft.round': decision.round, 'bft.signers': decision.signers })
    },
  }

  /** The trace id of a round still open here (for log correlation). */
  traceIdOf(round: number): string | undefined {
    return this.rounds.find(String(round))?.traceId
  }

  /** Ends the open rounds (the task stopped here); anything reported afterwards (an adoption finishing late) opens none. */
  close(): void {
    this.closed = true
    this.rounds.close()
    this.open.clear()
  }

  private enter(round: number, phase: FlRoundPhase, traceparent?: string, attributes?: Attributes): Work<'fl.round'> | undefined {
    if (this.closed || !Number.isSafeInteger(round) || round <= this.finishedUpTo) return undefined
    const work = this.rounds.work(String(round), { 'fl.round': round }, traceparent)
    this.open.add(round)
    // Rounds the tracer let go (more open at once than it keeps) are forgotten here too.
    if (this.open.size > MAX_OPEN_ROUNDS) for (const open of this.open) if (!this.rounds.find(String(open))) this.open.delete(open)
    work.phase(phase, attributes)
    return work
  }

  /** Ends every open round up to `round` (those this node never saw adopted were left behind). */
  private finishUpTo(round: number): void {
    if (round <= this.finishedUpTo) return
    this.finishedUpTo = round
    for (const open of [...this.open]) {
      if (open > round) continue
      this.open.delete(open)
      this.rounds.finish(String(open), undefined, open === round ? undefined : 'superseded')
    }
  }
}

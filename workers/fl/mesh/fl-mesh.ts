/**
 * The federated round's transport on one node: the task's gossip kinds and direct submissions
 * in, routed to the node's participant for that task; round messages out; trainer presence
 * (each joined trainer says `fl.trainer.ready` every few seconds, aggregators hand the fresh
 * ones to their round as presence); and each task's own BFT chain carried as `fl.consensus`.
 * Everything arriving here already passed the inbound gate (signature, RBAC, size, replay).
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { trace, type Tracer } from '@opentelemetry/api'
import type { MeshRuntime } from '../../net/runtime'
import type { Logger } from '../../log'
import type { BftTransport } from '../../consensus/adapter/types'
import type { HostClock } from '../round/host'
import {
  announceFromWire,
  announceToWire,
  committedFromWire,
  committedToWire,
  proposeFromWire,
  proposeToWire,
  submitFromWire,
  submitToWire,
  ROUND_WIRE_VERSION,
  type Decoded,
} from '../round/codec'
import type { RoundMessage } from '../round/types'
import type { SecaggClient, SecaggServer } from '../round/wire.pb'
import { Envelope } from '../../protocol/wire.pb'
import type { TaskSpec } from '../task/wire.pb'
import type { FlParticipant } from './participant'
import { RoundTracing, taskIdOfRoundMessage } from './round-trace'

export const FL_GOSSIP_KINDS = [
  'fl.task.create',
  'fl.round.announce',
  'fl.round.propose',
  'fl.round.committed',
  'fl.trainer.ready',
  'fl.consensus',
] as const

/** How often a joined trainer says it is there, and how long an aggregator counts it as present. */
export const READY_EVERY_MS = 4_000
export const READY_FRESH_MS = 15_000

export class FlMesh {
  private readonly participants = new Map<string, FlParticipant>()
  private readonly ready = new Map<string, Map<string, number>>()
  private readonly joined = new Set<string>()
  private readonly consensus = new Map<string, Set<(payload: Uint8Array, sender: Uint8Array, traceparent?: string) => void>>()
  private readonly tracings = new Map<string, RoundTracing>()
  private readonly timers: (() => void)[] = []
  private started = false
  /** Told of every task spec heard on the mesh (validator relays spread the tasks an admin created on one of them). */
  onTask: ((spec: TaskSpec, from: string) => void) | null = null

  constructor(
    private readonly runtime: MeshRuntime,
    private readonly clock: HostClock,
    private readonly log: Logger,
    /** Spans of each round (README, "Traces"); the default records nothing but still passes trace context on. */
    private readonly tracer: Tracer = trace.getTracer('agent-mesh'),
  ) {}

  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    const { gossip, direct } = this.runtime
    gossip.join([...FL_GOSSIP_KINDS])
    gossip.on('fl.round.announce', (m, from) =>
      this.route(from.toString(), announceFromWire(m.payload), m.payload.taskId, m.envelope.traceparent),
    )
    gossip.on('fl.round.propose', (m, from) =>
      this.route(from.toString(), proposeFromWire(m.payload), m.payload.descriptor?.taskId, m.envelope.traceparent),
    )
    gossip.on('fl.round.committed', (m, from) =>
      this.route(from.toString(), committedFromWire(m.payload), m.payload.proof?.descriptor?.taskId, m.envelope.traceparent),
    )
    gossip.on('fl.trainer.ready', (m, from) => {
      if (m.payload.version !== ROUND_WIRE_VERSION) return
      const seen = this.ready.get(m.payload.taskId)
      if (seen) seen.set(from.toString(), this.clock.now())
    })
    gossip.on('fl.task.create', (m, from) => this.onTask?.(m.payload, from.toString()))
    gossip.on('fl.consensus', (m) => {
      for (const handler of this.consensus.get(m.payload.taskId) ?? [])
        handler(m.payload.message, m.envelope.sender, m.envelope.traceparent)
    })
    await direct.on('fl.round.submit', (m, from) =>
      this.route(from.toString(), submitFromWire(m.payload), m.payload.taskId, m.envelope.traceparent),
    )
    // Secure mode: an aggregator's message to a bucket member, and a member's answer, whose signed envelope the aggregator keeps
    // for the transcript, re-encoded whole (the signature covers every field, the traceparent included).
    await direct.on('fl.secagg.server', (m, from) =>
      this.participants.get(m.payload.taskId)?.secaggFromAggregator(from.toString(), m.payload),
    )
    await direct.on('fl.secagg.client', (m, from) =>
      this.participants.get(m.payload.taskId)?.secaggFromTrainer(from.toString(), Envelope.encode(m.envelope), m.payload),
    )
    this.repeat(READY_EVERY_MS, () => this.sayReady())
    this.repeat(READY_EVERY_MS / 2, () => this.reportPresence())
  }

  /** Routes the task's messages to `participant`; `trains` makes this node say it is ready to train for it. */
  add(taskId: string, participant: FlParticipant, trains: boolean): void {
    this.participants.set(taskId, participant)
    this.trace(taskId, participant.status.committedRounds)
    if (!this.ready.has(taskId)) this.ready.set(taskId, new Map())
    if (trains) {
      this.joined.add(taskId)
      this.sayReady()
    }
  }

  remove(taskId: string): void {
    this.participants.get(taskId)?.stop()
    this.participants.delete(taskId)
    this.tracings.get(taskId)?.close()
    this.tracings.delete(taskId)
    this.joined.delete(taskId)
    this.ready.delete(taskId)
  }

  /** What a participant's round host sends: broadcasts as gossip, a submission on a stream to its aggregator. */
  send(to: string | null, message: RoundMessage): void {
    const sent = this.publish(to, message)
    sent.catch((error: Error) => this.log.warn({ kind: message.kind, to, err: error.message }, 'round message not sent'))
  }

  /**
   * The spans of a task's rounds on this node, made on first use. The mesh feeds it the round
   * messages; the node adds its round host's status, its adoptions and its task chain's
   * consensus (`consensus` as the adapter's observer).
   */
  trace(taskId: string, committedRound = 0): RoundTracing {
    let tracing = this.tracings.get(taskId)
    if (!tracing) {
      tracing = new RoundTracing({ tracer: this.tracer, taskId, self: this.runtime.node.peerId.toString(), committedRound })
      this.tracings.set(taskId, tracing)
    }
    return tracing
  }

  /** Secure mode: a secure-aggregation message on a direct stream (aggregator → bucket member, or member → aggregator). */
  sendSecagg(to: string, message: { server: SecaggServer } | { client: SecaggClient }): void {
    const { direct } = this.runtime
    const sent =
      'server' in message
        ? direct.send(peerIdFromString(to), 'fl.secagg.server', message.server, AbortSignal.timeout(20_000))
        : direct.send(peerIdFromString(to), 'fl.secagg.client', message.client, AbortSignal.timeout(20_000))
    sent.catch((error: Error) => this.log.warn({ to, err: error.message }, 'secure-aggregation message not sent'))
  }

  /** The task's BFT chain over the mesh: its consensus messages travel as fl.consensus, tagged with the task and the round's trace. */
  consensusTransport(taskId: string): BftTransport {
    return {
      publish: async (payload, traceparent) => {
        await this.runtime.gossip.publish('fl.consensus', { taskId, message: payload as Uint8Array<ArrayBuffer> }, { traceparent })
      },
      subscribe: (handler) => {
        const set = this.consensus.get(taskId) ?? new Set()
        set.add(handler)
        this.consensus.set(taskId, set)
        return () => set.delete(handler)
      },
    }
  }

  publishTask(spec: TaskSpec): void {
    this.runtime.gossip
      .publish('fl.task.create', spec)
      .catch((error: Error) => this.log.debug({ err: error.message }, 'task not published'))
  }

  /** Trainers heard from recently for a task (the aggregator's view of who can take part). */
  presentTrainers(taskId: string): string[] {
    const now = this.clock.now()
    return [...(this.ready.get(taskId) ?? [])].filter(([, at]) => now - at < READY_FRESH_MS).map(([id]) => id)
  }

  stop(): void {
    for (const cancel of this.timers) cancel()
    for (const taskId of [...this.participants.keys()]) this.remove(taskId)
  }

  private async publish(to: string | null, message: RoundMessage): Promise<void> {
    const { gossip, direct } = this.runtime
    const seal = { traceparent: this.tracings.get(taskIdOfRoundMessage(message))?.sending(message) }
    switch (message.kind) {
      case 'announce':
        await gossip.publish('fl.round.announce', announceToWire(message), seal)
        return
      case 'propose':
        await gossip.publish('fl.round.propose', proposeToWire(message), seal)
        return
      case 'committed':
        await gossip.publish('fl.round.committed', committedToWire(message), seal)
        return
      case 'submit':
        if (!to) throw new Error('a submission goes to its aggregator')
        await direct.send(peerIdFromString(to), 'fl.round.submit', submitToWire(message), AbortSignal.timeout(20_000), seal)
        return
    }
  }

  private route(from: string, decoded: Decoded<RoundMessage>, taskId: string | undefined, traceparent: string | undefined): void {
    const participant = taskId === undefined ? undefined : this.participants.get(taskId)
    if (!participant) return
    if (!decoded.ok) {
      this.log.warn({ from, taskId, reason: decoded.reason }, 'round message refused')
      return
    }
    this.tracings.get(taskId!)?.received(decoded.value, traceparent)
    participant.receive(from, decoded.value)
  }

  private sayReady(): void {
    for (const taskId of this.joined) {
      // A finished task needs no trainers.
      if (this.participants.get(taskId)?.status.phase === 'done') continue
      this.runtime.gossip
        .publish('fl.trainer.ready', { version: ROUND_WIRE_VERSION, taskId })
        .catch((error: Error) => this.log.debug({ err: error.message }, 'trainer presence not published'))
    }
  }

  private reportPresence(): void {
    for (const [taskId, participant] of this.participants) participant.presence(this.presentTrainers(taskId))
  }

  private repeat(ms: number, run: () => void): void {
    let cancel = () => {}
    const loop = () => {
      cancel = this.clock.setTimer(ms, () => {
        try {
          run()
        } finally {
          loop()
        }
      })
    }
    loop()
    this.timers.push(() => cancel())
  }
}

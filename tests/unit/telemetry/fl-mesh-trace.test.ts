/**
 * FlMesh's part in round tracing, over real signed envelopes: every message goes through
 * sealMessage and the inbound gate (as on the mesh), so the traceparent a receiver's
 * RoundTracing sees is the one the sender's put in the envelope and the signature covered.
 */
import { describe, expect, it } from 'vitest'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { FlMesh } from '../../../workers/fl/mesh/fl-mesh'
import type { FlParticipant } from '../../../workers/fl/mesh/participant'
import { roundTraceId } from '../../../workers/fl/mesh/round-trace'
import type { HostClock } from '../../../workers/fl/round/host'
import type { RoundMessage, RoundStatus } from '../../../workers/fl/round'
import { identityFromSeed, peerIdStringFromPublicKey } from '../../../workers/identity/ed25519'
import { messageKinds } from '../../../workers/kinds'
import { silentLogger } from '../../../workers/log'
import type { MeshRuntime } from '../../../workers/net/runtime'
import { createEnvelopeSigner, sealMessage, type SealOptions } from '../../../workers/protocol/envelope'
import { InboundValidator, type Accepted } from '../../../workers/protocol/inbound'
import type { MessageKind } from '../../../workers/protocol/kind-spec'
import { verifyEd25519Batch } from '../../../workers/protocol/verify'
import { contextFromTraceparent } from '../../../workers/telemetry/work-trace'
import { trace } from '@opentelemetry/api'

type Handler = (message: Accepted, from: PeerId) => void

/** The parts of MeshRuntime FlMesh uses, with every message sealed, gated and delivered to the other members. */
class EnvelopeBus {
  private readonly members = new Map<string, { gossip: Map<string, Handler[]>; direct: Map<string, Handler> }>()
  readonly delivered: { kind: string; traceparent: string | undefined }[] = []

  runtime(seed: number): { runtime: MeshRuntime; peerId: string } {
    const identity = identityFromSeed(new Uint8Array(32).fill(seed))
    const peerId = peerIdStringFromPublicKey(identity.publicKey)
    const signer = createEnvelopeSigner(identity, messageKinds)
    const handlers = { gossip: new Map<string, Handler[]>(), direct: new Map<string, Handler>() }
    this.members.set(peerId, handlers)
    const deliver = async (to: string, kind: MessageKind, bytes: Uint8Array, direct: boolean) => {
      const member = this.members.get(to)!
      const gate = new InboundValidator({ kinds: messageKinds, verify: verifyEd25519Batch })
      const verdict = await gate.check(bytes, {
        carrier: direct ? 'stream' : 'gossip',
        expectedKind: kind,
        originPublicKey: identity.publicKey,
      })
      if (!verdict.ok) throw new Error(`gate refused ${kind}: ${verdict.reason}`)
      this.delivered.push({ kind, traceparent: verdict.envelope.traceparent })
      const targets = direct ? [member.direct.get(kind)!] : (member.gossip.get(kind) ?? [])
      for (const handler of targets) handler(verdict, peerIdFromString(peerId))
    }
    const runtime = {
      node: { peerId: peerIdFromString(peerId) },
      gossip: {
        join: () => {},
        on: (kind: string, handler: Handler) => void handlers.gossip.set(kind, [...(handlers.gossip.get(kind) ?? []), handler]),
        publish: async (kind: MessageKind, payload: never, options: SealOptions = {}) => {
          const bytes = sealMessage(signer, kind, payload, options)
          for (const other of this.members.keys()) if (other !== peerId) await deliver(other, kind, bytes, false)
          return this.members.size - 1
        },
      },
      direct: {
        on: async (kind: string, handler: Handler) => void handlers.direct.set(kind, handler),
        send: async (to: PeerId, kind: MessageKind, payload: never, _signal?: AbortSignal, seal?: SealOptions) =>
          deliver(to.toString(), kind, sealMessage(signer, kind, payload, seal), true),
      },
    }
    return { runtime: runtime as unknown as MeshRuntime, peerId }
  }
}

/** No background timers: presence and readiness loops stay quiet. */
const stillClock: HostClock = { now: () => 0, setTimer: () => () => {} }

function stubParticipant(received: RoundMessage[]): FlParticipant {
  const status = { round: 1, attempt: 0, phase: 'waiting', committedRounds: 0 } as RoundStatus
  return {
    receive: (_from: string, m: RoundMessage) => received.push(m),
    status,
    stop: () => {},
    presence: () => {},
  } as unknown as FlParticipant
}

const TASK = 'mesh-trace-task'
const HASH = 'ab'.repeat(32)

describe("FlMesh's round traces", () => {
  it("puts each round message's trace context in its signed envelope, and continues the sender's trace on arrival", async () => {
    const exporter = new InMemorySpanExporter()
    const tracer = () => new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }).getTracer('test')
    const bus = new EnvelopeBus()
    const a = bus.runtime(11)
    const t = bus.runtime(12)
    const aggregator = new FlMesh(a.runtime, stillClock, silentLogger, tracer())
    const trainer = new FlMesh(t.runtime, stillClock, silentLogger, tracer())
    await aggregator.start()
    await trainer.start()
    const atAggregator: RoundMessage[] = []
    const atTrainer: RoundMessage[] = []
    aggregator.add(TASK, stubParticipant(atAggregator), false)
    trainer.add(TASK, stubParticipant(atTrainer), true)

    aggregator.send(null, { kind: 'announce', taskId: TASK, round: 1, attempt: 0, baseModel: HASH, cohort: [t.peerId], previous: null })
    await expect.poll(() => atTrainer.length).toBe(1)
    trainer.trace(TASK).status({ round: 1, attempt: 0, phase: 'training', committedRounds: 0 } as RoundStatus)
    trainer.send(a.peerId, {
      kind: 'submit',
      taskId: TASK,
      round: 1,
      attempt: 0,
      submission: { trainer: t.peerId, update: HASH, samples: 10, signature: new Uint8Array(64) },
    })
    await expect.poll(() => atAggregator.length).toBe(1)
    // The task chain's consensus messages carry the round's context too.
    const heard: (string | undefined)[] = []
    trainer.consensusTransport(TASK).subscribe((_payload, _sender, traceparent) => heard.push(traceparent))
    const roundContext = aggregator.trace(TASK).consensus.sending({
      kind: 'vote',
      height: 1,
      round: 0,
      type: 'prevote',
      valueId: new Uint8Array(32),
      validator: 0,
      commitSignature: new Uint8Array(0),
      signature: new Uint8Array(0),
    })
    await aggregator.consensusTransport(TASK).publish(new Uint8Array([1, 2, 3]), roundContext)
    expect(heard).toEqual([roundContext])

    aggregator.remove(TASK)
    trainer.remove(TASK)
    const spans = exporter.getFinishedSpans()
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([roundTraceId(TASK, 1)]))
    const roots = new Map(spans.filter((s) => s.name === 'fl.round').map((s) => [s.attributes['mesh.node'], s]))
    const aggregatorRoot = roots.get(a.peerId)!
    const trainerRoot = roots.get(t.peerId)!
    expect(trainerRoot.parentSpanContext?.spanId).toBe(aggregatorRoot.spanContext().spanId)
    const phasesUnder = (id: string) => spans.filter((s) => s.name !== 'fl.round' && s.parentSpanContext?.spanId === id).map((s) => s.name)
    expect(phasesUnder(aggregatorRoot.spanContext().spanId)).toEqual(['announce', 'submit', 'consensus'])
    expect(phasesUnder(trainerRoot.spanContext().spanId)).toEqual(['announce', 'train', 'submit'])
    // What went over the wire: each round message with its sender's root as the parent to continue.
    const spanIdOf = (traceparent: string | undefined) => trace.getSpanContext(contextFromTraceparent(traceparent)!)?.spanId
    const wire = (kind: string) => bus.delivered.filter((d) => d.kind === kind).map((d) => spanIdOf(d.traceparent))
    expect(wire('fl.round.announce')).toEqual([aggregatorRoot.spanContext().spanId])
    expect(wire('fl.round.submit')).toEqual([trainerRoot.spanContext().spanId])
    expect(wire('fl.consensus')).toEqual([aggregatorRoot.spanContext().spanId])
    // Readiness is not about a round: no trace context.
    expect(bus.delivered.filter((d) => d.kind === 'fl.trainer.ready').map((d) => d.traceparent)).toEqual([undefined])
  })
})

/**
 * One federated round on seven nodes (four validators on the production consensus adapter, one
 * aggregator, three trainers), each with its own tracer as separate processes would have, all
 * exporting to one in-memory collector. Messages travel with the traceparent their sender's
 * RoundTracing put on them, as FlMesh puts it in the envelope.
 */
import { describe, expect, it } from 'vitest'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { ConsensusAdapter, MemoryConsensusStore, type BftTransport } from '../../../workers/consensus/adapter'
import { createRealScheme, createRealSigner, createValidatorSet, encodeCertificate } from '../../../workers/consensus/certificate'
import { chainIdFor, decodeDescriptor, hashOf, type CommitProof, type RoundMessage } from '../../../workers/fl/round'
import { RoundHost, type HostClock, type RoundHostHandlers } from '../../../workers/fl/round/host'
import { RoundTracing, roundTraceId } from '../../../workers/fl/mesh/round-trace'
import { float32LE } from '../../../workers/fl/update/delta'
import { peerIdStringFromPublicKey } from '../../../workers/identity/ed25519'
import { silentLogger } from '../../../workers/log'
import { flRoundPhases } from '../../../workers/telemetry/phases'

const scheme = createRealScheme()
const FAST = { proposeMs: 400, prevoteMs: 200, precommitMs: 200, roundIncrementMs: 200, rebroadcastMs: 300 }
const clock: HostClock = {
  now: () => performance.now(),
  setTimer: (ms, run) => {
    const t = setTimeout(run, ms)
    return () => clearTimeout(t)
  },
}
const TASK = 'trace-task'

/** In-memory BFT gossip that carries each message's traceparent as the envelope does. */
class BftBus {
  private readonly handlers = new Map<string, (payload: Uint8Array, sender: Uint8Array, traceparent?: string) => void>()
  attach(name: string, key: Uint8Array): BftTransport {
    return {
      publish: async (payload, traceparent) => {
        for (const [other, handler] of this.handlers) if (other !== name) setTimeout(() => handler(payload, key, traceparent), 0)
      },
      subscribe: (handler) => {
        this.handlers.set(name, handler)
        return () => this.handlers.delete(name)
      },
    }
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('tracing a federated round', () => {
  it("puts every node's spans of one round into one trace: a root per node, a child per phase, trainers and validators under the aggregator", async () => {
    const signers = Array.from({ length: 4 }, (_, i) =>
      createRealSigner({ identitySeed: new Uint8Array(32).fill(i + 61), voteSeed: new Uint8Array(48).fill(i + 61) }),
    )
    const entries = signers.map((s) => ({
      id: peerIdStringFromPublicKey(s.identityKey),
      identityKey: s.identityKey,
      voteKey: s.voteKey,
      possession: s.proofOfPossession(),
    }))
    const created = createValidatorSet(entries, scheme)
    if (!created.ok) throw new Error(created.reason)
    const set = created.set
    const validators = set.validators.map((v) => v.id)
    const aggregator = 'agg-0'
    const trainers = ['t0', 't1', 't2']
    const roster = { aggregators: [aggregator], validators }
    const params = { taskId: TASK, rounds: 1, quorum: 3, collectMs: 1000, validateMs: 2500 }

    // Models as one number each; the candidate is the mean of the trainers' numbers.
    const blobs = new Map<string, number>()
    const store = (x: number) => {
      const h = hashOf(float32LE(Float32Array.of(x)))
      blobs.set(h, x)
      return h
    }
    const initial = store(0)
    const mean = (inputs: readonly { update: string }[]) => store(inputs.reduce((sum, i) => sum + blobs.get(i.update)!, 0) / inputs.length)

    const exporter = new InMemorySpanExporter()
    const providers: TracerProvider[] = []
    const hosts = new Map<string, RoundHost>()
    const tracings = new Map<string, RoundTracing>()
    const adopted = new Map<string, CommitProof>()
    const nodes = [...validators, aggregator, ...trainers]
    for (const id of nodes) {
      const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] })
      providers.push(provider)
      tracings.set(id, new RoundTracing({ tracer: provider.getTracer('test'), taskId: TASK, self: id }))
    }
    // What FlMesh does: the sender's traceparent on the message, the receiver's tracing told before its host.
    const send = (from: string) => (to: string | null, message: RoundMessage) => {
      const traceparent = tracings.get(from)!.sending(message)
      for (const [id, host] of hosts)
        if (id !== from && (to === null || to === id))
          setTimeout(() => {
            tracings.get(id)!.received(message, traceparent)
            host.receive(from, message)
          }, 0)
    }
    const handlersFor = (id: string): RoundHostHandlers => ({
      send: send(id),
      certify: async () => true,
      adopt: async (proof) => {
        adopted.set(id, proof)
        tracings.get(id)!.adopted(proof)
      },
      status: (status) => tracings.get(id)!.status(status),
    })
    const base = { params, roster, committedRound: 0, baseModel: initial }

    const bus = new BftBus()
    const adapters: ConsensusAdapter[] = []
    for (const [i, id] of validators.entries()) {
      const host = new RoundHost({ ...base, self: id, trainer: false }, clock, {
        ...handlersFor(id),
        verify: async (d) => mean(d.inputs) === d.candidate,
      })
      hosts.set(id, host)
      const signer = signers[entries.findIndex((e) => e.id === id)]
      const adapter = await ConsensusAdapter.start({
        chainId: chainIdFor(TASK),
        validators: set,
        signer,
        scheme,
        transport: bus.attach(id, signer.identityKey),
        store: new MemoryConsensusStore(),
        application: host.application,
        observer: tracings.get(id)!.consensus,
        log: silentLogger,
        timeouts: FAST,
      })
      adapter.onDecision((decision) => {
        const d = decodeDescriptor(decision.value)
        if (d.ok) host.decided({ descriptor: d.value, certificate: encodeCertificate(decision.certificate) })
      })
      adapters.push(adapter)
      void i
    }
    hosts.set(
      aggregator,
      new RoundHost({ ...base, self: aggregator, trainer: false }, clock, {
        ...handlersFor(aggregator),
        aggregate: async (r) => mean(r.inputs),
      }),
    )
    for (const [t, id] of trainers.entries()) {
      hosts.set(
        id,
        new RoundHost({ ...base, self: id, trainer: true }, clock, {
          ...handlersFor(id),
          train: async () => ({ trainer: id, update: store(t + 1), samples: 10, signature: new Uint8Array(0) }),
        }),
      )
    }
    hosts.get(aggregator)!.presence(trainers)

    try {
      await waitFor(() => nodes.every((id) => adopted.has(id)), 'the round adopted everywhere')
    } finally {
      for (const host of hosts.values()) host.stop()
      await Promise.all(adapters.map((a) => a.stop()))
    }
    await Promise.all(providers.map((p) => p.forceFlush()))

    const spans = exporter.getFinishedSpans()
    const roots = spans.filter((s) => s.name === 'fl.round')
    const rootOf = new Map(roots.map((r) => [r.attributes['mesh.node'] as string, r]))
    // One root span per node, all in the round's trace, which every node derives from task and round.
    expect(roots.map((r) => r.attributes['mesh.node']).sort()).toEqual([...nodes].sort())
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([roundTraceId(TASK, 1)]))
    for (const root of roots) expect(root.attributes['fl.round']).toBe(1)
    for (const root of roots) expect(root.status.code, String(root.attributes['mesh.node'])).not.toBe(2)

    // The aggregator started the round (its parent is the derived context, never exported); everyone
    // else's root continues the aggregator's, from the traceparent of its announcement.
    const aggregatorRoot = rootOf.get(aggregator)!
    expect(aggregatorRoot.parentSpanContext?.spanId).toBe(roundTraceId(TASK, 1).slice(0, 16))
    for (const id of [...validators, ...trainers])
      expect(rootOf.get(id)!.parentSpanContext?.spanId, id).toBe(aggregatorRoot.spanContext().spanId)

    // Each phase span is a child of its own node's root, in the declared order, and none is left open.
    const phasesOf = (id: string) =>
      spans
        .filter((s) => s.parentSpanContext?.spanId === rootOf.get(id)!.spanContext().spanId && s.name !== 'fl.round')
        .sort((a, b) => hr(a.startTime) - hr(b.startTime))
    const phaseSpans = spans.filter((s) => s.name !== 'fl.round')
    expect(phaseSpans.length).toBe(nodes.reduce((n, id) => n + phasesOf(id).length, 0))
    for (const id of nodes) {
      const names = phasesOf(id).map((s) => s.name)
      expect(names, id).toEqual(flRoundPhases.filter((p) => names.includes(p)))
      expect(names.at(-1), id).toBe('adopt')
    }
    // A trainer hears the aggregator's proposal too: after its submission it waits on the validation.
    for (const id of trainers) expect(phasesOf(id).map((s) => s.name)).toEqual(['announce', 'train', 'submit', 'validate', 'adopt'])
    expect(phasesOf(aggregator).map((s) => s.name)).toEqual(['announce', 'submit', 'aggregate', 'validate', 'adopt'])
    for (const id of validators)
      expect(
        phasesOf(id).map((s) => s.name),
        id,
      ).toEqual(expect.arrayContaining(['announce', 'consensus', 'adopt']))
    // Between them the nodes went through every phase of the round.
    expect(new Set(phaseSpans.map((s) => s.name))).toEqual(new Set(flRoundPhases))
    const adoptedRoot = rootOf.get(trainers[0])!
    expect(adoptedRoot.attributes['fl.aggregator']).toBe(aggregator)
    expect(adoptedRoot.attributes['fl.inputs']).toBe(3)
    for (const t of tracings.values()) t.close()
  })

  it('opens no trace for rounds already committed here, ends a round once, and keeps only a few rounds open', async () => {
    const exporter = new InMemorySpanExporter()
    const tracing = new RoundTracing({
      tracer: new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }).getTracer('test'),
      taskId: TASK,
      self: 'n',
      committedRound: 3,
    })
    const descriptor = (round: number) => ({
      taskId: TASK,
      round,
      attempt: 0,
      aggregator: 'agg',
      baseModel: 'ab'.repeat(32),
      inputs: [],
      candidate: 'cd'.repeat(32),
    })
    const committed = (round: number): RoundMessage => ({
      kind: 'committed',
      proof: { descriptor: descriptor(round), certificate: new Uint8Array(0) },
    })
    // A late re-broadcast of round 3's commit: round 3 is over here.
    tracing.received(committed(3), undefined)
    expect(tracing.sending(committed(3))).toBeUndefined()
    expect(tracing.traceIdOf(3)).toBeUndefined()
    // Round 4 runs and is adopted; its commit heard again afterwards opens nothing.
    tracing.received(committed(4), undefined)
    expect(tracing.traceIdOf(4)).toBe(roundTraceId(TASK, 4))
    tracing.adopted({ descriptor: descriptor(4), certificate: new Uint8Array(0) })
    tracing.received(committed(4), undefined)
    expect(exporter.getFinishedSpans().filter((s) => s.name === 'fl.round')).toHaveLength(1)
    // Announcements of many future rounds (an aggregator far ahead, or a hostile one): only the newest few stay open.
    for (let round = 100; round < 120; round++)
      tracing.received(
        { kind: 'announce', taskId: TASK, round, attempt: 0, baseModel: 'ab'.repeat(32), cohort: [], previous: null },
        undefined,
      )
    expect(tracing.traceIdOf(100)).toBeUndefined()
    expect(tracing.traceIdOf(119)).toBe(roundTraceId(TASK, 119))
    const abandoned = exporter.getFinishedSpans().filter((s) => s.name === 'fl.round' && s.status.message === 'abandoned')
    expect(abandoned).toHaveLength(12)
    tracing.close()
  })
})

function hr(time: readonly [number, number]): number {
  return time[0] * 1e9 + time[1]
}

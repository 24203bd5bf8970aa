import { describe, expect, it } from 'vitest'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { trace } from '@opentelemetry/api'
import { WorkTracer, contextFromTraceparent } from '../../../workers/telemetry/work-trace'
import { flRoundPhases } from '../../../workers/telemetry/phases'
import { identityFromSeed } from '../../../workers/identity/ed25519'
import { messageKinds } from '../../../workers/kinds'
import { createEnvelopeSigner, sealMessage } from '../../../workers/protocol/envelope'
import { Envelope } from '../../../workers/protocol/wire.pb'

/** How the federated-round layer plugs in: its phases, its round number as the work id, the traceparent in its envelopes. */
describe('WorkTracer for a federated round', () => {
  it("follows a round from the aggregator's announcement to a trainer through the envelope, phase by phase", () => {
    const exporter = new InMemorySpanExporter()
    const tracerOf = () => new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }).getTracer('test')
    const phaseSeconds: string[] = []
    const aggregator = new WorkTracer({
      tracer: tracerOf(),
      kind: 'fl.round',
      phases: flRoundPhases,
      attributes: { 'mesh.node': 'aggregator' },
    })
    const trainer = new WorkTracer({
      tracer: tracerOf(),
      kind: 'fl.round',
      phases: flRoundPhases,
      attributes: { 'mesh.node': 'trainer' },
      onPhaseEnd: (phase) => phaseSeconds.push(phase),
    })

    const round = aggregator.work('7', { 'fl.round': 7 })
    round.phase('announce')
    const signer = createEnvelopeSigner(identityFromSeed(new Uint8Array(32).fill(9)), messageKinds)
    const announcement = Envelope.decode(
      sealMessage(signer, 'mesh.chat', { text: 'round 7', sentAtUs: 1n }, { traceparent: round.traceparent }),
    )

    const mine = trainer.work('7', { 'fl.round': 7 }, announcement.traceparent)
    mine.phase('train')
    mine.phase('submit')
    mine.phase('train') // a late event about an earlier phase does not reopen it
    trainer.finish('7')
    round.phase('aggregate')
    round.phase('adopt')
    aggregator.finish('7')

    const spans = exporter.getFinishedSpans()
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([round.traceId]))
    expect(spans.filter((s) => s.name === 'fl.round')).toHaveLength(2)
    expect(spans.map((s) => s.name).sort()).toEqual(['adopt', 'aggregate', 'announce', 'fl.round', 'fl.round', 'submit', 'train'])
    const trainerRoot = spans.find((s) => s.name === 'fl.round' && s.attributes['mesh.node'] === 'trainer')!
    expect(trainerRoot.parentSpanContext?.spanId).toBe(trace.getSpanContext(contextFromTraceparent(round.traceparent)!)!.spanId)
    expect(phaseSeconds).toEqual(['train', 'submit'])
  })

  it('ignores a malformed traceparent and starts its own trace, and bounds how many pieces stay open', () => {
    const exporter = new InMemorySpanExporter()
    const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }).getTracer('test')
    const rounds = new WorkTracer({ tracer, kind: 'fl.round', phases: flRoundPhases, maxOpen: 2 })
    const work = rounds.work('1', {}, 'not-a-traceparent')
    expect(work.traceId).toMatch(/^[0-9a-f]{32}$/)
    rounds.work('2')
    rounds.work('3')
    expect(rounds.find('1')).toBeUndefined()
    const abandoned = exporter.getFinishedSpans().find((s) => s.name === 'fl.round')!
    expect(abandoned.status).toMatchObject({ message: 'abandoned' })
  })
})

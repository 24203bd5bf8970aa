import { describe, expect, it } from 'vitest'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace'
import { ConsensusAdapter, MemoryConsensusStore, createBeaconApplication, type BftTransport } from '../../../workers/consensus/adapter'
import { createRealScheme, createRealSigner, createValidatorSet, type ValidatorSigner } from '../../../workers/consensus/certificate'
import { peerIdStringFromPublicKey } from '../../../workers/identity/ed25519'
import { silentLogger } from '../../../workers/log'
import { ConsensusTracing, heightTraceId, type HeightFinal } from '../../../workers/telemetry/consensus-trace'
import { bftPhases } from '../../../workers/telemetry/phases'
import { identityFromSeed } from '../../../workers/identity/ed25519'
import { createEnvelopeSigner, sealMessage } from '../../../workers/protocol/envelope'
import { InboundValidator } from '../../../workers/protocol/inbound'
import { verifyEd25519Batch } from '../../../workers/protocol/verify'
import { Envelope } from '../../../workers/protocol/wire.pb'
import { messageKinds } from '../../../workers/kinds'

const scheme = createRealScheme()
const FAST = { proposeMs: 400, prevoteMs: 200, precommitMs: 200, roundIncrementMs: 200, rebroadcastMs: 300 }

/** In-memory gossip that carries each message's traceparent as the envelope would. */
class TracingBus {
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

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('tracing a BFT height', () => {
  it("puts every validator's spans of one height (propose, prevote, precommit, commit) into one trace", async () => {
    const signers: ValidatorSigner[] = Array.from({ length: 4 }, (_, i) =>
      createRealSigner({ identitySeed: new Uint8Array(32).fill(i + 41), voteSeed: new Uint8Array(48).fill(i + 41) }),
    )
    const entries = signers.map((s) => ({
      id: peerIdStringFromPublicKey(s.identityKey),
      identityKey: s.identityKey,
      voteKey: s.voteKey,
      possession: s.proofOfPossession(),
    }))
    const created = createValidatorSet(entries, scheme)
    if (!created.ok) throw new Error(created.reason)
    const bus = new TracingBus()
    // One exporter for all four "processes", as a collector would gather them.
    const exporter = new InMemorySpanExporter()
    const finals: HeightFinal[][] = signers.map(() => [])
    const tracings = signers.map((_, i) => {
      const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] })
      return new ConsensusTracing({
        tracer: provider.getTracer('test'),
        chainId: 'trace-test',
        validator: entries[i].id,
        onFinal: (f) => finals[i].push(f),
      })
    })
    const adapters = await Promise.all(
      signers.map((signer, i) =>
        ConsensusAdapter.start({
          chainId: 'trace-test',
          validators: created.set,
          signer,
          scheme,
          transport: bus.attach(entries[i].id, signer.identityKey),
          store: new MemoryConsensusStore(),
          application: createBeaconApplication({ selfId: entries[i].id, validators: created.set }),
          log: silentLogger,
          timeouts: FAST,
          observer: tracings[i],
        }),
      ),
    )
    await waitFor(() => finals.every((f) => f.length >= 2), 'two heights decided everywhere')
    await Promise.all(adapters.map((a) => a.stop()))

    const spans = exporter.getFinishedSpans()
    const ofHeight = (height: number) => {
      const roots = spans.filter((s) => s.name === 'bft.height' && s.attributes['bft.height'] === height)
      const rootIds = new Set(roots.map((s) => s.spanContext().spanId))
      const phases = spans.filter((s) => s.name !== 'bft.height' && s.parentSpanContext && rootIds.has(s.parentSpanContext.spanId))
      return { roots, phases }
    }
    const traceIds = new Set<string>()
    let propagatedLinks = 0
    for (const height of [1, 2]) {
      const { roots, phases } = ofHeight(height)
      // One root span per validator, all in one trace; one of them (the proposer's) starts it,
      // every other one is the child of a span of that same trace.
      expect(roots.map((r) => r.attributes['mesh.validator']).sort()).toEqual(entries.map((e) => e.id).sort())
      const ids = new Set([...roots, ...phases].map((s) => s.spanContext().traceId))
      expect(ids.size, `height ${height} spans in one trace`).toBe(1)
      expect([...ids][0]).toBe(heightTraceId('trace-test', height))
      traceIds.add([...ids][0])
      // Validators that heard the proposal before acting continue the proposer's span (propagated
      // in the envelope); one whose timer fired first joins by the derived trace id.
      const rootIds = new Set(roots.map((r) => r.spanContext().spanId))
      propagatedLinks += roots.filter((r) => rootIds.has(r.parentSpanContext!.spanId)).length
      // Each validator's phases are children of its own root.
      for (const root of roots) {
        const own = phases
          .filter((p: ReadableSpan) => p.parentSpanContext!.spanId === root.spanContext().spanId)
          .sort((a, b) => hr(a.startTime) - hr(b.startTime))
        const names = own.map((p) => p.name)
        // In order, ending in commit; a validator whose propose timer fired first starts at prevote.
        expect(names).toEqual(bftPhases.filter((phase) => names.includes(phase)))
        expect(names.slice(-3)).toEqual(['prevote', 'precommit', 'commit'])
      }
      expect(new Set(phases.map((p) => p.name))).toEqual(new Set(bftPhases))
      for (const f of finals) expect(f.find((x) => x.height === height)?.traceId).toBe([...ids][0])
    }
    // Each height is its own trace, and the envelope's traceparent did link validators' spans.
    expect(traceIds.size).toBe(2)
    expect(propagatedLinks).toBeGreaterThan(0)
    for (const f of finals.flat()) expect(f.finalitySeconds).toBeGreaterThan(0)
    for (const t of tracings) t.close()
  })

  it('carries the traceparent in the envelope under the signature, so a relay on the path cannot re-parent or inject a trace', async () => {
    const signer = createEnvelopeSigner(identityFromSeed(new Uint8Array(32).fill(5)), messageKinds)
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
    const bytes = sealMessage(signer, 'mesh.chat', { text: 'traced', sentAtUs: 1n }, { traceparent })
    const gate = () => new InboundValidator({ kinds: messageKinds, verify: verifyEd25519Batch })
    const verdict = await gate().check(bytes, { carrier: 'gossip' })
    expect(verdict.ok && verdict.envelope.traceparent).toBe(traceparent)
    // What an on-path relay might do: point the message at another trace, drop the trace, or add one.
    const reparented = Envelope.encode({
      ...Envelope.decode(bytes),
      traceparent: '00-ffffffffffffffffffffffffffffffff-b7ad6b7169203331-01',
    })
    const stripped = Envelope.encode({ ...Envelope.decode(bytes), traceparent: undefined })
    const plainBytes = sealMessage(signer, 'mesh.chat', { text: 'plain', sentAtUs: 2n })
    const injected = Envelope.encode({ ...Envelope.decode(plainBytes), traceparent })
    for (const [what, tampered] of Object.entries({ reparented, stripped, injected })) {
      const refused = await gate().check(tampered, { carrier: 'gossip' })
      expect(refused.ok, what).toBe(false)
      expect(!refused.ok && refused.reason, what).toBe('bad-signature')
    }
    // A message without the field is byte-for-byte what it was before the field existed.
    expect(Envelope.decode(plainBytes).traceparent).toBeUndefined()
    expect((await gate().check(plainBytes, { carrier: 'gossip' })).ok).toBe(true)
  })
})

function hr(time: [number, number]): number {
  return time[0] * 1e9 + time[1]
}

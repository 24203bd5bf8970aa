/**
 * A real relay in this process (its own one-member validator set, so it aggregates, validates
 * and decides alone) with `--otlp-endpoint` pointing at a tiny OTLP/HTTP collector, and a Node
 * peer training over real libp2p with the production FlMesh and FlParticipant (as a browser
 * does): the collector receives the relay's `fl.round` trace for the round, and the trainer's
 * own spans of that round continue it through the envelopes' signed traceparent.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { multiaddr } from '@multiformats/multiaddr'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { resolveConfig } from '../../../relay/config'
import { runFlCli } from '../../../relay/fl-cli'
import { startRelay, type RunningRelay } from '../../../relay/relay'
import { createRealScheme, createValidatorSet } from '../../../workers/consensus/certificate'
import { FlMesh } from '../../../workers/fl/mesh/fl-mesh'
import { FlParticipant } from '../../../workers/fl/mesh/participant'
import { recipientKeyPair } from '../../../workers/fl/mesh/keys'
import { roundTraceId } from '../../../workers/fl/mesh/round-trace'
import { taskFromFeed, validatorFromJson, type TaskFeed } from '../../../workers/fl/mesh/task-feed'
import { realTimeClock } from '../../../workers/fl/round/host'
import { hashOf } from '../../../workers/fl/round/identity'
import { initialWeights } from '../../../workers/fl/model/weights'
import { float32LE } from '../../../workers/fl/update/delta'
import { loadMnistNode } from '../../../workers/fl/node/mnist-data'
import { createTrainingSession } from '../../../workers/fl/training-session'
import { silentLogger } from '../../../workers/log'
import { createNodePeer, fetchTrust, type NodePeer } from '../../e2e/harness/node-peer'

/** A span as the OTLP/HTTP JSON exporter sends it (ids in hex). */
interface OtlpSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId?: string
  readonly name: string
  readonly attributes: readonly { readonly key: string; readonly value: { readonly stringValue?: string } }[]
  readonly status?: { readonly code?: number; readonly message?: string }
}

describe('relay OTLP export of a federated round', () => {
  let relay: RunningRelay | undefined
  let collector: Server | undefined
  let peer: NodePeer | undefined
  let mesh: FlMesh | undefined
  afterAll(async () => {
    mesh?.stop()
    await peer?.node.stop()
    await relay?.stop()
    collector?.close()
  }, 60_000)

  it("exports the relay's spans of a round as one fl.round trace, which the trainer's spans continue", async () => {
    const received: OtlpSpan[] = []
    collector = createServer((request, response) => {
      const chunks: Buffer[] = []
      request.on('data', (chunk: Buffer) => chunks.push(chunk))
      request.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }
        for (const resource of body.resourceSpans) for (const scope of resource.scopeSpans) received.push(...scope.spans)
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      })
    })
    await new Promise<void>((resolve) => collector!.listen(0, '127.0.0.1', resolve))
    const address = collector.address()
    if (!address || typeof address === 'string') throw new Error('collector not listening')

    const dataDir = mkdtempSync(join(tmpdir(), 'mesh-otlp-round-'))
    // One short round that one trainer can complete.
    const created = await runFlCli(
      ['create', '--data-dir', dataDir, '--name', 'traced', '--rounds', '1', '--quorum', '1', '--rule', 'fedavg', '--steps', '2'],
      {},
      () => {},
    )
    expect(created).toBe(0)
    relay = await startRelay(
      resolveConfig(
        {
          port: '0',
          'ws-port': '0',
          'data-dir': dataDir,
          dist: join(dataDir, 'no-dist'),
          'otlp-endpoint': `http://127.0.0.1:${address.port}/v1/traces`,
        },
        {},
      ),
      pino({ level: 'silent' }),
    )

    // The trainer joins as a browser does: credential, connection, presence, the task feed, the pinned validator set.
    peer = await createNodePeer(new Uint8Array(32).fill(93), await fetchTrust(relay.url))
    const credential = await peer.join(relay.url)
    await peer.node.dial(multiaddr(relay.multiaddrs[0]))
    await peer.present(credential)
    const feed = (await (await fetch(new URL('/api/fl/tasks', relay.url))).json()) as TaskFeed
    const scheme = createRealScheme()
    const set = createValidatorSet(feed.validators.map(validatorFromJson), scheme)
    if (!set.ok) throw new Error(set.reason)
    for (const v of set.set.validators) peer.peers!.registry.pinRoles(v.identityKey, ['validator', 'aggregator'])
    const entry = feed.tasks.find((t) => t.state === 'pending' || t.state === 'running')!
    const checked = taskFromFeed(entry)
    if (!checked.ok) throw new Error(checked.reason)
    const task = checked.task
    const initial = initialWeights(task.model, task.dataSeed)

    const exporter = new InMemorySpanExporter()
    const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }).getTracer('trainer')
    mesh = new FlMesh(peer.runtime, realTimeClock, silentLogger, tracer)
    await mesh.start()
    const self = peer.node.peerId.toString()
    const validators = set.set.validators.map((v) => v.id)
    const participant = new FlParticipant({
      runtime: peer.runtime,
      self,
      identity: { publicKey: peer.identity.publicKey, sign: peer.identity.sign },
      recipient: recipientKeyPair(peer.identity.seed),
      taskId: entry.taskId,
      task,
      roster: { aggregators: validators, validators },
      validatorSet: set.set,
      scheme,
      trainer: true,
      committed: { round: 0, model: hashOf(float32LE(initial.values)), proof: null },
      initialModel: initial,
      store: { model: async () => null, commit: async () => {}, audit: async () => {} },
      training: createTrainingSession(loadMnistNode()),
      clock: realTimeClock,
      log: silentLogger,
      onStatus: (status) => mesh!.trace(entry.taskId).status(status),
      onAdopted: (proof) => mesh!.trace(entry.taskId).adopted(proof),
      send: (to, message) => mesh!.send(to, message),
    })
    mesh.add(entry.taskId, participant, true)
    const deadline = Date.now() + 150_000
    while (participant.status.committedRounds < 1 || exporter.getFinishedSpans().every((s) => s.name !== 'fl.round')) {
      if (Date.now() > deadline) throw new Error(`round not adopted by the trainer; status ${JSON.stringify(participant.status)}`)
      await new Promise((r) => setTimeout(r, 200))
    }
    mesh.stop()
    // Stopping flushes the relay's exporter batch.
    await relay.stop()
    relay = undefined

    const traceId = roundTraceId(entry.taskId, 1)
    // What the collector got, for the failure message.
    const seen = received
      .map((s) => `${s.name} ${s.traceId.slice(0, 8)} ${s.spanId}<-${s.parentSpanId ?? ''} ${s.status?.message ?? ''}`)
      .join('\n')
    const relayRoots = received.filter((s) => s.name === 'fl.round' && s.traceId === traceId)
    expect(relayRoots, seen).toHaveLength(1)
    const relayRoot = relayRoots[0]
    const phases = received.filter((s) => s.parentSpanId === relayRoot.spanId).map((s) => s.name)
    // The relay aggregates and validates: its round runs through all of these.
    expect(phases, seen).toEqual(['announce', 'submit', 'aggregate', 'validate', 'consensus', 'adopt'])
    expect(new Set(received.filter((s) => s.traceId === traceId).map((s) => s.traceId))).toEqual(new Set([traceId]))
    const trainerRoot = exporter.getFinishedSpans().find((s) => s.name === 'fl.round')!
    expect(trainerRoot.spanContext().traceId).toBe(traceId)
    expect(trainerRoot.parentSpanContext?.spanId, seen).toBe(relayRoot.spanId)
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(expect.arrayContaining(['announce', 'train', 'submit', 'adopt']))
  }, 240_000)
})

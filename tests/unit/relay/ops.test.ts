import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { Writable } from 'node:stream'
import { heightTraceId } from '../../../workers/telemetry/consensus-trace'
import { multiaddr } from '@multiformats/multiaddr'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { resolveConfig } from '../../../relay/config'
import { startRelay, type RunningRelay } from '../../../relay/relay'
import { relayValidatorEntry } from '../../../relay/validator'
import { createNodePeer, fetchTrust, type NodePeer } from '../../e2e/harness/node-peer'
import { topicForKind } from '../../../workers/net/gossip'
import { sealMessage } from '../../../workers/protocol/envelope'
import { Envelope } from '../../../workers/protocol/wire.pb'

/**
 * A real relay in this process, acting as the only validator of a one-member chain (so it
 * decides heights on its own), with a Node peer connected over WebSockets that moves a blob
 * and sends good and bad gossip: every layer that exists has real traffic behind its metrics.
 */
describe('relay operations: /metrics, /healthz, /readyz', () => {
  const token = 'metrics-secret-for-test'
  let relay: RunningRelay
  let peer: NodePeer
  const logLines: Record<string, any>[] = []

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mesh-ops-'))
    const flags = {
      port: '0',
      'ws-port': '0',
      'data-dir': dataDir,
      dist: join(dataDir, 'no-dist'),
      'bft-interval-ms': '20',
      'metrics-token': token,
    }
    const entry = await relayValidatorEntry(resolveConfig(flags, {}))
    const setFile = join(dataDir, 'validators.json')
    writeFileSync(setFile, JSON.stringify({ chainId: 'ops-test', validators: [entry] }))
    const sink = new Writable({
      write: (chunk, _encoding, done) => (
        logLines.push(
          ...chunk
            .toString()
            .trim()
            .split('\n')
            .map((l: string) => JSON.parse(l)),
        ),
        done()
      ),
    })
    relay = await startRelay(resolveConfig({ ...flags, 'validator-set': setFile }, {}), pino({ level: 'info' }, sink))

    peer = await createNodePeer(new Uint8Array(32).fill(91), await fetchTrust(relay.url))
    await peer.join(relay.url)
    await peer.node.dial(multiaddr(relay.multiaddrs[0]))
    const blob = new Uint8Array(300_000).map((_, i) => i % 251)
    const sha256Hex = await relay.runtime.blobs.add(blob)
    expect(await peer.runtime.fetchBlob(relay.runtime.node.peerId, Buffer.from(sha256Hex, 'hex'))).toEqual(blob)

    const topic = topicForKind('mesh.chat')
    await vi.waitFor(() => expect(peer.node.services.pubsub.getSubscribers(topic).map(String)).toContain(relay.peerId), {
      timeout: 30_000,
      interval: 100,
    })
    await peer.runtime.gossip.publish('mesh.chat', { text: 'hello relay', sentAtUs: 1n })
    const tampered = Envelope.decode(sealMessage(peer.signer, 'mesh.chat', { text: 'tampered', sentAtUs: 2n }))
    tampered.signature[0] ^= 0xff
    await peer.runtime.gossip.publishRaw(topic, Envelope.encode(tampered))
    await vi.waitFor(() => expect(relay.runtime.validator.snapshot().rejected['bad-signature']).toBe(1), { timeout: 15_000, interval: 100 })
    // Several decided heights, so the consensus histograms have observations.
    await vi.waitFor(async () => expect(await decidedHeights()).toBeGreaterThanOrEqual(3), { timeout: 60_000, interval: 200 })
  }, 120_000)

  afterAll(async () => {
    await peer?.node.stop()
    await relay?.stop()
  }, 60_000)

  async function decidedHeights(): Promise<number> {
    const body = (await (await fetch(new URL('/healthz', relay.url))).json()) as { consensus: { decisions: number } }
    return body.consensus.decisions
  }

  async function scrape() {
    const response = await fetch(new URL('/metrics', relay.url), { headers: { Authorization: `Bearer ${token}` } })
    expect(response.status).toBe(200)
    const families = parsePrometheusTextFormat(await response.text())
    return new Map(families.map((f) => [f.name, f]))
  }

  it('refuses /metrics without the bearer token', async () => {
    expect((await fetch(new URL('/metrics', relay.url))).status).toBe(401)
    expect((await fetch(new URL('/metrics', relay.url), { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401)
  })

  it('exports parseable Prometheus text with a family for every layer, fed by real traffic', async () => {
    const families = await scrape()
    const sample = (name: string, labels: Record<string, string> = {}) =>
      families.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    const value = (name: string, labels: Record<string, string> = {}) => Number(sample(name, labels)?.value)

    // Mesh: peers by transport and role, gate verdicts by kind and reason, stream transfers.
    expect(value('mesh_peers', { transport: 'websocket', role: 'worker' })).toBeGreaterThanOrEqual(1)
    expect(value('mesh_peers_connected')).toBeGreaterThanOrEqual(1)
    expect(value('mesh_messages_accepted_total', { kind: 'mesh.chat' })).toBeGreaterThanOrEqual(1)
    expect(value('mesh_messages_rejected_total', { kind: 'mesh.chat', reason: 'bad-signature' })).toBe(1)
    expect(value('mesh_stream_transfers_total', { direction: 'served', outcome: 'ok' })).toBe(1)
    expect(value('mesh_stream_transfer_bytes_total', { direction: 'served' })).toBe(300_000)
    // libp2p's own families share the registry: circuit reservations, bytes per protocol (relayed bytes ride the hop protocol).
    expect(families.has('libp2p_circuit_relay_server_reservations_total')).toBe(true)
    expect(families.get('libp2p_data_transfer_bytes_total')?.metrics.length).toBeGreaterThan(0)

    // Consensus: height, rounds per height, finality, certificate signers; audit entries written.
    expect(value('mesh_consensus_height')).toBeGreaterThanOrEqual(4)
    expect(Number(families.get('mesh_consensus_decisions_total')?.metrics[0].value)).toBeGreaterThanOrEqual(3)
    for (const name of ['mesh_consensus_rounds_per_height', 'mesh_consensus_finality_seconds', 'mesh_consensus_certificate_signers']) {
      expect(families.get(name)?.type).toBe('HISTOGRAM')
      expect(Number(families.get(name)?.metrics[0].count)).toBeGreaterThanOrEqual(3)
    }
    expect(families.get('mesh_consensus_certificate_signers')?.metrics[0].buckets?.['1']).toBe(
      families.get('mesh_consensus_certificate_signers')?.metrics[0].count,
    )
    expect(value('mesh_audit_entries')).toBeGreaterThanOrEqual(3)

    // The federated-round and task families exist (zero until those layers report).
    for (const name of [
      'mesh_fl_round_phases_total',
      'mesh_fl_round_phase_seconds',
      'mesh_fl_submissions_total',
      'mesh_fl_dropouts_total',
      'mesh_fl_secagg_aborts_total',
      'mesh_tasks',
      'mesh_subtasks',
      'mesh_task_phase_seconds',
      'mesh_browser_reports_total',
    ]) {
      expect(families.has(name), name).toBe(true)
    }
    expect(value('mesh_fl_round_phases_total', { phase: 'aggregate' })).toBe(0)
  })

  it('logs JSON lines with correlation ids: the height and its trace id, the envelope hash of a rejected message', () => {
    const finals = logLines.filter((l) => l.msg === 'height final')
    expect(finals.length).toBeGreaterThanOrEqual(3)
    // Tracing is off here, yet every validator derives the same trace id for a height, so it can be grepped across logs.
    for (const line of finals)
      expect(line).toMatchObject({
        component: 'consensus',
        height: expect.any(Number),
        traceId: heightTraceId('ops-test', line.height),
        finalityMs: expect.any(Number),
      })
    const rejected = logLines.find((l) => l.msg === 'message rejected' && l.reason === 'bad-signature')
    expect(rejected).toMatchObject({ component: 'mesh', kind: 'mesh.chat', msgId: expect.stringMatching(/^[0-9a-f]{64}$/) })
  })

  it('never uses a PeerId as a label value', async () => {
    const families = await scrape()
    const labelValues = [...families.values()].flatMap((f) => f.metrics.flatMap((m) => Object.values(m.labels ?? {})))
    expect(labelValues.length).toBeGreaterThan(10)
    for (const id of [relay.peerId, peer.node.peerId.toString()]) expect(labelValues.some((v) => v.includes(id))).toBe(false)
  })

  it('is live and ready, and /readyz flips to 503 when the libp2p listener stops while /healthz stays up', async () => {
    const ready = await fetch(new URL('/readyz', relay.url))
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ ready: true, checks: { storage: true, listening: true, validatorCaughtUp: true } })

    await relay.runtime.node.stop()
    const notReady = await fetch(new URL('/readyz', relay.url))
    expect(notReady.status).toBe(503)
    expect(await notReady.json()).toMatchObject({ ready: false, checks: { listening: false, storage: true } })
    expect((await fetch(new URL('/healthz', relay.url))).status).toBe(200)
  })
})

import { describe, expect, it } from 'vitest'
import 'fake-indexeddb/auto'
import { NodeReports } from '../../../relay/node-reports'
import { createRelayMetrics } from '../../../relay/metrics'
import { InboundValidator } from '../../../workers/protocol/inbound'
import { verifyEd25519Batch } from '../../../workers/protocol/verify'
import { createEnvelopeSigner, sealMessage } from '../../../workers/protocol/envelope'
import { identityFromSeed, peerIdStringFromPublicKey } from '../../../workers/identity/ed25519'
import { MeshDatabase } from '../../../app/storage/db'
import { PersistentLog } from '../../../app/storage/log-store'
import { messageKinds } from '../../../workers/kinds'

const report = (seed: number, samplesPerSecond: number) => {
  const signer = createEnvelopeSigner(identityFromSeed(new Uint8Array(32).fill(seed)), messageKinds)
  return {
    peerId: peerIdStringFromPublicKey(signer.identity.publicKey),
    bytes: sealMessage(signer, 'ops.report', { backend: 'wasm', samplesPerSecond, gateRejections: seed, roundPhase: '' }),
  }
}

describe('browser metrics summaries at the relay', () => {
  it("files each node under a bounded slot, never its PeerId, and gives the longest-silent node's slot to a newcomer", async () => {
    let now = 1_000_000
    const metrics = createRelayMetrics()
    const reports = new NodeReports(new InboundValidator({ kinds: messageKinds, verify: verifyEd25519Batch }), metrics, 2, () => now)
    const [a, b, c] = [report(1, 100), report(2, 200), report(3, 300)]
    expect(await reports.receive(a.bytes, 'test')).toEqual([200, { slot: 0, intervalMs: expect.any(Number) }])
    now += 1000
    expect((await reports.receive(b.bytes, 'test'))[1]).toMatchObject({ slot: 1 })
    now += 1000
    expect((await reports.receive(c.bytes, 'test'))[1]).toMatchObject({ slot: 0 })
    expect(reports.list().map((r) => [r.slot, r.peerId, r.samplesPerSecond])).toEqual([
      [0, c.peerId, 300],
      [1, b.peerId, 200],
    ])
    const text = await metrics.registry.metrics()
    expect(text).toContain('mesh_browser_samples_per_second{slot="0",backend="wasm"} 300')
    expect(text).toContain('mesh_browser_reports_total{backend="wasm"} 3')
    for (const id of [a.peerId, b.peerId, c.peerId]) expect(text).not.toContain(id)
    // A replayed or unsigned report is refused at the gate.
    expect((await reports.receive(c.bytes, 'test'))[0]).toBe(400)
    expect((await reports.receive(new Uint8Array([1, 2, 3]), 'test'))[0]).toBe(400)
  })
})

describe("the PWA's persistent log", () => {
  it('keeps the newest lines in IndexedDB and exports them as JSON lines', async () => {
    const db = new MeshDatabase(`log-test-${Math.random()}`)
    const log = new PersistentLog(db.log, 3)
    for (let i = 0; i < 5; i++) log.write({ time: i, level: 30, msg: `line ${i}`, height: i, big: 5n })
    const exported = await log.exportNdjson()
    const lines = exported
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((l) => l.msg)).toEqual(['line 2', 'line 3', 'line 4'])
    expect(lines[0]).toMatchObject({ height: 2, big: '5' })
    db.close()
  })
})

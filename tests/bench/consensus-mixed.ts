import Database from 'better-sqlite3'
import { join } from 'node:path'
import { hexToBytes } from '@noble/hashes/utils.js'
import type { Browser } from 'playwright-core'
import { launchChromium, openDevice, waitForRelay, type Device } from '../e2e/harness/browser'
import { waitUntil } from '../e2e/harness/wait'
import {
  grantValidator,
  orderAdd,
  pageDuty,
  relayConsensus,
  startRelayValidators,
  type RelayValidators,
} from '../e2e/harness/browser-validators'
import { beaconSetChangeOf, CertificateFollower, decodeBeacon } from '../../workers/consensus/adapter'
import { percentile, round } from './stats'
import type { Metrics } from './results'

export interface MixedRun extends Metrics {
  relays: number
  browsers: number
  heights: number
  finality_p50_ms: number
  finality_p99_ms: number
  finality_max_ms: number
  rounds_above_zero: number
  /** Relay processes only (a page's CPU is not separable from Chromium's here): CPU per decided height, per relay. */
  cpu_ms_per_decision_per_relay: number | null
  /** Measured certificates (relay 0's) carrying at least one browser's signature; a quorum of 3 of 4 needs one. */
  certificates_with_a_browser: number
}

interface PageRecord {
  height: number
  round: number
  value: string
  certificate: string
  decidedAtMs: number
}

/**
 * Two relay validators and two Chromium pages as validators: the relays start with a set of two,
 * an admin grants both pages the validator role and adds them live, one at a time (what a
 * deployment does); heights are measured from `warmup` heights after the second page's set
 * takes effect. Finality: the proposer's record time to each validator's decision (one clock).
 */
export async function runMixed(run: number, heights: number, warmup: number, intervalMs: number): Promise<MixedRun> {
  const chainId = `bench-mixed-${run}`
  let validators: RelayValidators | undefined
  let browser: Browser | undefined
  try {
    validators = await startRelayValidators(chainId, 2, intervalMs)
    const { relays } = validators
    browser = await launchChromium()
    const devices: Device[] = await Promise.all([0, 1].map(() => openDevice(browser!, relays[0].info!.url)))
    await Promise.all(devices.map((d) => waitForRelay(d.page)))
    const ids = await Promise.all(devices.map((d) => d.page.evaluate(() => (window as any).agentMesh.peerId() as string)))
    for (const [i, id] of ids.entries()) await grantValidator(relays[0], devices[i], id)
    let from = 0
    for (const [i, device] of devices.entries()) {
      await waitUntil(
        () => pageDuty(device),
        (p) => p.status === 'running',
        `page ${i} running its duty`,
        120_000,
      )
      const { peerId } = await orderAdd(validators, device, `browser-${i}`)
      const relay = await waitUntil(
        () => relayConsensus(relays[0]),
        (c) => c?.setChange?.id === peerId && (c.lastDecision?.height ?? 0) >= c.setChange.from,
        `page ${i} added`,
        180_000,
      )
      from = relay!.setChange!.from
    }
    const start = from + warmup
    const target = start + heights
    const all = () => Promise.all(relays.map(relayConsensus))
    await waitUntil(all, (cs) => cs.every((c) => (c?.lastDecision?.height ?? 0) >= start), 'the warmup heights', 120_000)
    const cpuAtStart = relays.map((r) => r.cpuMs())
    const heightAtStart = Math.min(...(await all()).map((c) => c!.lastDecision!.height))
    await waitUntil(
      all,
      (cs) => cs.every((c) => (c?.lastDecision?.height ?? 0) >= target),
      'the measured heights',
      60_000 + heights * 5_000,
    )
    const cpuAtEnd = relays.map((r) => r.cpuMs())
    const heightAtEnd = Math.min(...(await all()).map((c) => c!.lastDecision!.height))
    const pages = await Promise.all(
      devices.map((d) => d.page.evaluate(() => (window as any).agentMesh.validatorDecisions() as Promise<PageRecord[]>)),
    )
    await browser.close()
    browser = undefined
    await Promise.all(relays.map((r) => r.stop()))

    const latencies: number[] = []
    const late = new Set<number>()
    const measured = (height: number) => height > start && height <= target
    const note = (height: number, roundNo: number, value: Uint8Array, decidedAtMs: number) => {
      const beacon = decodeBeacon(value)
      if (typeof beacon === 'string') throw new Error(beacon)
      latencies.push(decidedAtMs - beacon.timeMs)
      if (roundNo > 0) late.add(height)
    }
    const follower = new CertificateFollower(validators.loaded.set, validators.scheme, chainId, beaconSetChangeOf)
    let withBrowser = 0
    for (const [i, relay] of relays.entries()) {
      const db = new Database(join(relay.dataDir, 'consensus.sqlite'), { readonly: true })
      const rows = db
        .prepare('SELECT height, round, value, certificate, decided_at_ms FROM bft_decisions WHERE chain_id = ? ORDER BY height')
        .all(chainId) as { height: number; round: number; value: Buffer; certificate: Buffer; decided_at_ms: number }[]
      db.close()
      for (const row of rows) {
        if (i === 0) {
          const verdict = follower.follow(row.height, new Uint8Array(row.value), new Uint8Array(row.certificate))
          if (!verdict.ok) throw new Error(`relay 0's height ${row.height}: ${verdict.reason}`)
          if (measured(row.height) && verdict.signers.some((id) => ids.includes(id))) withBrowser++
        }
        if (measured(row.height)) note(row.height, row.round, new Uint8Array(row.value), row.decided_at_ms)
      }
    }
    for (const records of pages)
      for (const r of records) if (measured(r.height)) note(r.height, r.round, hexToBytes(r.value), r.decidedAtMs)
    return {
      relays: 2,
      browsers: 2,
      heights,
      finality_p50_ms: round(percentile(latencies, 50), 1),
      finality_p99_ms: round(percentile(latencies, 99), 1),
      finality_max_ms: round(percentile(latencies, 100), 1),
      rounds_above_zero: late.size,
      cpu_ms_per_decision_per_relay:
        cpuAtStart.every((c) => c !== null) && cpuAtEnd.every((c) => c !== null) && heightAtEnd > heightAtStart
          ? round(cpuAtEnd.reduce((sum: number, c, i) => sum + (c! - cpuAtStart[i]!), 0) / 2 / (heightAtEnd - heightAtStart), 1)
          : null,
      certificates_with_a_browser: withBrowser,
    }
  } finally {
    await browser?.close().catch(() => {})
    await Promise.all(validators?.relays.map((r) => r.stop()) ?? [])
  }
}

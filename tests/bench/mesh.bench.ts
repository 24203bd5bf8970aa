import { RelayProcess } from '../e2e/harness/relay-process'
import { launchChromium, mesh, openDevice, waitForDirectPeers, waitForRelay, type Device } from '../e2e/harness/browser'
import { writeBenchResult } from './results'
import { flagValue, hasFlag, percentile, round } from './stats'

const HELP = `npm run bench -- mesh [--nodes 4] [--messages 1000] [--interval-ms 50] [--payload-mb 8]

Starts a relay and N headless Chromium nodes on loopback, waits for a full direct WebRTC
mesh, then measures:
  gossip delivery latency (publish -> delivery on every other node), p50/p99 over
  --messages publications spread across the nodes, against the libp2p ping one-way
  time (RTT/2) on the same connections as the baseline;
  transfer-protocol throughput of a --payload-mb blob between two browsers, against a
  bare libp2p stream of the same size on the same connection as the baseline (medians of
  --transfers alternating runs).`

/** It drives Chromium through window.agentMesh, which only the test build has (run.ts builds it). */
export const needsTestBuild = true

export async function main(args: string[]): Promise<void> {
  if (hasFlag(args, 'help')) return void console.log(HELP)
  const nodes = flagValue(args, 'nodes', 4)
  const messages = flagValue(args, 'messages', 1000)
  const intervalMs = flagValue(args, 'interval-ms', 50)
  const payloadBytes = Math.round(flagValue(args, 'payload-mb', 8) * 1024 * 1024)
  const transfers = flagValue(args, 'transfers', 3)

  const relay = await RelayProcess.create()
  const info = await relay.start()
  const browser = await launchChromium()
  try {
    const devices: Device[] = []
    for (let i = 0; i < nodes; i++) devices.push(await openDevice(browser, `${info.url}?bench`))
    const ids = await Promise.all(devices.map((d) => mesh(d.page).peerId()))
    const meshStarted = Date.now()
    await Promise.all(devices.map((d) => waitForRelay(d.page)))
    await Promise.all(
      devices.map((d, i) =>
        waitForDirectPeers(
          d.page,
          ids.filter((_, j) => j !== i),
          120_000,
        ),
      ),
    )
    const fullMeshMs = Date.now() - meshStarted
    console.log(`${nodes} nodes in a full direct mesh after ${fullMeshMs} ms`)
    await new Promise((r) => setTimeout(r, 2000)) // let GossipSub's mesh settle after the upgrades

    // Baseline: libp2p ping over the same direct connections.
    const rtts: number[] = []
    for (let round_ = 0; round_ < 20; round_++) {
      for (const [i, d] of devices.entries()) {
        rtts.push(await d.page.evaluate((peer) => (window as any).agentMesh.ping(peer), ids[(i + 1) % nodes]))
      }
    }

    // Gossip: every node publishes its share, paced, while the others record arrival times.
    const perNode = Math.ceil(messages / nodes)
    await Promise.all(
      devices.map((d, i) =>
        d.page.evaluate(
          async ([count, pause, who]) => {
            for (let k = 0; k < count; k++) {
              await (window as any).agentMesh.publishChat(`bench ${who} ${k}`)
              await new Promise((r) => setTimeout(r, pause))
            }
          },
          [perNode, intervalMs * nodes, i] as const,
        ),
      ),
    )
    await new Promise((r) => setTimeout(r, 3000))
    const latenciesMs: number[] = []
    let delivered = 0
    for (const d of devices) {
      const chats = (await mesh(d.page).chats()).filter((c) => c.text.startsWith('bench '))
      delivered += chats.length
      for (const c of chats) latenciesMs.push((c.receivedAtUs - c.sentAtUs) / 1000)
    }
    const expectedDeliveries = perNode * nodes * (nodes - 1)

    // Throughput: the transfer protocol vs. a bare stream, same two browsers, same connection,
    // alternating so that both see the same background load; medians over --transfers runs.
    const [a, b] = devices
    await mesh(b.page).fetchBlob(ids[0], await mesh(a.page).addBlob(256 * 1024, 1)) // warm-up
    const transferRates: number[] = []
    const rawRates: number[] = []
    const mib = payloadBytes / 1024 / 1024
    for (let run = 0; run < transfers; run++) {
      const hash = await mesh(a.page).addBlob(payloadBytes, 99 + run)
      const transfer = await mesh(b.page).fetchBlob(ids[0], hash)
      if (transfer.sha256 !== hash) throw new Error('transfer corrupted the payload')
      const raw = await b.page.evaluate(([peer, size]) => (window as any).agentMesh.rawSend(peer, size), [ids[0], payloadBytes] as const)
      transferRates.push(mib / (transfer.ms / 1000))
      rawRates.push(mib / (raw.ms / 1000))
    }
    const transferMiBps = percentile(transferRates, 50)
    const rawMiBps = percentile(rawRates, 50)

    const oneWayBaselineP50 = percentile(rtts, 50) / 2
    const metrics = {
      nodes,
      full_mesh_ms: fullMeshMs,
      gossip_messages_published: perNode * nodes,
      gossip_deliveries: delivered,
      gossip_delivery_ratio: round(delivered / expectedDeliveries, 4),
      gossip_latency_p50_ms: round(percentile(latenciesMs, 50)),
      gossip_latency_p99_ms: round(percentile(latenciesMs, 99)),
      gossip_latency_max_ms: round(percentile(latenciesMs, 100)),
      baseline_ping_rtt_p50_ms: round(percentile(rtts, 50)),
      baseline_ping_rtt_p99_ms: round(percentile(rtts, 99)),
      gossip_p50_over_one_way_ping_p50: round(percentile(latenciesMs, 50) / oneWayBaselineP50),
      transfer_payload_mib: round(mib),
      transfers,
      transfer_mib_per_s: round(transferMiBps),
      baseline_raw_stream_mib_per_s: round(rawMiBps),
      transfer_over_raw_stream: round(transferMiBps / rawMiBps, 3),
      target_gossip_p99_ms: 20,
      seed_target_gossip_p99_ms: 100,
    }
    writeBenchResult('mesh', metrics)
  } finally {
    await browser.close()
    await relay.stop()
  }
}

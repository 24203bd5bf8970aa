import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RelayProcess } from '../e2e/harness/relay-process'
import { launchChromium, mesh, openDevice, waitForDirectPeerCount, waitForRelay, type Device } from '../e2e/harness/browser'
import { writeBenchResult } from './results'
import { flagValue, hasFlag, percentile, round, summarizeRuns } from './stats'
import { MAX_DIRECT_PEERS } from '../../workers/net/direct-peers'

const HELP = `npm run bench -- mesh [--nodes 4] [--runs 5] [--messages 1000] [--interval-ms 50] [--payload-mb 8] [--transfers 3]
                          [--page-log info|debug]

Starts a relay and N headless Chromium nodes on loopback, waits until every node has its
direct WebRTC peers (all others up to the per-node bound, see README), then measures:
  gossip delivery latency (publish -> delivery on every other node), p50/p99 over
  --messages publications spread across the nodes, against the libp2p ping one-way
  time (RTT/2) on the same connections as the baseline;
  transfer-protocol throughput of a --payload-mb blob between two browsers, against a
  bare libp2p stream of the same size on the same connection as the baseline (medians of
  --transfers alternating runs).
Each of --runs runs starts from a fresh relay and browser; the results hold the medians
across the runs that completed, their [min, max] spread, every run's figures, and why a
run failed. Direct connections that closed during a run and transfer retries are counted.
Writes tests/bench/results/mesh.json (4 nodes) or mesh-N-nodes.json. When the direct links do
not form in time, every page's log and links are written to a temporary folder the error names;
--page-log debug opens the pages with ?log=debug, whose log then says why each dial failed, and
writes the logs once the links have formed too.`

/** It drives Chromium through window.agentMesh, which only the test build has (run.ts builds it). */
export const needsTestBuild = true

interface Settings {
  readonly nodes: number
  readonly messages: number
  readonly intervalMs: number
  readonly payloadBytes: number
  readonly transfers: number
  readonly pageLog: string
}

export async function main(args: string[]): Promise<void> {
  if (hasFlag(args, 'help')) return void console.log(HELP)
  const settings: Settings = {
    nodes: flagValue(args, 'nodes', 4),
    messages: flagValue(args, 'messages', 1000),
    intervalMs: flagValue(args, 'interval-ms', 50),
    payloadBytes: Math.round(flagValue(args, 'payload-mb', 8) * 1024 * 1024),
    transfers: flagValue(args, 'transfers', 3),
    pageLog: args.includes('--page-log') ? args[args.indexOf('--page-log') + 1] : 'info',
  }
  const runsAttempted = flagValue(args, 'runs', 5)
  const runs: Record<string, number>[] = []
  const runErrors: string[] = []
  for (let run = 1; run <= runsAttempted; run++) {
    try {
      const metrics = await runOnce(settings)
      console.log(`run ${run}/${runsAttempted}: ${JSON.stringify(metrics)}`)
      runs.push(metrics)
    } catch (err) {
      const message = `run ${run}: ${(err as Error).name}: ${(err as Error).message.split('\n')[0]}`
      console.error(message)
      runErrors.push(message)
    }
  }
  const { median, spread } = summarizeRuns(runs)
  // Other sizes get their own file, so the default 4-node figures stay comparable run to run.
  writeBenchResult(settings.nodes === 4 ? 'mesh' : `mesh-${settings.nodes}-nodes`, {
    ...median,
    runs_completed: runs.length,
    runs_attempted: runsAttempted,
    spread,
    runs,
    run_errors: runErrors,
    target_gossip_p99_ms: settings.nodes <= 4 ? 20 : 50,
    seed_target_gossip_p99_ms: 100,
  } as never)
  if (runs.length < runsAttempted) process.exitCode = 1
}

async function runOnce({ nodes, messages, intervalMs, payloadBytes, transfers, pageLog }: Settings): Promise<Record<string, number>> {
  const relay = await RelayProcess.create()
  const info = await relay.start()
  const browser = await launchChromium()
  try {
    const devices: Device[] = []
    for (let i = 0; i < nodes; i++) devices.push(await openDevice(browser, `${info.url}?bench&log=${pageLog}`))
    const ids = await Promise.all(devices.map((d) => mesh(d.page).peerId()))
    const meshStarted = Date.now()
    await Promise.all(devices.map((d) => waitForRelay(d.page)))
    const directPeers = Math.min(nodes - 1, MAX_DIRECT_PEERS)
    try {
      await Promise.all(devices.map((d) => waitForDirectPeerCount(d.page, directPeers, 180_000)))
    } catch (err) {
      const counts = await Promise.all(devices.map(async (d) => (await mesh(d.page).directPeers()).length))
      const dir = await writePageLogs(devices, ids, relay)
      throw new Error(
        `direct peers per node after ${Date.now() - meshStarted} ms: ${counts.join(', ')} (wanted ${directPeers}; pages' logs in ${dir}): ${(err as Error).message.split('\n')[0]}`,
      )
    }
    const fullMeshMs = Date.now() - meshStarted
    console.log(`${nodes} nodes, each with ${directPeers} direct peers, after ${fullMeshMs} ms`)
    if (pageLog === 'debug') console.log(`pages' logs of the mesh forming: ${await writePageLogs(devices, ids, relay)}`)
    await new Promise((r) => setTimeout(r, 2000)) // let GossipSub's mesh settle after the upgrades

    // Baseline: libp2p ping over direct connections (the page's shared pinger, so it never
    // collides with the periodic one).
    const rtts: number[] = []
    // A ping that goes unanswered (a twin link the peer closed) is counted and its links shown;
    // the page then pings on the peer's other link (MeshRuntime.linkUnanswered).
    let pingsFailed = 0
    for (let round_ = 0; round_ < 20; round_++) {
      for (const [i, d] of devices.entries()) {
        const peer = (await mesh(d.page).directPeers())[0]
        try {
          rtts.push(await d.page.evaluate((p) => (window as any).agentMesh.ping(p), peer))
        } catch (err) {
          const links = (await d.page.evaluate(() => (window as any).agentMesh.connections())).filter(
            (c: { peer: string }) => c.peer === peer,
          )
          pingsFailed++
          console.log(
            `ping baseline, node ${i} to ${peer.slice(-6)} failed: ${(err as Error).message.split('\n')[0]}; its links: ${JSON.stringify(links)}`,
          )
          if (pingsFailed > 3 * nodes) throw new Error(`${pingsFailed} baseline pings failed: the direct links do not answer`)
        }
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
    const [a] = devices
    const bIndex = ids.indexOf((await mesh(a.page).directPeers())[0])
    const b = devices[bIndex]
    let transferRetries = 0
    await mesh(b.page).fetchBlob(ids[0], await mesh(a.page).addBlob(256 * 1024, 1)) // warm-up
    const transferRates: number[] = []
    const rawRates: number[] = []
    const mib = payloadBytes / 1024 / 1024
    for (let run = 0; run < transfers; run++) {
      const hash = await mesh(a.page).addBlob(payloadBytes, 99 + run)
      const transfer = await mesh(b.page).fetchBlob(ids[0], hash)
      if (transfer.sha256 !== hash) throw new Error('transfer corrupted the payload')
      transferRetries += transfer.retries.length
      const raw = await b.page.evaluate(([peer, size]) => (window as any).agentMesh.rawSend(peer, size), [ids[0], payloadBytes] as const)
      transferRates.push(mib / (transfer.ms / 1000))
      rawRates.push(mib / (raw.ms / 1000))
    }
    const transferMiBps = percentile(transferRates, 50)
    const rawMiBps = percentile(rawRates, 50)
    let directCloses = 0
    for (const [i, d] of devices.entries()) {
      const closes = (await mesh(d.page).connectionCloses()).filter((c) => c.kind === 'webrtc' && c.closedAt >= meshStarted)
      for (const c of closes)
        console.log(
          `node ${i}: direct connection to ${c.peer.slice(-6)} closed after ${c.closedAt - c.openedAt} ms with ${c.streamsOpen} streams${c.duplicate ? ' (a duplicate: another stayed open)' : ''}; ${c.reason}`,
        )
      directCloses += closes.length
    }

    const oneWayBaselineP50 = percentile(rtts, 50) / 2
    return {
      nodes,
      direct_peers_per_node: directPeers,
      full_mesh_ms: fullMeshMs,
      gossip_messages_published: perNode * nodes,
      gossip_deliveries: delivered,
      gossip_delivery_ratio: round(delivered / expectedDeliveries, 4),
      gossip_latency_p50_ms: round(percentile(latenciesMs, 50)),
      gossip_latency_p99_ms: round(percentile(latenciesMs, 99)),
      gossip_latency_max_ms: round(percentile(latenciesMs, 100)),
      baseline_ping_rtt_p50_ms: round(percentile(rtts, 50)),
      baseline_ping_rtt_p99_ms: round(percentile(rtts, 99)),
      baseline_pings_failed: pingsFailed,
      gossip_p50_over_one_way_ping_p50: round(percentile(latenciesMs, 50) / oneWayBaselineP50),
      transfer_payload_mib: round(mib),
      transfers,
      transfer_mib_per_s: round(transferMiBps),
      baseline_raw_stream_mib_per_s: round(rawMiBps),
      transfer_over_raw_stream: round(transferMiBps / rawMiBps, 3),
      transfer_retries: transferRetries,
      direct_connection_closes: directCloses,
    }
  } finally {
    await browser.close()
    await relay.stop()
  }
}

/** Each page's log and links (named by its order of opening and PeerId), and the relay's output, for reading after a failed run. */
async function writePageLogs(devices: readonly Device[], ids: readonly string[], relay: RelayProcess): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-bench-logs-'))
  for (const [i, d] of devices.entries()) {
    writeFileSync(join(dir, `page-${String(i).padStart(2, '0')}-${ids[i]}.log`), d.logs.join('\n'))
    const links = await d.page.evaluate(() => (window as any).agentMesh.connections()).catch((e: Error) => String(e))
    writeFileSync(join(dir, `page-${String(i).padStart(2, '0')}-links.json`), JSON.stringify(links, null, 1))
  }
  writeFileSync(join(dir, 'relay.log'), relay.output.join(''))
  return dir
}

/**
 * Secure aggregation cost against plain aggregation of the same vectors, measured in one run.
 *
 * Plain aggregation: every client sends its update as float32 (4·d bytes) and the aggregator
 * sums the n vectors (one float64 pass, as the FL engine does). Secure aggregation: a whole
 * in-process round (runLocalRound) with every message encoded and decoded, timed per party.
 * Reported, each also as a ratio to the plain sum's time or the plain 4·d bytes:
 *  - client ms: one client's compute over the whole round (mean and max over clients); clients
 *    work in parallel, so this is what a round adds on each device;
 *  - aggregator ms: everything the aggregator computes (checks, summing, rebuilding secrets,
 *    regenerating masks);
 *  - round compute ms: max client + aggregator, the compute on a round's critical path;
 *  - bytes per client: sent + received, mean over clients.
 *  - modelled round ratio: (round compute + all client traffic through the aggregator's link at
 *    LINK_MBPS) over (plain sum + plain uploads through the same link). A model, not a
 *    measurement: it says what the compute overhead means once the bytes have to move.
 * The PRG (ChaCha20 keystream) throughput measured in the same run is printed too, since mask
 * expansion dominates: a client expands (neighbours + 1)·4d bytes, the aggregator n·4d plus
 * 4d per (dropped client, surviving neighbour) pair.
 *
 * Usage: npm run bench -- secagg [--quick] [--params 100000,1200000] [--clients 10,50,100] [--drop 0.1]
 *   --quick  100 k parameters only (the 1.2 M cases take minutes on 2 cores)
 *   --drop   also run each case with this fraction of clients dropping before the masked input
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { runLocalRound, type LocalRoundReport, type Phase } from '../../workers/secagg/local-round'
import { suggestHararyGraph, type GraphSpec, type RoundParams } from '../../workers/secagg/params'
import { applyMask, createMaskScratch } from '../../workers/secagg/prg'
import { seededRandomSource } from '../../workers/secagg/random'
import { hasFlag, round } from './stats'
import { writeBenchResult, type Metrics } from './results'

function listFlag(args: readonly string[], name: string, fallback: number[]): number[] {
  const i = args.indexOf(`--${name}`)
  if (i < 0) return fallback
  const values = String(args[i + 1]).split(',').map(Number)
  if (values.some((v) => !Number.isFinite(v))) throw new Error(`--${name} needs numbers separated by commas`)
  return values
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

/** Ten distinct random update vectors in [−0.5, 0.5); client i sends vector i mod 10 (memory, not realism, is the limit). */
function makeInputs(d: number): Float32Array[] {
  const random = seededRandomSource(`bench-inputs-${d}`)
  return Array.from({ length: 10 }, () => {
    const out = new Float32Array(d)
    for (let start = 0; start < d; start += 16_384) {
      const count = Math.min(16_384, d - start)
      const words = new Uint32Array(random(4 * count).slice().buffer)
      for (let j = 0; j < count; j++) out[start + j] = words[j] / 2 ** 32 - 0.5
    }
    return out
  })
}

function plainSumMs(inputs: Float32Array[], n: number, d: number): number {
  return median([0, 1, 2].map(() => {
    const started = performance.now()
    const acc = new Float64Array(d)
    for (let i = 0; i < n; i++) {
      const v = inputs[i % inputs.length]
      for (let j = 0; j < d; j++) acc[j] += v[j]
    }
    return performance.now() - started
  }))
}

function prgMiBPerSecond(d: number): number {
  const acc = new Uint32Array(d)
  const scratch = createMaskScratch()
  const seed = new Uint8Array(32).fill(7)
  applyMask(acc, seed, 1, scratch)
  const started = performance.now()
  for (let r = 0; r < 5; r++) applyMask(acc, seed, 1, scratch)
  return (5 * 4 * d) / 2 ** 20 / ((performance.now() - started) / 1000)
}

export async function main(args: string[]): Promise<void> {
  if (hasFlag(args, 'help')) {
    console.log('usage: npm run bench -- secagg [--quick] [--params 100000,1200000] [--clients 10,50,100] [--drop 0.1]\n' +
      '  times a full in-process secure-aggregation round (all pairs and SecAgg+) per client and for the aggregator,\n' +
      '  counts bytes per client, and divides by plain aggregation of the same vectors in the same run.\n' +
      '  --quick runs 100 k parameters only; the 1.2 M × 100-client all-pairs case alone takes several minutes on 2 cores.')
    return
  }
  const sizes = hasFlag(args, 'quick') ? [100_000] : listFlag(args, 'params', [100_000, 1_200_000])
  const clientCounts = listFlag(args, 'clients', [10, 50, 100])
  const dropIndex = args.indexOf('--drop')
  const dropFraction = dropIndex >= 0 ? Number(args[dropIndex + 1]) : 0

  const maxN = Math.max(...clientCounts)
  const secretKeys = Array.from({ length: maxN }, (_, i) => seededRandomSource(`bench-identity-${i}`)(32).slice())
  const publicKeys = secretKeys.map((s) => ed25519.getPublicKey(s))
  const cases: Metrics[] = []
  const prg: Metrics = {}

  for (const d of sizes) {
    const inputs = makeInputs(d)
    prg[`MiBPerSecond_${d}`] = round(prgMiBPerSecond(d), 0)
    for (const n of clientCounts) {
      const plainMs = plainSumMs(inputs, n, d)
      const plainBytes = 4 * d
      const harary = suggestHararyGraph(n)
      const graphs: [string, GraphSpec, number][] = [['all-pairs', { kind: 'complete' }, Math.floor((2 * n) / 3) + 1]]
      if (harary) graphs.push([`secagg+ k=${harary.degree}`, { kind: 'harary', degree: harary.degree, seed: new TextEncoder().encode(`beacon-${n}`) }, harary.threshold])
      for (const [mode, graph, threshold] of graphs) {
        for (const drop of dropFraction > 0 ? [0, dropFraction] : [0]) {
          const params: RoundParams = {
            roundId: new TextEncoder().encode(`bench-${d}-${n}-${mode}`), cohort: publicKeys.slice(0, n), threshold,
            minClients: Math.max(threshold, Math.ceil(n / 2)), vectorLength: d, bound: 1, graph,
          }
          const dropped = Math.round(drop * n)
          const dropBefore = new Map<number, Phase>(Array.from({ length: dropped }, (_, k): [number, Phase] => [Math.floor((k * n) / dropped), 'mask']))
          const report = await runLocalRound({
            params, identitySecretKeys: secretKeys.slice(0, n), inputs: Array.from({ length: n }, (_, i) => inputs[i % 10]),
            random: (i) => seededRandomSource(`bench-client-${i}`), dropBefore, clock: () => performance.now(),
          })
          cases.push(summarise(report, { d, n, mode, dropped, plainMs, plainBytes, inputs }))
          const last = cases[cases.length - 1]
          console.log(`d=${d} n=${n} ${mode}${dropped ? ` (${dropped} dropped)` : ''}: client ${last.clientMeanMs} ms (${last.clientRatio}×), ` +
            `aggregator ${last.aggregatorMs} ms (${last.aggregatorRatio}×), round compute ${last.roundComputeRatio}×, ` +
            `bytes/client ${last.bytesPerClient} (${last.bytesRatio}×), modelled round at ${LINK_MBPS} Mbit/s ${last[`modelledRoundRatioAt${LINK_MBPS}Mbps`]}× ` +
            `vs plain sum ${round(plainMs)} ms`)
        }
      }
    }
  }
  writeBenchResult('secagg', { prg, cases })
}

const transferMs = (bytes: number): number => (bytes * 8) / (LINK_MBPS * 1e6) * 1000

/** The aggregator's link speed assumed by the modelled round ratio. */
const LINK_MBPS = 100

function summarise(report: LocalRoundReport, c: { d: number; n: number; mode: string; dropped: number; plainMs: number; plainBytes: number; inputs: Float32Array[] }): Metrics {
  if (report.outcome.kind !== 'done') throw new Error(`round failed: ${report.outcome.reason}`)
  if (report.refusals.length) throw new Error(`refusals: ${report.refusals.join('; ')}`)
  const { result } = report.outcome
  let worst = 0
  for (let j = 0; j < c.d; j += 97) {
    let plain = 0
    for (const i of result.included) plain += c.inputs[i % 10][j]
    worst = Math.max(worst, Math.abs(plain - result.sum[j]))
  }
  if (worst > result.errorBound) throw new Error(`sum off by ${worst}, bound ${result.errorBound}`)
  const active = report.clientMs.filter((_, i) => report.bytesSent[i] > 0)
  const clientMean = active.reduce((a, b) => a + b, 0) / active.length
  const clientMax = Math.max(...active)
  const traffic = report.bytesSent.map((s, i) => s + report.bytesReceived[i])
  const bytesPerClient = traffic.reduce((a, b) => a + b, 0) / c.n
  const phases: Metrics = {}
  for (const [phase, t] of Object.entries(report.phaseMs)) phases[phase] = { clientsMeanMs: round(t.clients / active.length), aggregatorMs: round(t.aggregator) }
  return {
    parameters: c.d, clients: c.n, mode: c.mode, droppedBeforeMasking: c.dropped,
    plainSumMs: round(c.plainMs), plainBytesPerClient: c.plainBytes,
    clientMeanMs: round(clientMean), clientMaxMs: round(clientMax), clientRatio: round(clientMean / c.plainMs, 1),
    aggregatorMs: round(report.aggregatorMs), aggregatorRatio: round(report.aggregatorMs / c.plainMs, 1),
    roundComputeMs: round(clientMax + report.aggregatorMs), roundComputeRatio: round((clientMax + report.aggregatorMs) / c.plainMs, 1),
    bytesPerClient: Math.round(bytesPerClient), bytesRatio: round(bytesPerClient / c.plainBytes, 3),
    [`modelledRoundRatioAt${LINK_MBPS}Mbps`]: round(
      (clientMax + report.aggregatorMs + transferMs(bytesPerClient * c.n)) / (c.plainMs + transferMs(c.plainBytes * c.n)), 2),
    maxSumError: worst, errorBound: result.errorBound, phases,
  }
}

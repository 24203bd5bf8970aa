/**
 * Secure aggregation against plain aggregation of the same vectors, measured in one run.
 *
 * Plain aggregation (the baseline): each client quantises its update into Z_2^32 with the same
 * codec (quantize.ts encode) and sends it as one MaskedInput-shaped message; the aggregator adds
 * the n ring vectors (prg.ts addRing, the very loop the secure aggregator runs on arrival).
 *   plain client ms     = one encode (median over the distinct input vectors)
 *   plain aggregator ms = the n-vector sum (median of 3)
 *   plain bytes/client  = the encoded message a plain client sends (4·d + a few header bytes)
 * Secure aggregation: one whole in-process round (runLocalRound), every message encoded and
 * decoded as on the wire, each party timed on its own:
 *   client ms      = one client's compute over all five phases (mean over clients; max also kept),
 *                    including a young-generation collection after its masking step, so a
 *                    client pays for its keystream garbage in this one-process simulation
 *   aggregator ms  = everything the aggregator computes (checks, summing, rebuilding secrets,
 *                    regenerating masks)
 *   round ratio    = (client mean + aggregator) / (plain client + plain aggregator): the compute
 *                    on a round's critical path, clients working in parallel. The ≤ 3× goal at
 *                    n = 100, d = 100 k is judged on this figure.
 *   bytes/client   = sent + received over the whole round, over the plain bytes sent.
 *   (Client and byte figures are means over the clients whose inputs are in the sum.)
 *   modelled ratio = the same with every client's traffic through the aggregator's link at
 *                    LINK_MBPS added on both sides: a model, not a measurement.
 * Dropout cases: a fraction of clients leaves after sharing keys, before sending its masked
 * input, the costliest point for the aggregator (it rebuilds their mask keys and regenerates
 * every pairwise mask they had with a survivor).
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { runLocalRound, type LocalRoundReport, type Phase } from '../../workers/secagg/local-round'
import { nodePrimitives } from '../../workers/secagg/node/primitives'
import { suggestHararyGraph, type GraphSpec, type RoundParams } from '../../workers/secagg/params'
import { addRing, applyMask } from '../../workers/secagg/prg'
import { noblePrimitives, type SecAggPrimitives } from '../../workers/secagg/primitives'
import { encode, quantization } from '../../workers/secagg/quantize'
import { seededBytes } from '../../workers/common/random'
import { MaskedInput } from '../../workers/secagg/secagg.pb'
import { ringToBytes } from '../../workers/secagg/wire-util'
import { hasFlag, round } from './stats'
import { writeBenchResult, type Metrics } from './results'

const USAGE = `usage: npm run bench -- secagg [options]

Times whole in-process secure-aggregation rounds (Bonawitz et al. all pairs, and SecAgg+ on a
random Harary graph) per client and for the aggregator, counts bytes per client, and divides each
by plain aggregation of the same vectors measured in the same run. Writes
tests/bench/results/secagg.json (only the cases run) and prints a table.

  --params LIST      vector lengths, comma-separated           (default 100000,1200000)
  --clients LIST     cohort sizes                               (default 10,50,100)
  --modes LIST       all-pairs, secagg+                         (default both)
  --drop FRACTION    also run each case with this fraction of clients dropping before the
                     masked input; 0 for none                   (default 0.1)
  --primitives NAME  node (OpenSSL via node:crypto) or noble (pure JS, as in browsers)
                                                                (default node)
  --repeat N         rounds per case, the median kept    (default 3 up to 200 k parameters, else 1)
  --quick            100 k parameters, no dropout cases
  --help             this text

The full matrix takes several minutes on 2 cores (1.2 M × 100 clients × all pairs dominates).`

/** The aggregator's link speed assumed by the modelled round ratio. */
const LINK_MBPS = 100
const DISTINCT_INPUTS = 10

/**
 * V8's collector, so that each simulated client pays for its own garbage (see LocalRoundOptions
 * collectGarbage); without it the aggregator's figures carry the clients' keystream buffers.
 */
function minorGc(): () => void {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as (options: { type: 'minor' }) => void
  return () => gc({ type: 'minor' })
}

function listFlag(args: readonly string[], name: string, fallback: string[]): string[] {
  const i = args.indexOf(`--${name}`)
  if (i < 0) return fallback
  const value = args[i + 1]
  if (!value || value.startsWith('--')) throw new Error(`--${name} needs a comma-separated list`)
  return value.split(',')
}

function numbers(values: string[], name: string): number[] {
  const out = values.map(Number)
  if (out.some((v) => !Number.isInteger(v) || v < 2)) throw new Error(`--${name} needs integers of at least 2`)
  return out
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/** DISTINCT_INPUTS random update vectors in [−0.5, 0.5); client i sends vector i mod 10 (memory, not realism, is the limit). */
function makeInputs(d: number): Float32Array[] {
  const random = seededBytes(`bench-inputs-${d}`)
  return Array.from({ length: DISTINCT_INPUTS }, () => {
    const out = new Float32Array(d)
    for (let start = 0; start < d; start += 16_384) {
      const count = Math.min(16_384, d - start)
      const words = new Uint32Array(random(4 * count).slice().buffer)
      for (let j = 0; j < count; j++) out[start + j] = words[j] / 2 ** 32 - 0.5
    }
    return out
  })
}

interface Plain {
  clientMs: number
  aggregatorMs: number
  bytesPerClient: number
}

function measurePlain(inputs: Float32Array[], n: number, d: number): Plain {
  const q = quantization(1, n)
  encode(inputs[0], q) // warm-up
  const clientMs = median(
    inputs.map((v) => {
      const started = performance.now()
      encode(v, q)
      return performance.now() - started
    }),
  )
  const rings = inputs.map((v) => encode(v, q).ring)
  addRing(new Uint32Array(d), rings[0]) // warm-up
  const aggregatorMs = median(
    [0, 1, 2].map(() => {
      const started = performance.now()
      const acc = new Uint32Array(d)
      for (let i = 0; i < n; i++) addRing(acc, rings[i % rings.length])
      return performance.now() - started
    }),
  )
  const bytesPerClient = MaskedInput.encode({ roundId: new Uint8Array(16), sender: n - 1, length: d, masked: ringToBytes(rings[0]) }).length
  return { clientMs, aggregatorMs, bytesPerClient }
}

function keystreamMiBPerSecond(primitives: SecAggPrimitives, d: number): number {
  const acc = new Uint32Array(d)
  const seed = new Uint8Array(32).fill(7)
  applyMask(acc, seed, 1, primitives)
  const started = performance.now()
  for (let r = 0; r < 5; r++) applyMask(acc, seed, 1, primitives)
  return (5 * 4 * d) / 2 ** 20 / ((performance.now() - started) / 1000)
}

export async function main(args: string[]): Promise<void> {
  if (hasFlag(args, 'help')) return void console.log(USAGE)
  const quick = hasFlag(args, 'quick')
  const sizes = numbers(listFlag(args, 'params', quick ? ['100000'] : ['100000', '1200000']), 'params')
  const clientCounts = numbers(listFlag(args, 'clients', ['10', '50', '100']), 'clients')
  const modes = listFlag(args, 'modes', ['all-pairs', 'secagg+'])
  if (modes.some((m) => m !== 'all-pairs' && m !== 'secagg+')) throw new Error('--modes takes all-pairs and/or secagg+')
  const dropIndex = args.indexOf('--drop')
  const dropFraction = quick ? 0 : dropIndex >= 0 ? Number(args[dropIndex + 1]) : 0.1
  if (!(dropFraction >= 0 && dropFraction < 0.34))
    throw new Error('--drop needs a fraction in [0, 0.34) (the threshold is 2/3 of the cohort)')
  const repeatIndex = args.indexOf('--repeat')
  const repeat = repeatIndex >= 0 ? Number(args[repeatIndex + 1]) : undefined
  if (repeat !== undefined && !(Number.isInteger(repeat) && repeat >= 1)) throw new Error('--repeat needs a positive integer')
  const primitivesName = listFlag(args, 'primitives', ['node'])[0]
  const primitives = primitivesName === 'node' ? nodePrimitives : primitivesName === 'noble' ? noblePrimitives : null
  if (!primitives) throw new Error('--primitives takes node or noble')

  const collectGarbage = minorGc()
  const maxN = Math.max(...clientCounts)
  const secretKeys = Array.from({ length: maxN }, (_, i) => seededBytes(`bench-identity-${i}`)(32).slice())
  const publicKeys = secretKeys.map((s) => ed25519.getPublicKey(s))
  const cases: Metrics[] = []
  const keystream: Metrics = {}
  // Untimed warm-up rounds so the first measured case does not pay for JIT compilation.
  for (const [n, graph, threshold] of [
    [10, { kind: 'complete' }, 7],
    [24, { kind: 'harary', degree: 8, seed: new Uint8Array([1]) }, 7],
  ] as const) {
    await runLocalRound({
      params: {
        roundId: new Uint8Array([n]),
        cohort:
          publicKeys.length >= n
            ? publicKeys.slice(0, n)
            : Array.from({ length: n }, (_, i) => ed25519.getPublicKey(seededBytes(`warm-${i}`)(32))),
        threshold,
        vectorLength: 50_000,
        bound: 1,
        graph,
      },
      identitySecretKeys: Array.from({ length: n }, (_, i) => (publicKeys.length >= n ? secretKeys[i] : seededBytes(`warm-${i}`)(32))),
      inputs: Array.from({ length: n }, () => new Float32Array(50_000)),
      random: (i) => seededBytes(`warm-client-${i}`),
      dropBefore: new Map([[1, 'mask']]),
      primitives,
      collectGarbage,
    })
  }
  console.log(`primitives: ${primitives.name}; plain = quantise on each client + sum of n ring vectors; round = client mean + aggregator\n`)
  console.log(header())

  for (const d of sizes) {
    const inputs = makeInputs(d)
    keystream[`d${d}`] = {
      node: round(keystreamMiBPerSecond(nodePrimitives, d), 0),
      noble: round(keystreamMiBPerSecond(noblePrimitives, d), 0),
    }
    for (const n of clientCounts) {
      const plain = measurePlain(inputs, n, d)

      const harary = suggestHararyGraph(n)
      const graphs: [string, GraphSpec, number][] = []
      if (modes.includes('all-pairs')) graphs.push(['all-pairs', { kind: 'complete' }, Math.floor((2 * n) / 3) + 1])
      if (modes.includes('secagg+')) {
        if (harary)
          graphs.push([
            `secagg+ k=${harary.degree}`,
            { kind: 'harary', degree: harary.degree, seed: new TextEncoder().encode(`beacon-${n}`) },
            harary.threshold,
          ])
        else console.log(`(n=${n}: no SecAgg+ case, a log-degree graph would be nearly complete)`)
      }
      for (const [mode, graph, threshold] of graphs) {
        for (const drop of dropFraction > 0 ? [0, dropFraction] : [0]) {
          const params: RoundParams = {
            roundId: new TextEncoder().encode(`bench-${d}-${n}-${mode}-${drop}`),
            cohort: publicKeys.slice(0, n),
            threshold,
            minClients: Math.max(threshold, Math.ceil(n / 2)),
            vectorLength: d,
            bound: 1,
            graph,
          }
          const dropped = Math.round(drop * n)
          const dropBefore = new Map<number, Phase>(
            Array.from({ length: dropped }, (_, k): [number, Phase] => [Math.floor((k * n) / dropped), 'mask']),
          )
          // Each repetition measures the plain baseline just before its round, so both see the same
          // machine load; the repetition with the median round ratio is kept.
          const runs: Metrics[] = []
          for (let r = 0; r < (repeat ?? (d <= 200_000 ? 3 : 1)); r++) {
            const plainNow = r === 0 ? plain : measurePlain(inputs, n, d)
            const report = await runLocalRound({
              params,
              identitySecretKeys: secretKeys.slice(0, n),
              inputs: Array.from({ length: n }, (_, i) => inputs[i % DISTINCT_INPUTS]),
              random: (i) => seededBytes(`bench-client-${d}-${n}-${i}`),
              dropBefore,
              clock: () => performance.now(),
              primitives,
              collectGarbage,
            })
            runs.push(summarise(report, { d, n, mode, dropped, plain: plainNow, inputs }))
          }
          runs.sort((a, b) => (a.roundRatio as number) - (b.roundRatio as number))
          const metrics: Metrics = {
            ...runs[Math.floor((runs.length - 1) / 2)],
            repetitions: runs.length,
            roundRatioRange: [runs[0].roundRatio as number, runs[runs.length - 1].roundRatio as number],
          }
          cases.push(metrics)
          console.log(row(metrics))
        }
      }
    }
  }
  writeBenchResult('secagg', {
    primitives: primitives.name,
    baseline: 'plain: each client quantises its update to Z_2^32 (encode) and sends it; the aggregator adds the n ring vectors',
    roundRatioDefinition: '(secure client mean ms + secure aggregator ms) / (plain client ms + plain aggregator ms)',
    linkMbpsForModelledRatio: LINK_MBPS,
    keystreamMiBPerSecond: keystream,
    cases,
  })
}

const transferMs = (bytes: number): number => ((bytes * 8) / (LINK_MBPS * 1e6)) * 1000

function summarise(
  report: LocalRoundReport,
  c: { d: number; n: number; mode: string; dropped: number; plain: Plain; inputs: Float32Array[] },
): Metrics {
  if (report.outcome.kind !== 'done') throw new Error(`round failed: ${report.outcome.reason}`)
  if (report.refusals.length) throw new Error(`refusals: ${report.refusals.join('; ')}`)
  const { result } = report.outcome
  let worst = 0
  for (let j = 0; j < c.d; j += 97) {
    let plain = 0
    for (const i of result.included) plain += c.inputs[i % DISTINCT_INPUTS][j]
    worst = Math.max(worst, Math.abs(plain - result.sum[j]))
  }
  if (worst > result.errorBound) throw new Error(`sum off by ${worst}, bound ${result.errorBound}`)
  // Per-client figures are over the clients whose inputs are in the sum: a client that left
  // early did less work and sent less, which would flatter the mean.
  const inSum = result.included
  const mean = (values: readonly number[]): number => inSum.reduce((a, i) => a + values[i], 0) / inSum.length
  const clientMean = mean(report.clientMs)
  const clientMax = Math.max(...inSum.map((i) => report.clientMs[i]))
  const bytesPerClient = mean(report.bytesSent.map((s, i) => s + report.bytesReceived[i]))
  const sentPerClient = mean(report.bytesSent)
  const totalTraffic = report.bytesSent.reduce((a, b) => a + b, 0) + report.bytesReceived.reduce((a, b) => a + b, 0)
  const active = report.clientMs.filter((_, i) => report.bytesSent[i] > 0)
  const plainRoundMs = c.plain.clientMs + c.plain.aggregatorMs
  const roundMs = clientMean + report.aggregatorMs
  const phases: Metrics = {}
  for (const [phase, t] of Object.entries(report.phaseMs))
    phases[phase] = { clientsMeanMs: round(t.clients / active.length), aggregatorMs: round(t.aggregator) }
  return {
    parameters: c.d,
    clients: c.n,
    mode: c.mode,
    droppedBeforeMasking: c.dropped,
    plainClientMs: round(c.plain.clientMs, 3),
    plainAggregatorMs: round(c.plain.aggregatorMs),
    plainBytesPerClient: c.plain.bytesPerClient,
    clientMeanMs: round(clientMean),
    clientMaxMs: round(clientMax),
    clientRatio: round(clientMean / c.plain.clientMs, 1),
    aggregatorMs: round(report.aggregatorMs),
    aggregatorRatio: round(report.aggregatorMs / c.plain.aggregatorMs, 1),
    roundMs: round(roundMs),
    roundRatio: round(roundMs / plainRoundMs, 2),
    bytesPerClient: Math.round(bytesPerClient),
    bytesRatio: round(bytesPerClient / c.plain.bytesPerClient, 3),
    sentBytesRatio: round(sentPerClient / c.plain.bytesPerClient, 3),
    [`modelledRoundRatioAt${LINK_MBPS}Mbps`]: round(
      (roundMs + transferMs(totalTraffic)) / (plainRoundMs + transferMs(c.plain.bytesPerClient * inSum.length)),
      2,
    ),
    maxSumError: worst,
    errorBound: result.errorBound,
    phases,
  }
}

const COLUMNS: [string, number][] = [
  ['d', 8],
  ['n', 4],
  ['mode', 14],
  ['drop', 5],
  ['client ms', 10],
  ['×', 7],
  ['aggr ms', 9],
  ['×', 6],
  ['round ×', 8],
  ['bytes ×', 8],
  [`@${LINK_MBPS}Mb ×`, 9],
]

function header(): string {
  return COLUMNS.map(([name, width]) => name.padStart(width)).join(' ')
}

function row(m: Metrics): string {
  const values = [
    m.parameters,
    m.clients,
    m.mode,
    m.droppedBeforeMasking,
    m.clientMeanMs,
    m.clientRatio,
    m.aggregatorMs,
    m.aggregatorRatio,
    m.roundRatio,
    m.bytesRatio,
    m[`modelledRoundRatioAt${LINK_MBPS}Mbps`],
  ]
  return values.map((v, i) => String(v).padStart(COLUMNS[i][1])).join(' ')
}

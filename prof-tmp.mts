import { ed25519 } from '@noble/curves/ed25519.js'
import { runLocalRound } from './workers/secagg/local-round'
import { suggestHararyGraph, type RoundParams } from './workers/secagg/params'
import { seededRandomSource } from './workers/secagg/random'
const n = Number(process.argv[2] ?? 100), d = Number(process.argv[3] ?? 100000), mode = process.argv[4] ?? 'complete'
const sks = Array.from({ length: n }, (_, i) => seededRandomSource(`id-${i}`)(32).slice())
const pks = sks.map((s) => ed25519.getPublicKey(s))
const inputs = Array.from({ length: n }, () => new Float32Array(d).fill(0.1))
const h = suggestHararyGraph(n)!
const params: RoundParams = mode === 'complete'
  ? { roundId: new Uint8Array([1]), cohort: pks, threshold: Math.floor(2 * n / 3) + 1, vectorLength: d, bound: 1, graph: { kind: 'complete' } }
  : { roundId: new Uint8Array([1]), cohort: pks, threshold: h.threshold, minClients: Math.ceil(n / 2), vectorLength: d, bound: 1, graph: { kind: 'harary', degree: h.degree, seed: new Uint8Array([9]) } }
const r = await runLocalRound({ params, identitySecretKeys: sks, inputs, random: (i) => seededRandomSource(`c${i}`), clock: () => performance.now() })
console.log(r.outcome.kind, 'clientMean', (r.clientMs.reduce((a, b) => a + b) / n).toFixed(1), 'agg', r.aggregatorMs.toFixed(1))
for (const [p, t] of Object.entries(r.phaseMs)) console.log(p, (t.clients / n).toFixed(1), t.aggregator.toFixed(1))

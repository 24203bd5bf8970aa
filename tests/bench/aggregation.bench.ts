/**
 * Aggregation speed: every rule on 25 clients × 1.2 M parameters (the target: about a
 * second). The baseline in the same run is one plain float64 pass summing all inputs, so the
 * ratios survive a noisy machine. Usage: npm run bench -- aggregation [--params P] [--clients N]
 */
import { aggregate, type AggregationConfig } from '../../workers/fl/aggregation/aggregate'
import { createRng } from '../../workers/common/random'
import { flagValue, hasFlag, round } from './stats'
import { writeBenchResult, type Metrics } from './results'

export async function main(args: string[]): Promise<void> {
  if (hasFlag(args, 'help')) {
    console.log('usage: npm run bench -- aggregation [--params 1200000] [--clients 25]')
    return
  }
  const d = flagValue(args, 'params', 1_200_000)
  const n = flagValue(args, 'clients', 25)
  const rng = createRng(1)
  const inputs = Array.from({ length: n }, (_, i) => ({
    id: `update-${String(i).padStart(3, '0')}`,
    vector: Float32Array.from({ length: d }, () => rng.normal() * 0.01),
    weight: 300 + i,
  }))
  const time = (fn: () => void): number => {
    const t0 = performance.now()
    fn()
    return performance.now() - t0
  }
  const baselineMs = time(() => {
    const acc = new Float64Array(d)
    for (const { vector } of inputs) for (let j = 0; j < d; j++) acc[j] += vector[j]
  })
  const f = Math.floor(n / 5)
  const configs: [string, AggregationConfig][] = [
    ['fedavg', { rule: { rule: 'fedavg' } }],
    ['median', { rule: { rule: 'median' } }],
    ['trimmed-mean', { rule: { rule: 'trimmed-mean', trim: f } }],
    ['krum', { rule: { rule: 'krum', f } }],
    ['multi-krum', { rule: { rule: 'multi-krum', f, m: n - f } }],
    ['centered-clipping', { rule: { rule: 'centered-clipping', tau: 0.1, iterations: 1 } }],
    ['geometric-median (8 it.)', { rule: { rule: 'geometric-median', iterations: 8 } }],
    [
      'bucketing s=2 + centered-clipping',
      { rule: { rule: 'centered-clipping', tau: 0.1 }, bucketing: { size: 2, seed: new Uint8Array([1]) } },
    ],
  ]
  const metrics: Metrics = { parameters: d, clients: n, baselineSumMs: round(baselineMs) }
  for (const [name, config] of configs) {
    let ok = true
    const ms = time(() => {
      ok = aggregate(inputs, config).ok
    })
    if (!ok) throw new Error(`${name} failed`)
    metrics[name] = { ms: round(ms), ratioToSum: round(ms / baselineMs, 1) }
    console.log(`${name.padEnd(36)} ${ms.toFixed(0).padStart(6)} ms  (${(ms / baselineMs).toFixed(1)}× one summing pass)`)
  }
  writeBenchResult('aggregation', metrics)
}

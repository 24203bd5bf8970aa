/**
 * Robustness of the aggregation rules under Byzantine attacks on non-IID MNIST, after
 * Karimireddy, He & Jaggi (ICLR 2022): n = 25 clients, f = 5 Byzantine, attacks BF, LF, mimic,
 * IPM, ALIE and Gaussian noise; final test accuracy for every rule × attack and for attack-free
 * FedAvg among the 20 honest clients (the baseline every ratio below refers to).
 *
 * Scaled down for a 2-core machine: 10,000 MNIST digits (7,500 train), a 784-64-10 MLP, one SGD
 * step of batch 32 per client per round with worker momentum 0.9 (the paper's setting), fewer
 * rounds. Usage: npm run bench -- robustness [--quick] [--rounds R] [--rules a,b] [--attacks a,b]
 */
import { ATTACKS, type AttackName } from '../../workers/fl/attacks/attacks'
import type { RuleConfig } from '../../workers/fl/aggregation/aggregate'
import { loadMnistNode } from '../../workers/fl/data/mnist-node'
import { gatherSamples, splitHoldout } from '../../workers/fl/data/split'
import { selectBackend } from '../../workers/fl/model/backend'
import { nodeBackendOptions } from '../../workers/fl/model/backend-node'
import { MNIST_MLP } from '../../workers/fl/model/spec'
import { createTrainer } from '../../workers/fl/model/trainer'
import { initialWeights } from '../../workers/fl/model/weights'
import { prepareData, runSimulation, type SimulationConfig } from './fl-sim'
import { writeFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { flagValue, hasFlag, round } from './stats'
import { writeBenchResult, type Metrics } from './results'

interface RuleSetup {
  readonly label: string
  readonly rule: RuleConfig
  readonly bucketSize: number
}

const N = 25
const F = 5

export function ruleSetups(tau: number): RuleSetup[] {
  // Bucketing with s = 2 before every robust rule, as the paper recommends for non-IID data;
  // the Krum and trimming f count buckets that may hold a Byzantine input (at most f).
  return [
    { label: 'fedavg', rule: { rule: 'fedavg' }, bucketSize: 1 },
    { label: 'cc', rule: { rule: 'centered-clipping', tau, iterations: 1 }, bucketSize: 2 },
    { label: 'cm', rule: { rule: 'median' }, bucketSize: 2 },
    { label: 'tm', rule: { rule: 'trimmed-mean', trim: F }, bucketSize: 2 },
    { label: 'krum', rule: { rule: 'krum', f: F }, bucketSize: 2 },
    { label: 'rfa', rule: { rule: 'geometric-median', iterations: 8 }, bucketSize: 2 },
  ]
}

export async function main(args: string[]): Promise<void> {
  if (hasFlag(args, 'help')) {
    console.log(`usage: npm run bench -- robustness [--quick] [--rounds R] [--tau T] [--lr LR] [--alpha A] [--flip-scale K] [--rules fedavg,cc,cm,tm,krum,rfa] [--attacks ${ATTACKS.join(',')}]
  --quick      80 rounds, rules fedavg, cc, tm, rfa (about 4 minutes); full: 250 rounds, all rules (about 20 minutes)
  --alpha A    Dirichlet(A) shards instead of sorted shards (one or two classes per client, the paper's setting)`)
    return
  }
  const quick = hasFlag(args, 'quick')
  const rounds = flagValue(args, 'rounds', quick ? 80 : 250)
  const tau = flagValue(args, 'tau', 0.05)
  const learningRate = flagValue(args, 'lr', 0.3)
  const alpha = flagValue(args, 'alpha', 0)
  const listArg = (name: string): string[] | null => {
    const i = args.indexOf(`--${name}`)
    return i >= 0 ? args[i + 1].split(',') : null
  }
  const setups = ruleSetups(tau).filter((s) => (listArg('rules') ?? (quick ? ['fedavg', 'cc', 'tm', 'rfa'] : null) ?? [s.label]).includes(s.label))
  const attacks = (listArg('attacks') ?? ATTACKS) as AttackName[]

  const backend = await selectBackend(nodeBackendOptions({ calibrate: false }))
  const dataset = loadMnistNode()
  const base = {
    dataset,
    spec: MNIST_MLP,
    rounds,
    hyper: { epochs: 1, batchSize: 32, learningRate, maxBatchesPerEpoch: 1 },
    clientMomentum: 0.9,
    signFlipScale: flagValue(args, 'flip-scale', 4),
    scheme: alpha > 0 ? ({ kind: 'dirichlet', alpha } as const) : ({ kind: 'sorted' } as const),
    seed: 1,
    evalEvery: Math.max(1, Math.floor(rounds / 10)),
  }
  const started = performance.now()
  const run = async (config: SimulationConfig): Promise<number> => {
    const t0 = performance.now()
    const result = await runSimulation(config, prepareData(config))
    console.log(`${config.attack.padEnd(10)} ${describe(config).padEnd(10)} ${(result.finalAccuracy * 100).toFixed(2)} %  (${((performance.now() - t0) / 1000).toFixed(0)} s)`)
    return result.finalAccuracy
  }
  const describe = (c: SimulationConfig): string => setups.find((s) => s.rule === c.rule)?.label ?? c.rule.rule

  const baseline = await run({ ...base, clients: N - F, byzantine: 0, attack: 'none', rule: { rule: 'fedavg' } })
  const table: Record<string, Record<string, number>> = {}
  for (const setup of setups) {
    table[setup.label] = {}
    for (const attack of attacks) {
      table[setup.label][attack] = await run({ ...base, clients: N, byzantine: F, attack, rule: setup.rule, bucketSize: setup.bucketSize })
    }
  }
  const throughput = await measureThroughput()
  const minutes = (performance.now() - started) / 60_000

  const worstGap = (label: string): number => Math.max(...attacks.map((a) => baseline - table[label][a]))
  const robust = setups.filter((s) => s.label !== 'fedavg').map((s) => ({ label: s.label, worstGap: worstGap(s.label) }))
  const best = robust.filter((r) => r.label !== 'cc').sort((a, b) => a.worstGap - b.worstGap)[0]
  const metrics: Metrics = {
    setting: `non-IID MNIST (${alpha > 0 ? `Dirichlet α=${alpha}` : 'sorted shards, 1–2 classes per honest client'}), n=${N}, f=${F}, ${rounds} rounds, MLP 784-64-10, 1 SGD step of 32 per client per round, lr ${learningRate}, worker momentum 0.9, CC τ=${tau}, bucketing s=2, sign flip ×${flagValue(args, 'flip-scale', 4)}; Byzantine clients (for BF, LF) train on IID slices`,
    backend: backend.backend,
    rounds,
    minutes: round(minutes, 1),
    attackFreeAccuracy: round(baseline * 100),
    accuracy: Object.fromEntries(Object.entries(table).map(([rule, row]) => [rule, Object.fromEntries(Object.entries(row).map(([a, v]) => [a, round(v * 100)]))])),
    worstGapPoints: Object.fromEntries(setups.map((s) => [s.label, round(worstGap(s.label) * 100)])),
    ccWithin2Points: table.cc ? worstGap('cc') <= 0.02 : null,
    bestOtherRule: best ? best.label : null,
    bestOtherWithin2Points: best ? best.worstGap <= 0.02 : null,
    fedavgSignFlipFails: table.fedavg?.['sign-flip'] !== undefined ? table.fedavg['sign-flip'] < baseline - 0.2 : null,
    throughputSamplesPerSecond: throughput,
  }
  const markdown = renderMarkdown(metrics, setups.map((s) => s.label), attacks, baseline, table)
  writeFileSync(join(dirname(fileURLToPath(import.meta.url)), 'results', 'robustness.md'), markdown)
  console.log(markdown)
  writeBenchResult('robustness', metrics)
}

function renderMarkdown(metrics: Metrics, rules: string[], attacks: AttackName[], baseline: number, table: Record<string, Record<string, number>>): string {
  const header = `| rule | ${attacks.join(' | ')} | worst gap |\n|---|${attacks.map(() => '---:').join('|')}|---:|`
  const rows = rules.map((rule) => {
    const cells = attacks.map((a) => (table[rule][a] * 100).toFixed(1))
    const gap = Math.max(...attacks.map((a) => baseline - table[rule][a])) * 100
    return `| ${rule} | ${cells.join(' | ')} | ${gap.toFixed(1)} |`
  })
  return [
    '# Robustness benchmark',
    '',
    `${metrics.setting}. Final test accuracy (%) on 1,500 held-out digits. Attack-free FedAvg (20 honest clients): **${(baseline * 100).toFixed(1)} %**.`,
    `Backend ${metrics.backend}; ${metrics.minutes} minutes. Generated by \`npm run bench -- robustness\`.`,
    '',
    header,
    ...rows,
    '',
    `Training throughput (samples/s, MLP 784-64-10, batch 32): ${JSON.stringify(metrics.throughputSamplesPerSecond)}.`,
    '',
  ].join('\n')
}

/** Samples per second of local training on each backend available in Node. */
async function measureThroughput(): Promise<Metrics> {
  const out: Metrics = {}
  const dataset = loadMnistNode()
  const data = gatherSamples(dataset, splitHoldout(dataset.count, { seed: 1, validation: 0, test: 0 }).train.slice(0, 2048))
  for (const name of ['wasm', 'cpu'] as const) {
    await selectBackend(nodeBackendOptions({ candidates: [name], calibrate: false }))
    const trainer = createTrainer(MNIST_MLP)
    const weights = initialWeights(MNIST_MLP, 1)
    await trainer.train({ weights, data, hyper: { epochs: 1, batchSize: 32, learningRate: 0.01, seed: 1, maxBatchesPerEpoch: 4 } })
    const outcome = await trainer.train({ weights, data, hyper: { epochs: 1, batchSize: 32, learningRate: 0.01, seed: 1 } })
    trainer.dispose()
    out[name] = Math.round(outcome.metrics.samplesPerSecond)
  }
  await selectBackend(nodeBackendOptions({ calibrate: false }))
  return out
}

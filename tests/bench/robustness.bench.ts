/**
 * Robustness of the aggregation rules under Byzantine attacks on non-IID MNIST, after
 * Karimireddy, He & Jaggi (ICLR 2022): n = 25 clients, f = 5 Byzantine, worker momentum 0.9;
 * the classic attacks (BF, LF, mimic, IPM, ALIE, Gaussian), the adaptive ones (Min-Max, Min-Sum,
 * AGR-tailored, Fang-Krum, Fang-TM) and a targeted backdoor (7 → 1, scored by its success rate);
 * at Dirichlet(1) label skew and at the paper's sorted split. Every gap is to attack-free FedAvg
 * over the same 20 honest clients and data.
 *
 * Scaled down for a 2-core machine: 10,000 MNIST digits (7,500 train), a 784-64-10 MLP, one SGD
 * step of batch 32 per client per round. The default run measures the two default rules
 * (DEFAULT_RULES: plain `robust` and `secure` mode); --full adds every other rule.
 */
import { ATTACKS, type AttackName } from '../../workers/fl/attacks/attacks'
import type { FlTrustVariant, RuleConfig } from '../../workers/fl/aggregation/aggregate'
import { DEFAULT_FLTRUST_VARIANT, DEFAULT_RULES, chooseBucketSize } from '../../workers/fl/aggregation/defaults'
import { loadMnistNode } from '../../workers/fl/node/mnist-data'
import type { ImageDataset } from '../../workers/fl/data/mnist-format'
import type { ShardScheme } from '../../workers/fl/data/split'
import { selectBackend } from '../../workers/fl/model/backend'
import { nodeBackendOptions } from '../../workers/fl/node/backend'
import { MNIST_MLP } from '../../workers/fl/model/spec'
import type { TrainHyper } from '../../workers/fl/model/trainer'
import { referenceHyperOf } from '../../workers/fl/model/reference'
import { DEFAULT_RETRY_STEP, defaultMnistTask } from '../../workers/fl/task/spec'
import { prepareData, runSimulation, type SimulationConfig } from './fl-sim'
import { spawn } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { flagValue, hasFlag, round } from './stats'
import { writeBenchResult, type Metrics } from './results'
import { points, summariseSeeds, targetedExcess, worstGap, type Collected, type SplitResult } from './robustness-seeds'

export interface RuleSetup {
  readonly label: string
  readonly rule: RuleConfig
  readonly bucketSize: number
  /** Only bucket sums reach the rule (secure aggregation). */
  readonly secure: boolean
}

const N = 25
const F = 5
export const SPLITS: Record<string, ShardScheme> = { dirichlet1: { kind: 'dirichlet', alpha: 1 }, sorted: { kind: 'sorted' } }

/**
 * The benchmark's setting (Karimireddy, He & Jaggi, scaled down for 2 cores), less rule and
 * attack: n = 25, f = 5, one SGD step of 32 per client per round, worker momentum 0.9.
 */
export function benchSetting(o: {
  dataset: ImageDataset
  rounds: number
  split: string
  seed: number
  evalEvery: number
  learningRate?: number
  flipScale?: number
  referenceBatch?: number
  /** FLTrust's reference step shrinks as referenceStepScale(round, H, power) says; H = 0: never. */
  referenceDecay?: { rounds: number; power: number }
  /** β of FLTrust's reference run across rounds, as the trainers' worker momentum (default 0: the raw delta). */
  referenceMomentum?: number
  /**
   * Train as a default mesh task does (taskTraining) instead of Karimireddy et al.'s one step with
   * worker momentum; referenceSteps > 0 caps FLTrust's reference run.
   */
  taskDefaults?: { referenceSteps?: number }
}) {
  const learningRate = o.learningRate ?? 0.3
  const training = o.taskDefaults
    ? { ...taskTraining(o.taskDefaults.referenceSteps), clientMomentum: 0 }
    : {
        hyper: { epochs: 1, batchSize: 32, learningRate, maxBatchesPerEpoch: 1 },
        referenceHyper: { epochs: 1, batchSize: o.referenceBatch ?? 32, learningRate, maxBatchesPerEpoch: 1 },
        clientMomentum: 0.9,
      }
  return {
    dataset: o.dataset,
    spec: MNIST_MLP,
    rounds: o.rounds,
    ...training,
    referenceDecay: o.referenceDecay,
    referenceMomentum: o.referenceMomentum ?? 0,
    signFlipScale: o.flipScale ?? 4,
    scheme: SPLITS[o.split],
    seed: o.seed,
    byzantineData: 'shards' as const,
    evalEvery: o.evalEvery,
    clients: N,
    byzantine: F,
  }
}
/** A default mesh task's local run (training-session.ts) and FLTrust reference run (reference.ts). */
export function taskTraining(referenceSteps = 0): { hyper: Omit<TrainHyper, 'seed'>; referenceHyper: Omit<TrainHyper, 'seed'> } {
  const hyper = referenceHyperOf(defaultMnistTask('', 0))
  return { hyper, referenceHyper: referenceSteps > 0 ? { ...hyper, maxBatchesPerEpoch: referenceSteps } : hyper }
}

export function describeHyper(h: Omit<TrainHyper, 'seed'>): string {
  return `${h.epochs} epoch(s) of at most ${h.maxBatchesPerEpoch ?? 'all'} batches of ${h.batchSize}, lr ${h.learningRate}, ${h.optimizer ?? 'sgd'}`
}

/** --reference-decay H[:P] (absent: no decay). */
export function referenceDecayOf(args: string[]): { rounds: number; power: number } | undefined {
  const i = args.indexOf('--reference-decay')
  if (i < 0) return undefined
  const [rounds, power = 0.5] = (args[i + 1] ?? '').split(':').map(Number)
  if (!(rounds > 0) || !(power > 0)) throw new Error('--reference-decay takes H[:P] with H > 0 and P > 0; see --help')
  return { rounds, power }
}
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results')
/** FLTrust's rule config is completed each round by the simulator with the reference update. */
const fltrust = (variant: FlTrustVariant): RuleConfig => ({ rule: 'fltrust', reference: new Float32Array(0), variant })

export function ruleSetups(tau: number): RuleSetup[] {
  const secureSize = chooseBucketSize({ n: N, f: F, mode: 'secure', rule: 'fltrust' })
  const secureBuckets = Math.floor(N / secureSize)
  return [
    { label: 'fedavg', rule: { rule: 'fedavg' }, bucketSize: 1, secure: false },
    { label: 'fltrust-clipped', rule: fltrust('clipped'), bucketSize: 1, secure: false },
    { label: 'fltrust-clipped-mean', rule: fltrust('clipped-mean'), bucketSize: 1, secure: false },
    { label: 'fltrust-paper', rule: fltrust('paper'), bucketSize: 1, secure: false },
    { label: 'secure-fltrust-clipped', rule: fltrust('clipped'), bucketSize: secureSize, secure: true },
    { label: 'secure-fltrust-clipped-mean', rule: fltrust('clipped-mean'), bucketSize: secureSize, secure: true },
    { label: 'secure-fltrust-paper', rule: fltrust('paper'), bucketSize: secureSize, secure: true },
    // Larger secure buckets dilute a Byzantine input in 5 but leave more buckets holding one (README, "Across seeds").
    { label: 'secure-fltrust-clipped-s5', rule: fltrust('clipped'), bucketSize: 5, secure: true },
    { label: 'cc', rule: { rule: 'centered-clipping', tau, iterations: 1 }, bucketSize: 1, secure: false },
    {
      label: 'cc-bucketed',
      rule: { rule: 'centered-clipping', tau, iterations: 1 },
      bucketSize: chooseBucketSize({ n: N, f: F, mode: 'robust', rule: 'centered-clipping' }),
      secure: false,
    },
    { label: 'multi-krum', rule: { rule: 'multi-krum', f: F, m: N - F }, bucketSize: 1, secure: false },
    { label: 'tm', rule: { rule: 'trimmed-mean', trim: F }, bucketSize: 1, secure: false },
    { label: 'cm', rule: { rule: 'median' }, bucketSize: 1, secure: false },
    { label: 'krum', rule: { rule: 'krum', f: F }, bucketSize: 1, secure: false },
    { label: 'rfa', rule: { rule: 'geometric-median', iterations: 8 }, bucketSize: 1, secure: false },
    // Secure mode with a majority rule: at s = 3 up to 5 of the 8 buckets hold a Byzantine input.
    { label: 'secure-cc', rule: { rule: 'centered-clipping', tau, iterations: 1 }, bucketSize: secureSize, secure: true },
    { label: 'secure-tm', rule: { rule: 'trimmed-mean', trim: Math.floor((secureBuckets - 1) / 2) }, bucketSize: secureSize, secure: true },
  ]
}

/** The benchmark labels of the default rules (DEFAULT_RULES in workers/fl/aggregation/defaults.ts). */
const DEFAULT_LABELS = {
  robust: DEFAULT_RULES.robust === 'fltrust' ? `fltrust-${DEFAULT_FLTRUST_VARIANT.robust}` : 'cc',
  secure: DEFAULT_RULES.secure === 'fltrust' ? `secure-fltrust-${DEFAULT_FLTRUST_VARIANT.secure}` : 'secure-cc',
}

const HELP = `usage: npm run bench -- robustness [options]
  --full              every rule (${ruleSetups(0.15)
    .map((s) => s.label)
    .join(', ')}), 150 rounds
                      (default: the two default rules, ${DEFAULT_LABELS.robust} and ${DEFAULT_LABELS.secure}, 100 rounds;
                      14.5 min measured on an otherwise idle 2-core machine, one child per split;
                      the AGR-tailored attack's γ search is the longest part; hours under heavy load)
  --rounds R          rounds of training
  --rules a,b         rules to run (overrides --full's list)
  --attacks a,b       of ${ATTACKS.join(',')} (default all)
  --splits a,b        of ${Object.keys(SPLITS).join(',')} (default both)
  --tau T             centered-clipping radius (default 0.15)
  --lr LR             client learning rate (default 0.3)
  --flip-scale K      sign flip sends −K × its update (default 4)
  --reference-batch B FLTrust's reference run takes its one step on B root digits (default 32, as a trainer's run;
                      see npm run bench -- trajectory)
  --reference-decay H[:P]  FLTrust's reference run takes lr·(1 + round/H)^−P (P default 0.5; default H = 0: lr)
  --reference-momentum B   FLTrust's reference is β·previous + (1 − β)·its run, as a trainer's worker momentum (default 0)
  --task-defaults     local training as a default mesh task runs it (defaultMnistTask: its local steps, batch,
                      learning rate and momentum optimizer; no worker momentum; FLTrust's reference is
                      referenceHyperOf(task)) instead of one step of 32 with worker momentum 0.9; --lr and
                      --reference-batch then do not apply
  --validator-gate D  the validators' accuracy gate as the product runs it: a candidate more than D (a fraction,
                      e.g. ${defaultMnistTask('', 0).maxAccuracyDrop}, a default task's maxAccuracyDrop) below the committed model on the 1,000 validation
                      digits gets no vote and the round retries with fresh updates; default: no gate
  --max-attempts K    with --validator-gate, a round refused K times stalls the run there (default 10; the
                      product retries without end)
  --retry-step B      with --validator-gate, attempt k of a round steps B^k of the aggregate, as validators run a
                      task's retry step (default ${DEFAULT_RETRY_STEP}, a new task's; 1: the full step, as tasks before it)
  --seed S            seeds the split, the shards, the initial model, the attacks and the buckets (default 1);
                      run several with distinct --name to see how much a figure moves with the draw
  --name NAME         result file name (default robustness)
  --jobs J            run the splits in J child processes (default 2: one per split, for 2 cores)
  --merge a,b         combine earlier result files NAME.json (same rounds and seed) into --name; runs nothing
  --seeds a,b         the whole run once per seed, one after the other (files NAME-seedS), then NAME-seeds:
                      each rule's worst gap and backdoor success per seed and over the seeds
  --summarise a,b     write NAME-seeds from earlier result files, one seed each; runs nothing`

type Table = Record<string, Record<string, number>>

export async function main(args: string[]): Promise<void> {
  if (hasFlag(args, 'help')) return void console.log(HELP)
  const listArg = (name: string): string[] | null => {
    const i = args.indexOf(`--${name}`)
    return i >= 0 ? args[i + 1].split(',') : null
  }
  const resultName = listArg('name')?.[0] ?? 'robustness'
  const merge = listArg('merge')
  if (merge) return void finish(mergeResults(merge), resultName, ['npm run bench -- robustness', ...args].join(' '))
  const summarise = listArg('summarise')
  if (summarise) return void finishSeeds(summarise, resultName)
  const seeds = listArg('seeds')
  if (seeds) {
    const passOn = withoutOptions(args, ['--seeds', '--seed', '--name'])
    for (const seed of seeds) await runChild([...passOn, '--seed', seed, '--name', `${resultName}-seed${seed}`])
    return void finishSeeds(
      seeds.map((seed) => `${resultName}-seed${seed}`),
      resultName,
    )
  }

  const full = hasFlag(args, 'full')
  const rounds = flagValue(args, 'rounds', full ? 150 : 100)
  const tau = flagValue(args, 'tau', 0.15)
  const learningRate = flagValue(args, 'lr', 0.3)
  const flipScale = flagValue(args, 'flip-scale', 4)
  const referenceBatch = flagValue(args, 'reference-batch', 32)
  const referenceDecay = referenceDecayOf(args)
  const referenceMomentum = flagValue(args, 'reference-momentum', 0)
  const seed = flagValue(args, 'seed', 1)
  const taskDefaults = hasFlag(args, 'task-defaults')
  const gateDrop = flagValue(args, 'validator-gate', NaN)
  const validatorGate = Number.isNaN(gateDrop)
    ? undefined
    : {
        maxAccuracyDrop: gateDrop,
        maxAttempts: flagValue(args, 'max-attempts', 10),
        retryStep: flagValue(args, 'retry-step', DEFAULT_RETRY_STEP),
      }
  if (validatorGate && !(validatorGate.maxAccuracyDrop >= 0 && validatorGate.maxAccuracyDrop <= 1 && validatorGate.maxAttempts >= 1))
    throw new Error('--validator-gate takes a fraction in [0, 1] and --max-attempts a whole number ≥ 1; see --help')
  const all = ruleSetups(tau)
  const wanted = listArg('rules') ?? (full ? all.map((s) => s.label) : [DEFAULT_LABELS.robust, DEFAULT_LABELS.secure])
  const unknown = wanted.filter((w) => !all.some((s) => s.label === w))
  if (unknown.length) throw new Error(`unknown rules ${unknown.join(', ')}; see --help`)
  const setups = all.filter((s) => wanted.includes(s.label))
  const attacks = (listArg('attacks') ?? ATTACKS) as AttackName[]
  const splits = listArg('splits') ?? Object.keys(SPLITS)
  const unknownSplits = splits.filter((x) => !(x in SPLITS))
  if (unknownSplits.length) throw new Error(`unknown splits ${unknownSplits.join(', ')}; see --help`)
  const jobs = flagValue(args, 'jobs', 2)
  if (jobs > 1 && splits.length > 1) {
    // One child per split (each a single-threaded simulation); then merge their files.
    // Not `${resultName}-${split}`: that is the name of an earlier committed result (robustness-sorted).
    const parts = splits.map((split) => `${resultName}.part-${split}`)
    const passOn = withoutOptions(args, ['--splits', '--name', '--jobs'])
    const wallStart = performance.now()
    await Promise.all(splits.map((split, i) => runChild([...passOn, '--splits', split, '--name', parts[i], '--jobs', '1'])))
    const merged = { ...mergeResults(parts), wallMinutes: round((performance.now() - wallStart) / 60_000, 1) }
    for (const part of parts) for (const ext of ['json', 'md']) rmSync(join(resultsDir, `${part}.${ext}`), { force: true })
    return void finish(merged, resultName, ['npm run bench -- robustness', ...args].join(' '))
  }

  const backend = await selectBackend(nodeBackendOptions({ calibrate: false }))
  const dataset = loadMnistNode()
  const started = performance.now()
  const results: Record<string, SplitResult> = {}
  for (const split of splits) {
    const base = benchSetting({
      dataset,
      rounds,
      split,
      seed,
      evalEvery: rounds,
      learningRate,
      flipScale,
      referenceBatch,
      referenceDecay,
      referenceMomentum,
      ...(taskDefaults ? { taskDefaults: {} } : {}),
    })
    const data = prepareData(base)
    const run = async (
      config: SimulationConfig,
      label: string,
    ): Promise<{ accuracy: number; targetSuccess: number; refused: number; stalledAtRound: number | null }> => {
      const t0 = performance.now()
      const result = await runSimulation(config, data)
      const gated = config.validatorGate
        ? `  refused ${result.refusedCandidates}${result.stalledAtRound === null ? '' : `, stalled at round ${result.stalledAtRound}`}`
        : ''
      console.log(
        `${split.padEnd(10)} ${config.attack.padEnd(12)} ${label.padEnd(14)} ${(result.finalAccuracy * 100).toFixed(2)} %  target ${(result.targetSuccess * 100).toFixed(1)} %${gated}  (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      )
      return {
        accuracy: result.finalAccuracy,
        targetSuccess: result.targetSuccess,
        refused: result.refusedCandidates,
        stalledAtRound: result.stalledAtRound,
      }
    }
    // The same honest clients and data as every attacked run, with the Byzantine ones absent (and no gate: the reference point stays put).
    const baseline = await run({ ...base, attack: 'none', rule: { rule: 'fedavg' } }, 'fedavg')
    const accuracy: Table = {}
    const targetSuccess: Record<string, number> = {}
    const gate: NonNullable<SplitResult['gate']> = {}
    for (const setup of setups) {
      accuracy[setup.label] = {}
      gate[setup.label] = {}
      for (const attack of attacks) {
        const r = await run(
          { ...base, attack, rule: setup.rule, bucketSize: setup.bucketSize, secure: setup.secure, validatorGate },
          setup.label,
        )
        accuracy[setup.label][attack] = r.accuracy
        if (attack === 'targeted') targetSuccess[setup.label] = r.targetSuccess
        gate[setup.label][attack] = { refused: r.refused, stalledAtRound: r.stalledAtRound }
      }
    }
    results[split] = {
      attackFree: baseline.accuracy,
      attackFreeTargetSuccess: baseline.targetSuccess,
      accuracy,
      targetSuccess,
      ...(validatorGate ? { gate } : {}),
    }
  }
  const minutes = (performance.now() - started) / 60_000
  const training = taskDefaults
    ? `a default task's local run per client per round (${describeHyper(taskTraining().hyper)}), no worker momentum, FLTrust's reference the same run`
    : `1 SGD step of 32 per client per round, lr ${learningRate}, worker momentum 0.9`
  const setting = `non-IID MNIST, n=${N}, f=${F}, ${rounds} rounds, seed ${seed}, MLP 784-64-10, ${training}, CC τ=${tau}, sign flip ×${flipScale}, Byzantine clients (BF, LF, targeted) train on every 5th shard of the same split; FLTrust (-paper / -clipped / -clipped-mean: its variant) reference: ${taskDefaults || referenceBatch === 32 ? 'the same training' : `one step on ${referenceBatch}`} on the 1,000 held-out validation digits (clipped: trust against one step on all of them)${referenceDecay ? `, its learning rate × (1 + round/${referenceDecay.rounds})^−${referenceDecay.power}` : ''}${referenceMomentum > 0 ? `, reference momentum β = ${referenceMomentum}` : ''}; secure mode: buckets of ${chooseBucketSize({ n: N, f: F, mode: 'secure', rule: 'fltrust' })}, rule across bucket means${validatorGate ? `; validators' gate: a candidate more than ${round(validatorGate.maxAccuracyDrop * 100)} points below the committed model on the validation digits is refused and the round retries with fresh updates, at most ${validatorGate.maxAttempts} attempts (then the run stops, stalled)${validatorGate.retryStep !== 1 ? `, attempt k steps ${validatorGate.retryStep}^k of the aggregate (the task's retry step)` : ''}` : ''}`
  finish(
    { setting, backend: backend.backend, rounds, seed, minutes: round(minutes, 1), splits: results },
    resultName,
    ['npm run bench -- robustness', ...args].join(' '),
  )
}

function mergeResults(names: string[]): Collected {
  const parts = names.map((n) => JSON.parse(readFileSync(join(resultsDir, `${n}.json`), 'utf8')).metrics.raw as Collected)
  const out: Collected = {
    ...parts[0],
    minutes: round(
      parts.reduce((s, p) => s + p.minutes, 0),
      1,
    ),
    splits: {},
  }
  for (const part of parts) {
    if (part.rounds !== out.rounds) throw new Error('cannot merge runs of different round counts')
    if ((part.seed ?? 1) !== (out.seed ?? 1)) throw new Error('cannot merge runs of different seeds')
    for (const [split, r] of Object.entries(part.splits)) {
      const into = (out.splits[split] ??= { ...r, accuracy: {}, targetSuccess: {} })
      // Per attack: two files may each hold some of one rule's attacks.
      for (const [rule, row] of Object.entries(r.accuracy)) into.accuracy[rule] = { ...into.accuracy[rule], ...row }
      Object.assign(into.targetSuccess, r.targetSuccess)
      if (r.gate) {
        into.gate = { ...into.gate }
        for (const [rule, row] of Object.entries(r.gate)) into.gate[rule] = { ...into.gate[rule], ...row }
      }
    }
  }
  return out
}

/** `args` less the named options and their values. */
function withoutOptions(args: string[], names: string[]): string[] {
  return args.filter((_, i) => !names.includes(args[i]) && !names.includes(args[i - 1]))
}

/** This benchmark in a child process with `args`; rejects when the child fails. */
function runChild(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1], 'robustness', ...args], {
      stdio: ['ignore', 'inherit', 'inherit'],
    })
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`robustness ${args.join(' ')} exited with ${code}`))))
  })
}

function finishSeeds(names: string[], resultName: string): void {
  const runs = names.map((n) => JSON.parse(readFileSync(join(resultsDir, `${n}.json`), 'utf8')).metrics.raw as Collected)
  const { metrics, markdown } = summariseSeeds(runs, DEFAULT_LABELS)
  const name = `${resultName}-seeds`
  writeFileSync(join(resultsDir, `${name}.md`), `${markdown}\nFrom ${names.map((n) => `\`${n}.json\``).join(', ')}.\n`)
  console.log(markdown)
  writeBenchResult(name, { ...metrics, defaultRobust: DEFAULT_RULES.robust, defaultSecure: DEFAULT_RULES.secure, from: names })
}

function finish(collected: Collected, resultName: string, command: string): void {
  const { splits } = collected
  const rules = [...new Set(Object.values(splits).flatMap((s) => Object.keys(s.accuracy)))]
  const per = <T>(f: (split: SplitResult, rule: string) => T | null): Record<string, Record<string, T | null>> =>
    Object.fromEntries(rules.map((rule) => [rule, Object.fromEntries(Object.entries(splits).map(([name, s]) => [name, f(s, rule)]))]))
  const metrics: Metrics = {
    setting: collected.setting,
    backend: collected.backend,
    rounds: collected.rounds,
    minutes: collected.minutes,
    wallMinutes: collected.wallMinutes ?? null,
    defaultRobust: DEFAULT_RULES.robust,
    defaultSecure: DEFAULT_RULES.secure,
    defaultLabels: DEFAULT_LABELS,
    attackFreeAccuracy: Object.fromEntries(Object.entries(splits).map(([n, s]) => [n, round(s.attackFree * 100)])),
    attackFreeTargetSuccess: Object.fromEntries(Object.entries(splits).map(([n, s]) => [n, round(s.attackFreeTargetSuccess * 100)])),
    accuracy: Object.fromEntries(
      Object.entries(splits).map(([n, s]) => [
        n,
        Object.fromEntries(
          Object.entries(s.accuracy).map(([rule, row]) => [
            rule,
            Object.fromEntries(Object.entries(row).map(([a, v]) => [a, round(v * 100)])),
          ]),
        ),
      ]),
    ),
    /** Worst accuracy loss (points) over the untargeted attacks, per rule and split. */
    worstGapPoints: per((s, rule) => points(worstGap(s, rule))) as Metrics,
    /** The targeted attack's success rate (%) against each rule, per split. */
    targetedSuccess: per((s, rule) => (s.targetSuccess[rule] === undefined ? null : round(s.targetSuccess[rule] * 100))) as Metrics,
    /** Success rate above the attack-free rate, in points. */
    targetedExcessPoints: per((s, rule) => points(targetedExcess(s, rule))) as Metrics,
    /** Attacks not measured for a rule and split (a partial run): its worst gap covers only the rest. */
    missingAttacks: per((s, rule) => {
      const row = s.accuracy[rule] ?? {}
      const missing = ATTACKS.filter((a) => row[a] === undefined)
      return missing.length ? missing : null
    }) as Metrics,
    defaultsWithin2Points: Object.fromEntries(
      Object.entries(DEFAULT_LABELS).map(([mode, label]) => [
        mode,
        Object.values(splits).every((s) => {
          const gap = worstGap(s, label)
          return gap !== null && gap <= 0.02 && (targetedExcess(s, label) ?? 0) <= 0.02
        }),
      ]),
    ),
    raw: collected as unknown as Metrics,
  }
  const markdown = renderMarkdown(collected, rules, command)
  writeFileSync(join(resultsDir, `${resultName}.md`), markdown)
  console.log(markdown)
  writeBenchResult(resultName, metrics)
}

function renderMarkdown(c: Collected, rules: string[], command: string): string {
  const lines = [
    '# Robustness benchmark',
    '',
    `${c.setting}. Final test accuracy (%) on 1,500 held-out digits; the targeted column is the backdoor's success rate (% of test 7s classified as 1).`,
    `Backend ${c.backend}; ${c.wallMinutes === undefined ? `${c.minutes} minutes of simulation` : `${c.wallMinutes} minutes wall, ${c.minutes} of simulation summed over the splits' child processes`}. Generated by \`${command}\`.`,
    '',
  ]
  for (const [name, s] of Object.entries(c.splits)) {
    const seen = new Set(Object.values(s.accuracy).flatMap((row) => Object.keys(row)))
    // `none` (the rule itself, no attacker) only where a run asked for it with --attacks.
    const attacks = [...(seen.has('none') ? ['none'] : []), ...ATTACKS.filter((a) => a !== 'targeted' && seen.has(a))]
    lines.push(
      `## ${name === 'sorted' ? 'Sorted split (1–2 classes per client)' : 'Dirichlet(1) label skew'}`,
      '',
      `Attack-free FedAvg (20 honest clients): **${(s.attackFree * 100).toFixed(1)} %**, targeted success without attack ${(s.attackFreeTargetSuccess * 100).toFixed(1)} %.`,
      '',
    )
    lines.push(
      `| rule | ${attacks.join(' | ')} | worst gap | targeted success (+ over attack-free) |`,
      `|---|${attacks.map(() => '---:').join('|')}|---:|---:|`,
    )
    for (const rule of rules) {
      const row = s.accuracy[rule]
      if (!row) continue
      const cells = attacks.map((a) => (row[a] === undefined ? '–' : (row[a] * 100).toFixed(1)))
      const gap = Math.max(...attacks.filter((a) => row[a] !== undefined).map((a) => s.attackFree - row[a])) * 100
      const target =
        s.targetSuccess[rule] === undefined
          ? '–'
          : `${(s.targetSuccess[rule] * 100).toFixed(1)} (${((s.targetSuccess[rule] - s.attackFreeTargetSuccess) * 100).toFixed(1)})`
      const measured = attacks.filter((a) => row[a] !== undefined).length
      lines.push(
        `| ${rule} | ${cells.join(' | ')} | ${gap.toFixed(1)}${measured < attacks.length ? ` (${measured} of ${attacks.length} attacks)` : ''} | ${target} |`,
      )
    }
    if (s.gate) {
      lines.push('', 'Candidates the validators refused (and where a run stalled):', '')
      for (const [rule, row] of Object.entries(s.gate))
        lines.push(
          `- ${rule}: ${Object.entries(row)
            .map(([attack, g]) => `${attack} ${g.refused}${g.stalledAtRound === null ? '' : ` (stalled at round ${g.stalledAtRound})`}`)
            .join(', ')}`,
        )
    }
    lines.push('')
  }
  return lines.join('\n')
}

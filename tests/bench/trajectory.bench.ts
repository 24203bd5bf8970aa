/**
 * Accuracy along training, not only at the end: the robustness bench scores each run by its
 * final model, which is one sample of a trajectory. This bench evaluates every K rounds, per
 * seed, for FedAvg (the baseline, same run) and the chosen rules, and reports how far the last
 * half of each trajectory swings — how much of a final-accuracy gap the snapshot alone can make.
 */
import { loadMnistNode } from '../../workers/fl/node/mnist-data'
import { selectBackend } from '../../workers/fl/model/backend'
import { nodeBackendOptions } from '../../workers/fl/node/backend'
import { ATTACKS, type AttackName } from '../../workers/fl/attacks/attacks'
import { DEFAULT_TARGET_GOAL, prepareData, runSimulation } from './fl-sim'
import { SPLITS, benchSetting, describeHyper, referenceDecayOf, ruleSetups, taskTraining } from './robustness.bench'
import { flagValue, hasFlag, round } from './stats'
import { defaultMnistTask } from '../../workers/fl/task/spec'
import type { ShardScheme } from '../../workers/fl/data/split'
import { writeBenchResult, type Metrics } from './results'

const DEFAULT_MAX_DROP_POINTS = defaultMnistTask('', 0).maxAccuracyDrop * 100
const HELP = `usage: npm run bench -- trajectory [options]
Test accuracy every --every rounds in the robustness bench's setting (benchSetting: n = 25, f = 5), per seed.
  --rules a,b     robustness-bench rule labels (default fltrust-clipped,secure-fltrust-clipped); FedAvg always runs
  --split S       dirichlet1, sorted (default) or iid
  --attack A      none (default) or one of ${ATTACKS.join(',')}
  --seeds a,b     (default 1,2,3)
  --rounds R      (default 200)
  --every K       evaluate every K rounds (default 10)
  --reference-batch B  FLTrust's reference run takes one step on B root digits (default 32, a trainer's own
                  local run; 1000 = all of them, whose step shrinks as the full gradient does)
  --reference-decay H[:P]  FLTrust's reference run takes lr·(1 + round/H)^−P (P default 0.5; default: lr)
  --max-drop P    count falls of more than P points between evaluations (default ${DEFAULT_MAX_DROP_POINTS}, the default task's
                  validation threshold; with --every 1 these are rounds whose honest candidate validators refuse)
  --max-class-drop P  count falls of more than P points in any one class's accuracy (default 20), against the
                  evaluation before and against the best of the last --class-window W evaluations (default 10)
  --reference-momentum B  FLTrust's reference is β·previous + (1 − β)·its run (default 0)
  --task-defaults  local training as a default mesh task runs it (defaultMnistTask: its local steps, batch,
                  learning rate and momentum optimizer; no worker momentum; FLTrust's reference is referenceHyperOf(task))
                  instead of the robustness bench's one step with worker momentum
  --reference-steps S  with --task-defaults: FLTrust's reference run takes at most S steps (default: the task's local steps)
  --trainers N    with --attack none: N honest trainers share the training digits instead of the 20 of n = 25
  --name NAME     result file name (default trajectory, or trajectory-referenceB)
About 1 CPU-minute per rule and seed at the defaults.`

/**
 * Falls a validator would refuse: with --every 1 each evaluation is a round's candidate against
 * the committed model before it, and validators refuse a candidate more than the task's
 * maxAccuracyDrop below it (workers/fl/round/secure-reexecute.ts), so an honest round would retry.
 */
function refusals(curve: readonly number[], maxDropPoints: number): { largestFall: number; fallsOverMaxDrop: number } {
  let largestFall = 0
  let fallsOverMaxDrop = 0
  for (let i = 1; i < curve.length; i++) {
    const fall = curve[i - 1] - curve[i]
    largestFall = Math.max(largestFall, fall)
    if (fall > maxDropPoints) fallsOverMaxDrop++
  }
  return { largestFall: round(largestFall, 1), fallsOverMaxDrop }
}

/**
 * How far any one class's test accuracy falls: against the evaluation before (what a per-class
 * validation check against the committed model would see) and against the best of the last
 * `window` evaluations (what a check against recent models would see, which a backdoor that
 * grows a little each round cannot creep under). Points; rounds over `maxClassDropPoints` counted.
 */
function classFalls(
  curves: readonly (readonly number[])[],
  maxClassDropPoints: number,
  window: number,
): { largestClassFall: number; classFallsOverMax: number; largestWindowClassFall: number; windowClassFallsOverMax: number } {
  let largestClassFall = 0
  let classFallsOverMax = 0
  let largestWindowClassFall = 0
  let windowClassFallsOverMax = 0
  for (let i = 1; i < curves.length; i++) {
    let fall = 0
    let windowFall = 0
    for (let c = 0; c < curves[i].length; c++) {
      fall = Math.max(fall, curves[i - 1][c] - curves[i][c])
      let best = -Infinity
      for (let k = Math.max(0, i - window); k < i; k++) best = Math.max(best, curves[k][c])
      windowFall = Math.max(windowFall, best - curves[i][c])
    }
    largestClassFall = Math.max(largestClassFall, fall)
    largestWindowClassFall = Math.max(largestWindowClassFall, windowFall)
    if (fall > maxClassDropPoints) classFallsOverMax++
    if (windowFall > maxClassDropPoints) windowClassFallsOverMax++
  }
  return {
    largestClassFall: round(largestClassFall, 1),
    classFallsOverMax,
    largestWindowClassFall: round(largestWindowClassFall, 1),
    windowClassFallsOverMax,
  }
}

/**
 * The round's step against FedAvg's step on the same honest updates (their mean): how much
 * longer, and how aligned. Medians over the second half of the run.
 */
interface StepShape {
  readonly step_over_mean: number
  readonly cosine_to_mean: number
}
function stepAgainstHonestMean(honest: readonly Float32Array[], step: Float32Array): { ratio: number; cosine: number } {
  const mean = new Float64Array(step.length)
  for (const x of honest) for (let j = 0; j < mean.length; j++) mean[j] += x[j] / honest.length
  let dot = 0
  let meanSquared = 0
  let stepSquared = 0
  for (let j = 0; j < mean.length; j++) {
    dot += mean[j] * step[j]
    meanSquared += mean[j] * mean[j]
    stepSquared += step[j] * step[j]
  }
  const denominator = Math.sqrt(meanSquared * stepSquared)
  return { ratio: Math.sqrt(stepSquared / meanSquared), cosine: denominator > 0 ? dot / denominator : 0 }
}
function medianShape(shapes: readonly { ratio: number; cosine: number }[]): StepShape {
  const median = (xs: number[]): number => {
    const sorted = [...xs].sort((a, b) => a - b)
    return sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN
  }
  return {
    step_over_mean: round(median(shapes.map((s) => s.ratio)), 2),
    cosine_to_mean: round(median(shapes.map((s) => s.cosine)), 2),
  }
}

/** The robustness bench's splits, and IID (a default mesh task's partition). */
const TRAJECTORY_SPLITS: Record<string, ShardScheme> = { ...SPLITS, iid: { kind: 'iid' } }

/** How a trajectory's second half moves: its range, and its largest fall between two evaluations. */
function swing(curve: readonly number[]): { min: number; max: number; range: number; largestDrop: number } {
  const tail = curve.slice(Math.floor(curve.length / 2))
  let largestDrop = 0
  for (let i = 1; i < tail.length; i++) largestDrop = Math.max(largestDrop, tail[i - 1] - tail[i])
  const min = Math.min(...tail)
  const max = Math.max(...tail)
  return { min, max, range: round(max - min, 1), largestDrop: round(largestDrop, 1) }
}

export async function main(args: string[]): Promise<void> {
  if (hasFlag(args, 'help')) return void console.log(HELP)
  const list = (name: string, fallback: string): string[] => {
    const i = args.indexOf(`--${name}`)
    return (i >= 0 ? args[i + 1] : fallback).split(',')
  }
  const labels = list('rules', 'fltrust-clipped,secure-fltrust-clipped')
  const split = list('split', 'sorted')[0]
  const attack = list('attack', 'none')[0] as AttackName
  const seeds = list('seeds', '1,2,3').map(Number)
  const rounds = flagValue(args, 'rounds', 200)
  const every = flagValue(args, 'every', 10)
  const referenceBatch = flagValue(args, 'reference-batch', 32)
  const referenceDecay = referenceDecayOf(args)
  const maxDrop = flagValue(args, 'max-drop', DEFAULT_MAX_DROP_POINTS)
  const maxClassDrop = flagValue(args, 'max-class-drop', 20)
  const classWindow = flagValue(args, 'class-window', 10)
  const referenceMomentum = flagValue(args, 'reference-momentum', 0)
  const taskDefaults = hasFlag(args, 'task-defaults')
  const referenceSteps = flagValue(args, 'reference-steps', 0)
  const trainers = flagValue(args, 'trainers', 0)
  if (trainers > 0 && attack !== 'none') throw new Error('--trainers needs --attack none; see --help')
  if (!(split in TRAJECTORY_SPLITS)) throw new Error(`unknown split ${split}; see --help`)
  if (attack !== 'none' && !ATTACKS.includes(attack)) throw new Error(`unknown attack ${attack}; see --help`)
  const setups = ruleSetups(0.15)
  const unknown = labels.filter((l) => !setups.some((s) => s.label === l))
  if (unknown.length) throw new Error(`unknown rules ${unknown.join(', ')}; see --help`)

  const backend = await selectBackend(nodeBackendOptions({ calibrate: false }))
  const dataset = loadMnistNode()
  const perSeed: Metrics[] = []
  for (const seed of seeds) {
    const base = {
      ...benchSetting({
        dataset,
        rounds,
        split: 'sorted',
        seed,
        evalEvery: every,
        referenceBatch,
        referenceDecay,
        referenceMomentum,
        ...(taskDefaults ? { taskDefaults: { referenceSteps } } : {}),
      }),
      scheme: TRAJECTORY_SPLITS[split],
      ...(trainers > 0 ? { clients: trainers, byzantine: 0 } : {}),
    }
    const data = prepareData(base)
    const curveOf = async (
      label: string,
    ): Promise<{
      curve: number[]
      steps: StepShape
      targetSuccess: number
      classes: ReturnType<typeof classFalls>
      sourceCurve: number[]
    }> => {
      const setup = setups.find((s) => s.label === label)!
      const isBaseline = label === 'fedavg'
      const shapes: { ratio: number; cosine: number }[] = []
      const result = await runSimulation(
        {
          ...base,
          attack: isBaseline ? 'none' : attack,
          rule: setup.rule,
          bucketSize: setup.bucketSize,
          secure: setup.secure,
          onAggregate: (index, inputs, honest, _center, step) => {
            if (index >= rounds / 2) shapes.push(stepAgainstHonestMean(inputs.slice(0, honest), step))
          },
        },
        data,
      )
      const curve = result.accuracy.filter((a): a is number => a !== null).map((a) => round(a * 100, 1))
      const steps = medianShape(shapes)
      const classCurves = result.classAccuracy.filter((a): a is readonly number[] => a !== null).map((a) => a.map((x) => x * 100))
      const classes = classFalls(classCurves, maxClassDrop, classWindow)
      // The targeted attack's source class: the share of its digits still read correctly.
      const sourceCurve = classCurves.map((a) => round(a[DEFAULT_TARGET_GOAL.source], 1))
      console.log(
        `seed ${seed} ${label.padEnd(24)} ${curve.join(' ')}  (step/mean ${steps.step_over_mean}, cos ${steps.cosine_to_mean}; ` +
          `largest class fall ${classes.largestClassFall}, ${classes.classFallsOverMax} over ${maxClassDrop}; ` +
          `against the last ${classWindow}: ${classes.largestWindowClassFall}, ${classes.windowClassFallsOverMax} over)`,
      )
      if (attack === 'targeted')
        console.log(`seed ${seed} ${label.padEnd(24)} class ${DEFAULT_TARGET_GOAL.source}: ${sourceCurve.join(' ')}`)
      return { curve, steps, targetSuccess: round(result.targetSuccess * 100, 1), classes, sourceCurve }
    }
    const { curve: baseline, targetSuccess: baselineTarget, classes: baselineClasses } = await curveOf('fedavg')
    const baseSwing = swing(baseline)
    const rules: Metrics = {}
    for (const label of labels) {
      const { curve, steps, targetSuccess, classes, sourceCurve } = await curveOf(label)
      const s = swing(curve)
      rules[label] = {
        curve,
        final: curve.at(-1)!,
        ...s,
        ...refusals(curve, maxDrop),
        ...classes,
        ...(attack === 'targeted' ? { source_class_curve: sourceCurve } : {}),
        ...steps,
        /** The backdoor's success at the end (% of test 7s read as 1), whatever the attack. */
        target_success: targetSuccess,
        /** Second-half range against FedAvg's in the same seed. */
        range_over_fedavg: baseSwing.range > 0 ? round(s.range / baseSwing.range, 2) : null,
      }
    }
    perSeed.push({
      seed,
      fedavg: {
        curve: baseline,
        final: baseline.at(-1)!,
        ...baseSwing,
        ...refusals(baseline, maxDrop),
        ...baselineClasses,
        target_success: baselineTarget,
      },
      rules,
    })
  }
  const nameAt = args.indexOf('--name')
  const name = nameAt >= 0 ? args[nameAt + 1] : referenceBatch === 32 ? 'trajectory' : `trajectory-reference${referenceBatch}`
  writeBenchResult(name, {
    backend: backend.backend,
    split,
    attack,
    rounds,
    every,
    max_drop_points: maxDrop,
    max_class_drop_points: maxClassDrop,
    class_window: classWindow,
    reference_batch: referenceBatch,
    reference_decay: referenceDecay ?? null,
    reference_momentum: referenceMomentum,
    trainers: trainers || null,
    training: taskDefaults
      ? `a default task's local run (${describeHyper(taskTraining().hyper)}), no worker momentum; reference ${describeHyper(taskTraining(referenceSteps).referenceHyper)}`
      : 'one step of 32, worker momentum 0.9 (benchSetting)',
    seeds,
    per_seed: perSeed,
  })
}

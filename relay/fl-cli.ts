import { parseArgs } from 'node:util'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { openDatabase } from './db'
import { optionSpecs } from './config'
import { FlStore, type CommittedRound } from './fl-store'
import { weakestClass } from '../workers/fl/mesh/task-feed'
import { loadOrCreateRelayKey } from './identity'
import {
  checkTask,
  DEFAULT_CC_TAU,
  defaultMnistTask,
  peerListOf,
  retryStepProblem,
  RULES,
  ruleLabel,
  TASK_VERSION,
  taskToWire,
  variantToWire,
  type FlTask,
} from '../workers/fl/task/spec'
import { DEFAULT_FLTRUST_VARIANT, DEFAULT_RULES, FALLBACK_RULES } from '../workers/fl/aggregation/defaults'
import { FLTRUST_VARIANTS, isFlTrustVariant } from '../workers/fl/aggregation/rules'
import { PartitionKind, PrivacyMode, RootData } from '../workers/fl/task/wire.pb'

const defaults = defaultMnistTask('', 0)

export const flUsage = `Federated training tasks (README, "Federated round"). They work on the relay's data dir.

  npm run relay -- fl create [options]
      create a task; without options, the default MNIST task. Prints its id.
  npm run relay -- fl list
      list tasks with their state and committed rounds.
  npm run relay -- fl rounds [--task ID]
      each committed round of a task (the newest task without --task; an id prefix is enough):
      its model, the validator's held-out accuracy and loss, and the digit it recognises worst.

create options (defaults in brackets):
  --name TEXT               [${defaults.name}]
  --model FILE.json         tfjs layers spec, see README "Local training" [784-64-10 MLP]
  --partition P             iid | sorted | dirichlet:ALPHA [iid]
  --rounds N                [${defaults.rounds}]
  --epochs N                local epochs per round [${defaults.localEpochs}]
  --steps N                 batches per epoch, 0 = whole shard [${defaults.localSteps}]
  --batch-size N            [${defaults.batchSize}]
  --lr X                    learning rate [${defaults.learningRate}]
  --clip X                  L2 bound of an update, 0 = none [${defaults.clipNorm}]
  --rule R                  ${RULES.join(' | ')}
                            [robust: ${DEFAULT_RULES.robust}, secure: ${DEFAULT_RULES.secure}; with --root-data none:
                             robust: ${FALLBACK_RULES.robust}, secure: ${FALLBACK_RULES.secure}]
  --trim N | --f N --m N | --tau X   the rule's parameters [trim 1 | f from the quorum, m = quorum - f | tau ${DEFAULT_CC_TAU}]
  --fltrust-variant V       clipped | clipped-mean | paper: clipped judges each update against one step on
                            all the root data, clips it to the reference update's norm and steps that far;
                            clipped-mean judges and clips alike and steps as far as the trusted updates'
                            mean (shorter where they disagree); paper (Cao et al.) judges against the
                            reference and rescales each update to its norm
                            [robust: ${DEFAULT_FLTRUST_VARIANT.robust}, secure: ${DEFAULT_FLTRUST_VARIANT.secure}]
  --root-data D             mnist-validation | none: the clean held-out data the relays (aggregators and
                            validators) hold, on which fltrust computes each round's reference update:
                            the 1,000 MNIST validation digits every relay holds [mnist-validation]
  --privacy M               robust | secure [robust]; secure fltrust needs a quorum of two buckets or more
  --bucket-size N           secure mode: trainers per secure-aggregation bucket, at least 3 [3]
  --quorum N                fewest updates a round commits with [${defaults.quorum}]
  --deadline-ms N           how long a round collects updates [${defaults.collectMs}]
  --validate-ms N           how long validators get before the next aggregator retries [${defaults.validateMs}]
  --max-accuracy-drop X     validators refuse a model this much less accurate than the last [${defaults.maxAccuracyDrop}]
  --retry-step X            a round whose model the validators refused retries with X times the previous
                            attempt's step (0 < X ≤ 1; 1 = the full step at every attempt) [${defaults.retryStep}]
  --aggregators ID,ID       browsers (PeerIds, as their Identity card shows) that aggregate rounds in turn
                            with the validator relays; grant each the aggregator role (npm run relay --
                            grant --peer ID --role aggregator). Not with fltrust, whose reference update
                            only the relays reproduce bit for bit [none: the relays alone]
  --data-dir DIR            the relay's data dir (env MESH_DATA_DIR, default ${optionSpecs.dataDir.defaultValue})`

const numberOptions = [
  'rounds',
  'epochs',
  'steps',
  'batch-size',
  'lr',
  'clip',
  'trim',
  'f',
  'm',
  'tau',
  'bucket-size',
  'quorum',
  'deadline-ms',
  'validate-ms',
  'max-accuracy-drop',
  'retry-step',
] as const

class UsageError extends Error {}

function numberOf(values: Record<string, unknown>, name: string, fallback: number): number {
  const raw = values[name]
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${raw}'`)
  return n
}

/** The task the options describe, checked exactly as every node will check it. */
export function taskFromOptions(values: Record<string, unknown>, creator: string, nowMs: number): FlTask {
  const base = defaultMnistTask(creator, nowMs)
  let model: unknown = base.model
  if (typeof values.model === 'string') {
    try {
      model = JSON.parse(readFileSync(values.model, 'utf8'))
    } catch (err) {
      throw new UsageError(`cannot read the model spec ${values.model}: ${(err as Error).message}`)
    }
  }
  const partition = (values.partition as string | undefined) ?? 'iid'
  const [kind, alpha] = partition.split(':')
  // No --rule: the task names none and checkTask gives it the mode's default (DEFAULT_RULES, or FALLBACK_RULES without root data).
  const rule = (values.rule as string | undefined) ?? ''
  const rootData = (values['root-data'] as string | undefined) ?? 'mnist-validation'
  if (rootData !== 'mnist-validation' && rootData !== 'none')
    throw new UsageError(`--root-data must be mnist-validation or none, got '${rootData}'`)
  const privacy = (values.privacy as string | undefined) ?? 'robust'
  if (privacy !== 'robust' && privacy !== 'secure') throw new UsageError(`--privacy must be robust or secure, got '${privacy}'`)
  const variant = (values['fltrust-variant'] as string | undefined) ?? DEFAULT_FLTRUST_VARIANT[privacy]
  if (!isFlTrustVariant(variant)) throw new UsageError(`--fltrust-variant must be ${FLTRUST_VARIANTS.join(', ')}; got '${variant}'`)
  if (!['iid', 'sorted', 'dirichlet'].includes(kind))
    throw new UsageError(`--partition must be iid, sorted or dirichlet:ALPHA, got '${partition}'`)
  const wire = taskToWire(base)
  const retryStep = numberOf(values, 'retry-step', base.retryStep)
  const badStep = retryStepProblem(retryStep)
  if (badStep) throw new UsageError(badStep)
  const checked = checkTask({
    ...wire,
    // Checked as the newest version; the task is written in the lowest one that expresses it (taskToWire).
    version: TASK_VERSION,
    name: (values.name as string | undefined) ?? base.name,
    modelJson: JSON.stringify(model),
    partition: kind === 'iid' ? PartitionKind.IID : kind === 'sorted' ? PartitionKind.SORTED : PartitionKind.DIRICHLET,
    dirichletAlpha: kind === 'dirichlet' ? Number(alpha) : 0,
    rounds: numberOf(values, 'rounds', base.rounds),
    localEpochs: numberOf(values, 'epochs', base.localEpochs),
    localSteps: numberOf(values, 'steps', base.localSteps),
    batchSize: numberOf(values, 'batch-size', base.batchSize),
    learningRate: numberOf(values, 'lr', base.learningRate),
    clipNorm: numberOf(values, 'clip', base.clipNorm),
    rule,
    ruleTrim: numberOf(values, 'trim', rule === 'trimmed-mean' ? 1 : 0),
    ruleF: numberOf(values, 'f', 1),
    ruleM: numberOf(values, 'm', 1),
    ruleTau: numberOf(values, 'tau', DEFAULT_CC_TAU),
    rootData: rootData === 'none' ? RootData.NO_ROOT_DATA : RootData.MNIST_VALIDATION,
    fltrustVariant: variantToWire(variant),
    privacy: privacy === 'robust' ? PrivacyMode.ROBUST : PrivacyMode.SECURE,
    bucketSize: numberOf(values, 'bucket-size', privacy === 'secure' ? 3 : 0),
    quorum: numberOf(values, 'quorum', base.quorum),
    collectMs: numberOf(values, 'deadline-ms', base.collectMs),
    validateMs: numberOf(values, 'validate-ms', base.validateMs),
    maxAccuracyDrop: numberOf(values, 'max-accuracy-drop', base.maxAccuracyDrop),
    retryStep,
    aggregators: peerListOf((values.aggregators as string | undefined) ?? ''),
  })
  if (!checked.ok) throw new UsageError(checked.reason)
  return checked.task
}

/** `npm run relay -- fl …`; returns the exit code. */
export async function runFlCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  out = (line: string) => console.log(line),
  nowMs = Date.now(),
): Promise<number> {
  const [command, ...rest] = argv
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: rest,
      options: {
        help: { type: 'boolean', short: 'h' },
        'data-dir': { type: 'string' },
        name: { type: 'string' },
        model: { type: 'string' },
        partition: { type: 'string' },
        rule: { type: 'string' },
        'root-data': { type: 'string' },
        'fltrust-variant': { type: 'string' },
        privacy: { type: 'string' },
        aggregators: { type: 'string' },
        task: { type: 'string' },
        ...Object.fromEntries(numberOptions.map((o) => [o, { type: 'string' as const }])),
      },
      allowPositionals: false,
    }).values
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${flUsage}`)
    return 2
  }
  if (values.help || command === undefined || command === '--help' || command === '-h') {
    out(flUsage)
    return command === undefined ? 2 : 0
  }
  const dataDir = resolve((values['data-dir'] as string | undefined) ?? env.MESH_DATA_DIR ?? optionSpecs.dataDir.defaultValue)
  try {
    switch (command) {
      case 'create': {
        const creator = peerIdFromPrivateKey((await loadOrCreateRelayKey(dataDir)).key).toString()
        const task = taskFromOptions(values, creator, nowMs)
        const db = openDatabase(dataDir)
        try {
          const id = new FlStore(db).addTask(task)
          out(
            `created task ${id}: ${task.name}, ${task.rounds} rounds, ${ruleLabel(task.rule)}, ${task.privacy.mode}${task.privacy.mode === 'secure' ? ` (buckets of ${task.privacy.bucketSize})` : ''}, quorum ${task.quorum}${task.aggregators.length > 0 ? `, browser aggregators ${task.aggregators.join(', ')}` : ''}`,
          )
        } finally {
          db.close()
        }
        return 0
      }
      case 'list': {
        const db = openDatabase(dataDir)
        try {
          const tasks = new FlStore(db).tasks()
          if (tasks.length === 0) out('no tasks')
          for (const t of tasks)
            out(
              `${t.taskId}  ${t.state.padEnd(9)}  ${t.committedRounds}/${t.task.rounds} rounds  ${t.task.name}  ${ruleLabel(t.task.rule)}  ${t.task.privacy.mode}${t.task.aggregators.length > 0 ? `  +${t.task.aggregators.length} browser aggregators` : ''}`,
            )
        } finally {
          db.close()
        }
        return 0
      }
      case 'rounds': {
        const db = openDatabase(dataDir)
        try {
          const store = new FlStore(db)
          const prefix = values.task as string | undefined
          const matching = store.tasks().filter((t) => prefix === undefined || t.taskId.startsWith(prefix))
          if (matching.length === 0) throw new UsageError(prefix === undefined ? 'no tasks yet' : `no task id starts with '${prefix}'`)
          if (prefix !== undefined && matching.length > 1)
            throw new UsageError(`'${prefix}' names ${matching.length} tasks; give more of the id`)
          const chosen = matching.at(-1)!
          out(`${chosen.taskId}  ${chosen.task.name}: ${chosen.committedRounds}/${chosen.task.rounds} rounds committed`)
          for (const r of store.rounds(chosen.taskId)) out(roundLine(r))
        } finally {
          db.close()
        }
        return 0
      }
      default:
        console.error(`unknown command 'fl ${command}'\n\n${flUsage}`)
        return 2
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}\nrun 'npm run relay -- fl --help' for every option`)
      return 2
    }
    throw err
  }
}

function roundLine(r: CommittedRound): string {
  const percent = (x: number) => `${(x * 100).toFixed(1)} %`
  const weakest = weakestClass(r.classAccuracy)
  return [
    `round ${String(r.round).padStart(3)}`,
    `model ${r.modelHash.slice(0, 12)}`,
    `accuracy ${r.accuracy === null ? '—' : percent(r.accuracy)}`,
    `loss ${r.loss === null ? '—' : r.loss.toFixed(3)}`,
    `weakest digit ${weakest ? `${weakest.label} (${percent(weakest.accuracy)})` : '—'}`,
    `committed ${new Date(r.committedMs).toISOString()}`,
  ].join('  ')
}

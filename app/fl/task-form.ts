import {
  checkTask,
  defaultMnistTask,
  peerListOf,
  retryStepProblem,
  RULES,
  TASK_VERSION,
  taskIdOf,
  taskToWire,
  variantToWire,
  type FlTask,
  type RuleName,
} from '../../workers/fl/task/spec'
import { DEFAULT_FLTRUST_VARIANT, DEFAULT_RULES } from '../../workers/fl/aggregation/defaults'
import { PartitionKind, PrivacyMode } from '../../workers/fl/task/wire.pb'

/** What the PWA's "Create a task" form asks for; everything else is the default MNIST task's. */
export interface TaskForm {
  name: string
  rounds: number
  partition: 'iid' | 'sorted' | 'dirichlet'
  alpha: number
  localSteps: number
  learningRate: number
  clipNorm: number
  rule: RuleName
  /** trimmed mean: inputs cut at each end; Krum: f. */
  ruleParameter: number
  quorum: number
  deadlineSeconds: number
  /** A refused round's next attempt steps this share of the previous attempt's step (FlTask.retryStep). */
  retryStep: number
  /** robust: the aggregator sees each update; secure: only sums of buckets of `bucketSize` trainers (README, "Federated round"). */
  privacy: 'robust' | 'secure'
  bucketSize: number
  /** Browsers (PeerIds, separated by commas, spaces or lines) that aggregate in turn with the validator relays. */
  aggregators: string
}

export const RULE_NAMES = RULES

/**
 * What the form says about the default rule: relays hold the MNIST validation digits, so a task
 * created here has root data and each mode defaults to DEFAULT_RULES (aggregation/defaults.ts).
 */
export function ruleHint(rule: RuleName, privacy: TaskForm['privacy']): string {
  const defaults = `default: ${DEFAULT_RULES.robust} in robust mode, ${DEFAULT_RULES.secure} in secure mode`
  if (rule !== 'fltrust') return defaults
  const secure =
    privacy === 'secure' ? '; secure mode needs two buckets or more (quorum ≥ 2 × bucket size) to leave a Byzantine bucket out' : ''
  const variant = {
    clipped:
      "; this mode's variant judges each update against one step on all of them, clips it to the reference's length and steps that far",
    'clipped-mean':
      "; this mode's variant judges each update against one step on all of them, clips it to the reference's length and steps as far as the trusted updates' mean",
    paper: "; this mode's variant (the paper's) rescales each update to the reference's length",
  }[DEFAULT_FLTRUST_VARIANT[privacy]]
  return `${defaults}. FLTrust trusts each update by its agreement with a reference update the relays train on the 1,000 MNIST validation digits${variant}${secure}`
}

export function defaultTaskForm(): TaskForm {
  const t = defaultMnistTask('', 0)
  return {
    name: 'MNIST digits',
    rounds: t.rounds,
    partition: 'iid',
    alpha: 1,
    localSteps: t.localSteps,
    learningRate: t.learningRate,
    clipNorm: t.clipNorm,
    rule: DEFAULT_RULES.robust,
    ruleParameter: 1,
    quorum: t.quorum,
    deadlineSeconds: t.collectMs / 1000,
    retryStep: t.retryStep,
    privacy: 'robust',
    bucketSize: 3,
    aggregators: '',
  }
}

/**
 * The task the form describes, checked exactly as every node will check it (checkTask), so the
 * admin sees the same reason a relay would log.
 */
export function taskFromForm(
  form: TaskForm,
  creator: string,
  nowMs: number,
): { ok: true; task: FlTask; taskId: string } | { ok: false; reason: string } {
  const wire = taskToWire(defaultMnistTask(creator, nowMs))
  const badStep = retryStepProblem(form.retryStep)
  if (badStep) return { ok: false, reason: badStep }
  const checked = checkTask({
    ...wire,
    // Checked as the newest version; the task is written in the lowest one that expresses it (taskToWire).
    version: TASK_VERSION,
    name: form.name.trim(),
    rounds: form.rounds,
    partition: form.partition === 'iid' ? PartitionKind.IID : form.partition === 'sorted' ? PartitionKind.SORTED : PartitionKind.DIRICHLET,
    dirichletAlpha: form.partition === 'dirichlet' ? form.alpha : 0,
    localSteps: form.localSteps,
    learningRate: form.learningRate,
    clipNorm: form.clipNorm,
    rule: form.rule,
    ruleTrim: form.rule === 'trimmed-mean' ? form.ruleParameter : 0,
    ruleF: form.rule === 'krum' || form.rule === 'multi-krum' ? form.ruleParameter : 0,
    ruleM: form.rule === 'multi-krum' ? Math.max(1, form.quorum - 2 * form.ruleParameter - 2) : 0,
    ruleTau: form.rule === 'centered-clipping' ? form.clipNorm || 1 : 0,
    quorum: form.quorum,
    collectMs: Math.round(form.deadlineSeconds * 1000),
    retryStep: form.retryStep,
    privacy: form.privacy === 'secure' ? PrivacyMode.SECURE : PrivacyMode.ROBUST,
    bucketSize: form.privacy === 'secure' ? form.bucketSize : 0,
    // FLTrust is its mode's default variant (the CLI's --fltrust-variant chooses otherwise).
    fltrustVariant: variantToWire(DEFAULT_FLTRUST_VARIANT[form.privacy]),
    aggregators: peerListOf(form.aggregators),
  })
  return checked.ok ? { ok: true, task: checked.task, taskId: taskIdOf(checked.task) } : checked
}

/**
 * A federated training task: what an admin creates (relay CLI or the PWA), what every node
 * checks before taking part, and the round core's parameters derived from it. Everything here
 * comes over the network, so `checkTask` bounds every field and says what is wrong.
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import { sha256 } from '@noble/hashes/sha2.js'
import type { FlTrustVariant, RuleConfig } from '../aggregation/aggregate'
import { DEFAULT_FLTRUST_VARIANT, DEFAULT_RULES, FALLBACK_RULES } from '../aggregation/defaults'
import type { ShardScheme } from '../data/split'
import { MNIST_MLP, validateModelSpec, type ModelSpec } from '../model/spec'
import type { RoundParams } from '../round/types'
import { FlTrustVariant as WireFlTrustVariant, PartitionKind, PrivacyMode, RootData, TaskSpec } from './wire.pb'
import { decodeExact } from '../../protocol/exact-decode'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Roster } from '../round/types'

/** The newest task version this node writes and understands; it still reads (and writes) version 1 (wire.proto). */
export const TASK_VERSION = 6
const FIRST_TASK_VERSION = 1
export const RULES = ['fedavg', 'median', 'trimmed-mean', 'krum', 'multi-krum', 'centered-clipping', 'geometric-median', 'fltrust'] as const
export type RuleName = (typeof RULES)[number]

/**
 * A task's rule as the task states it. FLTrust's reference update is not part of the task: the
 * aggregator and every validator compute it each round from the round's base model on the
 * task's root data (createReferenceSource in workers/fl/model/reference.ts).
 */
export type TaskRule = Exclude<RuleConfig, { readonly rule: 'fltrust' }> | { readonly rule: 'fltrust'; readonly variant: FlTrustVariant }

/**
 * FLTrust's root data (wire.proto, RootData): 'mnist-validation' is the 1,000 MNIST validation
 * digits every relay and browser holds (splitHoldout(HOLDOUT).validation), fixed by the code.
 */
export type RootDataName = 'none' | 'mnist-validation'

export interface FlTask {
  readonly name: string
  readonly model: ModelSpec
  readonly partition: ShardScheme
  readonly rounds: number
  readonly localEpochs: number
  /** Batches per epoch; 0: the whole shard. */
  readonly localSteps: number
  readonly batchSize: number
  readonly learningRate: number
  /** L2 bound of an update; 0: unclipped. */
  readonly clipNorm: number
  readonly rule: TaskRule
  /** The clean held-out data the aggregators and validators hold (FLTrust's root data); 'none' in version-1 tasks. */
  readonly rootData: RootDataName
  readonly privacy: { readonly mode: 'robust' } | { readonly mode: 'secure'; readonly bucketSize: number }
  readonly quorum: number
  readonly collectMs: number
  readonly validateMs: number
  readonly maxAccuracyDrop: number
  /**
   * Attempt k of a round adds retryStep^k of the aggregate to the base model (version 6), so a
   * round the validators refused retries with a shorter step; 1: the full step every attempt.
   */
  readonly retryStep: number
  readonly dataSeed: number
  readonly createdMs: number
  readonly creator: string
  /**
   * Browsers (PeerIds) that aggregate besides the validator set's members (version 4), named by
   * the admin who creates the task; each needs the aggregator role. Empty: the relays alone.
   */
  readonly aggregators: readonly string[]
}

/** PeerIds as people write a list of them: separated by commas, spaces or lines. */
export function peerListOf(text: string): string[] {
  return text.split(/[\s,]+/).filter((peer) => peer.length > 0)
}

/** How many browsers a task may name as aggregators. */
export const MAX_TASK_AGGREGATORS = 16

/**
 * Who aggregates and who validates a task's rounds, the same on every node: the validator set's
 * members do both, and the browsers the task names aggregate too (the rotation runs over all).
 */
export function rosterOf(task: FlTask, validators: readonly string[]): Roster {
  return { aggregators: [...new Set([...validators, ...task.aggregators])].sort(), validators: [...validators] }
}

/**
 * The rule a task gets when it names none (aggregation/defaults.ts): DEFAULT_RULES[mode] when its
 * aggregators and validators hold root data (relays hold the MNIST validation digits), else
 * FALLBACK_RULES[mode]; majority rules get parameters sized from the quorum (checked like a named rule's).
 */
export function defaultRuleFor(mode: FlTask['privacy']['mode'], rootData: RootDataName, quorum: number): TaskRule {
  const name = rootData === 'none' ? FALLBACK_RULES[mode] : DEFAULT_RULES[mode]
  const f = Math.max(0, Math.floor((quorum - 3) / 2))
  switch (name) {
    case 'fltrust':
      return { rule: name, variant: DEFAULT_FLTRUST_VARIANT[mode] }
    case 'fedavg':
    case 'median':
    case 'geometric-median':
      return { rule: name }
    case 'trimmed-mean':
      return { rule: name, trim: quorum >= 3 ? 1 : 0 }
    case 'krum':
      return { rule: name, f }
    case 'multi-krum':
      // Krum's scores need n ≥ 2f + 3 inputs; below 3 the coordinate-wise median stands in.
      return quorum >= 3 ? { rule: name, f, m: Math.max(1, quorum - f) } : { rule: 'median' }
    case 'centered-clipping':
      return { rule: name, tau: DEFAULT_CC_TAU }
  }
}

/** How people see a task's rule: its name, and for FLTrust its variant. */
export function ruleLabel(rule: TaskRule): string {
  return rule.rule === 'fltrust' ? `fltrust (${rule.variant})` : rule.rule
}

/** Centered clipping's radius when a task names none (the CLI's default too). */
export const DEFAULT_CC_TAU = 0.15

/**
 * A new task's retry step: halving the step per refused attempt keeps a sorted-split task live
 * where the full step is refused round after round (README, "Retry step").
 */
export const DEFAULT_RETRY_STEP = 0.5

/**
 * The share of the round's aggregate that attempt `attempt` adds to the base model: the task's
 * retry step to the attempt's power, so a round whose candidate the validators refused retries
 * with a shorter step, as a backtracking line search does (README, "Retry step"). Squaring and
 * multiplying, not Math.pow, whose last bit engines need not agree on: every validator must get
 * the same bits, and an attempt number from the wire costs at most 53 steps.
 */
export function attemptStep(retryStep: number, attempt: number): number {
  let step = 1
  let power = retryStep
  for (let k = attempt; k > 0; k = Math.floor(k / 2)) {
    if (k % 2 === 1) step *= power
    power *= power
  }
  return step
}

/** Why a retry step an admin typed cannot be a task's (the wire's 0, "unset", is not one to type), or null. */
export function retryStepProblem(step: number): string | null {
  return step > 0 && step <= 1 ? null : 'retry step must be in (0, 1]; 1 is the full step at every attempt'
}

/** The task a mesh runs when nobody created one: MNIST, the small MLP, the robust mode's default rule on the validation digits. */
export function defaultMnistTask(creator: string, createdMs: number): FlTask {
  return {
    name: 'MNIST digits',
    model: MNIST_MLP,
    partition: { kind: 'iid' },
    rounds: 20,
    localEpochs: 1,
    localSteps: 20,
    batchSize: 32,
    learningRate: 0.05,
    clipNorm: 5,
    rule: defaultRuleFor('robust', 'mnist-validation', 3),
    rootData: 'mnist-validation',
    privacy: { mode: 'robust' },
    quorum: 3,
    collectMs: 60_000,
    validateMs: 30_000,
    maxAccuracyDrop: 0.05,
    retryStep: DEFAULT_RETRY_STEP,
    dataSeed: 2026,
    createdMs,
    creator,
    aggregators: [],
  }
}

const LIMITS = {
  rounds: 10_000,
  epochs: 100,
  steps: 100_000,
  batch: 4096,
  quorum: 1024,
  ms: 3_600_000,
  bucket: 64,
  name: 128,
  modelJson: 16 * 1024,
} as const

type Checked = { readonly ok: true; readonly task: FlTask } | { readonly ok: false; readonly reason: string }

const int = (v: number, min: number, max: number) => Number.isSafeInteger(v) && v >= min && v <= max

export function checkTask(wire: TaskSpec): Checked {
  const fail = (reason: string): Checked => ({ ok: false, reason })
  if (wire.version < FIRST_TASK_VERSION || wire.version > TASK_VERSION)
    return fail(`task version ${wire.version}, this node understands ${FIRST_TASK_VERSION}..${TASK_VERSION}`)
  if (wire.name.length === 0 || wire.name.length > LIMITS.name) return fail(`name must be 1..${LIMITS.name} characters`)
  if (wire.modelJson.length > LIMITS.modelJson) return fail('model spec is too long')
  let model: unknown
  try {
    model = JSON.parse(wire.modelJson)
  } catch {
    return fail('model spec is not JSON')
  }
  const spec = validateModelSpec(model)
  if (!spec.ok) return fail(`model spec: ${spec.reason}`)
  let partition: ShardScheme
  if (wire.partition === PartitionKind.IID) partition = { kind: 'iid' }
  else if (wire.partition === PartitionKind.SORTED) partition = { kind: 'sorted' }
  else if (wire.partition === PartitionKind.DIRICHLET && wire.dirichletAlpha > 0 && wire.dirichletAlpha <= 1000)
    partition = { kind: 'dirichlet', alpha: wire.dirichletAlpha }
  else return fail('partition must be iid, sorted, or dirichlet with 0 < alpha ≤ 1000')
  if (!int(wire.rounds, 1, LIMITS.rounds)) return fail(`rounds must be 1..${LIMITS.rounds}`)
  if (!int(wire.localEpochs, 1, LIMITS.epochs)) return fail(`local epochs must be 1..${LIMITS.epochs}`)
  if (!int(wire.localSteps, 0, LIMITS.steps)) return fail(`local steps must be 0..${LIMITS.steps}`)
  if (!int(wire.batchSize, 1, LIMITS.batch)) return fail(`batch size must be 1..${LIMITS.batch}`)
  if (!(wire.learningRate > 0 && wire.learningRate <= 10)) return fail('learning rate must be in (0, 10]')
  if (!(wire.clipNorm >= 0 && wire.clipNorm <= 1e6)) return fail('clip norm must be 0 (none) or positive')
  if (!int(wire.quorum, 1, LIMITS.quorum)) return fail(`quorum must be 1..${LIMITS.quorum}`)
  if (!int(wire.collectMs, 1000, LIMITS.ms) || !int(wire.validateMs, 1000, LIMITS.ms)) return fail('deadlines must be 1 s .. 1 h')
  if (!(wire.maxAccuracyDrop >= 0 && wire.maxAccuracyDrop <= 1)) return fail('validation threshold must be in [0, 1]')
  if (!(wire.retryStep >= 0 && wire.retryStep <= 1)) return fail('retry step must be in (0, 1], or 0 for the full step')
  if (wire.version < 6 && wire.retryStep !== 0) return fail('a retry step needs task version 6')
  if (wire.createdMs > BigInt(Number.MAX_SAFE_INTEGER)) return fail('creation time out of range')
  let rootData: RootDataName
  if (wire.rootData === RootData.NO_ROOT_DATA) rootData = 'none'
  else if (wire.rootData === RootData.MNIST_VALIDATION) rootData = 'mnist-validation'
  else return fail('root data must be none or the MNIST validation digits')
  if (wire.version < 2 && (rootData !== 'none' || wire.rule === 'fltrust')) return fail('root data and FLTrust need task version 2')
  if (wire.version < 3 && wire.fltrustVariant !== WireFlTrustVariant.FLTRUST_PAPER) return fail("FLTrust's variant needs task version 3")
  if (wire.version < 5 && wire.fltrustVariant === WireFlTrustVariant.FLTRUST_CLIPPED_MEAN)
    return fail("FLTrust's variant 'clipped-mean' needs task version 5")
  let privacy: FlTask['privacy']
  if (wire.privacy === PrivacyMode.ROBUST) privacy = { mode: 'robust' }
  else if (int(wire.bucketSize, 3, LIMITS.bucket)) privacy = { mode: 'secure', bucketSize: wire.bucketSize }
  else return fail(`secure mode needs a bucket size of 3..${LIMITS.bucket} (a smaller bucket reveals its members' updates)`)
  // A task that names no rule gets its mode's default (version 1 tasks always named one).
  const rule = wire.rule === '' ? defaultRuleFor(privacy.mode, rootData, wire.quorum) : ruleOf(wire, wire.quorum)
  if (typeof rule === 'string') return fail(rule)
  if (rule.rule === 'fltrust' && rootData === 'none')
    return fail('FLTrust needs root data: the aggregators and validators compute its reference update on it (root data: mnist-validation)')
  if (privacy.mode === 'secure' && wire.quorum < 2 * privacy.bucketSize && rule.rule !== 'fedavg')
    return fail('secure mode with a robust rule needs a quorum of at least two buckets')
  const aggregators = aggregatorsOf(wire, rule)
  if (typeof aggregators === 'string') return fail(aggregators)
  return {
    ok: true,
    task: {
      name: wire.name,
      model: spec.spec,
      partition,
      rounds: wire.rounds,
      localEpochs: wire.localEpochs,
      localSteps: wire.localSteps,
      batchSize: wire.batchSize,
      learningRate: wire.learningRate,
      clipNorm: wire.clipNorm,
      rule,
      rootData,
      privacy,
      quorum: wire.quorum,
      collectMs: wire.collectMs,
      validateMs: wire.validateMs,
      maxAccuracyDrop: wire.maxAccuracyDrop,
      retryStep: wire.retryStep === 0 ? 1 : wire.retryStep,
      dataSeed: wire.dataSeed,
      createdMs: Number(wire.createdMs),
      creator: wire.creator,
      aggregators,
    },
  }
}

/** The browsers a task names as aggregators, or why they are refused. */
function aggregatorsOf(wire: TaskSpec, rule: TaskRule): string[] | string {
  const named = wire.aggregators
  if (named.length === 0) return []
  if (wire.version < 4) return 'browser aggregators need task version 4'
  if (named.length > MAX_TASK_AGGREGATORS) return `at most ${MAX_TASK_AGGREGATORS} browser aggregators`
  if (new Set(named).size !== named.length) return 'an aggregator is named twice'
  // FLTrust's reference update is trained on the relays' wasm backend; a browser's backend would
  // not reproduce its bits, so the validators' re-execution would refuse every candidate it made.
  if (rule.rule === 'fltrust') return 'FLTrust tasks are aggregated by the relays alone; name browser aggregators with another rule'
  for (const peer of named) {
    let type: string | undefined
    try {
      type = peer.length <= 64 ? peerIdFromString(peer).type : undefined
    } catch {
      type = undefined
    }
    // Updates are sealed to an aggregator's key, the X25519 form of its Ed25519 identity (mesh/keys.ts).
    if (type !== 'Ed25519') return `aggregator '${peer.slice(0, 64)}' is not an Ed25519 PeerId`
  }
  return [...named]
}

const WIRE_VARIANTS: readonly (readonly [FlTrustVariant, WireFlTrustVariant])[] = [
  ['paper', WireFlTrustVariant.FLTRUST_PAPER],
  ['clipped', WireFlTrustVariant.FLTRUST_CLIPPED],
  ['clipped-mean', WireFlTrustVariant.FLTRUST_CLIPPED_MEAN],
]

/** How a task spec names an FLTrust variant. */
export function variantToWire(variant: FlTrustVariant): WireFlTrustVariant {
  return WIRE_VARIANTS.find(([name]) => name === variant)![1]
}

function ruleOf(wire: TaskSpec, quorum: number): TaskRule | string {
  switch (wire.rule) {
    case 'fedavg':
    case 'median':
    case 'geometric-median':
      return { rule: wire.rule }
    case 'fltrust':
      for (const [variant, onWire] of WIRE_VARIANTS) if (wire.fltrustVariant === onWire) return { rule: 'fltrust', variant }
      return `fltrust's variant must be one of ${WIRE_VARIANTS.map(([name]) => name).join(', ')}`
    case 'trimmed-mean':
      return 2 * wire.ruleTrim < quorum
        ? { rule: 'trimmed-mean', trim: wire.ruleTrim }
        : 'trimmed mean must keep some inputs: 2 × trim < quorum'
    case 'krum':
      return 2 * wire.ruleF + 2 < quorum ? { rule: 'krum', f: wire.ruleF } : 'Krum needs quorum > 2f + 2'
    case 'multi-krum':
      return 2 * wire.ruleF + 2 < quorum && wire.ruleM >= 1 && wire.ruleM <= quorum
        ? { rule: 'multi-krum', f: wire.ruleF, m: wire.ruleM }
        : 'Multi-Krum needs quorum > 2f + 2 and 1 ≤ m ≤ quorum'
    case 'centered-clipping':
      return wire.ruleTau > 0 ? { rule: 'centered-clipping', tau: wire.ruleTau } : 'centered clipping needs tau > 0'
    default:
      return `unknown rule '${wire.rule.slice(0, 32)}'; one of ${RULES.join(', ')}`
  }
}

/** The lowest version that expresses the task: version-1 tasks keep their bytes, so their ids do not change. */
function versionOf(task: FlTask): number {
  if (task.retryStep !== 1) return 6
  if (task.rule.rule === 'fltrust' && task.rule.variant === 'clipped-mean') return 5
  if (task.aggregators.length > 0) return 4
  if (task.rule.rule === 'fltrust' && task.rule.variant !== 'paper') return 3
  return task.rootData !== 'none' || task.rule.rule === 'fltrust' ? 2 : FIRST_TASK_VERSION
}

export function taskToWire(task: FlTask): TaskSpec {
  const r = task.rule
  return {
    version: versionOf(task),
    name: task.name,
    modelJson: JSON.stringify(task.model),
    partition:
      task.partition.kind === 'iid' ? PartitionKind.IID : task.partition.kind === 'sorted' ? PartitionKind.SORTED : PartitionKind.DIRICHLET,
    dirichletAlpha: task.partition.kind === 'dirichlet' ? task.partition.alpha : 0,
    rounds: task.rounds,
    localEpochs: task.localEpochs,
    localSteps: task.localSteps,
    batchSize: task.batchSize,
    learningRate: task.learningRate,
    clipNorm: task.clipNorm,
    rule: r.rule,
    ruleTrim: r.rule === 'trimmed-mean' ? r.trim : 0,
    ruleF: r.rule === 'krum' || r.rule === 'multi-krum' ? r.f : 0,
    ruleM: r.rule === 'multi-krum' ? r.m : 0,
    ruleTau: r.rule === 'centered-clipping' ? r.tau : 0,
    privacy: task.privacy.mode === 'robust' ? PrivacyMode.ROBUST : PrivacyMode.SECURE,
    bucketSize: task.privacy.mode === 'secure' ? task.privacy.bucketSize : 0,
    quorum: task.quorum,
    collectMs: task.collectMs,
    validateMs: task.validateMs,
    maxAccuracyDrop: task.maxAccuracyDrop,
    retryStep: task.retryStep === 1 ? 0 : task.retryStep,
    dataSeed: task.dataSeed,
    createdMs: BigInt(task.createdMs),
    creator: task.creator,
    rootData: task.rootData === 'mnist-validation' ? RootData.MNIST_VALIDATION : RootData.NO_ROOT_DATA,
    fltrustVariant: r.rule === 'fltrust' ? variantToWire(r.variant) : WireFlTrustVariant.FLTRUST_PAPER,
    aggregators: [...task.aggregators],
  }
}

export function encodeTask(task: FlTask): Uint8Array {
  return TaskSpec.encode(taskToWire(task))
}

export function decodeTask(bytes: Uint8Array): Checked {
  try {
    return checkTask(decodeExact(bytes, TaskSpec.codec()))
  } catch (error) {
    return { ok: false, reason: `not a task: ${(error as Error).message}` }
  }
}

/** A task's id: the SHA-256 of its encoding, in the round's one hash representation. */
export function taskIdOf(task: FlTask): string {
  return bytesToHex(sha256(encodeTask(task)))
}

export function roundParamsOf(taskId: string, task: FlTask): RoundParams {
  return { taskId, rounds: task.rounds, quorum: task.quorum, collectMs: task.collectMs, validateMs: task.validateMs }
}

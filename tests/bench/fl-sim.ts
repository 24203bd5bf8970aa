/**
 * Round simulator (Node, no network): n clients of which the last f are Byzantine, one
 * aggregation rule, one attack, R rounds; returns test accuracy per round. Uses the production
 * training and aggregation code; only the attacks come from workers/fl/attacks (test-only).
 */
import * as tf from '@tensorflow/tfjs'
import {
  aggregate,
  aggregateBucketSums,
  assignSecureBuckets,
  krumScores,
  type AggregationConfig,
  type AggregationInput,
  type AggregationResult,
  type RuleConfig,
} from '../../workers/fl/aggregation/aggregate'
import {
  agrTailored,
  alie,
  boostToHonestNorm,
  fangKrum,
  fangTrimmedMean,
  flipLabels,
  gaussianNoise,
  innerProductManipulation,
  mimicTarget,
  minMax,
  minSum,
  poisonedSamples,
  signFlip,
  successProbe,
  type AttackName,
  type PerturbationDirection,
  type TargetedGoal,
} from '../../workers/fl/attacks/attacks'
import { computeReferenceUpdate } from '../../workers/fl/model/reference'
import type { ImageDataset } from '../../workers/fl/data/mnist-format'
import { gatherSamples, shardClients, splitHoldout, type LabelledSamples, type ShardScheme } from '../../workers/fl/data/split'
import type { ModelSpec } from '../../workers/fl/model/spec'
import { createTrainer, type TrainHyper } from '../../workers/fl/model/trainer'
import { initialWeights, type FlatWeights } from '../../workers/fl/model/weights'
import { applyDelta, l2Norm, subtract } from '../../workers/fl/update/delta'
import { decodeUpdate, encodeUpdate, type Encoding } from '../../workers/fl/update/codec'
import { createRng } from '../../workers/common/random'

export interface SimulationConfig {
  readonly dataset: ImageDataset
  readonly clients: number
  readonly byzantine: number
  /** For centered clipping the simulator supplies the center (the previous round's aggregate). */
  readonly rule: RuleConfig
  readonly bucketSize?: number
  readonly attack: AttackName
  readonly rounds: number
  readonly spec: ModelSpec
  readonly hyper: Omit<TrainHyper, 'seed'>
  readonly scheme: ShardScheme
  readonly seed: number
  /** Training samples used (after holding out validation and test); all by default. */
  readonly trainSamples?: number
  readonly testSamples?: number
  /**
   * Where Byzantine clients get the data they train on (for sign flip and label flip):
   * 'iid' — IID slices of the training set (their updates then look like the honest mean, the
   * hardest case for sign flip); 'shards' — like Karimireddy et al., the training set is split
   * under `scheme` among all n clients and every (n/f)-th shard goes to a Byzantine client, so
   * the honest clients still cover every class. Default 'iid'.
   */
  readonly byzantineData?: 'iid' | 'shards'
  /** Evaluate every this many rounds (and always after the last). Default 1. */
  readonly evalEvery?: number
  /**
   * Worker momentum β (Karimireddy et al.): each client sends m ← β·m + (1 − β)·Δ instead of Δ.
   * 0 (default) sends the raw delta.
   */
  readonly clientMomentum?: number
  /** Sign flip sends −scale × its own update; default 1. */
  readonly signFlipScale?: number
  readonly gaussianSigma?: number
  readonly ipmEpsilon?: number
  readonly onRound?: (round: number, accuracy: number | null) => void
  /** Honest updates travel through the wire encoding (encode → decode) each round; default: none. */
  readonly updateEncoding?: Encoding
  /** Sees every round's inputs (honest first) and the rule's center, for diagnostics. */
  readonly onAggregate?: (
    round: number,
    inputs: readonly Float32Array[],
    honest: number,
    center: Float32Array | undefined,
    result: Float32Array,
  ) => void
  /**
   * Secure mode: the aggregator sees only bucket sums (buckets of bucketSize ≥ 3 formed as
   * workers/secagg/bucketed.ts forms them) and applies the rule across bucket means.
   */
  readonly secure?: boolean
  /** FLTrust's reference run on the held-out (validation) samples; the task's hyper by default. */
  readonly referenceHyper?: Omit<TrainHyper, 'seed'>
  /** Server momentum on the FLTrust reference (default 0: the raw delta, which measured better than β = 0.9 at the sorted split). */
  readonly referenceMomentum?: number
  /** Min-Max and Min-Sum perturbation direction (default 'std'); AGR-tailored tries `tailoredDirections` (default all three). */
  readonly perturbation?: PerturbationDirection
  readonly tailoredDirections?: readonly PerturbationDirection[]
  /** The targeted attack's goal, and what every run's targetSuccess measures (default 7 → 1). */
  readonly targetGoal?: TargetedGoal
}

export interface SimulationResult {
  /** Test accuracy after each evaluated round (null where skipped). */
  readonly accuracy: (number | null)[]
  readonly finalAccuracy: number
  readonly trainedSamples: number
  readonly trainMs: number
  readonly aggregateMs: number
  /** Encoded size of one honest update (0 when updateEncoding is unset). */
  readonly updateBytes: number
  /** Mean of ‖decoded − sent‖ / ‖sent‖ over the encoded updates (0 when updateEncoding is unset). */
  readonly updateRelativeError: number
  readonly finalWeights: Float32Array
  /** Share of the test samples of targetGoal.source that the final model predicts as targetGoal.target. */
  readonly targetSuccess: number
}

export interface PreparedData {
  readonly honestShards: LabelledSamples[]
  /** IID samples the Byzantine clients train on (for sign flip and label flip). */
  readonly byzantineShards: LabelledSamples[]
  readonly test: LabelledSamples
  /** Clean held-out samples (the validators' split): FLTrust's reference data. */
  readonly validation: LabelledSamples
  /** Training indices, from which the omniscient targeted attacker draws source-class samples. */
  readonly train: Uint32Array
}

/** Honest clients share the training set under `scheme`; Byzantine ones get IID slices of it. */
export function prepareData(
  config: Pick<
    SimulationConfig,
    'dataset' | 'clients' | 'byzantine' | 'scheme' | 'seed' | 'trainSamples' | 'testSamples' | 'byzantineData'
  >,
): PreparedData {
  const { dataset, clients, byzantine, scheme, seed } = config
  const split = splitHoldout(dataset.count, { seed, validation: 1000, test: config.testSamples ?? 1500 })
  const train = config.trainSamples ? split.train.slice(0, config.trainSamples) : split.train
  const honest = clients - byzantine
  if (config.byzantineData === 'shards' && byzantine > 0) {
    const shards = shardClients(dataset.labels, train, { clients, seed, scheme })
    const stride = Math.floor(clients / byzantine)
    const isByzantine = (i: number): boolean => (i + 1) % stride === 0 && (i + 1) / stride <= byzantine
    return {
      honestShards: shards.filter((_, i) => !isByzantine(i)).map((s) => gatherSamples(dataset, s)),
      byzantineShards: shards.filter((_, i) => isByzantine(i)).map((s) => gatherSamples(dataset, s)),
      test: gatherSamples(dataset, split.test),
      validation: gatherSamples(dataset, split.validation),
      train,
    }
  }
  const honestShards = shardClients(dataset.labels, train, { clients: honest, seed, scheme }).map((s) => gatherSamples(dataset, s))
  const iid = shardClients(dataset.labels, train, { clients: honest, seed: seed + 1, scheme: { kind: 'iid' } })
  const byzantineShards = Array.from({ length: byzantine }, (_, i) => gatherSamples(dataset, iid[i % iid.length]))
  return {
    honestShards,
    byzantineShards,
    test: gatherSamples(dataset, split.test),
    validation: gatherSamples(dataset, split.validation),
    train,
  }
}

export async function runSimulation(config: SimulationConfig, data: PreparedData = prepareData(config)): Promise<SimulationResult> {
  const { clients, byzantine, attack, rounds, spec } = config
  const honest = clients - byzantine
  if (honest < 1 || byzantine < 0) throw new RangeError('need at least one honest client')
  const trainer = createTrainer(spec)
  const rng = createRng(config.seed ^ 0xa77ac4)
  let global: FlatWeights = initialWeights(spec, config.seed)
  let previousAggregate: Float32Array | undefined
  let mimicked: number | null = null
  const accuracy: (number | null)[] = []
  let targetSuccess = NaN
  let previousReference: Float32Array | undefined
  const beta = config.clientMomentum ?? 0
  const momenta = new Map<number, Float32Array>()
  const withMomentum = (client: number, delta: Float32Array): Float32Array => {
    if (beta === 0) return delta
    const previous = momenta.get(client)
    const m = new Float32Array(delta.length)
    for (let j = 0; j < m.length; j++) m[j] = previous ? beta * previous[j] + (1 - beta) * delta[j] : delta[j]
    momenta.set(client, m)
    return m
  }
  let updateBytes = 0
  let relativeErrorSum = 0
  let encodedUpdates = 0
  const overTheWire = (vector: Float32Array, sampleCount: number): Float32Array => {
    if (!config.updateEncoding) return vector
    const bytes = encodeUpdate(
      { round: 0, baseModelHash: new Uint8Array(32), sampleCount, shapes: global.shapes, delta: vector, clipNorm: 0 },
      config.updateEncoding,
    )
    updateBytes = bytes.length
    const decoded = decodeUpdate(bytes)
    if (!decoded.ok) throw new Error(`update did not survive its encoding: ${decoded.reason}`)
    const sentNorm = l2Norm(vector)
    if (sentNorm > 0) {
      relativeErrorSum += l2Norm(subtract(decoded.update.delta, vector)) / sentNorm
      encodedUpdates++
    }
    return decoded.update.delta
  }
  let trainedSamples = 0
  let trainMs = 0
  let aggregateMs = 0
  const goal = config.targetGoal ?? { source: 7, target: 1 }
  // The omniscient targeted attacker's extra data: source-class samples of the training set.
  const sourceSamples =
    attack === 'targeted'
      ? gatherSamples(
          config.dataset,
          Array.from(data.train)
            .filter((i) => config.dataset.labels[i] === goal.source)
            .slice(0, 300),
        )
      : null
  const byzantineData =
    attack === 'label-flip'
      ? data.byzantineShards.map((s) => ({ ...s, labels: flipLabels(s.labels, spec.classes) }))
      : attack === 'targeted'
        ? data.byzantineShards.map((s) => poisonedSamples(s, sourceSamples!, goal))
        : data.byzantineShards
  if (config.secure && !(config.bucketSize && config.bucketSize >= 3)) throw new RangeError('secure mode needs bucketSize ≥ 3')
  const fangRng = createRng(config.seed ^ 0xfa46)
  const ids = Array.from({ length: clients }, (_, i) => `client-${String(i).padStart(4, '0')}`)
  try {
    for (let round = 0; round < rounds; round++) {
      const started = performance.now()
      const train = async (shard: LabelledSamples, client: number): Promise<Float32Array> => {
        const outcome = await trainer.train({
          weights: global,
          data: shard,
          hyper: { ...config.hyper, seed: (config.seed * 100_003 + round * 1009 + client) >>> 0 },
          yieldEvery: 1_000_000,
        })
        trainedSamples += outcome.metrics.samples
        return overTheWire(withMomentum(client, outcome.delta), outcome.metrics.samples)
      }
      const honestUpdates: Float32Array[] = []
      for (let c = 0; c < honest; c++) honestUpdates.push(await train(data.honestShards[c], c))
      const reference =
        config.rule.rule === 'fltrust'
          ? await computeReferenceUpdate({
              trainer,
              weights: global,
              heldOut: data.validation,
              hyper: config.referenceHyper ?? config.hyper,
              round,
              momentum: { beta: config.referenceMomentum ?? 0, previous: previousReference },
            })
          : undefined
      previousReference = reference
      const rule: RuleConfig =
        config.rule.rule === 'centered-clipping'
          ? { ...config.rule, center: previousAggregate }
          : config.rule.rule === 'fltrust'
            ? { rule: 'fltrust', reference: reference! }
            : config.rule
      const bucketSeed = new Uint8Array([round & 0xff, (round >> 8) & 0xff, config.seed & 0xff])
      const aggregateRound = (vectors: readonly Float32Array[]): AggregationResult => {
        const inputs: AggregationInput[] = vectors.map((vector, i) => ({
          id: ids[i],
          vector,
          weight: data.honestShards[Math.min(i, honest - 1)].count,
        }))
        if (config.secure) {
          const byId = new Map(inputs.map((input) => [input.id, input.vector]))
          const buckets = assignSecureBuckets(ids.slice(0, vectors.length), { size: config.bucketSize!, seed: bucketSeed }).map(
            (members) => {
              const sum = new Float64Array(global.values.length)
              for (const id of members) {
                const v = byId.get(id)!
                for (let j = 0; j < v.length; j++) sum[j] += v[j]
              }
              return { sum, count: members.length }
            },
          )
          return aggregateBucketSums(buckets, rule)
        }
        const aggregation: AggregationConfig = {
          rule,
          bucketing: config.bucketSize && config.bucketSize > 1 ? { size: config.bucketSize, seed: bucketSeed } : undefined,
        }
        return aggregate(inputs, aggregation)
      }
      // What the omniscient attacker runs: the very rule (and buckets) of this round.
      const oracle = (vectors: readonly Float32Array[]): Float32Array => {
        const r = aggregateRound(vectors)
        if (!r.ok) throw new Error(`attack oracle: ${r.reason}`)
        return r.vector
      }
      const byzantineUpdates: Float32Array[] = []
      for (let b = 0; b < (attack === 'none' ? 0 : byzantine); b++) {
        switch (attack) {
          case 'sign-flip':
            byzantineUpdates.push(signFlip(await train(byzantineData[b], honest + b), config.signFlipScale ?? 1))
            break
          case 'label-flip':
            byzantineUpdates.push(await train(byzantineData[b], honest + b))
            break
          case 'gaussian':
            byzantineUpdates.push(gaussianNoise(global.values.length, config.gaussianSigma ?? 1, rng))
            break
          case 'alie':
            byzantineUpdates.push(b === 0 ? alie(honestUpdates, clients, byzantine) : byzantineUpdates[0])
            break
          case 'ipm':
            byzantineUpdates.push(b === 0 ? innerProductManipulation(honestUpdates, config.ipmEpsilon ?? 0.1) : byzantineUpdates[0])
            break
          case 'mimic':
            mimicked ??= mimicTarget(honestUpdates)
            byzantineUpdates.push(honestUpdates[mimicked])
            break
          case 'min-max':
            byzantineUpdates.push(b === 0 ? minMax(honestUpdates, config.perturbation ?? 'std') : byzantineUpdates[0])
            break
          case 'min-sum':
            byzantineUpdates.push(b === 0 ? minSum(honestUpdates, config.perturbation ?? 'std') : byzantineUpdates[0])
            break
          case 'agr-tailored':
            byzantineUpdates.push(b === 0 ? agrTailored(honestUpdates, byzantine, oracle, config.tailoredDirections) : byzantineUpdates[0])
            break
          case 'fang-krum':
            byzantineUpdates.push(
              b === 0
                ? fangKrum(honestUpdates, byzantine, (vs, index) => {
                    const scores = krumScores([...vs], byzantine)
                    return scores.every((score, i) => score > scores[index] || (score === scores[index] && i >= index))
                  })
                : byzantineUpdates[0],
            )
            break
          case 'fang-tm':
            if (b === 0) byzantineUpdates.push(...fangTrimmedMean(honestUpdates, byzantine, fangRng))
            break
          case 'targeted':
            byzantineUpdates.push(boostToHonestNorm(await train(byzantineData[b], honest + b), honestUpdates))
            break
        }
      }
      trainMs += performance.now() - started
      const aggregationStarted = performance.now()
      const sent = [...honestUpdates, ...byzantineUpdates]
      const result = aggregateRound(sent)
      if (!result.ok) throw new Error(`round ${round}: ${result.reason}`)
      aggregateMs += performance.now() - aggregationStarted
      config.onAggregate?.(round, sent, honest, previousAggregate, result.vector)
      previousAggregate = result.vector
      global = { shapes: global.shapes, values: applyDelta(global.values, result.vector) }
      const last = round === rounds - 1
      if (last || (round + 1) % (config.evalEvery ?? 1) === 0) {
        const evaluation = await trainer.evaluate(global, data.test)
        accuracy.push(evaluation.accuracy)
        config.onRound?.(round, evaluation.accuracy)
      } else {
        accuracy.push(null)
        config.onRound?.(round, null)
      }
    }
    targetSuccess = (await trainer.evaluate(global, successProbe(data.test, goal))).accuracy
  } finally {
    trainer.dispose()
  }
  if (tf.memory().numTensors > 1000) throw new Error(`tensor leak: ${tf.memory().numTensors} live tensors`)
  return {
    accuracy,
    finalAccuracy: accuracy[accuracy.length - 1] ?? NaN,
    trainedSamples,
    trainMs,
    aggregateMs,
    updateBytes,
    updateRelativeError: encodedUpdates ? relativeErrorSum / encodedUpdates : 0,
    finalWeights: global.values,
    targetSuccess,
  }
}

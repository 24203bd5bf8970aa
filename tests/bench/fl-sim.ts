/**
 * Round simulator (Node, no network): n clients of which the last f are Byzantine, one
 * aggregation rule, one attack, R rounds; returns test accuracy per round. Every client, the
 * aggregator and the validator is a production round core (workers/fl/round), answered by the
 * production trainer, reference update, update codec and aggregation; the validator re-executes
 * every candidate. Only the attacks (workers/fl/attacks, test-only) and the network are not
 * the product's: messages pass in memory, one validator stands in for consensus, and secure
 * mode's bucket sums are added in the clear (secure aggregation's sums are exact up to its
 * ring's error bound, tested in tests/unit/secagg).
 */
import * as tf from '@tensorflow/tfjs'
import {
  aggregate,
  aggregateBucketSums,
  assignSecureBuckets,
  krumScores,
  usesTrustReference,
  type AggregationConfig,
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
import { computeReferenceUpdate, computeTrustReference } from '../../workers/fl/model/reference'
import type { ImageDataset } from '../../workers/fl/data/mnist-format'
import { gatherSamples, shardClients, splitHoldout, type LabelledSamples, type ShardScheme } from '../../workers/fl/data/split'
import type { ModelSpec } from '../../workers/fl/model/spec'
import { createTrainer, type TrainHyper } from '../../workers/fl/model/trainer'
import { initialWeights, type FlatWeights } from '../../workers/fl/model/weights'
import { float32LE, l2Norm, subtract } from '../../workers/fl/update/delta'
import { decodeUpdate, encodeUpdate, type Encoding } from '../../workers/fl/update/codec'
import { createRng } from '../../workers/common/random'
import {
  createRoundNode,
  hashOf,
  type AggregateRequest,
  type Hash,
  type ProposalDescriptor,
  type RoundMessage,
  type RoundNode,
  type RoundOutput,
  type SubmissionRef,
  type TrainRequest,
} from '../../workers/fl/round'
import { accuracyGateProblem, steppedCandidate } from '../../workers/fl/round/reexecute'
import { attemptStep } from '../../workers/fl/task/spec'

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
  /** The reference run's learning rate shrinks by referenceStepScale(round, rounds, power); default none. */
  readonly referenceDecay?: { readonly rounds: number; readonly power: number }
  /** Min-Max and Min-Sum perturbation direction (default 'std'); AGR-tailored tries `tailoredDirections` (default all three). */
  readonly perturbation?: PerturbationDirection
  readonly tailoredDirections?: readonly PerturbationDirection[]
  /** The targeted attack's goal, and what every run's targetSuccess measures (default 7 → 1). */
  readonly targetGoal?: TargetedGoal
  /**
   * The validators' accuracy gate as the product runs it (judgeRobustCandidate and the secure
   * re-execution): a candidate whose accuracy on the held-out validation digits falls more than
   * maxAccuracyDrop below the committed model's gets no vote, the attempt lapses and every
   * trainer trains a fresh update (another batch order) for the next one. A round refused
   * maxAttempts times stalls the task, as it would stall the product's (which retries without
   * end): the run stops there. Default: none, every re-executed candidate commits.
   */
  readonly validatorGate?: {
    readonly maxAccuracyDrop: number
    readonly maxAttempts: number
    /**
     * The task's retry step (FlTask.retryStep): attempt k of a round steps retryStep^k of the
     * aggregate, the aggregator and the re-executing validator alike, through the production
     * attemptStep and steppedCandidate. Default 1: the full step at every attempt.
     */
    readonly retryStep?: number
  }
}

/**
 * How much of the learning rate FLTrust's reference run takes in round `index` (0-based):
 * (1 + index/H)^−power. FLTrust's step is as long as the reference update, and one step on a
 * root batch keeps its gradient noise's length after training settles; an experiment (README,
 * Robustness: "a decaying step"), not what validators run.
 */
export function referenceStepScale(index: number, decay: { readonly rounds: number; readonly power: number } | undefined): number {
  return decay ? (1 + index / decay.rounds) ** -decay.power : 1
}

/** The targeted attack's goal when a run names none: 7s read as 1s. */
export const DEFAULT_TARGET_GOAL: TargetedGoal = { source: 7, target: 1 }

export interface SimulationResult {
  /** Test accuracy after each evaluated round (null where skipped). */
  readonly accuracy: (number | null)[]
  /** Test accuracy per class after each evaluated round (null where skipped). */
  readonly classAccuracy: (readonly number[] | null)[]
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
  /** Candidates the validatorGate refused (0 without one). */
  readonly refusedCandidates: number
  /** The round whose every attempt the validatorGate refused, where the run stopped; null when every round committed. */
  readonly stalledAtRound: number | null
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
  const classAccuracy: (readonly number[] | null)[] = []
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
  const goal = config.targetGoal ?? DEFAULT_TARGET_GOAL
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

  // The production round: one round core per client, one aggregator and one validator (a
  // single validator stands in for consensus, which the consensus benchmark measures). Without
  // an attack the Byzantine clients stay away: the baseline is the honest clients alone.
  const participants = attack === 'none' ? honest : clients
  const clientIds = ids.slice(0, participants)
  const aggregatorId = 'aggregator'
  const validatorId = 'validator'
  const blobs = new Map<Hash, Float32Array>()
  const store = (vector: Float32Array): Hash => {
    const hash = hashOf(float32LE(vector))
    blobs.set(hash, vector)
    return hash
  }
  const params = { taskId: `sim-${config.seed}`, rounds, quorum: participants, collectMs: 1, validateMs: 1 }
  const roster = { aggregators: [aggregatorId], validators: [validatorId] }
  const initialModel = store(global.values)
  let globalHash = initialModel
  let now = 0
  let refusedCandidates = 0
  let stalledAtRound: number | null = null
  const nodes = new Map<string, RoundNode>(
    [...clientIds, aggregatorId, validatorId].map((id) => [
      id,
      createRoundNode({
        self: id,
        trainer: clientIds.includes(id),
        params,
        roster,
        now: 0,
        committedRound: 0,
        baseModel: initialModel,
        // As participants set it for robust tasks; secure-mode trainers mask a fresh update for every attempt anyway.
        freshUpdateAfterProposal: true,
      }),
    ]),
  )
  const inbox: { from: string; to: string; message: RoundMessage }[] = []
  const trainRequests: { id: string; request: TrainRequest }[] = []
  let aggregateRequest: AggregateRequest | null = null
  const verifyRequests: ProposalDescriptor[] = []
  const handle = (id: string, out: RoundOutput): void => {
    if (!out.ok) throw new Error(`${id} refused an event: ${out.reason}`)
    for (const m of out.messages)
      for (const to of m.to === null ? nodes.keys() : [m.to]) if (to !== id) inbox.push({ from: id, to, message: m.message })
    if (out.train) trainRequests.push({ id, request: out.train })
    if (out.aggregate) aggregateRequest = out.aggregate
    verifyRequests.push(...out.verify)
    // Certificates: one validator decides alone here, so there is nothing to check.
    for (const proof of out.certify) handle(id, nodes.get(id)!.step({ type: 'decided', proof }))
  }
  const drain = (): void => {
    for (let m = inbox.shift(); m; m = inbox.shift())
      handle(m.to, nodes.get(m.to)!.step({ type: 'receive', from: m.from, message: m.message }))
  }

  try {
    handle(aggregatorId, nodes.get(aggregatorId)!.step({ type: 'presence', trainers: clientIds }))
    // Round r of the core (counted from 1, as BFT heights) is index r − 1 here: seeds, buckets and reports.
    for (let index = 0; index < rounds; index++) {
      const round = index + 1
      const momentaAtRound = new Map(momenta)
      const previousReferenceAtRound = previousReference
      let baselineAccuracy: number | undefined
      let committed: { descriptor: ProposalDescriptor; vector: Float32Array; sent: Float32Array[] } | null = null
      // Attempts of this round: one, unless the validators' gate refuses a candidate.
      for (let attempt = 0; committed === null; attempt++) {
        drain()
        if (trainRequests.length !== participants)
          throw new Error(`round ${round} attempt ${attempt}: ${trainRequests.length} of ${participants} clients were asked to train`)
        const started = performance.now()
        const train = async (shard: LabelledSamples, client: number): Promise<Float32Array> => {
          const outcome = await trainer.train({
            weights: global,
            data: shard,
            // A retry trains with another seed (another batch order), as a trainer's fresh update does.
            hyper: { ...config.hyper, seed: (config.seed * 100_003 + index * 1009 + client + attempt * 7919) >>> 0 },
            yieldEvery: 1_000_000,
          })
          trainedSamples += outcome.metrics.samples
          return overTheWire(withMomentum(client, outcome.delta), outcome.metrics.samples)
        }
        const honestUpdates: Float32Array[] = []
        for (let c = 0; c < honest; c++) honestUpdates.push(await train(data.honestShards[c], c))
        // FLTrust's root-data runs, as the aggregator and every validator compute them.
        const rootHyper = config.referenceHyper ?? config.hyper
        const stepScale = referenceStepScale(index, config.referenceDecay)
        const rootRun = {
          trainer,
          weights: global,
          heldOut: data.validation,
          hyper: { ...rootHyper, learningRate: rootHyper.learningRate * stepScale },
          round: index,
        }
        const reference =
          config.rule.rule === 'fltrust'
            ? await computeReferenceUpdate({
                ...rootRun,
                momentum: { beta: config.referenceMomentum ?? 0, previous: previousReferenceAtRound },
              })
            : undefined
        previousReference = reference
        const trustReference =
          config.rule.rule === 'fltrust' && usesTrustReference(config.rule.variant ?? 'paper')
            ? await computeTrustReference(rootRun)
            : undefined
        const rule: RuleConfig =
          config.rule.rule === 'centered-clipping'
            ? { ...config.rule, center: previousAggregate }
            : config.rule.rule === 'fltrust'
              ? { ...config.rule, reference: reference!, trustReference }
              : config.rule
        const bucketSeed = new Uint8Array([index & 0xff, (index >> 8) & 0xff, config.seed & 0xff])
        // What the aggregator and the validator run, and what the omniscient attacker queries.
        // Every input weighs the same, as in production (README, "Federated round": weighting).
        const aggregateRound = (inputs: readonly { id: string; vector: Float32Array }[]): AggregationResult => {
          if (config.secure) {
            const byId = new Map(inputs.map((input) => [input.id, input.vector]))
            const buckets = assignSecureBuckets(
              inputs.map((input) => input.id),
              { size: config.bucketSize!, seed: bucketSeed },
            ).map((members) => {
              const sum = new Float64Array(global.values.length)
              for (const id of members) {
                const v = byId.get(id)!
                for (let j = 0; j < v.length; j++) sum[j] += v[j]
              }
              return { sum, count: members.length }
            })
            return aggregateBucketSums(buckets, rule)
          }
          const aggregation: AggregationConfig = {
            rule,
            bucketing: config.bucketSize && config.bucketSize > 1 ? { size: config.bucketSize, seed: bucketSeed } : undefined,
          }
          return aggregate(
            inputs.map((input) => ({ ...input, weight: 1 })),
            aggregation,
          )
        }
        const oracle = (vectors: readonly Float32Array[]): Float32Array => {
          const r = aggregateRound(vectors.map((vector, i) => ({ id: ids[i], vector })))
          if (!r.ok) throw new Error(`attack oracle: ${r.reason}`)
          return r.vector
        }
        const byzantineUpdates: Float32Array[] = []
        for (let b = 0; b < participants - honest; b++) {
          switch (attack) {
            case 'none':
              throw new Error('no Byzantine participants without an attack')
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
              byzantineUpdates.push(
                b === 0 ? agrTailored(honestUpdates, byzantine, oracle, config.tailoredDirections) : byzantineUpdates[0],
              )
              break
            case 'fang-krum':
              byzantineUpdates.push(
                b === 0
                  ? fangKrum(honestUpdates, byzantine, (vs, i) => {
                      const scores = krumScores([...vs], byzantine)
                      return scores.every((score, k) => score > scores[i] || (score === scores[i] && k >= i))
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
        const sent = [...honestUpdates, ...byzantineUpdates]
        // Each trainer answers its core's TrainRequest with its update, stored under its hash.
        for (const { id, request } of trainRequests.splice(0)) {
          if (request.round !== round) throw new Error(`${id} was asked to train round ${request.round} during ${round}`)
          const client = ids.indexOf(id)
          const samples = client < honest ? data.honestShards[client].count : (byzantineData[client - honest]?.count ?? 0)
          handle(
            id,
            nodes.get(id)!.step({
              type: 'trained',
              round,
              submission: { trainer: id, update: store(sent[client]), samples, signature: new Uint8Array(0) },
            }),
          )
        }
        drain()
        // Set by handle() inside drain(), which TypeScript cannot see.
        const request = aggregateRequest as AggregateRequest | null
        aggregateRequest = null
        if (!request) throw new Error(`round ${round}: the aggregator did not aggregate`)
        const fromBlobs = (inputs: readonly SubmissionRef[]) =>
          inputs.map((input) => ({ id: input.trainer, vector: blobs.get(input.update)! }))
        const aggregationStarted = performance.now()
        const result = aggregateRound(fromBlobs(request.inputs))
        if (!result.ok) throw new Error(`round ${round}: ${result.reason}`)
        aggregateMs += performance.now() - aggregationStarted
        const step = attemptStep(config.validatorGate?.retryStep ?? 1, attempt)
        const candidate = store(steppedCandidate(global, result.vector, step).weights.values)
        handle(
          aggregatorId,
          nodes.get(aggregatorId)!.step({ type: 'aggregated', round, attempt: request.attempt, result: { ok: true, candidate } }),
        )
        drain()
        const descriptor = verifyRequests.shift()
        if (!descriptor || verifyRequests.length > 0)
          throw new Error(`round ${round}: the validator was asked to verify ${verifyRequests.length + (descriptor ? 1 : 0)} candidates`)
        // The validator re-executes the candidate from the inputs the descriptor names.
        const reexecuted = aggregateRound(fromBlobs(descriptor.inputs))
        const reproduced = reexecuted.ok && steppedCandidate(global, reexecuted.vector, step).hash === descriptor.candidate
        if (!reproduced) throw new Error(`round ${round}: re-execution does not reproduce the candidate`)
        const gate = config.validatorGate
        let valid = true
        if (gate) {
          baselineAccuracy ??= (await trainer.evaluate(global, data.validation)).accuracy
          const judged = await trainer.evaluate({ shapes: global.shapes, values: blobs.get(descriptor.candidate)! }, data.validation)
          valid = accuracyGateProblem(judged.accuracy, { baselineAccuracy, maxAccuracyDrop: gate.maxAccuracyDrop }) === null
        }
        handle(validatorId, nodes.get(validatorId)!.step({ type: 'verified', descriptor, valid }))
        if (valid) {
          handle(validatorId, nodes.get(validatorId)!.step({ type: 'decided', proof: { descriptor, certificate: new Uint8Array([1]) } }))
          drain()
          committed = { descriptor, vector: result.vector, sent }
          break
        }
        refusedCandidates++
        if (attempt + 1 >= gate!.maxAttempts) break
        // No vote, no certificate: the attempt lapses at its deadline and the next one begins.
        now += params.collectMs + params.validateMs
        for (const [id, node] of nodes) handle(id, node.step({ type: 'tick', now }))
        for (const hash of [...blobs.keys()]) if (hash !== globalHash) blobs.delete(hash)
        momenta.clear()
        for (const [client, m] of momentaAtRound) momenta.set(client, m)
      }
      if (!committed) {
        stalledAtRound = round
        break
      }
      const { descriptor } = committed
      for (const [id, node] of nodes) if (node.status().committedRounds !== round) throw new Error(`round ${round}: ${id} did not adopt it`)
      config.onAggregate?.(index, committed.sent, honest, previousAggregate, committed.vector)
      previousAggregate = committed.vector
      global = { shapes: global.shapes, values: blobs.get(descriptor.candidate)! }
      globalHash = descriptor.candidate
      // Keep only the committed model: updates and rejected candidates are not needed again.
      for (const hash of [...blobs.keys()]) if (hash !== descriptor.candidate) blobs.delete(hash)
      const last = index === rounds - 1
      if (last || (index + 1) % (config.evalEvery ?? 1) === 0) {
        const evaluation = await trainer.evaluate(global, data.test)
        accuracy.push(evaluation.accuracy)
        classAccuracy.push(evaluation.classAccuracy)
        config.onRound?.(index, evaluation.accuracy)
      } else {
        accuracy.push(null)
        classAccuracy.push(null)
        config.onRound?.(index, null)
      }
    }
    if (stalledAtRound !== null) {
      // The task is stuck on the last committed model: that is its final accuracy.
      const evaluation = await trainer.evaluate(global, data.test)
      accuracy.push(evaluation.accuracy)
      classAccuracy.push(evaluation.classAccuracy)
    }
    targetSuccess = (await trainer.evaluate(global, successProbe(data.test, goal))).accuracy
  } finally {
    trainer.dispose()
  }
  if (tf.memory().numTensors > 1000) throw new Error(`tensor leak: ${tf.memory().numTensors} live tensors`)
  return {
    accuracy,
    classAccuracy,
    finalAccuracy: accuracy[accuracy.length - 1] ?? NaN,
    trainedSamples,
    trainMs,
    aggregateMs,
    updateBytes,
    updateRelativeError: encodedUpdates ? relativeErrorSum / encodedUpdates : 0,
    finalWeights: global.values,
    targetSuccess,
    refusedCandidates,
    stalledAtRound,
  }
}

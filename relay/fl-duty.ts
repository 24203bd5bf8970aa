/**
 * The relay's part in federated tasks (README, "Federated round"): for every task in its store
 * that is not finished, it aggregates (in the rotation) and validates — re-executing each
 * candidate from the trainers' sealed updates and evaluating it on held-out MNIST digits —
 * and votes on the task's own BFT chain with the validator set's other members. Committed
 * rounds and models go to SQLite; `/api/fl/tasks` serves them to browsers, which check each
 * certificate themselves before adopting anything.
 */
import type { Tracer } from '@opentelemetry/api'
import { classAccuracyOf, type FlStore, type StoredTask } from './fl-store'
import { openConsensusDatabase, SqliteConsensusStore } from './consensus-store'
import type Database from 'better-sqlite3'
import { ConsensusAdapter } from '../workers/consensus/adapter'
import type { ValidatorSet } from '../workers/consensus/certificate'
import type { FlValidatorKeys } from './validator'
import { encodeCertificate } from '../workers/consensus/certificate'
import type { MeshRuntime } from '../workers/net/runtime'
import type { Logger } from '../workers/log'
import type { AuditFields } from '../workers/security/audit/entry'
import { FlMesh } from '../workers/fl/mesh/fl-mesh'
import { FlParticipant } from '../workers/fl/mesh/participant'
import { realTimeClock } from '../workers/fl/round/host'
import { recipientKeyPair } from '../workers/fl/mesh/keys'
import { roundTraceId } from '../workers/fl/mesh/round-trace'
import { correlated } from '../workers/telemetry/correlation'
import { chainIdFor, decodeDescriptor, type CommitProof, type Hash, type RoundStatus } from '../workers/fl/round'
import type { Evaluation } from '../workers/fl/round/reexecute'
import { checkTask, defaultMnistTask, rosterOf, taskIdOf, taskToWire } from '../workers/fl/task/spec'
import type { TaskSpec } from '../workers/fl/task/wire.pb'
import { initialWeights, type FlatWeights } from '../workers/fl/model/weights'
import { float32FromLE, float32LE } from '../workers/fl/update/delta'
import { hashOf } from '../workers/fl/round/identity'
import { createTrainer, type Trainer } from '../workers/fl/model/trainer'
import { createReferenceSource, referenceHyperOf, rootDataSamples, type ReferenceSource } from '../workers/fl/model/reference'
import type { FlTask } from '../workers/fl/task/spec'
import { gatherSamples, splitHoldout, type LabelledSamples } from '../workers/fl/data/split'
import { HOLDOUT } from '../workers/fl/training-session'
import { selectBackend } from '../workers/fl/model/backend'
import { nodeBackendOptions } from '../workers/fl/node/backend'
import { loadMnistNode } from '../workers/fl/node/mnist-data'
import { nodePrimitives } from '../workers/secagg/node/primitives'

/**
 * How often the relay looks for tasks created meanwhile (by `npm run relay -- fl create` on the
 * same data dir), and tells the other validators about its unfinished tasks.
 */
const TASK_POLL_MS = 2_000
const TASK_SPREAD_EVERY = 5

export interface FlDutyDeps {
  readonly runtime: MeshRuntime
  readonly store: FlStore
  readonly dataDir: string
  readonly peerId: string
  readonly identity: { readonly seed: Uint8Array; readonly publicKey: Uint8Array; readonly sign: (message: Uint8Array) => Uint8Array }
  readonly validators: FlValidatorKeys
  /** Create the default MNIST task when the store has none (a relay that is its own validator set: `npm start`). */
  readonly defaultTask: boolean
  readonly audit: (fields: AuditFields) => Promise<unknown>
  readonly log: Logger
  /** Metrics: the round's phases as this relay sees them, inputs used and left out, trainers that dropped out. */
  readonly metrics?: {
    phase(phase: RoundStatus['phase']): void
    committed(inputs: number, dropouts: number): void
    refused(count: number): void
    /** Secure mode: a bucket this relay aggregated aborted (mesh_fl_secagg_aborts_total). */
    secaggAbort(reason: string): void
  }
  /** Spans of each round (the relay's tracer, relay/tracing.ts); none recorded without it. */
  readonly tracer?: Tracer
}

interface RunningTask {
  readonly participant: FlParticipant
  readonly adapter: ConsensusAdapter | null
  /** FLTrust tasks: the model the reference update trains (released when the task stops). */
  readonly referenceTrainer: Trainer | null
  status: RoundStatus
}

const clock = realTimeClock

export class FlDuty {
  private readonly mesh: FlMesh
  private readonly running = new Map<string, RunningTask>()
  private readonly evaluations = new Map<Hash, Evaluation>()
  private readonly db: Database.Database
  private poll: NodeJS.Timeout | null = null
  private test: LabelledSamples | null = null
  private backendChoice: Promise<unknown> | null = null
  private stopped = false
  private syncing: Promise<void> = Promise.resolve()

  private constructor(private readonly deps: FlDutyDeps) {
    this.mesh = new FlMesh(deps.runtime, clock, deps.log, deps.tracer)
    this.db = openConsensusDatabase(deps.dataDir)
  }

  static async start(deps: FlDutyDeps): Promise<FlDuty> {
    const duty = new FlDuty(deps)
    duty.mesh.onTask = (spec, from) => duty.heardTask(spec, from)
    await duty.mesh.start()
    if (deps.defaultTask && deps.store.tasks().length === 0) {
      const taskId = deps.store.addTask(defaultMnistTask(deps.peerId, Date.now()))
      deps.log.info({ taskId }, 'created the default MNIST task (no task existed)')
    }
    await duty.sync()
    let polls = 0
    duty.poll = setInterval(() => {
      void duty.sync()
      if (++polls % TASK_SPREAD_EVERY === 0) duty.spreadTasks()
    }, TASK_POLL_MS)
    duty.spreadTasks()
    return duty
  }

  /** Tasks as this relay runs them, for `/api/fl/tasks` and the CLI. */
  statusOf(taskId: string): RoundStatus | null {
    return this.running.get(taskId)?.status ?? null
  }

  get validatorSet(): ValidatorSet {
    return this.deps.validators.set
  }

  addressesOf(validator: string): readonly string[] {
    return this.deps.validators.addresses.get(validator) ?? []
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.poll) clearInterval(this.poll)
    await this.syncing
    this.mesh.stop()
    await Promise.all([...this.running.values()].map((t) => t.adapter?.stop()))
    for (const t of this.running.values()) t.referenceTrainer?.dispose()
    this.running.clear()
    this.db.close()
  }

  /** A task another validator relay runs: checked like any input, then run here too. */
  private heardTask(spec: TaskSpec, from: string): void {
    const checked = checkTask(spec)
    if (!checked.ok) {
      this.deps.log.warn({ from, reason: checked.reason }, 'task from the mesh refused')
      return
    }
    const taskId = taskIdOf(checked.task)
    if (this.deps.store.tasks().some((t) => t.taskId === taskId)) return
    this.deps.store.addTask(checked.task)
    this.deps.log.info({ taskId, from }, 'task learned from another validator')
    void this.sync()
  }

  /** The unfinished tasks, to the other validators (one created here with the CLI reaches them this way). */
  private spreadTasks(): void {
    if (this.deps.validators.set.validators.length < 2) return
    for (const stored of this.deps.store.tasks())
      if (stored.state === 'pending' || stored.state === 'running') this.mesh.publishTask(taskToWire(stored.task))
  }

  /** Starts tasks that appeared, stops those that finished or were cancelled. */
  private sync(): Promise<void> {
    this.syncing = this.syncing.then(async () => {
      if (this.stopped) return
      for (const stored of this.deps.store.tasks()) {
        const active = stored.state === 'pending' || stored.state === 'running'
        if (active && !this.running.has(stored.taskId)) {
          try {
            await this.startTask(stored)
          } catch (error) {
            this.deps.log.error({ taskId: stored.taskId, err: (error as Error).message }, 'federated task not started')
          }
        } else if (!active && this.running.has(stored.taskId)) await this.stopTask(stored.taskId)
      }
    })
    return this.syncing
  }

  private async startTask(stored: StoredTask): Promise<void> {
    const { deps } = this
    const { taskId, task } = stored
    const { set, signer, scheme } = deps.validators
    const validators = set.validators.map((v) => v.id)
    const rounds = deps.store.rounds(taskId)
    const last = rounds.at(-1)
    let proof: CommitProof | null = null
    if (last) {
      const descriptor = decodeDescriptor(last.descriptor)
      if (!descriptor.ok) throw new Error(`stored round ${last.round} is damaged: ${descriptor.reason}`)
      proof = { descriptor: descriptor.value, certificate: last.certificate }
    }
    const initial: FlatWeights = initialWeights(task.model, task.dataSeed)
    const isValidator = validators.includes(deps.peerId)
    const evaluate = isValidator ? await this.evaluator(task.model) : undefined
    const tracing = this.mesh.trace(taskId, rounds.length)
    // The relay aggregates and validates (the rotation runs over the validator set), so an FLTrust task's reference is computed here.
    const reference = await this.referenceFor(taskId, task)
    const participant = new FlParticipant({
      runtime: deps.runtime,
      self: deps.peerId,
      identity: deps.identity,
      recipient: recipientKeyPair(deps.identity.seed),
      taskId,
      task,
      // Validators aggregate too, with the browsers the task names: the rotation runs over all of them.
      roster: rosterOf(task, validators),
      validatorSet: set,
      scheme,
      trainer: false,
      secAggPrimitives: nodePrimitives,
      committed: { round: rounds.length, model: last?.modelHash ?? hashOf(float32LE(initial.values)), proof },
      initialModel: initial,
      store: {
        model: async (hash) => deps.store.model(hash),
        commit: async (round, model) => {
          // A model this validator did not judge itself (it was behind, or the round committed
          // through the others' votes) is evaluated now, so every round has its accuracy here.
          const evaluation =
            this.evaluations.get(round.modelHash) ??
            (evaluate ? await evaluate({ shapes: initial.shapes, values: float32FromLE(model) }).catch(() => null) : null)
          deps.store.commitRound(
            {
              ...round,
              accuracy: evaluation?.accuracy ?? null,
              loss: evaluation?.loss ?? null,
              classAccuracy: classAccuracyOf(evaluation),
              committedMs: Date.now(),
            },
            model,
          )
          if (round.round >= task.rounds) deps.store.setState(taskId, 'done')
          else deps.store.setState(taskId, 'running')
          const inputs = decodeDescriptor(round.descriptor)
          const used = inputs.ok ? inputs.value.inputs.length : 0
          const cohort = this.running.get(taskId)?.status.cohort.length ?? used
          deps.metrics?.committed(used, Math.max(0, cohort - used))
        },
        audit: deps.audit,
      },
      evaluate,
      reference: reference?.source,
      onEvaluated: (hash, evaluation) => {
        this.evaluations.set(hash, evaluation)
        if (this.evaluations.size > 256) this.evaluations.delete(this.evaluations.keys().next().value!)
      },
      onStatus: (status) => {
        const running = this.running.get(taskId)
        if (running) running.status = status
        deps.metrics?.phase(status.phase)
        tracing.status(status)
      },
      onAdopted: (proof) => {
        tracing.adopted(proof)
        const { round, aggregator, inputs } = proof.descriptor
        // The round's trace id is derived from task and round on every node, so this line greps with the others' logs and spans.
        correlated(deps.log, { taskId, flRound: round, traceId: roundTraceId(taskId, round) }).info(
          { aggregator, inputs: inputs.length },
          'round adopted',
        )
      },
      onRefusedInputs: (count) => deps.metrics?.refused(count),
      clock,
      log: deps.log.child({ taskId }),
      send: (to, message) => this.mesh.send(to, message),
      sendSecagg: (to, message) => this.mesh.sendSecagg(to, message),
      onSecaggAbort: (reason) => deps.metrics?.secaggAbort(reason),
    })
    let adapter: ConsensusAdapter | null = null
    if (isValidator) {
      const chainId = chainIdFor(taskId)
      adapter = await ConsensusAdapter.start({
        chainId,
        validators: set,
        signer,
        scheme,
        transport: this.mesh.consensusTransport(taskId),
        store: new SqliteConsensusStore(this.db, chainId),
        application: participant.application,
        observer: tracing.consensus,
        log: deps.log.child({ taskId, component: 'fl-consensus' }),
      })
      adapter.onDecision((decision) => {
        const descriptor = decodeDescriptor(decision.value)
        if (!descriptor.ok) {
          deps.log.error({ taskId, height: decision.height, reason: descriptor.reason }, 'a decided value is not a round descriptor')
          return
        }
        participant.decided({ descriptor: descriptor.value, certificate: encodeCertificate(decision.certificate) })
      })
    }
    this.running.set(taskId, { participant, adapter, referenceTrainer: reference?.trainer ?? null, status: participant.status })
    this.mesh.add(taskId, participant, false)
    deps.log.info(
      { taskId, name: task.name, committedRounds: rounds.length, rounds: task.rounds, validator: isValidator },
      'federated task running',
    )
  }

  private async stopTask(taskId: string): Promise<void> {
    const running = this.running.get(taskId)
    if (!running) return
    this.running.delete(taskId)
    this.mesh.remove(taskId)
    await running.adapter?.stop()
    running.referenceTrainer?.dispose()
  }

  /**
   * An FLTrust task's reference updates on this relay: the task's root data (the MNIST
   * validation digits), a trainer of the task's model, and the task's local hyperparameters. It
   * trains on the relay's event loop, as evaluation does; its duration is logged each round.
   */
  private async referenceFor(taskId: string, task: FlTask): Promise<{ source: ReferenceSource; trainer: Trainer } | null> {
    if (task.rule.rule !== 'fltrust') return null
    await this.backend()
    const rootData = rootDataSamples(task.rootData, loadMnistNode())
    if (!rootData) throw new Error('an FLTrust task without root data')
    const trainer = createTrainer(task.model)
    const log = this.deps.log.child({ taskId })
    const source = createReferenceSource({
      trainer,
      rootData,
      hyper: referenceHyperOf(task),
      variant: task.rule.variant,
      onComputed: (round, ms) =>
        log.info({ flRound: round, ms: Math.round(ms), samples: rootData.count }, 'FLTrust reference update computed'),
    })
    return { source, trainer }
  }

  /** The tfjs backend evaluation and FLTrust's reference train on, chosen once (wasm, else cpu: every relay alike). */
  private backend(): Promise<unknown> {
    this.backendChoice ??= selectBackend(nodeBackendOptions({ calibrate: false }))
    return this.backendChoice
  }

  /** Held-out MNIST test digits, loaded once; a tfjs backend chosen once. */
  private async evaluator(model: Parameters<typeof createTrainer>[0]): Promise<(weights: FlatWeights) => Promise<Evaluation>> {
    if (!this.test) {
      await this.backend()
      const dataset = loadMnistNode()
      this.test = gatherSamples(dataset, splitHoldout(dataset.count, HOLDOUT).test)
    }
    const test = this.test
    const trainer = createTrainer(model)
    return (weights) => trainer.evaluate(weights, test)
  }
}

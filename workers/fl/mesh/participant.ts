/**
 * One node's part in one federated task, over the real mesh (README, "Federated round"): the
 * round host (workers/fl/round/host.ts) with the task's robust- or secure-mode handlers, fed by the task's gossip
 * and direct messages through FlMesh, with models and updates as content-addressed blobs on
 * the transfer protocol. The page (trainer) and the relay (aggregator, validator) run this
 * same class; what differs comes in as options: training, evaluation, storage, the clock.
 */
import { verifyEd25519Batch } from '../../protocol/verify'
import { peerIdFromString } from '@libp2p/peer-id'
import { sha256 } from '@noble/hashes/sha2.js'
import type { MeshRuntime } from '../../net/runtime'
import type { Logger } from '../../log'
import type { AuditFields } from '../../security/audit/entry'
import { decodeCertificate, verifyCertificate, type SignatureScheme, type ValidatorSet } from '../../consensus/certificate'
import type { BftApplication } from '../../consensus/adapter/types'
import type { LoadedModel, LoadModelRequest, TrainRequest as WorkerTrainRequest, TrainResult } from '../../fl-worker-api'
import { weightShapesOf, type FlatWeights } from '../model/weights'
import { float32FromLE, float32LE } from '../update/delta'
import type { Evaluation } from '../round/reexecute'
import type { ReferenceSource } from '../model/reference'
import { RoundHost, type HostClock } from '../round/host'
import { createRobustHandlers } from '../round/robust-handlers'
import { createSecureHandlers } from '../round/secure-handlers'
import { noblePrimitives, type SecAggPrimitives } from '../../secagg/primitives'
import { cryptoRandomSource } from '../../secagg/random'
import type { SecaggClient, SecaggServer } from '../round/wire.pb'
import { adoptCommitted, type AdoptionDeps } from '../round/adoption'
import { chainIdFor, decodeDescriptor, encodeDescriptor, hashOf, hashToBytes } from '../round'
import { recipientKeyOf } from './keys'
import type { CommitProof, Hash, ProposalDescriptor, RoundMessage, RoundStatus, Roster } from '../round/types'
import { roundParamsOf, type FlTask } from '../task/spec'

/** What a node keeps of a task across restarts (SQLite on the relay, Dexie in the browser). */
export interface ParticipantStore {
  /** The model bytes (float32 little-endian) with this hash, if held. */
  model(hash: Hash): Promise<Uint8Array | null>
  /** Stores a committed round and its model together. */
  commit: AdoptionDeps['persist']
  audit(fields: AuditFields): Promise<unknown>
}

export interface ParticipantOptions {
  readonly runtime: MeshRuntime
  readonly self: string
  /** Ed25519 identity: signs submissions; its seed gives the key updates are sealed to (keys.ts). */
  readonly identity: { readonly publicKey: Uint8Array; readonly sign: (message: Uint8Array) => Uint8Array }
  /** recipientKeyPair(identity seed): opens the updates sealed to this node. */
  readonly recipient: { readonly publicKey: Uint8Array; readonly secretKey: Uint8Array }
  readonly taskId: string
  readonly task: FlTask
  readonly roster: Roster
  /** The validator set this node checks certificates against (pinned; README, "Which validators a browser trusts"). */
  readonly validatorSet: ValidatorSet
  readonly scheme: SignatureScheme
  readonly trainer: boolean
  /** Where the task stands here: rounds committed, the model they ended on, and the last commit. */
  readonly committed: { readonly round: number; readonly model: Hash; readonly proof: CommitProof | null }
  /** The task's starting model (round 0), which every node computes itself from the task. */
  readonly initialModel: FlatWeights
  readonly store: ParticipantStore
  readonly training?: {
    loadModel(request: LoadModelRequest): Promise<LoadedModel> | LoadedModel
    train(request: WorkerTrainRequest): Promise<TrainResult>
  }
  readonly evaluate?: (weights: FlatWeights) => Promise<Evaluation>
  /** Aggregators and validators of an FLTrust task: the round's reference update on the task's root data. */
  readonly reference?: ReferenceSource
  readonly clock: HostClock
  readonly log: Logger
  readonly onStatus?: (status: RoundStatus) => void
  /** A validator's evaluation of a model (its held-out accuracy), keyed by the model's hash. */
  readonly onEvaluated?: (model: Hash, evaluation: Evaluation) => void
  readonly onAdopted?: (proof: CommitProof) => void
  /** An aggregate left out this many submitted inputs (unfetchable, tampered, over the bound). */
  readonly onRefusedInputs?: (count: number) => void
  /** Sends a round message: gossip to the task (to = null) or a direct stream to one peer. */
  readonly send: (to: string | null, message: RoundMessage) => void
  /** Secure mode: a secure-aggregation message on a direct stream, to a bucket member (server) or to the aggregator (client). */
  readonly sendSecagg?: (to: string, message: { server: SecaggServer } | { client: SecaggClient }) => void
  /** Secure mode, aggregators: a bucket of the round aborted, with the secure-aggregation reason. */
  readonly onSecaggAbort?: (reason: string) => void
  /**
   * Secure aggregation's crypto (same bytes on every platform): the relay passes OpenSSL's
   * (workers/secagg/node/primitives.ts), 5-10× faster than the pure-JS default browsers use.
   */
  readonly secAggPrimitives?: SecAggPrimitives
}

/** What the host runs for its requests, in either mode. */
type ModeHandlers = Pick<ReturnType<typeof createRobustHandlers>, 'train' | 'aggregate' | 'verify'>

export class FlParticipant {
  readonly host: RoundHost
  /** Who is known to hold a blob (trainers their updates, aggregators and validators the models). */
  private readonly holders = new Map<Hash, Set<string>>()
  private readonly shapes
  private readonly models = new Map<Hash, FlatWeights>()
  private readonly secure: ReturnType<typeof createSecureHandlers> | null = null

  constructor(private readonly options: ParticipantOptions) {
    const { task, taskId, runtime } = options
    this.shapes = weightShapesOf(task.model)
    const recipients = [...new Set([...options.roster.aggregators, ...options.roster.validators])].map(recipientKeyOf)
    const sources = {
      fetchBlob: (hash: Hash) => this.fetchBlob(hash, 'one holder'),
      trainerKey: (peer: string) => publicKeyOf(peer),
      // Native Ed25519 (WebCrypto) off the event loop: a secure-mode replay checks every envelope of its transcript.
      verifySignature: async (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) =>
        (await verifyEd25519Batch([{ publicKey, message, signature }]))[0],
      primitives: options.secAggPrimitives ?? noblePrimitives,
    }
    const onRefusedInputs = (round: number, reasons: readonly string[]) => {
      options.log.warn({ taskId, round, reasons }, 'inputs left out of the aggregate')
      options.onRefusedInputs?.(reasons.length)
    }
    // FLTrust: how many inputs (or buckets) the candidate trusted, in the aggregator's log next to the inputs it left out.
    const onAggregated = (round: number, details: Readonly<Record<string, unknown>>) => {
      if (details.trusted !== undefined) options.log.info({ taskId, round, trusted: details.trusted }, 'FLTrust candidate aggregated')
    }
    const evaluate = options.evaluate
      ? async (weights: FlatWeights) => {
          const evaluation = await options.evaluate!(weights)
          options.onEvaluated?.(hashOf(float32LE(weights.values)), evaluation)
          return evaluation
        }
      : undefined
    const models = { get: (hash: Hash) => this.model(hash), put: (weights: FlatWeights) => this.putModel(weights) }
    let handlers: ModeHandlers
    if (task.privacy.mode === 'secure') {
      const send = options.sendSecagg
      if (!send) throw new Error('a secure-mode task needs direct secure-aggregation messages (sendSecagg)')
      this.secure = createSecureHandlers({
        taskId,
        task,
        self: options.self,
        roster: options.roster,
        sign: options.identity.sign,
        // SecAggClient signs its advertisement and survivor set through the node's signer; the key stays there.
        identitySecretKey: new Uint8Array(32),
        primitives: { ...(options.secAggPrimitives ?? noblePrimitives), ed25519Sign: (message) => options.identity.sign(message) },
        sources,
        putBlob: (bytes) => runtime.blobs.add(bytes),
        models,
        training: options.training,
        evaluate,
        reference: options.reference,
        clock: options.clock,
        random: cryptoRandomSource,
        sendToMember: (to, message) => send(to, { server: message }),
        sendToAggregator: (to, message) => send(to, { client: message }),
        onBucketAborted: (round, bucket, reason) => {
          options.log.warn({ taskId, round, bucket, reason }, 'secure-aggregation bucket aborted')
          options.onSecaggAbort?.(reason)
        },
        onRefusedInputs,
        onAggregated,
        warn: (what, reason) => options.log.warn({ taskId, reason }, what),
      })
      handlers = this.secure
    } else {
      handlers = createRobustHandlers({
        taskId,
        task,
        self: options.self,
        sign: options.identity.sign,
        identityKey: options.identity.publicKey,
        recipients: () => recipients,
        sources: { ...sources, recipient: options.recipient },
        putBlob: (bytes) => runtime.blobs.add(bytes),
        models,
        training: options.training,
        onRefusedInputs,
        onAggregated,
        evaluate,
        reference: options.reference,
      })
    }
    this.host = new RoundHost(
      {
        self: options.self,
        trainer: options.trainer,
        params: roundParamsOf(taskId, task),
        roster: options.roster,
        committedRound: options.committed.round,
        baseModel: options.committed.model,
        lastCommit: options.committed.proof,
        freshUpdateAfterProposal: task.privacy.mode === 'robust',
      },
      options.clock,
      {
        send: (to, message) => options.send(to, message),
        train: options.trainer ? (request) => handlers.train(request) : undefined,
        aggregate: (request) => handlers.aggregate(request),
        verify: options.evaluate ? (d) => handlers.verify(d) : undefined,
        certify: async (proof) => this.certify(proof),
        adopt: (proof) => this.adopt(proof),
        status: options.onStatus,
        attempt: (round, attempt) => this.secure?.prepare(round, attempt),
        warn: (what, reason) => options.log.warn({ taskId, reason }, what),
      },
    )
    void this.putModel(options.initialModel)
  }

  get status(): RoundStatus {
    return this.host.status
  }

  /** A round message from the mesh; `from` is the envelope's verified signer. */
  receive(from: string, message: RoundMessage): void {
    this.noteHolders(from, message)
    this.host.receive(from, message)
  }

  /** Secure mode: an aggregator's secure-aggregation message (this node trains), `from` its verified signer. */
  secaggFromAggregator(from: string, message: SecaggServer): void {
    void this.secure?.onServerMessage(from, message)
  }

  /** Secure mode: a trainer's secure-aggregation message and the signed envelope it came in (this node aggregates). */
  secaggFromTrainer(from: string, envelope: Uint8Array, message: SecaggClient): void {
    void this.secure?.onClientMessage(from, envelope, message)
  }

  presence(trainers: readonly string[]): void {
    this.host.presence(trainers)
  }

  /** The validators' BFT application, noting who holds the blobs a descriptor names before judging it. */
  get application(): BftApplication {
    const inner = this.host.application
    return {
      proposeValue: (context) => inner.proposeValue(context),
      validateValue: (context, value) => {
        const decoded = decodeDescriptor(value)
        if (decoded.ok) this.noteDescriptor(decoded.value)
        return inner.validateValue(context, value)
      },
    }
  }

  decided(proof: CommitProof): void {
    this.noteDescriptor(proof.descriptor)
    this.host.decided(proof)
  }

  stop(): void {
    this.host.stop()
    this.secure?.stop()
  }

  /** Does this commit's certificate verify against the pinned set, for this task's chain and round? */
  certify(proof: CommitProof): boolean {
    return certifiesCommit(proof, this.options.taskId, this.options.validatorSet, this.options.scheme)
  }

  private async adopt(proof: CommitProof): Promise<void> {
    this.noteDescriptor(proof.descriptor)
    const adopted = await adoptCommitted(proof, {
      self: this.options.self,
      localModel: async (hash) => this.options.runtime.blobs.get(hash)?.bytes ?? (await this.options.store.model(hash)),
      fetchModel: (hash) => this.fetchBlob(hash, 'spreads'),
      persist: (round, model) => this.options.store.commit(round, model),
      audit: (fields) => this.options.store.audit(fields),
    })
    if (!adopted.ok) throw new Error(adopted.reason)
    await this.options.runtime.blobs.add(adopted.model)
    this.options.onAdopted?.(proof)
  }

  private async model(hash: Hash): Promise<FlatWeights | null> {
    const cached = this.models.get(hash)
    if (cached) return cached
    const bytes =
      this.options.runtime.blobs.get(hash)?.bytes ?? (await this.options.store.model(hash)) ?? (await this.fetchBlob(hash, 'spreads'))
    if (!bytes || hashOf(bytes) !== hash) return null
    const weights = { shapes: this.shapes, values: float32FromLE(bytes) }
    this.models.set(hash, weights)
    await this.options.runtime.blobs.add(bytes)
    return weights
  }

  private async putModel(weights: FlatWeights): Promise<Hash> {
    const hash = await this.options.runtime.blobs.add(float32LE(weights.values))
    this.models.set(hash, weights)
    // Models of finished rounds are not needed in memory; the blob store and storage keep them.
    if (this.models.size > 8) this.models.delete(this.models.keys().next().value!)
    return hash
  }

  /**
   * The blob from this node's store, else from whoever is known to hold it (trainers their
   * updates, aggregators and validators the models) and, for a model, which every node of the
   * task fetches at once, from a linked neighbour that has it already (MeshRuntime.fetchFromHolders).
   * Kept and served on from here: validators fetch a round's inputs from its aggregator, which
   * reached the trainers, and trainers take a new model from each other rather than all from one
   * holder. An update or transcript has one holder, so no neighbour is asked for it.
   */
  private async fetchBlob(hash: Hash, reach: 'spreads' | 'one holder'): Promise<Uint8Array | null> {
    const local = this.options.runtime.blobs.get(hash)
    if (local) return local.bytes
    const { roster, runtime } = this.options
    const holders = [...new Set([...(this.holders.get(hash) ?? []), ...roster.validators, ...roster.aggregators])]
    // One holder: two passes, linked holders first, then the rest (a transfer cut by a busy peer is worth one more try).
    const swarm = reach === 'spreads' ? {} : { passes: 2, firstPauseMs: 2_000, linkedOnlyPasses: 0, maxAskedNeighbours: 0 }
    const errors: string[] = []
    try {
      const fetched = await runtime.fetchFromHolders(hashToBytes(hash), holders, {
        ...swarm,
        onFailure: (peer, error) => errors.push(`${peer.slice(-8)}: ${error.message}`),
      })
      return fetched.bytes
    } catch {
      this.options.log.warn({ hash, errors: errors.slice(-8) }, 'blob not fetched from any holder')
      return null
    }
  }

  private noteHolders(from: string, message: RoundMessage): void {
    if (message.kind === 'submit') this.hold(message.submission.update, message.submission.trainer)
    else if (message.kind === 'propose') this.noteDescriptor(message.descriptor)
    else if (message.kind === 'committed') this.noteDescriptor(message.proof.descriptor)
    else if (message.kind === 'announce') {
      this.hold(message.baseModel, from)
      if (message.previous) this.noteDescriptor(message.previous.descriptor)
    }
  }

  private noteDescriptor(d: ProposalDescriptor): void {
    this.hold(d.candidate, d.aggregator)
    if (d.transcript) this.hold(d.transcript, d.aggregator)
    for (const input of d.inputs) {
      this.hold(input.update, d.aggregator)
      this.hold(input.update, input.trainer)
    }
  }

  private hold(hash: Hash, peer: string): void {
    const set = this.holders.get(hash) ?? new Set()
    set.add(peer)
    this.holders.set(hash, set)
    if (this.holders.size > 4096) this.holders.delete(this.holders.keys().next().value!)
  }
}

function publicKeyOf(peer: string): Uint8Array | null {
  try {
    return peerIdFromString(peer).publicKey?.raw ?? null
  } catch {
    return null
  }
}

/** Does a commit's certificate verify against `set`, for task `taskId`'s chain and the descriptor's round? */
export function certifiesCommit(proof: CommitProof, taskId: string, set: ValidatorSet, scheme: SignatureScheme): boolean {
  const decoded = decodeCertificate(proof.certificate)
  if (!decoded.ok) return false
  return verifyCertificate(decoded.certificate, set, scheme, {
    chainId: chainIdFor(taskId),
    height: proof.descriptor.round,
    valueId: sha256(encodeDescriptor(proof.descriptor)),
  }).ok
}

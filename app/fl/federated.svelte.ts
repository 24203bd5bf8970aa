import { peerIdFromString } from '@libp2p/peer-id'
import { parseMultiaddrs } from '../../workers/net/connection-kind'
import type { MeshClient } from '../mesh/client.svelte'
import type { Trainer } from '../training/trainer.svelte'
import type { MeshDatabase } from '../storage/db'
import { BrowserFlStore } from '../storage/fl-store'
import { FlMesh } from '../../workers/fl/mesh/fl-mesh'
import { realTimeClock } from '../../workers/fl/round/host'
import { certifiesCommit, FlParticipant } from '../../workers/fl/mesh/participant'
import { decideTrustedSet, verifyValidatorSetStatement, type TrustDecision } from '../../workers/fl/mesh/validator-statement'
import { recipientKeyPair } from '../../workers/fl/mesh/keys'
import {
  fromBase64,
  proofFromFeed,
  taskFromFeed,
  validatorFromJson,
  validatorToJson,
  type CommittedJson,
  type TaskFeed,
  type ValidatorJson,
} from '../../workers/fl/mesh/task-feed'
import {
  bitmapSigners,
  createRealScheme,
  decodeCertificate,
  loadRealScheme,
  type SignatureScheme,
  type ValidatorSet,
} from '../../workers/consensus/certificate'
import { decodeDescriptor, hashOf, type CommitProof, type RoundStatus } from '../../workers/fl/round'
import { initialWeights } from '../../workers/fl/model/weights'
import { float32LE } from '../../workers/fl/update/delta'
import { rosterOf, taskToWire, type FlTask } from '../../workers/fl/task/spec'
import { taskFromForm, type TaskForm } from './task-form'
import { signingIdentityOf } from '../../workers/security/keys/derive'
import type { PinnedValidatorsRow } from '../storage/db'
import { hex } from '../../workers/common/bytes'

/** A committed round as the dashboard shows it. */
export interface RoundView {
  readonly round: number
  readonly modelHash: string
  /** Validators' held-out evaluation (from the relay's feed). */
  readonly accuracy: number | null
  readonly loss: number | null
  /** The same evaluation per digit (null where the validator holds none of it, or the relay did not record it). */
  readonly classAccuracy: readonly (number | null)[] | null
  /** Validators whose BLS shares the certificate aggregates. */
  readonly signers: number
  /** This browser checked the certificate against its pinned validator set (or, for a round before the set changed, an earlier set its CA signed). */
  readonly verified: boolean
  /** This browser adopted the model (fetched, hash-checked, stored, audited). */
  readonly adopted: boolean
  readonly committedMs: number
}

/** Which validator set this browser checks certificates against, as the card shows it. */
export interface TrustView {
  readonly validators: number
  /** The CA that signed the set (its certificate's subject); null for a set pinned before sets were signed. */
  readonly ca: string | null
  readonly issuedAtMs: number | null
  /** Why what the relay serves now was not taken (another CA, an older set, none), or null. */
  readonly warning: string | null
  /** When this browser last followed a newer set, or null. */
  readonly followedAtMs: number | null
}

const JOINED_KEY = 'agent-mesh:fl-joined'
const FEED_EVERY_MS = 4_000
const clock = realTimeClock

/**
 * This browser's part in the mesh's federated task (README, "Federated round"): Join pins the
 * relay's validator set (first join only), takes the running task, and trains in the training
 * worker whenever an aggregator announces a round with this node in its cohort. Every commit's
 * certificate is checked here before the model is adopted. Joining is remembered across reloads.
 */
export class FederatedClient {
  joined = $state(false)
  task = $state.raw<{ readonly taskId: string; readonly task: FlTask } | null>(null)
  status = $state.raw<RoundStatus | null>(null)
  relayStatus = $state.raw<{ round: number; attempt: number; phase: string; aggregator: string } | null>(null)
  rounds = $state.raw<RoundView[]>([])
  validators = $state(0)
  trust = $state.raw<TrustView | null>(null)
  error = $state('')
  private mesh: FlMesh | null = null
  private participant: FlParticipant | null = null
  private set: ValidatorSet | null = null
  /** Sets the pinned CA signed before the current one: certificates of rounds committed under them still verify for display. */
  private earlierSets: ValidatorSet[] = []
  private feedTimer: ReturnType<typeof setInterval> | undefined
  private readonly store: BrowserFlStore
  /** @noble's until the WebAssembly BLS loads at join (the same answers, 4-6x sooner: a certificate check per commit on the page's main thread). */
  private scheme: SignatureScheme = createRealScheme()
  private readonly adopted = new Set<string>()
  private readonly checked = new Map<string, { signers: number; verified: boolean }>()

  constructor(
    private readonly client: MeshClient,
    private readonly trainer: Trainer,
    private readonly db: MeshDatabase,
  ) {
    this.store = new BrowserFlStore(db)
  }

  /** Whether this node joined is remembered per node: each tab is its own node (app/storage/node-slot.ts). */
  private get joinedKey(): string {
    return this.client.slot.databaseName(JOINED_KEY)
  }

  get ownId(): string {
    return this.client.peerId
  }

  /** Admins create tasks from the PWA; relays run any well-formed task an admin publishes. */
  get canCreateTasks(): boolean {
    return this.client.security?.roles.includes('admin') ?? false
  }

  /** Publishes the task the form describes to the mesh (fl.task.create, signed as this admin); returns its id. */
  async createTask(form: TaskForm): Promise<string> {
    if (!this.canCreateTasks)
      throw new Error(
        'only an admin creates tasks; the relay operator grants the role with `npm run relay -- grant --peer PEERID --role admin`',
      )
    const runtime = this.client.runtime
    if (!runtime) throw new Error('the node has not joined the mesh yet; wait for the relay connection')
    const made = taskFromForm(form, this.client.peerId, Date.now())
    if (!made.ok) throw new Error(made.reason)
    this.mesh ??= new FlMesh(runtime, clock, this.client.childLog('fl'))
    await this.mesh.start()
    await runtime.gossip.publish('fl.task.create', taskToWire(made.task))
    return made.taskId
  }

  /** Rejoins the task this browser had joined before a reload (finished or not: its history shows). */
  async resume(): Promise<void> {
    const taskId = localStorage.getItem(this.joinedKey)
    if (taskId) await this.join(taskId)
  }

  /** Joins `taskId`, or the relay's first task still running. */
  async join(taskId?: string): Promise<void> {
    if (this.joined) return
    this.error = ''
    try {
      await this.start(taskId)
      this.joined = true
      localStorage.setItem(this.joinedKey, this.task!.taskId)
    } catch (error) {
      this.error = (error as Error).message
      throw error
    }
  }

  leave(): void {
    localStorage.removeItem(this.joinedKey)
    this.stopParticipant()
    this.joined = false
  }

  private stopParticipant(): void {
    if (this.task) this.mesh?.remove(this.task.taskId)
    this.participant = null
    clearInterval(this.feedTimer)
  }

  private async start(wanted: string | undefined): Promise<void> {
    const runtime = this.client.runtime
    const keys = this.client.identity?.keys
    if (!runtime || !keys) throw new Error('the node has not joined the mesh yet; wait for the relay connection')
    this.scheme = (await loadRealScheme()).scheme
    const feed = await this.fetchFeed()
    this.set = await this.trustedSet(feed)
    this.validators = this.set.validators.length
    this.admitValidators(feed.validators)
    const entry = wanted
      ? feed.tasks.find((t) => t.taskId === wanted)
      : feed.tasks.find((t) => t.state === 'pending' || t.state === 'running')
    if (!entry)
      throw new Error(
        wanted
          ? `the relay no longer has the task ${wanted.slice(0, 12)}… this browser had joined`
          : 'the relay has no running federated task; an admin creates one with `npm run relay -- fl create`',
      )
    const checked = taskFromFeed(entry)
    if (!checked.ok) throw new Error(`the relay's task was refused: ${checked.reason}`)
    const { task } = checked
    const taskId = entry.taskId
    await this.store.addTask(task)
    this.task = { taskId, task }
    for (const row of await this.store.rounds(taskId)) this.adopted.add(row.modelHash)

    const latest = await this.store.latest(taskId)
    let committed: { round: number; model: string; proof: CommitProof | null }
    const initial = initialWeights(task.model, task.dataSeed)
    if (latest) {
      const descriptor = decodeDescriptor(latest.descriptor)
      committed = descriptor.ok
        ? { round: latest.round, model: latest.modelHash, proof: { descriptor: descriptor.value, certificate: latest.certificate } }
        : { round: 0, model: hashOf(float32LE(initial.values)), proof: null }
    } else committed = { round: 0, model: hashOf(float32LE(initial.values)), proof: null }

    const identity = signingIdentityOf(keys)
    const peerId = this.client.peerId
    const security = this.client.security
    const log = this.client.childLog('fl')
    this.mesh ??= new FlMesh(runtime, clock, log)
    await this.mesh.start()
    // This browser aggregates its turns when the task names it (and its credential carries the role the others check).
    const roster = rosterOf(
      task,
      this.set.validators.map((v) => v.id),
    )
    const participant = new FlParticipant({
      runtime,
      self: peerId,
      identity: { publicKey: identity.publicKey, sign: identity.sign },
      recipient: recipientKeyPair(identity.seed),
      taskId,
      task,
      roster,
      validatorSet: this.set,
      scheme: this.scheme,
      trainer: true,
      committed,
      initialModel: initial,
      store: {
        model: (hash) => this.store.model(hash),
        commit: async (round, model) => {
          await this.store.adopt({ ...round, accuracy: null, loss: null, committedAtMs: Date.now() }, model)
          this.adopted.add(round.modelHash)
        },
        audit: async (fields) => security?.audit.append(fields),
      },
      training: {
        loadModel: (request) => this.trainer.loadModel(request.weights, request.hash, request.model),
        train: async (request) => {
          const result = await this.trainer.train(request)
          if (!result) throw new Error('training was cancelled')
          return result
        },
      },
      clock,
      log,
      onStatus: (status) => (this.status = status),
      onAdopted: () => void this.refresh(),
      send: (to, message) => this.mesh!.send(to, message),
      sendSecagg: (to, message) => this.mesh!.sendSecagg(to, message),
    })
    this.participant = participant
    this.status = participant.status
    this.mesh.add(taskId, participant, true)
    await this.refresh(feed)
    this.feedTimer = setInterval(() => void this.refresh().catch(() => {}), FEED_EVERY_MS)
  }

  /** The relay's view of the task (its round, the validators' accuracy), checked here certificate by certificate. */
  private async refresh(given?: TaskFeed): Promise<void> {
    const participant = this.participant
    const task = this.task
    if (!participant || !task) return
    const feed = given ?? (await this.fetchFeed())
    if (!given && (await this.followsNewerSet(feed))) return
    const entry = feed.tasks.find((t) => t.taskId === task.taskId)
    if (!entry) return
    this.relayStatus = entry.current
    // A commit this node missed on gossip reaches it through the feed; the round core checks its
    // certificate against the pinned set before anything is adopted, as for one from gossip.
    const newest = entry.committed.at(-1)
    const proof = newest ? proofFromFeed(newest) : null
    if (proof && newest!.round > participant.status.committedRounds) participant.receive('relay-feed', { kind: 'committed', proof })
    this.rounds = entry.committed.map((r) => {
      const { signers, verified } = this.checkedCertificate(r, task.taskId, participant)
      return {
        round: r.round,
        modelHash: r.modelHash,
        accuracy: r.accuracy,
        loss: r.loss,
        classAccuracy: r.classAccuracy ?? null,
        signers,
        verified,
        adopted: this.adopted.has(r.modelHash),
        committedMs: r.committedMs,
      }
    })
  }

  /** A served round's certificate, checked against the pinned set once (a BLS pairing each), not on every poll of the feed. */
  private checkedCertificate(r: CommittedJson, taskId: string, participant: FlParticipant): { signers: number; verified: boolean } {
    const key = `${r.round}:${r.modelHash}:${r.certificate}`
    const known = this.checked.get(key)
    if (known) return known
    const proof = proofFromFeed(r)
    const certificate = proof ? decodeCertificate(proof.certificate) : null
    const matches = proof !== null && proof.descriptor.candidate === r.modelHash && proof.descriptor.taskId === taskId
    const certifiedBy = !matches
      ? undefined
      : participant.certify(proof!)
        ? (this.set ?? undefined)
        : this.earlierSets.find((set) => certifiesCommit(proof!, taskId, set, this.scheme))
    const counted = certifiedBy ?? this.set
    const signerList = certificate?.ok && counted ? bitmapSigners(certificate.certificate.signers, counted.validators.length) : []
    const result = { signers: Array.isArray(signerList) ? signerList.length : 0, verified: certifiedBy !== undefined }
    this.checked.set(key, result)
    return result
  }

  private async fetchFeed(): Promise<TaskFeed> {
    const response = await fetch('/api/fl/tasks', { signal: AbortSignal.timeout(10_000) })
    if (!response.ok) throw new Error(`the relay answered ${response.status} for its federated tasks`)
    return (await response.json()) as TaskFeed
  }

  /**
   * The pinned set's members aggregate and validate: their round messages pass this node's
   * gate whichever CA issued their credentials (as the set file does for the relays), and the
   * addresses the relay gives for them let a trainer submit to whichever aggregates.
   */
  private admitValidators(served: readonly ValidatorJson[]): void {
    const runtime = this.client.runtime
    for (const v of this.set?.validators ?? []) {
      this.client.security?.peers.registry.pinRoles(v.identityKey, ['validator', 'aggregator'])
      const addresses = served.find((s) => s.id === v.id)?.addresses ?? []
      if (runtime && addresses.length > 0)
        void runtime.node.peerStore.merge(peerIdFromString(v.id), { multiaddrs: parseMultiaddrs(addresses) }).catch(() => {})
    }
  }

  /**
   * The validator set this browser checks certificates against (README, "Which validators a
   * browser trusts"): at the first join, the set the relay's CA signed, pinned with that CA; from
   * then on the pinned set, or a newer one the same CA signed (decideTrustedSet). A relay serving
   * anything else is not followed, and the card says why.
   */
  private async trustedSet(feed: TaskFeed): Promise<ValidatorSet> {
    const decision = await this.decide(feed)
    if (decision.kind === 'refuse') throw new Error(`the validator set is not usable: ${decision.reason}`)
    if (decision.kind === 'keep') return decision.set
    await this.pin(decision, feed)
    return decision.statement.set
  }

  /** A newer set signed by the pinned CA is served: pin it and rejoin the task under it. True if it did. */
  private async followsNewerSet(feed: TaskFeed): Promise<boolean> {
    const decision = await this.decide(feed)
    if (decision.kind !== 'follow') {
      if (decision.kind === 'keep' && this.trust && this.trust.warning !== decision.warning)
        this.trust = { ...this.trust, warning: decision.warning }
      return false
    }
    this.client.childLog('fl').info(
      {
        from: decision.previous.validators.length,
        to: decision.statement.set.validators.length,
        issuedAtMs: decision.statement.issuedAtMs,
      },
      'the CA signed a newer federated validator set; following it',
    )
    const taskId = this.task?.taskId
    this.stopParticipant()
    await this.pin(decision, feed)
    try {
      await this.start(taskId)
    } catch (error) {
      this.error = `could not rejoin the task under the new validator set: ${(error as Error).message}; reload the page to try again`
    }
    return true
  }

  private async decide(feed: TaskFeed): Promise<TrustDecision> {
    const security = this.client.security
    if (!security) throw new Error('the node has no credential yet; wait for the relay connection')
    const row = await this.db.pinnedValidators.get('self')
    const pinned = row
      ? {
          caPublicKey: row.caPublicKey ?? null,
          statement: row.statement ?? null,
          legacySet: (JSON.parse(new TextDecoder().decode(row.set)) as ValidatorJson[]).map(validatorFromJson),
        }
      : null
    let served: Uint8Array | null = null
    try {
      served = feed.validatorSetStatement ? fromBase64(feed.validatorSetStatement) : null
    } catch {
      served = null
    }
    const decision = decideTrustedSet({ pinned, served, relayCaPublicKey: security.anchor.publicKey, scheme: this.scheme })
    if (decision.kind === 'keep') {
      this.earlierSets = row ? this.earlierOf(row) : []
      this.trust = {
        validators: decision.set.validators.length,
        ca: row?.caSubject ?? null,
        issuedAtMs: decision.issuedAtMs,
        warning: decision.warning,
        followedAtMs: row?.followedAtMs ?? null,
      }
    }
    return decision
  }

  /** Pins a first or followed set; a followed one keeps the set it replaces among the earlier ones. */
  private async pin(decision: Extract<TrustDecision, { kind: 'pin' | 'follow' }>, feed: TaskFeed): Promise<void> {
    const row = await this.db.pinnedValidators.get('self')
    const following = decision.kind === 'follow'
    const caPublicKey = following ? row!.caPublicKey! : decision.caPublicKey
    const caSubject = following ? (row!.caSubject ?? null) : this.client.security!.anchor.subject
    const earlier = following ? [...(row!.earlier ?? []), row!.statement!] : []
    const served = new Map(feed.validators.map((v) => [v.id, v]))
    const json = decision.statement.set.validators.map((v) => validatorToJson(v, served.get(v.id)?.addresses ?? []))
    const next: PinnedValidatorsRow = {
      id: 'self',
      set: new TextEncoder().encode(JSON.stringify(json)),
      signature: new Uint8Array(0),
      pinnedAtMs: row?.pinnedAtMs ?? Date.now(),
      caPublicKey,
      caSubject: caSubject ?? undefined,
      statement: decision.statement.bytes,
      earlier,
      followedAtMs: following ? Date.now() : row?.followedAtMs,
    }
    await this.db.pinnedValidators.put(next)
    this.earlierSets = this.earlierOf(next)
    this.trust = {
      validators: decision.statement.set.validators.length,
      ca: caSubject,
      issuedAtMs: decision.statement.issuedAtMs,
      warning: null,
      followedAtMs: next.followedAtMs ?? null,
    }
    if (following)
      await this.client.security?.audit.append({
        event: 'validator.change',
        actor: this.client.peerId,
        subject: `fl-validator-set:${hex(decision.statement.set.hash)}`,
        details: {
          followed: 'ca-signed',
          issuedAtMs: decision.statement.issuedAtMs,
          validators: decision.statement.set.validators.map((v) => v.id),
          previous: decision.previous.validators.map((v) => v.id),
        },
      })
  }

  private earlierOf(row: PinnedValidatorsRow): ValidatorSet[] {
    if (!row.caPublicKey) return []
    return (row.earlier ?? []).flatMap((bytes) => {
      const verdict = verifyValidatorSetStatement(bytes, row.caPublicKey!, this.scheme)
      return verdict.ok ? [verdict.statement.set] : []
    })
  }
}

/**
 * Every production piece of a federated task on MNIST, joined in one process, in either privacy
 * mode: trainers training the MNIST MLP on their own shards (the training session the worker
 * runs); in robust mode updates encoded, sealed once for the aggregators and validators and
 * signed, in secure mode a secure-aggregation client per trainer in its bucket (signed envelopes,
 * the transcript kept); a rotating aggregator computing the candidate (FLTrust: with the
 * reference update it trains on the root data); four validators re-computing it (the same
 * reference, trained themselves), evaluating on held-out digits and agreeing through the
 * consensus adapter with BLS certificates; every node checking the certificate before adopting.
 * Only the network is in memory. The round tests in this folder differ only in their setup.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { ConsensusAdapter, MemoryConsensusStore, type BftTransport } from '../../../workers/consensus/adapter'
import {
  createRealScheme,
  createRealSigner,
  createValidatorSet,
  decodeCertificate,
  encodeCertificate,
  verifyCertificate,
} from '../../../workers/consensus/certificate'
import { loadMnistNode } from '../../../workers/fl/node/mnist-data'
import { gatherSamples, splitHoldout } from '../../../workers/fl/data/split'
import { createReferenceSource, referenceHyperOf, rootDataSamples, type ReferenceSource } from '../../../workers/fl/model/reference'
import { MNIST_MLP } from '../../../workers/fl/model/spec'
import { createTrainer, type Trainer } from '../../../workers/fl/model/trainer'
import { initialWeights, type FlatWeights } from '../../../workers/fl/model/weights'
import {
  aggregatorFor,
  chainIdFor,
  decodeDescriptor,
  encodeDescriptor,
  hashOf,
  type AggregateRequest,
  type CommitProof,
  type ProposalDescriptor,
  type RoundMessage,
} from '../../../workers/fl/round'
import { RoundHost, type HostClock, type RoundHostHandlers } from '../../../workers/fl/round/host'
import { createRobustHandlers } from '../../../workers/fl/round/robust-handlers'
import { createSecureHandlers } from '../../../workers/fl/round/secure-handlers'
import { SecaggClient, SecaggPhase, type SecaggServer } from '../../../workers/fl/round/wire.pb'
import { createEnvelopeSigner, sealMessage } from '../../../workers/protocol/envelope'
import { Envelope } from '../../../workers/protocol/wire.pb'
import { messageKinds } from '../../../workers/kinds'
import { seededBytes } from '../../../workers/common/random'
import { defaultMnistTask, taskIdOf, type FlTask } from '../../../workers/fl/task/spec'
import { createTrainingSession, HOLDOUT } from '../../../workers/fl/training-session'
import { float32LE, l2Norm } from '../../../workers/fl/update/delta'
import { signFlip } from '../../../workers/fl/attacks/attacks'
import { identityFromSeed, peerIdStringFromPublicKey } from '../../../workers/identity/ed25519'
import { silentLogger } from '../../../workers/log'

const scheme = createRealScheme()
const FAST = { proposeMs: 400, prevoteMs: 200, precommitMs: 200, roundIncrementMs: 200, rebroadcastMs: 300 }
const clock: HostClock = {
  now: () => performance.now(),
  setTimer: (ms, run) => {
    const t = setTimeout(run, ms)
    return () => clearTimeout(t)
  },
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** How the aggregator of round 1's first attempt lies. */
export type AggregatorLie =
  /** The genuine inputs, a candidate they do not give (the honest one scaled ×3). */
  | 'scaled-candidate'
  /** FLTrust task: it skips the reference and averages (FedAvg). */
  | 'no-reference'
  /**
   * FLTrust task: another round's reference (its seed), a tenth as long. The length matters:
   * under 'clipped-mean' the reference update is only the clipping bound, so a reference of
   * another seed and the same length can give the same candidate bit for bit, which is no lie.
   */
  | 'wrong-reference'

export interface MnistRoundSetup {
  readonly trainers: number
  readonly rounds: number
  /** The task: defaultMnistTask with these fields replaced (mode, rule, quorum, deadlines, …). */
  readonly task: Partial<FlTask>
  /** This trainer sends its update sign-flipped and stretched to the clipping bound (the e2e tests' flAttack). */
  readonly byzantine?: number
  /** Secure mode: in round 2 one trainer goes away once it has sent its key shares (it never masks), within its bucket's threshold. */
  readonly leaverInRound2?: boolean
  readonly wrongAggregator?: AggregatorLie
}

export interface MnistRoundRun {
  readonly task: FlTask
  readonly adopted: Map<string, string[]>
  readonly committed: Map<number, ProposalDescriptor>
  /** Held-out accuracy of the initial model and of each adopted one. */
  readonly accuracies: number[]
  readonly seconds: number
  readonly warnings: string[]
  readonly aborted: string[]
  readonly transcriptsProposed: string[]
  readonly trainerIds: string[]
  readonly leaver: string | null
  readonly wrong: string | null
  /** Duration of every FLTrust reference computation (aggregators and validators), ms. */
  readonly referenceMs: number[]
  /** What the rule reported of each candidate an aggregator computed, by round. */
  readonly aggregated: {
    readonly round: number
    readonly aggregator: string
    readonly details: Readonly<Record<string, unknown>>
    readonly inputs: readonly string[]
  }[]
}

export async function runMnistTask(setup: MnistRoundSetup): Promise<MnistRoundRun> {
  const dataset = loadMnistNode()
  const test = gatherSamples(dataset, splitHoldout(dataset.count, HOLDOUT).test)
  const task: FlTask = {
    ...defaultMnistTask('admin', 1),
    rounds: setup.rounds,
    localSteps: 8,
    learningRate: 0.1,
    ...setup.task,
  }
  const taskId = taskIdOf(task)
  const secureMode = task.privacy.mode === 'secure'

  // Content-addressed stores standing in for the transfer protocol.
  const blobs = new Map<string, Uint8Array>()
  const models = new Map<string, FlatWeights>()
  const putModel = async (w: FlatWeights) => {
    const h = hashOf(float32LE(w.values))
    models.set(h, w)
    return h
  }
  const putBlob = async (bytes: Uint8Array) => {
    const h = hashOf(bytes)
    blobs.set(h, bytes)
    return h
  }
  const initial = await putModel(initialWeights(MNIST_MLP, 7))

  // Validators: BFT keys; their PeerIds name them in the round.
  const signers = Array.from({ length: 4 }, (_, i) =>
    createRealSigner({ identitySeed: new Uint8Array(32).fill(i + 71), voteSeed: new Uint8Array(48).fill(i + 71) }),
  )
  const entries = signers.map((s) => ({
    id: peerIdStringFromPublicKey(s.identityKey),
    identityKey: s.identityKey,
    voteKey: s.voteKey,
    possession: s.proofOfPossession(),
  }))
  const created = createValidatorSet(entries, scheme)
  if (!created.ok) throw new Error(created.reason)
  const set = created.set
  const trainerIdentities = Array.from({ length: setup.trainers }, (_, i) => identityFromSeed(new Uint8Array(32).fill(i + 91)))
  const aggregatorIdentities = Array.from({ length: 2 }, (_, i) => identityFromSeed(new Uint8Array(32).fill(i + 101)))
  const trainerIds = trainerIdentities.map((t) => peerIdStringFromPublicKey(t.publicKey))
  const aggregatorIds = aggregatorIdentities.map((a) => peerIdStringFromPublicKey(a.publicKey))
  const validatorIds = set.validators.map((v) => v.id)
  const roster = { aggregators: aggregatorIds, validators: validatorIds }
  const agreement = new Map<string, { publicKey: Uint8Array; secretKey: Uint8Array }>()
  for (const [i, id] of [...aggregatorIds, ...validatorIds].entries()) {
    const secretKey = new Uint8Array(32).fill(i + 120)
    agreement.set(id, { secretKey, publicKey: x25519.getPublicKey(secretKey) })
  }
  const identityKeys = new Map<string, Uint8Array>(trainerIdentities.map((t, i) => [trainerIds[i], t.publicKey]))

  const evaluator = createTrainer(MNIST_MLP)
  const accuracy = async (w: FlatWeights) => (await evaluator.evaluate(w, test)).accuracy
  const verifyProof = (proof: CommitProof) => {
    const c = decodeCertificate(proof.certificate)
    return (
      c.ok &&
      verifyCertificate(c.certificate, set, scheme, {
        chainId: chainIdFor(taskId),
        height: proof.descriptor.round,
        valueId: sha256(encodeDescriptor(proof.descriptor)),
      }).ok
    )
  }

  // FLTrust: each aggregator and validator trains the reference itself, with its own model, on the root data.
  const rootData = rootDataSamples(task.rootData, dataset)
  const referenceTrainers: Trainer[] = []
  const referenceMs: number[] = []
  const referenceFor = (): ReferenceSource | undefined => {
    if (task.rule.rule !== 'fltrust' || !rootData) return undefined
    const trainer = createTrainer(task.model)
    referenceTrainers.push(trainer)
    const variant = task.rule.variant
    return createReferenceSource({
      trainer,
      rootData,
      hyper: referenceHyperOf(task),
      variant,
      onComputed: (_, ms) => void referenceMs.push(ms),
    })
  }

  const hosts = new Map<string, RoundHost>()
  const secure = new Map<string, ReturnType<typeof createSecureHandlers>>()
  const adopted = new Map<string, string[]>()
  const committed = new Map<number, ProposalDescriptor>()
  const warnings: string[] = []
  const aborted: string[] = []
  const transcriptsProposed: string[] = []
  const aggregated: MnistRoundRun['aggregated'][number][] = []
  const leaver = setup.leaverInRound2 ? trainerIds[3] : null
  const wrong = setup.wrongAggregator ? aggregatorFor({ aggregators: aggregatorIds, validators: [] }, 1, 0) : null
  const afterShares = new Set([SecaggPhase.SECAGG_MASK, SecaggPhase.SECAGG_CONSISTENCY, SecaggPhase.SECAGG_UNMASK])
  const leaves = (to: string, m: SecaggServer) => leaver !== null && to === leaver && m.round === 2 && afterShares.has(m.phase)

  const handlersFor = (
    id: string,
    identity: { publicKey: Uint8Array; sign: (m: Uint8Array) => Uint8Array; seed?: Uint8Array },
    role: { trains?: boolean; evaluates?: boolean; aggregates?: boolean },
  ): RoundHostHandlers => {
    const liar = id === wrong ? setup.wrongAggregator : undefined
    let reference = role.evaluates || role.aggregates ? referenceFor() : undefined
    if (liar === 'wrong-reference' && reference) {
      const honest = reference
      reference = async (round, hash, base) => {
        const other = await honest(round + 1, hash, base)
        return { ...other, update: other.update.map((x) => x / 10) }
      }
    }
    const ownTask: FlTask = liar === 'no-reference' ? { ...task, rule: { rule: 'fedavg' } } : task
    let training = role.trains ? createTrainingSession(dataset) : undefined
    const byzantine = setup.byzantine !== undefined && id === trainerIds[setup.byzantine]
    if (training && byzantine) {
      const session = training
      training = {
        ...session,
        train: async (request, options) => {
          const result = await session.train(request, options)
          if (!result.update) return result
          return { ...result, update: signFlip(result.update, (task.clipNorm || 1) / (l2Norm(result.update) || 1)) }
        },
      }
    }
    const evaluate = role.evaluates ? async (w: FlatWeights) => evaluator.evaluate(w, test) : undefined
    const sources = {
      fetchBlob: async (h: string) => blobs.get(h) ?? null,
      trainerKey: (peer: string) => identityKeys.get(peer) ?? null,
      verifySignature: (key: Uint8Array, message: Uint8Array, signature: Uint8Array) => ed25519.verify(signature, message, key),
    }
    const models_ = { get: async (h: string) => models.get(h) ?? null, put: putModel }
    let mode: Required<Pick<RoundHostHandlers, 'train' | 'verify'>> & {
      aggregate: (r: AggregateRequest) => Promise<{ candidate: string; inputs: readonly string[]; transcript?: string }>
    }
    if (secureMode) {
      const signer = createEnvelopeSigner(identity, messageKinds)
      const handlers = createSecureHandlers({
        taskId,
        task: ownTask,
        self: id,
        roster,
        sign: identity.sign,
        identitySecretKey: identity.seed ?? new Uint8Array(32),
        sources,
        putBlob,
        models: models_,
        training,
        evaluate,
        reference,
        clock,
        random: seededBytes(`mnist-round/${id}`),
        sendToMember: (to, message) => {
          if (leaves(to, message)) return
          setTimeout(() => void secure.get(to)?.onServerMessage(id, message), 0)
        },
        sendToAggregator: (to, message) => {
          // As the mesh delivers it: a signed envelope, checked and decoded by the gate; the aggregator keeps the bytes.
          const envelope = sealMessage(signer, 'fl.secagg.client', message)
          const payload = SecaggClient.decode(Envelope.decode(envelope).payload)
          setTimeout(() => void secure.get(to)?.onClientMessage(id, envelope, payload), 0)
        },
        onBucketAborted: (round, bucket, reason) => void aborted.push(`round ${round} bucket ${bucket}: ${reason}`),
        onAggregated: (round, details, inputs) => void aggregated.push({ round, aggregator: id, details, inputs }),
        warn: (what, reason) => void warnings.push(`${id.slice(-6)} ${what}: ${reason}`),
      })
      secure.set(id, handlers)
      mode = handlers
    } else {
      mode = createRobustHandlers({
        taskId,
        task: ownTask,
        self: id,
        sign: identity.sign,
        identityKey: identity.publicKey,
        recipients: () => [...agreement.values()].map((k) => k.publicKey),
        sources: { ...sources, recipient: agreement.get(id) ?? { publicKey: new Uint8Array(32), secretKey: new Uint8Array(32) } },
        putBlob,
        models: models_,
        training,
        evaluate,
        reference,
        onAggregated: (round, details, inputs) => void aggregated.push({ round, aggregator: id, details, inputs }),
      })
    }
    return {
      train: role.trains ? (request) => mode.train(request) : undefined,
      verify: role.evaluates ? (d) => mode.verify(d) : undefined,
      aggregate: async (request) => {
        const answer = await mode.aggregate(request)
        if (answer.transcript) transcriptsProposed.push(answer.transcript)
        if (liar !== 'scaled-candidate' || request.round !== 1 || request.attempt !== 0) return answer
        // The genuine inputs (and transcript), a candidate they do not give.
        const honest = models.get(answer.candidate)!
        return { ...answer, candidate: await putModel({ ...honest, values: honest.values.map((v) => v * 3) }) }
      },
      send: (to: string | null, message: RoundMessage) => {
        for (const [other, host] of hosts) if (other !== id && (to === null || to === other)) setTimeout(() => host.receive(id, message), 0)
      },
      certify: async (proof: CommitProof) => verifyProof(proof),
      adopt: async (proof: CommitProof) => {
        adopted.set(id, [...(adopted.get(id) ?? []), proof.descriptor.candidate])
        committed.set(proof.descriptor.round, proof.descriptor)
      },
      attempt: (round: number, attempt: number) => secure.get(id)?.prepare(round, attempt),
      warn: (what: string, reason: string) => void warnings.push(`${id.slice(-6)} ${what}: ${reason}`),
    }
  }
  const base = {
    params: { taskId, rounds: task.rounds, quorum: task.quorum, collectMs: task.collectMs, validateMs: task.validateMs },
    roster,
    committedRound: 0,
    baseModel: initial,
  }

  const bftHandlers = new Map<string, (payload: Uint8Array, sender: Uint8Array) => void>()
  const transport = (name: string, key: Uint8Array): BftTransport => ({
    publish: async (payload) => {
      for (const [other, handler] of bftHandlers) if (other !== name) setTimeout(() => handler(payload, key), 0)
    },
    subscribe: (handler) => {
      bftHandlers.set(name, handler)
      return () => bftHandlers.delete(name)
    },
  })
  const adapters: ConsensusAdapter[] = []
  for (const id of validatorIds) {
    const signer = signers[entries.findIndex((e) => e.id === id)]
    const identity = { publicKey: signer.identityKey, sign: signer.signMessage }
    const host = new RoundHost({ ...base, self: id, trainer: false }, clock, handlersFor(id, identity, { evaluates: true }))
    hosts.set(id, host)
    const adapter = await ConsensusAdapter.start({
      chainId: chainIdFor(taskId),
      validators: set,
      signer,
      scheme,
      transport: transport(id, signer.identityKey),
      store: new MemoryConsensusStore(),
      application: host.application,
      log: silentLogger,
      timeouts: FAST,
    })
    adapter.onDecision((decision) => {
      const d = decodeDescriptor(decision.value)
      if (d.ok) host.decided({ descriptor: d.value, certificate: encodeCertificate(decision.certificate) })
    })
    adapters.push(adapter)
  }
  for (const [i, id] of aggregatorIds.entries())
    hosts.set(
      id,
      new RoundHost({ ...base, self: id, trainer: false }, clock, handlersFor(id, aggregatorIdentities[i], { aggregates: true })),
    )
  for (const [i, id] of trainerIds.entries())
    hosts.set(id, new RoundHost({ ...base, self: id, trainer: true }, clock, handlersFor(id, trainerIdentities[i], { trains: true })))
  for (const id of aggregatorIds) hosts.get(id)!.presence(trainerIds)

  const started = performance.now()
  try {
    await waitFor(
      () => [...hosts.keys()].every((id) => (adopted.get(id)?.length ?? 0) >= setup.rounds),
      `${setup.rounds} rounds adopted everywhere`,
      400_000,
    )
  } finally {
    for (const host of hosts.values()) host.stop()
    for (const handlers of secure.values()) handlers.stop()
    await Promise.all(adapters.map((a) => a.stop()))
  }
  const seconds = (performance.now() - started) / 1000
  const chain = adopted.get(trainerIds[0])!
  const accuracies = [await accuracy(models.get(initial)!), ...(await Promise.all(chain.map((h) => accuracy(models.get(h)!))))]
  evaluator.dispose()
  for (const trainer of referenceTrainers) trainer.dispose()
  return {
    task,
    adopted,
    committed,
    accuracies,
    seconds,
    warnings,
    aborted,
    transcriptsProposed,
    trainerIds,
    leaver,
    wrong,
    referenceMs,
    aggregated,
  }
}

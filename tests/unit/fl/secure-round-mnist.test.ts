/**
 * Every production piece of a secure-mode round, joined in one process: seven trainers training
 * the MNIST MLP on their own shards (the training session the worker runs) and taking part in
 * their bucket's secure aggregation with the attempt's aggregator (signed envelopes, the
 * transcript kept); the aggregator proposing the candidate from the bucket sums with the
 * transcript's hash; four validators replaying the transcript, evaluating on held-out digits
 * and agreeing through the consensus adapter with BLS certificates; every node checking the
 * certificate before adopting. In round 2 one trainer goes away after sending its key shares,
 * within its bucket's threshold. Only the network is in memory. Outcomes only, no timing.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { sha256 } from '@noble/hashes/sha2.js'
import { ed25519 } from '@noble/curves/ed25519.js'
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
import { selectBackend } from '../../../workers/fl/model/backend'
import { nodeBackendOptions } from '../../../workers/fl/node/backend'
import { MNIST_MLP } from '../../../workers/fl/model/spec'
import { createTrainer } from '../../../workers/fl/model/trainer'
import { initialWeights, type FlatWeights } from '../../../workers/fl/model/weights'
import {
  chainIdFor,
  decodeDescriptor,
  encodeDescriptor,
  hashOf,
  type CommitProof,
  type ProposalDescriptor,
  type RoundMessage,
  aggregatorFor,
} from '../../../workers/fl/round'
import { RoundHost, type HostClock } from '../../../workers/fl/round/host'
import { createSecureHandlers } from '../../../workers/fl/round/secure-handlers'
import { SecaggClient, SecaggPhase, type SecaggServer } from '../../../workers/fl/round/wire.pb'
import { createEnvelopeSigner, sealMessage } from '../../../workers/protocol/envelope'
import { Envelope } from '../../../workers/protocol/wire.pb'
import { messageKinds } from '../../../workers/kinds'
import { seededBytes } from '../../../workers/common/random'
import { defaultMnistTask, taskIdOf } from '../../../workers/fl/task/spec'
import { createTrainingSession, HOLDOUT } from '../../../workers/fl/training-session'
import { float32LE } from '../../../workers/fl/update/delta'
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

beforeAll(async () => {
  await selectBackend(nodeBackendOptions({ calibrate: false }))
})

async function waitFor(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

interface Setup {
  readonly rounds: number
  readonly collectMs: number
  readonly validateMs: number
  /** In round 2 one trainer goes away once it has sent its key shares (it never masks), within its bucket's threshold. */
  readonly leaverInRound2?: boolean
  /** The aggregator of round 1's first attempt proposes another model than its buckets give (their sum scaled ×3). */
  readonly wrongAggregator?: boolean
}

async function runSecureTask(setup: Setup) {
  const dataset = loadMnistNode()
  const test = gatherSamples(dataset, splitHoldout(dataset.count, HOLDOUT).test)
  const task = {
    ...defaultMnistTask('admin', 1),
    rounds: setup.rounds,
    quorum: 6,
    localSteps: 8,
    learningRate: 0.1,
    rule: { rule: 'median' as const },
    privacy: { mode: 'secure' as const, bucketSize: 3 },
    collectMs: setup.collectMs,
    validateMs: setup.validateMs,
  }
  const taskId = taskIdOf(task)

  // Content-addressed stores standing in for the transfer protocol.
  const blobs = new Map<string, Uint8Array>()
  const models = new Map<string, FlatWeights>()
  const putModel = async (w: FlatWeights) => {
    const h = hashOf(float32LE(w.values))
    models.set(h, w)
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
  const trainerIdentities = Array.from({ length: 7 }, (_, i) => identityFromSeed(new Uint8Array(32).fill(i + 91)))
  const aggregatorIdentities = Array.from({ length: 2 }, (_, i) => identityFromSeed(new Uint8Array(32).fill(i + 101)))
  const trainerIds = trainerIdentities.map((t) => peerIdStringFromPublicKey(t.publicKey))
  const aggregatorIds = aggregatorIdentities.map((a) => peerIdStringFromPublicKey(a.publicKey))
  const validatorIds = set.validators.map((v) => v.id)
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

  const hosts = new Map<string, RoundHost>()
  const secure = new Map<string, ReturnType<typeof createSecureHandlers>>()
  const adopted = new Map<string, string[]>()
  const warnings: string[] = []
  const aborted: string[] = []
  const leaver = setup.leaverInRound2 ? trainerIds[3] : null
  const wrong = setup.wrongAggregator ? aggregatorFor({ aggregators: aggregatorIds, validators: [] }, 1, 0) : null
  const afterShares = new Set([SecaggPhase.SECAGG_MASK, SecaggPhase.SECAGG_CONSISTENCY, SecaggPhase.SECAGG_UNMASK])
  const leaves = (to: string, m: SecaggServer) => leaver !== null && to === leaver && m.round === 2 && afterShares.has(m.phase)
  const transcriptsProposed: string[] = []
  const committed = new Map<number, ProposalDescriptor>()
  const handlersFor = (
    id: string,
    identity: { publicKey: Uint8Array; sign: (m: Uint8Array) => Uint8Array; seed?: Uint8Array },
    extra: { trains?: boolean; evaluates?: boolean },
  ) => {
    const signer = createEnvelopeSigner(identity, messageKinds)
    const handlers = createSecureHandlers({
      taskId,
      task,
      self: id,
      roster: { aggregators: aggregatorIds, validators: validatorIds },
      sign: identity.sign,
      identitySecretKey: identity.seed ?? new Uint8Array(32),
      sources: {
        fetchBlob: async (h) => blobs.get(h) ?? null,
        trainerKey: (peer) => identityKeys.get(peer) ?? null,
        verifySignature: (key, message, signature) => ed25519.verify(signature, message, key),
      },
      putBlob: async (bytes) => {
        const h = hashOf(bytes)
        blobs.set(h, bytes)
        return h
      },
      models: { get: async (h) => models.get(h) ?? null, put: putModel },
      training: extra.trains ? createTrainingSession(dataset) : undefined,
      evaluate: extra.evaluates ? async (w) => evaluator.evaluate(w, test) : undefined,
      clock,
      random: seededBytes(`secure-mnist/${id}`),
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
      warn: (what, reason) => void warnings.push(`${id.slice(-6)} ${what}: ${reason}`),
    })
    secure.set(id, handlers)
    return {
      ...handlers,
      aggregate: async (request: Parameters<typeof handlers.aggregate>[0]) => {
        const answer = await handlers.aggregate(request)
        transcriptsProposed.push(answer.transcript)
        if (id !== wrong || request.round !== 1 || request.attempt !== 0) return answer
        // The genuine transcript, a candidate it does not replay to.
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
      warn: (what: string, reason: string) => void warnings.push(`${id.slice(-6)} ${what}: ${reason}`),
    }
  }
  const base = {
    params: { taskId, rounds: task.rounds, quorum: task.quorum, collectMs: task.collectMs, validateMs: task.validateMs },
    roster: { aggregators: aggregatorIds, validators: validatorIds },
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
    hosts.set(id, new RoundHost({ ...base, self: id, trainer: false }, clock, handlersFor(id, aggregatorIdentities[i], {})))
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
  const reference = adopted.get(trainerIds[0])!
  const accuracies = [await accuracy(models.get(initial)!), ...(await Promise.all(reference.map((h) => accuracy(models.get(h)!))))]
  evaluator.dispose()
  return { adopted, committed, accuracies, seconds, warnings, aborted, transcriptsProposed, trainerIds, leaver, wrong }
}

describe('a secure-mode federated task on MNIST, every production piece in one process', () => {
  it('trains, aggregates securely, replays, certifies and adopts two rounds; accuracy rises and every node holds the same model', async () => {
    const run = await runSecureTask({ rounds: 2, collectMs: 20_000, validateMs: 20_000, leaverInRound2: true })
    const { adopted, committed, accuracies, trainerIds, leaver } = run
    const reference = adopted.get(trainerIds[0])!
    for (const [id, list] of adopted) expect(list, id).toEqual(reference)
    console.log(
      `[secure-mnist] accuracy by round ${accuracies.map((a) => (a * 100).toFixed(1)).join(' → ')} %, ${run.seconds.toFixed(1)} s for two rounds`,
    )
    expect(accuracies[2]).toBeGreaterThan(accuracies[0] + 0.2)
    expect(accuracies[2]).toBeGreaterThan(accuracies[1] - 0.05)
    // Every committed candidate names its transcript; the round-2 leaver's bucket still finished, without its update.
    expect(run.aborted).toEqual([])
    expect(committed.get(1)!.inputs.map((i) => i.trainer)).toEqual([...trainerIds].sort())
    expect(committed.get(2)!.inputs.map((i) => i.trainer)).toEqual(trainerIds.filter((id) => id !== leaver).sort())
    for (const d of committed.values()) expect(run.transcriptsProposed).toContain(d.transcript)
    expect(run.warnings).toEqual([])
  }, 500_000)

  it('an aggregator whose candidate its transcript does not replay to gets no certificate; the next aggregator completes the round', async () => {
    const run = await runSecureTask({ rounds: 1, collectMs: 8_000, validateMs: 8_000, wrongAggregator: true })
    const d = run.committed.get(1)!
    expect(d.aggregator).not.toBe(run.wrong)
    expect(d.attempt).toBeGreaterThanOrEqual(1)
    const reference = run.adopted.get(run.trainerIds[0])!
    for (const [id, list] of run.adopted) expect(list, id).toEqual(reference)
    expect(run.accuracies[1]).toBeGreaterThan(run.accuracies[0] + 0.2)
    // Each validator said why it refused the wrong one.
    expect(run.warnings.filter((w) => /the transcript replays to .* the aggregator proposed/.test(w)).length).toBeGreaterThanOrEqual(3)
  }, 500_000)
})

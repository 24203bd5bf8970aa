import { describe, expect, it } from 'vitest'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { SigningIdentity } from '../../../workers/identity/ed25519'
import { nativeIdentity } from './native-signer'
import { nativeVerifyEd25519 } from '../../../workers/protocol/node/ed25519'
import type { SignatureCheck } from '../../../workers/protocol/verify'
import { createEnvelopeSigner, sealRaw, signingBytes, type EnvelopeSigner } from '../../../workers/protocol/envelope'
import { rejectReasons, type Rejected, type RejectReason, type Verdict } from '../../../workers/protocol/inbound'
import type { MessageKind } from '../../../workers/protocol/kind-spec'
import { messageKinds } from '../../../workers/kinds'
import { decodeMessage, encodeMessage, type Codec } from 'protons-runtime'

function defaultPayload(kind: MessageKind): Uint8Array {
  const codec = messageKinds[kind].codec as Codec<unknown>
  return encodeMessage(decodeMessage(new Uint8Array(0), codec) as Partial<unknown>, codec)
}
import { defaultReplayWindow } from '../../../workers/protocol/replay-window'
import { AuditRead } from '../../../workers/security/audit/audit-read.pb'
import { CredentialGrant, JoinRequest, Revocation } from '../../../workers/security/credentials/credentials.pb'
import { Chat, Envelope, NodeReport, Presence, TransferManifest, TransferRequest } from '../../../workers/protocol/wire.pb'
import { encodeBftMessage } from '../../../workers/consensus/bft/codec'
import { BftCatchUpRequest } from '../../../workers/consensus/adapter/catch-up.pb'
import { SetChangeRequest } from '../../../workers/consensus/adapter/set-change.pb'
import { createRng as seededRandom, type Rng as Random } from '../../../workers/common/random'
import { replayHint, simSeeds } from '../../sim/seeds'
import { gossipHarness } from '../protocol/gossip-harness'
import { RaftPacket } from '../../../workers/consensus/raft-adapter/wire.pb'
import { TaskAnnounce, TaskAssign, TaskPull, TaskResultBatch, TaskStatus } from '../../../workers/tasks/wire.pb'
import { equalBytes, mutate, randomBytes } from './mutate'
import { TaskConsensus } from '../../../workers/fl/round/wire.pb'

const FILE = 'tests/unit/fuzz/envelope-gate.test.ts'
const CASES_PER_SEED = 12_500
const SEEDS = simSeeds(7001, 4)
const T0 = 1_700_000_000_000
const encoder = new TextEncoder()

const gossipKinds: MessageKind[] = ['mesh.presence', 'mesh.chat', 'cred.grant', 'cred.revoke', 'bft.message']
const allKinds = Object.keys(messageKinds) as MessageKind[]

/** A valid payload of each kind, with seeded contents. */
const payloadOf: Record<MessageKind, (r: Random) => Uint8Array> = {
  'mesh.presence': (r) =>
    Presence.encode({
      multiaddrs: [encoder.encode(`/ip4/10.0.0.${r.intBetween(1, 254)}/tcp/9090/ws`) as Uint8Array<ArrayBuffer>],
      agent: 'fuzz',
      nodeKind: r.pick(['browser', 'relay']),
      credential: randomBytes(r, r.intBetween(0, 64)) as Uint8Array<ArrayBuffer>,
    }),
  'mesh.chat': (r) => Chat.encode({ text: 'hello '.repeat(r.intBetween(1, 8)), sentAtUs: BigInt(r.intBetween(1, 2 ** 31)) }),
  'transfer.request': (r) =>
    TransferRequest.encode({ sha256: randomBytes(r, 32) as Uint8Array<ArrayBuffer>, fromChunk: r.intBetween(0, 9) }),
  'transfer.manifest': (r) =>
    TransferManifest.encode({
      sha256: randomBytes(r, 32) as Uint8Array<ArrayBuffer>,
      totalBytes: 10n,
      chunkBytes: 10,
      chunkSha256: [randomBytes(r, 32) as Uint8Array<ArrayBuffer>],
      error: '',
    }),
  'cred.request': (r) =>
    JoinRequest.encode({
      identityPublicKey: randomBytes(r, 32) as Uint8Array<ArrayBuffer>,
      blsPublicKey: randomBytes(r, 48) as Uint8Array<ArrayBuffer>,
      blsProofOfPossession: randomBytes(r, 96) as Uint8Array<ArrayBuffer>,
      agreementPublicKey: randomBytes(r, 32) as Uint8Array<ArrayBuffer>,
      roles: ['trainer'],
    }),
  'cred.grant': (r) => CredentialGrant.encode({ certificate: randomBytes(r, r.intBetween(1, 200)) as Uint8Array<ArrayBuffer> }),
  'cred.revoke': (r) =>
    Revocation.encode({
      serial: 'ab12',
      revokedAtMs: BigInt(r.intBetween(1, 2 ** 31)),
      reason: 'fuzz',
      signature: randomBytes(r, 64) as Uint8Array<ArrayBuffer>,
    }),
  // The round's messages with their schema's default values: the fuzzer mutates from there.
  'fl.task.create': () => defaultPayload('fl.task.create'),
  'fl.round.announce': () => defaultPayload('fl.round.announce'),
  'fl.round.submit': () => defaultPayload('fl.round.submit'),
  'fl.round.propose': () => defaultPayload('fl.round.propose'),
  'fl.round.committed': () => defaultPayload('fl.round.committed'),
  'fl.trainer.ready': () => defaultPayload('fl.trainer.ready'),
  'fl.secagg.server': () => defaultPayload('fl.secagg.server'),
  'fl.secagg.client': () => defaultPayload('fl.secagg.client'),
  'fl.consensus': (r) => TaskConsensus.encode({ taskId: 'fuzz', message: randomBytes(r, r.intBetween(0, 300)) as Uint8Array<ArrayBuffer> }),
  'ops.report': (r) =>
    NodeReport.encode({
      backend: r.pick(['wasm', 'cpu', 'webgpu']),
      samplesPerSecond: r.next() * 10_000,
      gateRejections: r.intBetween(0, 1000),
      roundPhase: '',
    }),
  'audit.read': (r) => AuditRead.encode({ fromSeq: BigInt(r.intBetween(0, 1000)), limit: r.intBetween(1, 100) }),
  'bft.message': (r) =>
    encodeBftMessage({
      kind: 'vote',
      height: r.intBetween(1, 1000),
      round: r.intBetween(0, 5),
      type: 'prevote',
      valueId: randomBytes(r, 32),
      validator: r.intBetween(0, 10),
      commitSignature: new Uint8Array(0),
      signature: randomBytes(r, 64),
    }),
  'bft.catchup': (r) => BftCatchUpRequest.encode({ chainId: 'fuzz', fromHeight: BigInt(r.intBetween(1, 1000)) }),
  'bft.setchange.request': (r) => SetChangeRequest.encode({ chainId: 'fuzz', removeId: `12D3KooW${r.intBetween(1, 1000)}` }),
  'raft.message': (r) =>
    RaftPacket.encode({ version: 1, to: 'coordinator', message: randomBytes(r, r.intBetween(0, 64)) as Uint8Array<ArrayBuffer> }),
  'raft.message.direct': (r) =>
    RaftPacket.encode({ version: 1, to: 'coordinator', message: randomBytes(r, r.intBetween(0, 64)) as Uint8Array<ArrayBuffer> }),
  'task.announce': (r) =>
    TaskAnnounce.encode({
      version: 1,
      taskId: 'task-fuzz',
      kind: 'pixel-stats',
      params: [{ name: 'shards', value: String(r.intBetween(1, 64)) }],
      redundancy: r.intBetween(1, 5),
    }),
  'task.pull': (r) =>
    TaskPull.encode({
      version: 1,
      slots: r.intBetween(0, 8),
      backend: 'wasm',
      samplesPerS: r.intBetween(0, 10_000),
      cores: r.intBetween(1, 16),
      recentUnitsPerS: 0,
      visible: true,
      battery: -1,
      charging: false,
      running: [],
      unacked: [],
    }),
  'task.assign': (r) => TaskAssign.encode({ version: 1, worker: 'worker', term: BigInt(r.intBetween(1, 100)), assignments: [], acked: [] }),
  'task.assign.direct': (r) =>
    TaskAssign.encode({ version: 1, worker: 'worker', term: BigInt(r.intBetween(1, 100)), assignments: [], acked: [] }),
  'task.result.direct': (r) =>
    TaskResultBatch.encode({
      version: 2,
      results: [
        { version: 1, taskId: 'task-fuzz', subtask: r.intBetween(0, 63), values: [1, 2, 3], startedMs: 1, finishedMs: 2, backend: 'cpu' },
      ],
    }),
  'task.result': (r) =>
    TaskResultBatch.encode({
      version: 2,
      results: [
        { version: 1, taskId: 'task-fuzz', subtask: r.intBetween(0, 63), values: [1, 2, 3], startedMs: 1, finishedMs: 2, backend: 'cpu' },
      ],
    }),
  'task.status': (r) =>
    TaskStatus.encode({
      version: 1,
      taskId: 'task-fuzz',
      kind: 'pixel-stats',
      params: [],
      redundancy: 1,
      initiator: '',
      state: 'running',
      reason: '',
      coordinator: 'c',
      term: BigInt(r.intBetween(1, 100)),
      announcedMs: 1,
      finishedMs: 0,
      result: [],
      summary: '',
      subtasks: [],
    }),
}

interface Expectation {
  readonly accept: boolean
  readonly reason?: RejectReason
}

describe('fuzz: envelope decoder and inbound gate', () => {
  it(`${SEEDS.length} seeds × ${CASES_PER_SEED} hostile and honest envelopes: nothing throws, only exact honest bytes pass, rejections leave the gate unchanged`, async () => {
    const started = performance.now()
    let cases = 0
    const byGenerator: Record<string, number> = {}
    for (const seed of SEEDS) cases += await runSeed(seed, byGenerator)
    const seconds = (performance.now() - started) / 1000
    console.log(
      `[fuzz] envelope gate: ${cases} cases in ${seconds.toFixed(1)} s (seeds ${SEEDS.join(', ')}; replay one with SIM_SEED=<seed>) ${JSON.stringify(byGenerator)}`,
    )
    if (!process.env.SIM_SEED) expect(cases).toBeGreaterThanOrEqual(SEEDS.length * CASES_PER_SEED)
  })
})

async function runSeed(seed: number, byGenerator: Record<string, number>): Promise<number> {
  const random = seededRandom(seed)
  let now = T0
  const clock = () => now
  const alice = nativeIdentity(randomBytes(random, 32))
  const bob = nativeIdentity(randomBytes(random, 32))
  const mallory = nativeIdentity(randomBytes(random, 32))
  const signers = new Map<SigningIdentity, EnvelopeSigner>(
    [alice, bob, mallory].map((id) => [id, createEnvelopeSigner(id, messageKinds, clock)]),
  )
  const authorize = (kind: string, _senders: unknown, sender: Uint8Array) =>
    (kind === 'cred.grant' || kind === 'cred.revoke') && equalBytes(sender, mallory.publicKey) ? 'mallory is no admin' : null
  // Node's synchronous native Ed25519: the same answers as the WebCrypto verifier, without a
  // thread-pool hop per message, so 60,000 cases stay within seconds.
  const verify = async (checks: readonly SignatureCheck[]) => checks.map((c) => nativeVerifyEd25519(c.publicKey, c.message, c.signature))
  const harness = gossipHarness({ now: clock, kinds: gossipKinds, authorize, verify })
  const accepted: Array<{ kind: MessageKind; bytes: Uint8Array; sender: SigningIdentity }> = []
  let index = 0

  const fail = (what: string, detail: unknown): never =>
    expect.fail(
      `${replayHint(seed, FILE)}\ncase ${index}: ${what}\n${JSON.stringify(detail, (_, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('hex').slice(0, 200) : v))}`,
    )

  /** Delivers bytes as a message of `kind` would arrive (its carrier, its topic or expected kind) and checks the outcome. */
  const deliver = async (
    generator: string,
    kind: MessageKind,
    bytes: Uint8Array,
    expected: Expectation,
    options: { carrier?: 'gossip' | 'stream' | 'http'; expectedKind?: MessageKind; origin?: Uint8Array } = {},
  ) => {
    index++
    byGenerator[generator] = (byGenerator[generator] ?? 0) + 1
    const carrier = options.carrier ?? messageKinds[kind].carrier
    const rejectionsBefore = harness.rejections.length
    const acceptedBefore = harness.validator.accepted
    const deliveredBefore = harness.delivered.length
    let ok: boolean
    let reason: string | undefined
    try {
      if (carrier === 'gossip' && options.carrier === undefined && gossipKinds.includes(options.expectedKind ?? kind)) {
        const result = await harness.arrive(options.expectedKind ?? kind, bytes)
        ok = result === TopicValidatorResult.Accept
        reason = harness.rejections.at(-1)?.reason
        if (ok && harness.delivered.length !== deliveredBefore + 1) fail(`${generator}: accepted but not delivered`, { kind })
      } else {
        const verdict: Verdict = await harness.validator.check(bytes, {
          carrier,
          expectedKind: options.expectedKind ?? kind,
          originPublicKey: options.origin,
        })
        ok = verdict.ok
        reason = verdict.ok ? undefined : verdict.reason
      }
    } catch (err) {
      return fail(`${generator}: the gate threw`, { kind, err: String((err as Error)?.stack ?? err) })
    }
    if (ok !== expected.accept)
      fail(`${generator}: ${ok ? 'accepted' : 'rejected'} but expected ${expected.accept ? 'acceptance' : 'rejection'}`, {
        kind,
        reason,
        last: harness.rejections.at(-1),
        bytes,
      })
    if (ok) {
      if (harness.validator.accepted !== acceptedBefore + 1) fail(`${generator}: acceptance not counted`, {})
      if (harness.rejections.length !== rejectionsBefore) fail(`${generator}: accepted but also reported as rejected`, {})
    } else {
      const reported: Rejected[] = harness.rejections.slice(rejectionsBefore)
      if (reported.length !== 1) fail(`${generator}: ${reported.length} rejection reports for one message`, { reported })
      const [rejection] = reported
      if (!rejectReasons.includes(rejection.reason) || typeof rejection.detail !== 'string' || rejection.detail.length === 0)
        fail(`${generator}: rejection without a reason`, { rejection })
      if (expected.reason && rejection.reason !== expected.reason)
        fail(`${generator}: rejected for ${rejection.reason}, expected ${expected.reason}`, { rejection })
      if (harness.validator.accepted !== acceptedBefore) fail(`${generator}: a rejection changed the accepted count`, {})
      void reason
    }
  }

  const fresh = (sender: SigningIdentity = random.chance(0.5) ? alice : bob, kind: MessageKind = random.pick(allKinds)) => {
    const bytes = sealRaw(signers.get(sender)!, kind, payloadOf[kind](random))
    return { kind, bytes, sender }
  }

  while (index < CASES_PER_SEED) {
    now += random.intBetween(0, 20)
    const roll = random.next()
    if (roll < 0.6) {
      // One honest message: hostile variants of it first, each of which must be refused without
      // touching its replay slot; then the honest bytes, which must still pass; then a replay.
      const honest = fresh()
      const other = fresh()
      const variants = random.intBetween(8, 20)
      for (let v = 0; v < variants; v++) {
        const { bytes } = mutate(random, honest.bytes, other.bytes)
        if (equalBytes(bytes, honest.bytes) || equalBytes(bytes, other.bytes)) continue
        await deliver('mutated', honest.kind, bytes, { accept: false })
      }
      const wrongKinds = allKinds.filter((k) => k !== honest.kind && messageKinds[k].carrier === messageKinds[honest.kind].carrier)
      if (wrongKinds.length > 0 && random.chance(0.5))
        await deliver(
          'wrong-topic',
          honest.kind,
          honest.bytes,
          { accept: false, reason: 'wrong-topic' },
          { expectedKind: random.pick(wrongKinds) },
        )
      if (random.chance(0.3)) {
        const carrier = random.pick((['gossip', 'stream', 'http'] as const).filter((c) => c !== messageKinds[honest.kind].carrier))
        await deliver('wrong-carrier', honest.kind, honest.bytes, { accept: false, reason: 'wrong-carrier' }, { carrier })
      }
      if (random.chance(0.4)) {
        // Another message's signature on this one, or this one claiming another sender.
        const envelope = Envelope.decode(honest.bytes)
        const swapped = random.chance(0.5)
          ? Envelope.encode({ ...envelope, signature: Envelope.decode(other.bytes).signature })
          : Envelope.encode({
              ...envelope,
              sender: (envelope.sender === alice.publicKey ? bob : alice).publicKey as Uint8Array<ArrayBuffer>,
            })
        if (!equalBytes(swapped, honest.bytes)) await deliver('swapped-key', honest.kind, swapped, { accept: false })
      }
      if (messageKinds[honest.kind].carrier === 'stream' && random.chance(0.5)) {
        await deliver(
          'origin-mismatch',
          honest.kind,
          honest.bytes,
          { accept: false, reason: 'sender-mismatch' },
          { origin: (honest.sender === alice ? bob : alice).publicKey },
        )
      }
      await deliver('honest', honest.kind, honest.bytes, { accept: true })
      accepted.push(honest)
      if (random.chance(0.3)) await deliver('replay', honest.kind, honest.bytes, { accept: false, reason: 'replay' })
      if (random.chance(0.5)) {
        await deliver('honest-other', other.kind, other.bytes, { accept: true })
        accepted.push(other)
      }
    } else if (roll < 0.7) {
      // Random bytes, sometimes at and over the size limit of the kind the channel carries (checked before decoding).
      const kind = random.pick(allKinds)
      const limit = messageKinds[kind].maxEnvelopeBytes
      const length = random.chance(0.05) ? random.pick([limit, limit + 1, limit * 2]) : random.intBetween(0, 400)
      await deliver('random', kind, randomBytes(random, length), {
        accept: false,
        reason: length > limit ? 'oversized' : undefined,
      })
    } else if (roll < 0.78) {
      // A replay of anything accepted earlier in this seed.
      const earlier = accepted.length > 0 ? random.pick(accepted) : undefined
      if (!earlier) continue
      await deliver('replay-earlier', earlier.kind, earlier.bytes, { accept: false })
    } else if (roll < 0.84) {
      // Mallory signs a message that names Alice as its sender.
      const kind = random.pick(allKinds)
      const unsigned: Envelope = {
        version: 1,
        kind,
        sender: alice.publicKey as Uint8Array<ArrayBuffer>,
        seq: signers.get(mallory)!.sequence.next(),
        timestampMs: BigInt(now),
        payload: payloadOf[kind](random) as Uint8Array<ArrayBuffer>,
        signature: new Uint8Array(0),
      }
      const forged = Envelope.encode({ ...unsigned, signature: mallory.sign(signingBytes(unsigned)) as Uint8Array<ArrayBuffer> })
      // Its seq may collide with one of Alice's (the clocks agree): then the replay check refuses it first.
      await deliver('forged-sender', kind, forged, { accept: false })
    } else if (roll < 0.88) {
      // Kinds Mallory may not send: refused after the signature, without taking the slot.
      const kind = random.pick(['cred.grant', 'cred.revoke'] as const)
      await deliver('unauthorized', kind, fresh(mallory, kind).bytes, { accept: false, reason: 'unauthorized' })
    } else if (roll < 0.92) {
      // Stale and future timestamps.
      const future = random.chance(0.5)
      const skew = future
        ? defaultReplayWindow.maxFutureMs + random.intBetween(1, 60_000)
        : -(defaultReplayWindow.maxAgeMs + random.intBetween(1, 60_000))
      const sender = random.chance(0.5) ? alice : bob
      const skewed: EnvelopeSigner = { ...signers.get(sender)!, now: () => now + skew }
      const kind = random.pick(allKinds)
      await deliver('clock', kind, sealRaw(skewed, kind, payloadOf[kind](random)), { accept: false, reason: future ? 'future' : 'stale' })
    } else {
      // Sizes at and just over each kind's limit.
      const kind = random.pick(allKinds)
      const limit = messageKinds[kind].maxEnvelopeBytes
      if (kind === 'mesh.chat') {
        const atLimit = chatOfSize(signers.get(alice)!, limit)
        await deliver('size-at-limit', kind, atLimit, { accept: true })
        accepted.push({ kind, bytes: atLimit, sender: alice })
        await deliver('size-over-limit', kind, chatOfSize(signers.get(alice)!, limit + 1), { accept: false, reason: 'oversized' })
      } else {
        await deliver('size-over-limit', kind, sealRaw(signers.get(bob)!, kind, randomBytes(random, limit)), {
          accept: false,
          reason: 'oversized',
        })
      }
    }
  }
  // Every honest message that was delivered reached its handlers exactly once.
  const seqs = harness.delivered.map((d) => `${d.sender}:${d.seq}`)
  if (new Set(seqs).size !== seqs.length) fail('a gossip message was delivered twice', {})
  return index
}

/** A signed chat envelope of exactly `size` bytes. */
function chatOfSize(signer: EnvelopeSigner, size: number): Uint8Array {
  let textLength = size - 200
  for (let attempt = 0; attempt < 6; attempt++) {
    const bytes = sealRaw(signer, 'mesh.chat', Chat.encode({ text: 'a'.repeat(textLength), sentAtUs: 1n }))
    if (bytes.length === size) return bytes
    textLength += size - bytes.length
  }
  throw new Error(`cannot make a chat envelope of ${size} bytes`)
}

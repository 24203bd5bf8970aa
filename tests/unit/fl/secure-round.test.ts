/**
 * Secure mode's aggregation within one attempt, as production runs it (workers/fl/round/
 * secure-session.ts, secure-reexecute.ts): trainers' secure-aggregation clients and the
 * aggregator's per-bucket machines exchange real signed envelopes in memory; the aggregator's
 * transcript is replayed by a validator to the same candidate. A forged or altered client
 * message, a wrong candidate or a wrongly named input gets no vote; dropouts within a bucket's
 * threshold still give a candidate, and a bucket that aborts is left out.
 */
import { describe, expect, it } from 'vitest'
import { ed25519 } from '@noble/curves/ed25519.js'
import { seededBytes } from '../../../workers/common/random'
import { verifyEd25519Batch } from '../../../workers/protocol/verify'
import { nodePrimitives } from '../../../workers/secagg/node/primitives'
import { createEnvelopeSigner, sealMessage, signingBytes } from '../../../workers/protocol/envelope'
import { Envelope } from '../../../workers/protocol/wire.pb'
import { messageKinds } from '../../../workers/kinds'
import { identityFromSeed, peerIdStringFromPublicKey } from '../../../workers/identity/ed25519'
import { submissionSignBytes } from '../../../workers/fl/round/codec'
import { hashOf } from '../../../workers/fl/round/identity'
import { attemptStep } from '../../../workers/fl/task/spec'
import {
  candidateFromBuckets,
  encodeTranscript,
  includedTrainers,
  judgeSecureCandidate,
  secureSubmissionTicket,
  type SecureTaskFrame,
} from '../../../workers/fl/round/secure-reexecute'
import { SecureAggregatorSession, SecureClientSession, planSecureRound, type SecureFrame } from '../../../workers/fl/round/secure-session'
import type { ProposalDescriptor, SubmissionRef } from '../../../workers/fl/round/types'
import { SecaggClient, SecaggPhase, SecureTranscript, type SecaggServer } from '../../../workers/fl/round/wire.pb'
import type { FlatWeights } from '../../../workers/fl/model/weights'
import type { RuleConfig } from '../../../workers/fl/aggregation/aggregate'

const D = 24
const PHASE_MS = 1000
const TASK = 'secure-task'
const base: FlatWeights = { shapes: [{ name: '0/kernel', shape: [D] }], values: new Float32Array(D) }
const baseHash = hashOf(new Uint8Array(base.values.buffer))
const target = Float32Array.from({ length: D }, (_, i) => Math.sin(i + 1))

const trainers = Array.from({ length: 7 }, (_, i) => {
  const identity = identityFromSeed(new Uint8Array(32).fill(i + 31))
  return { identity, id: peerIdStringFromPublicKey(identity.publicKey) }
}).sort((a, b) => (a.id < b.id ? -1 : 1))
const byId = new Map(trainers.map((t) => [t.id, t]))
const keyOf = (id: string) => byId.get(id)?.identity.publicKey ?? null
const sources = {
  trainerKey: keyOf,
  verifySignature: (key: Uint8Array, message: Uint8Array, signature: Uint8Array) => ed25519.verify(signature, message, key),
}
const cohort = trainers.map((t) => t.id)
const aggregator = 'aggregator-0'

/** Each honest trainer steps half-way to the target, plus a little noise of its own. */
function updateOf(i: number): Float32Array {
  const noise = seededBytes(`update-${i}`)(D)
  return Float32Array.from(target, (t, j) => 0.5 * t + (noise[j] / 255 - 0.5) * 0.02)
}

type Phase = 'advertise' | 'share' | 'mask' | 'consistency' | 'unmask'
const PHASE_OF: Record<string, Phase> = {
  [SecaggPhase.SECAGG_BEGIN]: 'advertise',
  [SecaggPhase.SECAGG_SHARE]: 'share',
  [SecaggPhase.SECAGG_MASK]: 'mask',
  [SecaggPhase.SECAGG_CONSISTENCY]: 'consistency',
  [SecaggPhase.SECAGG_UNMASK]: 'unmask',
}
const ORDER: Phase[] = ['advertise', 'share', 'mask', 'consistency', 'unmask']

function submission(id: string, round: number): SubmissionRef {
  const t = byId.get(id)!
  const update = secureSubmissionTicket(TASK, round, id)
  return { trainer: id, update, samples: 100, signature: t.identity.sign(submissionSignBytes(TASK, round, update, 100)) }
}

/** One attempt's secure aggregation, every message through its codec and (client → aggregator) a signed envelope. */
async function runAttempt(
  options: {
    dropFrom?: ReadonlyMap<string, Phase>
    rule?: RuleConfig
    participants?: readonly string[]
    attempt?: number
    retryStep?: number
  } = {},
) {
  const attempt = options.attempt ?? 0
  const retryStep = options.retryStep ?? 1
  const frame: SecureFrame = {
    taskId: TASK,
    round: 1,
    attempt,
    aggregator,
    baseModel: baseHash,
    cohort,
    bucketSize: 3,
    vectorLength: D,
    bound: 2,
  }
  const plan = planSecureRound(frame, keyOf)
  if (!plan.ok) throw new Error(plan.reason)
  const participants = options.participants ?? cohort
  let now = 0
  const session = new SecureAggregatorSession({ frame, buckets: plan.buckets, participants, now, phaseMs: PHASE_MS })
  const clients = new Map<string, SecureClientSession>()
  const signers = new Map(trainers.map((t) => [t.id, createEnvelopeSigner(t.identity, messageKinds, () => 1_000_000)]))
  const refusals: string[] = []
  const queue: { to: string; message: SecaggServer }[] = []
  const deliver = async (from: string, message: SecaggClient) => {
    const envelope = sealMessage(signers.get(from)!, 'fl.secagg.client', SecaggClient.decode(SecaggClient.encode(message)))
    const out = await session.receive(from, envelope, message, now)
    if (!out.ok) refusals.push(out.reason ?? '')
    queue.push(...out.messages)
  }
  queue.push(...(await session.start(now)).messages)
  for (let guard = 0; !session.finished && guard < 50; guard++) {
    while (queue.length > 0) {
      const { to, message } = queue.shift()!
      const gone = options.dropFrom?.get(to)
      if (gone && ORDER.indexOf(PHASE_OF[message.phase]) >= ORDER.indexOf(gone)) continue
      if (message.phase === SecaggPhase.SECAGG_BEGIN) {
        const client = new SecureClientSession({
          frame: { ...frame, cohort: message.cohort },
          buckets: plan.buckets,
          self: to,
          update: updateOf(cohort.indexOf(to)),
          random: seededBytes(`client-${to}`),
          identitySecretKey: byId.get(to)!.identity.seed,
        })
        clients.set(to, client)
        const step = client.begin()
        if (step.ok) await deliver(to, step.message)
        continue
      }
      const step = await clients.get(to)!.receive(message)
      if (step.ok) await deliver(to, step.message)
      else refusals.push(step.reason)
    }
    if (!session.finished) {
      now = session.wakeAt()
      queue.push(...(await session.tick(now)).messages)
    }
  }
  expect(session.finished).toBe(true)
  const outcomes = session.outcomes()
  const results = outcomes.map((o) => (o?.ok ? o.result : null))
  const inputs = outcomes
    .flatMap((o, b) =>
      o?.ok
        ? includedTrainers(
            plan.buckets[b].members.map((m) => cohort[m]),
            o.result,
          )
        : [],
    )
    .sort()
  const rule = options.rule ?? { rule: 'fedavg' }
  const candidate = candidateFromBuckets(base, results, rule, attemptStep(retryStep, attempt))
  const transcript = encodeTranscript({ frame, buckets: session.transcript() })
  const descriptor: ProposalDescriptor = {
    taskId: TASK,
    round: 1,
    attempt,
    aggregator,
    baseModel: baseHash,
    inputs: inputs.map((id) => submission(id, 1)),
    candidate: candidate.ok ? candidate.value.hash : '0'.repeat(64),
    transcript: hashOf(transcript),
  }
  const taskFrame: SecureTaskFrame = { taskId: TASK, round: 1, base, baseHash, bucketSize: 3, bound: 2, rule, retryStep }
  return { plan: plan.buckets, outcomes, refusals, candidate, transcript, descriptor, taskFrame }
}

/** Held-out "accuracy": closeness to the target. */
const quality = {
  evaluate: async (w: FlatWeights) => {
    let distance = 0
    for (let i = 0; i < D; i++) distance += (w.values[i] - target[i]) ** 2
    return { accuracy: 1 / (1 + Math.sqrt(distance)), loss: Math.sqrt(distance) }
  },
  baselineAccuracy: 0,
  maxAccuracyDrop: 0.05,
}

function judge(run: Awaited<ReturnType<typeof runAttempt>>, changes: Partial<ProposalDescriptor> = {}, transcript = run.transcript) {
  const descriptor = { ...run.descriptor, ...changes }
  return judgeSecureCandidate(descriptor, transcript, run.taskFrame, sources, quality)
}

/** The transcript with one client entry's envelope replaced. */
function withEnvelope(
  transcript: Uint8Array,
  pick: (phase: SecaggPhase) => boolean,
  replace: (envelope: Envelope) => Uint8Array,
): Uint8Array {
  const t = SecureTranscript.decode(transcript)
  let done = false
  for (const bucket of t.buckets)
    for (const entry of bucket.entries) {
      if (done || entry.close) continue
      const envelope = Envelope.decode(entry.envelope)
      if (!pick(SecaggClient.decode(envelope.payload).phase)) continue
      entry.envelope = replace(envelope) as Uint8Array<ArrayBuffer>
      done = true
    }
  expect(done).toBe(true)
  return SecureTranscript.encode(t)
}

describe('secure mode: bucketed secure aggregation, transcript and replay', () => {
  it('every bucket finishes, the validator replays the transcript to the proposed candidate and votes yes', async () => {
    const run = await runAttempt()
    expect(run.plan.map((b) => b.members.length)).toEqual([3, 4])
    expect(run.refusals).toEqual([])
    expect(run.outcomes.every((o) => o?.ok)).toBe(true)
    expect(run.descriptor.inputs.map((i) => i.trainer)).toEqual(cohort)
    const verdict = await judge(run)
    expect(verdict.reason).toBeUndefined()
    expect(verdict.valid).toBe(true)
    expect(verdict.candidate?.hash).toBe(run.descriptor.candidate)
    // The bucket means average to the mean update (FedAvg weighs each bucket by its members).
    const mean = new Float32Array(D)
    for (let i = 0; i < cohort.length; i++) updateOf(i).forEach((v, j) => (mean[j] += v / cohort.length))
    for (let j = 0; j < D; j++) expect(verdict.candidate!.weights.values[j]).toBeCloseTo(mean[j], 4)
  })

  it("a relay's replay (native signature checks off the event loop, OpenSSL's primitives) gives the browser's bits", async () => {
    const run = await runAttempt()
    const native = {
      ...sources,
      verifySignature: async (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) =>
        (await verifyEd25519Batch([{ publicKey, message, signature }]))[0],
      primitives: nodePrimitives,
    }
    const verdict = await judgeSecureCandidate(run.descriptor, run.transcript, run.taskFrame, native, quality)
    expect(verdict.reason).toBeUndefined()
    expect(verdict.candidate?.hash).toBe(run.descriptor.candidate)
    // A forged envelope is still caught by the asynchronous checks.
    const forged = withEnvelope(
      run.transcript,
      (p) => p === SecaggPhase.SECAGG_MASK,
      (e) => Envelope.encode({ ...e, signature: new Uint8Array(64).fill(7) }),
    )
    const refused = await judgeSecureCandidate({ ...run.descriptor, transcript: hashOf(forged) }, forged, run.taskFrame, native, quality)
    expect(refused.valid).toBe(false)
    expect(refused.reason).toMatch(/is not signed by its sender/)
  })

  it('a robust rule across buckets gives the same candidate on replay', async () => {
    const run = await runAttempt({ rule: { rule: 'median' } })
    expect((await judge(run)).valid).toBe(true)
  })

  it("a later attempt adds the retry step's power of the aggregate; the full step there gets no vote", async () => {
    const first = await runAttempt({ retryStep: 0.5 })
    const third = await runAttempt({ retryStep: 0.5, attempt: 2 })
    const verdict = await judge(third)
    expect(verdict.reason).toBeUndefined()
    expect(verdict.valid).toBe(true)
    const full = (await judge(first)).candidate!.weights.values
    // base is zero: attempt 2 steps a quarter of what attempt 0 does, from the same updates.
    for (let j = 0; j < D; j++) expect(verdict.candidate!.weights.values[j]).toBeCloseTo(full[j] / 4, 6)
    const results = third.outcomes.map((o) => (o?.ok ? o.result : null))
    const fullStep = candidateFromBuckets(base, results, { rule: 'fedavg' }, 1)
    if (!fullStep.ok) throw new Error(fullStep.reason)
    const refused = await judge(third, { candidate: fullStep.value.hash })
    expect(refused.valid).toBe(false)
    expect(refused.reason).toMatch(/replays to .* the aggregator proposed/)
  })

  it('a wrong candidate gets no vote', async () => {
    const run = await runAttempt()
    const verdict = await judge(run, { candidate: hashOf(new Uint8Array([1, 2, 3])) })
    expect(verdict.valid).toBe(false)
    expect(verdict.reason).toMatch(/replays to .* the aggregator proposed/)
  })

  it('an altered masked input (signature left as it was) or a client message signed by another key gets no vote', async () => {
    const run = await runAttempt()
    const altered = withEnvelope(
      run.transcript,
      (p) => p === SecaggPhase.SECAGG_MASK,
      (e) => {
        const payload = SecaggClient.decode(e.payload)
        const masked = Uint8Array.from(payload.message)
        masked[masked.length - 1] ^= 0x01
        return Envelope.encode({ ...e, payload: SecaggClient.encode({ ...payload, message: masked }) })
      },
    )
    const a = await judge(run, { transcript: hashOf(altered) }, altered)
    expect(a.valid).toBe(false)
    expect(a.reason).toMatch(/is not signed by its sender/)

    // The aggregator re-signs a client's message with a key of its own: the sender is not that member.
    const impostor = identityFromSeed(new Uint8Array(32).fill(250))
    const forged = withEnvelope(
      run.transcript,
      (p) => p === SecaggPhase.SECAGG_ADVERTISE,
      (e) => {
        const unsigned = { ...e, sender: impostor.publicKey as Uint8Array<ArrayBuffer> }
        return Envelope.encode({ ...unsigned, signature: impostor.sign(signingBytes(unsigned)) as Uint8Array<ArrayBuffer> })
      },
    )
    const f = await judge(run, { transcript: hashOf(forged) }, forged)
    expect(f.valid).toBe(false)
    expect(f.reason).toMatch(/is not from member/)

    // A transcript that does not match the hash the descriptor names.
    expect((await judge(run, {}, altered)).reason).toBe('transcript does not match its hash')
  })

  it('a descriptor naming a trainer outside the sums, or leaving one out, gets no vote', async () => {
    const run = await runAttempt({ dropFrom: new Map([[cohort[0], 'mask']]) })
    const extra = await judge(run, { inputs: cohort.map((id) => submission(id, 1)) })
    expect(extra.valid).toBe(false)
    expect(extra.reason).toMatch(/names 7 inputs, the transcript's sums hold 6/)
    const fewer = await judge(run, { inputs: run.descriptor.inputs.slice(1) })
    expect(fewer.valid).toBe(false)
  })

  it('a trainer gone within its bucket’s threshold: the bucket still finishes without it and the candidate replays', async () => {
    for (const phase of ['share', 'mask', 'unmask'] as const) {
      const gone = cohort[2]
      const run = await runAttempt({ dropFrom: new Map([[gone, phase]]) })
      expect(
        run.outcomes.every((o) => o?.ok),
        phase,
      ).toBe(true)
      // Gone before masking: left out of the sum; gone after: its masked input is in the sum and its mask is rebuilt.
      const inSum = phase === 'unmask'
      expect(
        run.descriptor.inputs.some((i) => i.trainer === gone),
        phase,
      ).toBe(inSum)
      const verdict = await judge(run)
      expect(verdict.reason, phase).toBeUndefined()
      expect(verdict.valid, phase).toBe(true)
    }
  })

  it('a bucket that aborts (too few members left) is left out; the replay leaves it out too', async () => {
    const first = planSecureRound(
      { taskId: TASK, round: 1, attempt: 0, aggregator, baseModel: baseHash, cohort, bucketSize: 3, vectorLength: D, bound: 2 },
      keyOf,
    )
    if (!first.ok) throw new Error(first.reason)
    const [a, b] = first.buckets[0].members.map((m) => cohort[m])
    const run = await runAttempt({
      dropFrom: new Map([
        [a, 'share'],
        [b, 'share'],
      ]),
    })
    expect(run.outcomes[0]?.ok).toBe(false)
    expect(run.outcomes[1]?.ok).toBe(true)
    expect(run.descriptor.inputs).toHaveLength(4)
    expect((await judge(run)).valid).toBe(true)
  })

  it('a trainer that did not submit cannot add to a sum, and its bucket waits only for those that did', async () => {
    const absent = cohort[4]
    const run = await runAttempt({ participants: cohort.filter((id) => id !== absent) })
    expect(run.outcomes.every((o) => o?.ok)).toBe(true)
    expect(run.descriptor.inputs.map((i) => i.trainer)).not.toContain(absent)
    expect((await judge(run)).valid).toBe(true)
  })
})

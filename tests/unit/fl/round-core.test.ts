import { describe, expect, it } from 'vitest'
import {
  aggregatorFor,
  bucketSeed,
  secaggPosition,
  announceFromWire,
  announceToWire,
  createRoundNode,
  decodeCommitProof,
  decodeDescriptor,
  encodeCommitProof,
  encodeDescriptor,
  hashOf,
  MAX_ROUND_INPUTS,
  submissionSignBytes,
  submitFromWire,
  submitToWire,
  type ProposalDescriptor,
  type RoundNodeConfig,
} from '../../../workers/fl/round'
import type { RoundSubmit } from '../../../workers/fl/round/wire.pb'
import { identityFromSeed } from '../../../workers/identity/ed25519'
import { createEnvelopeSigner, sealMessage } from '../../../workers/protocol/envelope'
import { InboundValidator } from '../../../workers/protocol/inbound'
import { verifyEd25519Batch } from '../../../workers/protocol/verify'
import { messageKinds } from '../../../workers/kinds'

const h = (label: string) => hashOf(new TextEncoder().encode(label))
const BASE = h('base')
const roster = { aggregators: ['agg-b', 'agg-a'], validators: ['val-1', 'val-2', 'val-3', 'val-4'] }
const params = { taskId: 'task', rounds: 2, quorum: 2, collectMs: 1000, validateMs: 1000 }

function node(self: string, extra: Partial<RoundNodeConfig> = {}) {
  return createRoundNode({ self, trainer: self.startsWith('t'), params, roster, now: 0, committedRound: 0, baseModel: BASE, ...extra })
}

const descriptor = (over: Partial<ProposalDescriptor> = {}): ProposalDescriptor => ({
  taskId: 'task',
  round: 1,
  attempt: 0,
  aggregator: aggregatorFor(roster, 1, 0),
  baseModel: BASE,
  inputs: [
    { trainer: 't1', update: h('u1'), samples: 10, signature: new Uint8Array([1]) },
    { trainer: 't2', update: h('u2'), samples: 12, signature: new Uint8Array([2]) },
  ],
  candidate: h('candidate'),
  ...over,
})

describe('round identity', () => {
  it('rotates aggregators over the sorted set by round + attempt', () => {
    expect([aggregatorFor(roster, 1, 0), aggregatorFor(roster, 1, 1), aggregatorFor(roster, 2, 0)]).toEqual(['agg-b', 'agg-a', 'agg-a'])
  })
})

describe('round codec', () => {
  it('round-trips descriptors and commit proofs, and refuses malformed ones with a reason', () => {
    const d = descriptor()
    const decoded = decodeDescriptor(encodeDescriptor(d))
    expect(decoded).toEqual({ ok: true, value: d })
    const proof = { descriptor: d, certificate: new Uint8Array([9, 9]) }
    expect(decodeCommitProof(encodeCommitProof(proof))).toEqual({ ok: true, value: proof })
    expect(decodeDescriptor(new Uint8Array([0xff, 0xff, 0xff]))).toMatchObject({ ok: false })
    const noCertificate = decodeCommitProof(encodeCommitProof({ descriptor: d, certificate: new Uint8Array(0) }))
    expect(noCertificate).toEqual({ ok: false, reason: 'commit without a certificate' })
    const wire = announceToWire({ kind: 'announce', taskId: 'task', round: 1, attempt: 0, baseModel: BASE, cohort: ['t1'], previous: null })
    expect(announceFromWire({ ...wire, baseModel: new Uint8Array(31) })).toEqual({ ok: false, reason: 'base model is not a 32-byte hash' })
  })

  it('binds a submission signature to task, round, update and sample count', () => {
    const a = submissionSignBytes('task', 1, h('u'), 10)
    expect(submissionSignBytes('task', 1, h('u'), 10)).toEqual(a)
    for (const other of [
      submissionSignBytes('task2', 1, h('u'), 10),
      submissionSignBytes('task', 2, h('u'), 10),
      submissionSignBytes('task', 1, h('v'), 10),
      submissionSignBytes('task', 1, h('u'), 11),
    ])
      expect(other).not.toEqual(a)
  })
})

describe('round core', () => {
  it('refuses an announcement from anyone but the attempt’s aggregator, and one on another base model', () => {
    const trainer = node('t1')
    const announce = {
      kind: 'announce',
      taskId: 'task',
      round: 1,
      attempt: 0,
      baseModel: BASE,
      cohort: ['t1', 't2'],
      previous: null,
    } as const
    expect(trainer.step({ type: 'receive', from: 'agg-a', message: announce })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not the aggregator'),
    })
    expect(trainer.step({ type: 'receive', from: 'agg-b', message: { ...announce, baseModel: h('other') } })).toMatchObject({ ok: false })
    const out = trainer.step({ type: 'receive', from: 'agg-b', message: announce })
    expect(out.train).toEqual({ round: 1, baseModel: BASE, shard: 0, cohortSize: 2 })
    expect(trainer.status().phase).toBe('training')
  })

  it('an aggregator announces only with a quorum present, takes one update per trainer and proposes the sorted inputs', () => {
    const agg = node('agg-b')
    expect(agg.step({ type: 'presence', trainers: ['t2'] }).messages).toEqual([])
    const announced = agg.step({ type: 'presence', trainers: ['t2', 't1', 't2'] })
    expect(announced.messages[0].message).toMatchObject({ kind: 'announce', cohort: ['t1', 't2'] })
    const s = (trainer: string, update: string) => ({ trainer, update: h(update), samples: 5, signature: new Uint8Array(0) })
    expect(
      agg.step({
        type: 'receive',
        from: 't1',
        message: { kind: 'submit', taskId: 'task', round: 1, attempt: 0, submission: s('t2', 'x') },
      }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('other than its trainer') })
    expect(
      agg.step({
        type: 'receive',
        from: 't3',
        message: { kind: 'submit', taskId: 'task', round: 1, attempt: 0, submission: s('t3', 'x') },
      }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('cohort') })
    expect(
      agg.step({
        type: 'receive',
        from: 't2',
        message: { kind: 'submit', taskId: 'task', round: 1, attempt: 0, submission: s('t2', 'u2') },
      }).ok,
    ).toBe(true)
    expect(
      agg.step({
        type: 'receive',
        from: 't2',
        message: { kind: 'submit', taskId: 'task', round: 1, attempt: 0, submission: s('t2', 'other') },
      }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('second, different update') })
    const full = agg.step({
      type: 'receive',
      from: 't1',
      message: { kind: 'submit', taskId: 'task', round: 1, attempt: 0, submission: s('t1', 'u1') },
    })
    expect(full.aggregate?.inputs.map((i) => i.trainer)).toEqual(['t1', 't2'])
    const proposed = agg.step({ type: 'aggregated', round: 1, attempt: 0, result: { ok: true, candidate: h('c') } })
    expect(proposed.messages[0].message).toMatchObject({ kind: 'propose', descriptor: { candidate: h('c'), aggregator: 'agg-b' } })
  })

  it('an aggregator proposes only the inputs its aggregate used, and lets the attempt lapse below quorum', () => {
    const collected = () => {
      const agg = node('agg-b', { params: { ...params, quorum: 2 } })
      agg.step({ type: 'presence', trainers: ['t1', 't2', 't3'] })
      for (const t of ['t1', 't2', 't3'])
        agg.step({
          type: 'receive',
          from: t,
          message: {
            kind: 'submit',
            taskId: 'task',
            round: 1,
            attempt: 0,
            submission: { trainer: t, update: h(t), samples: 5, signature: new Uint8Array(0) },
          },
        })
      return agg
    }
    // t2's update could not be opened: the proposal names t1 and t3 only.
    const kept = collected().step({
      type: 'aggregated',
      round: 1,
      attempt: 0,
      result: { ok: true, candidate: h('c'), inputs: ['t3', 't1'] },
    })
    const proposal = kept.messages.find((m) => m.message.kind === 'propose')!.message
    expect(proposal.kind === 'propose' && proposal.descriptor.inputs.map((i) => i.trainer)).toEqual(['t1', 't3'])
    // One usable input is under the quorum, and a name nobody submitted is refused: no proposal.
    for (const inputs of [['t1'], ['t1', 'nobody']]) {
      const refused = collected().step({ type: 'aggregated', round: 1, attempt: 0, result: { ok: true, candidate: h('c'), inputs } })
      expect(refused.ok).toBe(false)
      expect(refused.messages.filter((m) => m.message.kind === 'propose')).toEqual([])
    }
  })

  it('aggregates once per attempt: a failed aggregation lets the attempt lapse, and the aggregator tries again only in a later attempt of its own', () => {
    const agg = node('agg-b')
    agg.step({ type: 'presence', trainers: ['t1', 't2'] })
    const submit = (attempt: number) => {
      let requested = false
      for (const t of ['t1', 't2']) {
        const out = agg.step({
          type: 'receive',
          from: t,
          message: {
            kind: 'submit',
            taskId: 'task',
            round: 1,
            attempt,
            submission: { trainer: t, update: h(t), samples: 5, signature: new Uint8Array(0) },
          },
        })
        requested ||= out.aggregate !== null
      }
      return requested
    }
    expect(submit(0)).toBe(true)
    expect(agg.step({ type: 'aggregated', round: 1, attempt: 0, result: { ok: false, reason: 'a bucket aborted' } }).aggregate).toBeNull()
    // The rest of attempt 0 asks for no second aggregation, however often time moves.
    for (const now of [100, 500, 1000, 1999]) expect(agg.step({ type: 'tick', now }).aggregate).toBeNull()
    agg.step({ type: 'tick', now: 2000 })
    expect(agg.status()).toMatchObject({ attempt: 1, aggregator: 'agg-a' })
    // Attempt 2 is agg-b's again: it announces and aggregates afresh.
    const announced = agg.step({ type: 'tick', now: 4000 })
    expect(agg.status()).toMatchObject({ attempt: 2, aggregator: 'agg-b' })
    expect(announced.messages.some((m) => m.message.kind === 'announce')).toBe(true)
    expect(submit(2)).toBe(true)
  })

  it('a validator re-executes a candidate once, offers it to consensus only when valid, and never for an under-quorum one', () => {
    const v = node('val-1')
    const d = descriptor()
    const asked = v.step({ type: 'receive', from: d.aggregator, message: { kind: 'propose', descriptor: d } })
    expect(asked.verify).toEqual([d])
    expect(v.verdict(d)).toBe('pending')
    expect(v.step({ type: 'judge', descriptor: d }).verify).toEqual([])
    expect(v.step({ type: 'verified', descriptor: d, valid: true }).candidates).toEqual([d])
    expect(v.verdict(d)).toBe(true)
    expect(v.step({ type: 'judge', descriptor: descriptor({ inputs: descriptor().inputs.slice(0, 1) }) })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('quorum'),
    })
    expect(v.step({ type: 'receive', from: 'agg-a', message: { kind: 'propose', descriptor: d } })).toMatchObject({ ok: false })
  })

  it('adopts a commit only after its certificate is checked, and moves to the next round', () => {
    const trainer = node('t1')
    const proof = { descriptor: descriptor(), certificate: new Uint8Array([1]) }
    const asked = trainer.step({ type: 'receive', from: 'val-2', message: { kind: 'committed', proof } })
    expect(asked.certify).toEqual([proof])
    expect(asked.adopt).toBeNull()
    expect(trainer.step({ type: 'certify-failed', proof, reason: 'bad signature' }).adopt).toBeNull()
    expect(trainer.status().round).toBe(1)
    const adopted = trainer.step({ type: 'decided', proof })
    expect(adopted.adopt).toEqual(proof)
    expect(trainer.status()).toMatchObject({ round: 2, baseModel: h('candidate'), committedRounds: 1 })
  })

  it('a trainer whose update went into a proposal that did not commit trains a fresh one for the next attempt (robust mode); otherwise it resends it', () => {
    const announce = (attempt: number) => ({
      kind: 'announce' as const,
      taskId: 'task',
      round: 1,
      attempt,
      baseModel: BASE,
      cohort: ['t1', 't2'],
      previous: null,
    })
    const submission = descriptor().inputs[0]
    const proposal = (attempt: number, aggregator = aggregatorFor(roster, 1, attempt)) => ({
      kind: 'propose' as const,
      descriptor: descriptor({ attempt, aggregator }),
    })
    const resent = (attempt: number) => [
      { to: aggregatorFor(roster, 1, attempt), message: expect.objectContaining({ kind: 'submit', attempt, submission }) },
    ]
    for (const fresh of [true, false]) {
      const trainer = node('t1', { freshUpdateAfterProposal: fresh })
      expect(trainer.step({ type: 'receive', from: aggregatorFor(roster, 1, 0), message: announce(0) }).train).toEqual({
        round: 1,
        baseModel: BASE,
        shard: 0,
        cohortSize: 2,
      })
      expect(trainer.step({ type: 'trained', round: 1, submission }).messages).toEqual(resent(0))
      // Attempt 0's aggregator never proposed: attempt 1 gets the same update.
      let out = trainer.step({ type: 'receive', from: aggregatorFor(roster, 1, 1), message: announce(1) })
      expect(out.train).toBeNull()
      expect(out.messages).toEqual(resent(1))
      // A proposal signed by a node that is not the attempt's aggregator changes nothing.
      const impostor = aggregatorFor(roster, 1, 0)
      expect(impostor).not.toBe(aggregatorFor(roster, 1, 1))
      trainer.step({ type: 'receive', from: impostor, message: proposal(1, impostor) })
      out = trainer.step({ type: 'receive', from: aggregatorFor(roster, 1, 2), message: announce(2) })
      expect(out.train).toBeNull()
      expect(out.messages).toEqual(resent(2))
      // Attempt 2's aggregator proposed a candidate built on it, which did not commit.
      trainer.step({ type: 'receive', from: aggregatorFor(roster, 1, 2), message: proposal(2) })
      out = trainer.step({ type: 'receive', from: aggregatorFor(roster, 1, 3), message: announce(3) })
      if (fresh) {
        expect(out.train).toEqual({ round: 1, baseModel: BASE, shard: 0, cohortSize: 2, attempt: 3 })
        expect(out.messages).toEqual([])
        expect(trainer.status().phase).toBe('training')
      } else {
        expect(out.train).toBeNull()
        expect(out.messages).toEqual(resent(3))
      }
    }
  })

  it('moves to the next attempt and aggregator when an attempt lapses', () => {
    const trainer = node('t1')
    expect(trainer.status()).toMatchObject({ attempt: 0, aggregator: 'agg-b' })
    trainer.step({ type: 'tick', now: 2000 })
    expect(trainer.status()).toMatchObject({ attempt: 1, aggregator: 'agg-a' })
    trainer.step({ type: 'tick', now: 9000 })
    expect(trainer.status().attempt).toBe(4)
    expect(trainer.step({ type: 'tick', now: 10 })).toMatchObject({ ok: false, reason: expect.stringContaining('backwards') })
  })
})

describe('fl.round kinds at the inbound gate', () => {
  const trainerKey = identityFromSeed(new Uint8Array(32).fill(7))
  const now = 1_700_000_000_000
  const gate = () => new InboundValidator({ kinds: messageKinds, verify: verifyEd25519Batch, now: () => now })
  const signer = createEnvelopeSigner(trainerKey, messageKinds, () => now)

  it('passes a submission on a stream and converts it back to the core’s form', async () => {
    const submit = {
      kind: 'submit',
      taskId: 'task',
      round: 3,
      attempt: 1,
      submission: { trainer: 't1', update: h('u'), samples: 9, signature: new Uint8Array(64) },
    } as const
    const verdict = await gate().check(sealMessage(signer, 'fl.round.submit', submitToWire(submit)), {
      carrier: 'stream',
      originPublicKey: trainerKey.publicKey,
    })
    expect(verdict.ok).toBe(true)
    if (verdict.ok && verdict.kind === 'fl.round.submit')
      expect(submitFromWire(verdict.payload as RoundSubmit)).toEqual({ ok: true, value: submit })
    expect(await gate().check(sealMessage(signer, 'fl.round.submit', submitToWire(submit)), { carrier: 'gossip' })).toMatchObject({
      ok: false,
      reason: 'wrong-carrier',
    })
  })

  it('refuses an announcement whose cohort exceeds the round limit', async () => {
    const cohort = Array.from({ length: MAX_ROUND_INPUTS + 1 }, (_, i) => `p${i}`)
    const wire = announceToWire({ kind: 'announce', taskId: 'task', round: 1, attempt: 0, baseModel: BASE, cohort, previous: null })
    expect(await gate().check(sealMessage(signer, 'fl.round.announce', wire), { carrier: 'gossip' })).toMatchObject({
      ok: false,
      reason: 'bad-payload',
    })
  })
})

describe('secure-mode identity mapping', () => {
  it('fixes buckets by task, round and base model, and finds each trainer’s secure-aggregation index', () => {
    const seed = bucketSeed('task', 1, BASE)
    expect(bucketSeed('task', 1, BASE)).toEqual(seed)
    for (const other of [bucketSeed('task', 2, BASE), bucketSeed('task2', 1, BASE), bucketSeed('task', 1, h('other'))])
      expect(other).not.toEqual(seed)
    const buckets = [
      [4, 1, 7],
      [0, 2, 3, 5],
    ]
    expect(secaggPosition(buckets, 7)).toEqual({ bucket: 0, index: 2 })
    expect(secaggPosition(buckets, 5)).toEqual({ bucket: 1, index: 3 })
    expect(secaggPosition(buckets, 6)).toBeNull()
  })
})

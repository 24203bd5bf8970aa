import { describe, expect, it } from 'vitest'
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { identityFromSeed } from '../../../workers/identity/ed25519'
import { hashOf, hashToBytes, submissionSignBytes, type ProposalDescriptor, type SubmissionRef } from '../../../workers/fl/round'
import {
  computeCandidate,
  computeCandidateFromUsable,
  judgeRobustCandidate,
  type InputSources,
  type RoundInputsFrame,
} from '../../../workers/fl/round/reexecute'
import { openUpdate, sealUpdate } from '../../../workers/fl/round/sealed-update'
import { encodeUpdate } from '../../../workers/fl/update/codec'
import { float32LE } from '../../../workers/fl/update/delta'
import { createRng } from '../../../workers/common/random'

// Robust mode: trainers seal each update once for the aggregator and every validator; the
// validator fetches the same blobs, re-computes the candidate and judges it.
const shapes = [
  { name: 'w', shape: [4, 3] },
  { name: 'b', shape: [3] },
]
const size = 15
const base = { shapes, values: Float32Array.from({ length: size }, (_, i) => i / 10) }
const baseHash = hashOf(float32LE(base.values))
const frame: RoundInputsFrame = { taskId: 'task', round: 2, attempt: 0, retryStep: 1, base, baseHash, clipNorm: 1 }
const trainers = Array.from({ length: 4 }, (_, i) => ({ id: `trainer-${i}`, identity: identityFromSeed(new Uint8Array(32).fill(i + 1)) }))
const keyPair = (seed: number) => {
  const secretKey = new Uint8Array(32).fill(seed)
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) }
}
const aggregatorKeys = keyPair(50)
const validatorKeys = [keyPair(60), keyPair(61), keyPair(62), keyPair(63)]
const outsider = keyPair(70)
const rule = { rule: { rule: 'trimmed-mean', trim: 1 } as const }

function submit(
  trainer: number,
  delta: Float32Array,
  blobs: Map<string, Uint8Array>,
  options: { round?: number; recipients?: Uint8Array[] } = {},
): SubmissionRef {
  const t = trainers[trainer]
  const plaintext = encodeUpdate({
    round: options.round ?? 2,
    baseModelHash: hashToBytes(baseHash),
    sampleCount: 50,
    shapes,
    delta,
    clipNorm: 1,
  })
  const blob = sealUpdate(
    plaintext,
    { taskId: 'task', round: 2, trainerKey: t.identity.publicKey },
    options.recipients ?? [aggregatorKeys.publicKey, ...validatorKeys.map((k) => k.publicKey)],
  )
  const update = hashOf(blob)
  blobs.set(update, blob)
  return { trainer: t.id, update, samples: 50, signature: t.identity.sign(submissionSignBytes('task', 2, update, 50)) }
}

function sources(blobs: Map<string, Uint8Array>, recipient = validatorKeys[0]): InputSources {
  return {
    fetchBlob: async (hash) => blobs.get(hash) ?? null,
    trainerKey: (peerId) => trainers.find((t) => t.id === peerId)?.identity.publicKey ?? null,
    verifySignature: (key, message, signature) => ed25519.verify(signature, message, key),
    recipient,
  }
}

function honestRound() {
  const blobs = new Map<string, Uint8Array>()
  const rng = createRng(5)
  const inputs = trainers.map((_, i) =>
    submit(
      i,
      Float32Array.from({ length: size }, () => 0.1 * rng.normal()),
      blobs,
    ),
  )
  return { blobs, inputs }
}

const quality = { evaluate: async () => ({ accuracy: 0.9, loss: 0.3 }), baselineAccuracy: 0.88, maxAccuracyDrop: 0.02 }

async function propose(blobs: Map<string, Uint8Array>, inputs: SubmissionRef[]): Promise<ProposalDescriptor> {
  const candidate = await computeCandidate(frame, inputs, rule, sources(blobs, aggregatorKeys))
  if (!candidate.ok) throw new Error(candidate.reason)
  return { taskId: 'task', round: 2, attempt: 0, aggregator: 'agg', baseModel: baseHash, inputs, candidate: candidate.value.hash }
}

describe('sealed updates for the aggregator and every validator', () => {
  it('open for each recipient and for no one else, nor in another round or for another trainer', () => {
    const plaintext = new TextEncoder().encode('an encoded update')
    const context = { taskId: 'task', round: 2, trainerKey: trainers[0].identity.publicKey }
    const blob = sealUpdate(plaintext, context, [aggregatorKeys.publicKey, validatorKeys[0].publicKey])
    for (const k of [aggregatorKeys, validatorKeys[0]]) expect(openUpdate(blob, context, k)).toEqual({ ok: true, plaintext })
    expect(openUpdate(blob, context, outsider)).toEqual({ ok: false, reason: 'the update is not addressed to this node' })
    expect(openUpdate(blob, { ...context, round: 3 }, aggregatorKeys).ok).toBe(false)
    expect(openUpdate(blob, { ...context, trainerKey: trainers[1].identity.publicKey }, aggregatorKeys).ok).toBe(false)
  })
})

describe('robust re-execution', () => {
  it('every validator re-computes the aggregator’s candidate bit for bit and votes yes', async () => {
    const { blobs, inputs } = honestRound()
    const d = await propose(blobs, inputs)
    for (const keys of validatorKeys) {
      const verdict = await judgeRobustCandidate(d, frame, rule, sources(blobs, keys), quality)
      expect(verdict).toMatchObject({ valid: true, evaluation: { accuracy: 0.9 } })
    }
  })

  it('refuses a wrong candidate, a swapped blob, a forged submission, an unclipped or stale update, and a quality drop', async () => {
    const { blobs, inputs } = honestRound()
    const d = await propose(blobs, inputs)
    const judge = (descriptor: ProposalDescriptor, q = quality, b = blobs) => judgeRobustCandidate(descriptor, frame, rule, sources(b), q)
    expect(await judge({ ...d, candidate: hashOf(new Uint8Array([1])) })).toMatchObject({
      valid: false,
      reason: expect.stringContaining('re-execution gives'),
    })
    // The aggregator names trainer 1's blob under trainer 0: the signature is over another hash.
    expect(await judge({ ...d, inputs: [{ ...inputs[0], update: inputs[1].update }, ...inputs.slice(1)] })).toMatchObject({
      valid: false,
      reason: 'trainer-0: submission signature does not verify',
    })
    const swapped = new Map(blobs)
    swapped.set(inputs[2].update, blobs.get(inputs[3].update)!)
    expect(await judge(d, quality, swapped)).toMatchObject({ valid: false, reason: 'trainer-2: update blob does not match its hash' })
    const long = submit(3, new Float32Array(size).fill(1), blobs)
    expect(await judge({ ...d, inputs: [...inputs.slice(0, 3), long] })).toMatchObject({
      valid: false,
      reason: expect.stringContaining('longer than the task clips to'),
    })
    const stale = submit(3, new Float32Array(size).fill(0.01), blobs, { round: 1 })
    expect(await judge({ ...d, inputs: [...inputs.slice(0, 3), stale] })).toMatchObject({
      valid: false,
      reason: 'trainer-3: update is for round 1',
    })
    const notForMe = submit(3, new Float32Array(size).fill(0.01), blobs, { recipients: [aggregatorKeys.publicKey] })
    expect(await judge({ ...d, inputs: [...inputs.slice(0, 3), notForMe] })).toMatchObject({
      valid: false,
      reason: 'trainer-3: the update is not addressed to this node',
    })
    expect(await judge(d, { ...quality, baselineAccuracy: 0.95 })).toMatchObject({
      valid: false,
      reason: expect.stringContaining('below the committed model'),
    })
  })

  it("a later attempt steps the retry step's power of the aggregate, and validators re-execute that step", async () => {
    const { blobs, inputs } = honestRound()
    const mean = { rule: { rule: 'fedavg' } as const }
    const full = await computeCandidate(frame, inputs, mean, sources(blobs, aggregatorKeys))
    const third = { ...frame, attempt: 2, retryStep: 0.5 }
    const quarter = await computeCandidate(third, inputs, mean, sources(blobs, aggregatorKeys))
    if (!full.ok || !quarter.ok) throw new Error('no candidate')
    for (let i = 0; i < size; i++)
      expect(quarter.value.weights.values[i] - base.values[i]).toBeCloseTo((full.value.weights.values[i] - base.values[i]) / 4, 6)
    const d: ProposalDescriptor = { ...(await propose(blobs, inputs)), attempt: 2, candidate: quarter.value.hash }
    expect(await judgeRobustCandidate(d, third, mean, sources(blobs), quality)).toMatchObject({ valid: true })
    // The full step proposed at attempt 2, or the descriptor judged as another attempt's: no vote.
    expect(await judgeRobustCandidate({ ...d, candidate: full.value.hash }, third, mean, sources(blobs), quality)).toMatchObject({
      valid: false,
      reason: expect.stringContaining('re-execution gives'),
    })
    expect(await judgeRobustCandidate(d, { ...third, attempt: 1 }, mean, sources(blobs), quality)).toMatchObject({
      valid: false,
      reason: 'candidate is framed for another task, round, attempt or base model',
    })
  })

  it('an aggregator leaves out inputs it cannot use (vanished, over the bound) and the validators accept the rest', async () => {
    const { blobs, inputs } = honestRound()
    const mean = { rule: { rule: 'fedavg' } as const }
    const long = submit(3, new Float32Array(size).fill(1), blobs)
    const held = new Map(blobs)
    held.delete(inputs[1].update) // trainer 1 went away before its blob was fetched
    const all = [inputs[0], inputs[1], inputs[2], long]
    const built = await computeCandidateFromUsable(frame, all, mean, sources(held, aggregatorKeys), 2)
    if (!built.ok) throw new Error(built.reason)
    expect(built.value.used).toEqual(['trainer-0', 'trainer-2'])
    expect(built.value.refused).toEqual([
      'trainer-1: update blob unavailable',
      expect.stringContaining('trainer-3: update is longer than the task clips to'),
    ])
    const d: ProposalDescriptor = {
      taskId: 'task',
      round: 2,
      attempt: 0,
      aggregator: 'agg',
      baseModel: baseHash,
      inputs: [inputs[0], inputs[2]],
      candidate: built.value.hash,
    }
    expect(await judgeRobustCandidate(d, frame, mean, sources(held), quality)).toMatchObject({ valid: true })
    expect(await computeCandidateFromUsable(frame, all, mean, sources(held, aggregatorKeys), 3)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('2 usable inputs, quorum is 3'),
    })
  })
})

/**
 * The production host (workers/fl/round/host.ts) around the round core, with the production
 * consensus adapter (real BLS certificates, real timers) as the validators' BFT: four
 * validators, two rotating aggregators (one proposing a scaled model), five trainers (one
 * sign-flipping), all in one process over in-memory buses. Outcomes only, no timing.
 */
import { describe, expect, it } from 'vitest'
import { sha256 } from '@noble/hashes/sha2.js'
import { ConsensusAdapter, MemoryConsensusStore, type BftTransport } from '../../../workers/consensus/adapter'
import {
  createRealScheme,
  createRealSigner,
  createValidatorSet,
  decodeCertificate,
  encodeCertificate,
  verifyCertificate,
} from '../../../workers/consensus/certificate'
import { aggregate } from '../../../workers/fl/aggregation/aggregate'
import { signFlip } from '../../../workers/fl/attacks/attacks'
import { createRng } from '../../../workers/common/random'
import {
  chainIdFor,
  decodeDescriptor,
  encodeDescriptor,
  hashOf,
  type CommitProof,
  type ProposalDescriptor,
  type RoundMessage,
  type SubmissionRef,
} from '../../../workers/fl/round'
import { RoundHost, type HostClock } from '../../../workers/fl/round/host'
import { float32LE, l2Norm, subtract } from '../../../workers/fl/update/delta'
import { peerIdStringFromPublicKey } from '../../../workers/identity/ed25519'
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
const TASK = 'host-test'
const D = 12

class BftBus {
  private readonly handlers = new Map<string, (payload: Uint8Array, sender: Uint8Array) => void>()
  attach(name: string, key: Uint8Array): BftTransport {
    return {
      publish: async (payload) => {
        for (const [other, handler] of this.handlers) if (other !== name) setTimeout(() => handler(payload, key), 0)
      },
      subscribe: (handler) => {
        this.handlers.set(name, handler)
        return () => this.handlers.delete(name)
      },
    }
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('round host with the consensus adapter', () => {
  it('commits two rounds with verifying certificates everywhere; a wrong aggregator is passed over and a sign-flipper is held by the rule', async () => {
    const signers = Array.from({ length: 4 }, (_, i) =>
      createRealSigner({ identitySeed: new Uint8Array(32).fill(i + 31), voteSeed: new Uint8Array(48).fill(i + 31) }),
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
    const validators = set.validators.map((v) => v.id)
    const aggregators = ['agg-0', 'agg-1']
    const trainers = ['t0', 't1', 't2', 't3', 't4']
    const roster = { aggregators, validators }
    const params = { taskId: TASK, rounds: 2, quorum: 4, collectMs: 1000, validateMs: 2500 }

    const blobs = new Map<string, Float32Array>()
    const authors = new Map<string, string>()
    const store = (v: Float32Array) => {
      const h = hashOf(float32LE(v))
      blobs.set(h, v)
      return h
    }
    const target = Float32Array.from({ length: D }, (_, i) => Math.sin(i + 1))
    const initial = store(new Float32Array(D))
    const loss = (h: string) => l2Norm(subtract(blobs.get(h)!, target))
    const combine = (base: string, inputs: readonly SubmissionRef[], scale = 1) => {
      const result = aggregate(
        inputs.map((i) => ({ id: i.trainer, vector: blobs.get(i.update)!, weight: 1 })),
        { rule: { rule: 'median' } },
      )
      if (!result.ok) throw new Error(result.reason)
      const b = blobs.get(base)!
      return store(Float32Array.from(b, (x, j) => x + scale * result.vector[j]))
    }
    const verifyProof = (proof: CommitProof) => {
      const c = decodeCertificate(proof.certificate)
      return (
        c.ok &&
        verifyCertificate(c.certificate, set, scheme, {
          chainId: chainIdFor(TASK),
          height: proof.descriptor.round,
          valueId: sha256(encodeDescriptor(proof.descriptor)),
        }).ok
      )
    }

    const hosts = new Map<string, RoundHost>()
    const adopted = new Map<string, CommitProof[]>()
    const certificateChecks: boolean[] = []
    const send = (from: string) => (to: string | null, message: RoundMessage) => {
      for (const [id, host] of hosts) if (id !== from && (to === null || to === id)) setTimeout(() => host.receive(from, message), 0)
    }
    const handlersFor = (id: string) => ({
      send: send(id),
      certify: async (proof: CommitProof) => {
        const ok = verifyProof(proof)
        certificateChecks.push(ok)
        return ok
      },
      adopt: async (proof: CommitProof) => void adopted.set(id, [...(adopted.get(id) ?? []), proof]),
    })
    const base = { params, roster, committedRound: 0, baseModel: initial }

    const bus = new BftBus()
    const adapters: ConsensusAdapter[] = []
    for (const [i, id] of validators.entries()) {
      const host = new RoundHost({ ...base, self: id, trainer: false }, clock, {
        ...handlersFor(id),
        verify: async (d: ProposalDescriptor) => {
          if (d.inputs.some((input) => authors.get(input.update) !== input.trainer)) return false
          const recomputed = combine(d.baseModel, d.inputs)
          return recomputed === d.candidate && loss(recomputed) <= loss(d.baseModel) + 0.05
        },
      })
      hosts.set(id, host)
      const signer = signers[entries.findIndex((e) => e.id === id)]
      const adapter = await ConsensusAdapter.start({
        chainId: chainIdFor(TASK),
        validators: set,
        signer,
        scheme,
        transport: bus.attach(id, signer.identityKey),
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
      void i
    }
    for (const [a, id] of aggregators.entries()) {
      const host = new RoundHost({ ...base, self: id, trainer: false }, clock, {
        ...handlersFor(id),
        // agg-0 scales its candidate ×3; agg-1 is honest.
        aggregate: async (request) => combine(request.baseModel, request.inputs, a === 0 ? 3 : 1),
      })
      hosts.set(id, host)
    }
    for (const [t, id] of trainers.entries()) {
      const host = new RoundHost({ ...base, self: id, trainer: true }, clock, {
        ...handlersFor(id),
        train: async (request) => {
          const rng = createRng(t * 31 + request.round)
          const model = blobs.get(request.baseModel)!
          const honest = Float32Array.from(model, (x, j) => 0.5 * (target[j] - x) + 0.01 * rng.normal())
          const update = store(t === 4 ? signFlip(honest, 4) : honest)
          authors.set(update, id)
          return { trainer: id, update, samples: 10, signature: new Uint8Array(0) }
        },
      })
      hosts.set(id, host)
    }
    for (const id of aggregators) hosts.get(id)!.presence(trainers)

    const everyone = [...hosts.keys()]
    try {
      await waitFor(() => everyone.every((id) => (adopted.get(id)?.length ?? 0) >= 2), 'two rounds adopted everywhere')
    } finally {
      for (const host of hosts.values()) host.stop()
      await Promise.all(adapters.map((a) => a.stop()))
    }
    const reference = adopted.get(validators[0])!.map((p) => p.descriptor.candidate)
    for (const id of everyone)
      expect(
        adopted.get(id)!.map((p) => p.descriptor.candidate),
        id,
      ).toEqual(reference)
    for (const proofs of adopted.values()) for (const proof of proofs) expect(verifyProof(proof)).toBe(true)
    expect(certificateChecks.filter((ok) => ok).length).toBeGreaterThanOrEqual(2 * (aggregators.length + trainers.length))
    // Round 1 (attempt 0) belongs to agg-1; round 2 to agg-0, whose scaled model is refused, so attempt 1 (agg-1) commits it.
    const rounds = adopted.get(trainers[0])!.map((p) => p.descriptor)
    expect(rounds.map((d) => [d.round, d.aggregator])).toEqual([
      [1, 'agg-1'],
      [2, 'agg-1'],
    ])
    expect(rounds[1].attempt).toBeGreaterThanOrEqual(1)
    expect(loss(reference[1])).toBeLessThan(loss(reference[0]))
    expect(loss(reference[0])).toBeLessThan(loss(initial))
    expect(hosts.get(trainers[0])!.status.phase).toBe('done')
  })
})

import { describe, expect, it } from 'vitest'
import {
  ConsensusAdapter,
  MemoryConsensusStore,
  PreverifiedSignatures,
  createBeaconApplication,
  type AdapterDecision,
} from '../../../../workers/consensus/adapter'
import type { SignatureScheme } from '../../../../workers/consensus/certificate'
import { voteSignBytes } from '../../../../workers/consensus/bft/sign-bytes'
import type { Vote } from '../../../../workers/consensus/bft'
import { verifyEd25519Batch, type BatchVerifier } from '../../../../workers/protocol/verify'
import { silentLogger } from '../../../../workers/log'
import { VirtualClock } from '../../../sim/virtual-clock'
import { Bus, FAST, makeValidators, scheme } from './harness'

const CHAIN = 'preverified-test'
const { signers, set, ids } = makeValidators(4)

/** A prevote signed by the set's validator at `validator` (the set is ordered by id, not as `signers`). */
function signedVote(validator: number, height: number, round = 0): Vote {
  const signer = signers.find((s) => Buffer.from(s.identityKey).equals(set.validators[validator].identityKey))!
  const body = { height, round, type: 'prevote' as const, valueId: null, validator, commitSignature: new Uint8Array(0) }
  return { kind: 'vote', ...body, signature: signer.signMessage(voteSignBytes(CHAIN, body)) }
}

/** The scheme the core would get, and how often its own Ed25519 check still ran. */
function wrapped(preverified: PreverifiedSignatures) {
  let ownChecks = 0
  const inner: SignatureScheme = {
    ...scheme,
    verifyMessage: (key, message, signature) => (ownChecks++, scheme.verifyMessage(key, message, signature)),
  }
  return { core: preverified.scheme(inner), ownChecks: () => ownChecks }
}

describe('signatures checked before the core', () => {
  it('a vote that verified is taken without the core checking it, once', async () => {
    const preverified = new PreverifiedSignatures(verifyEd25519Batch, CHAIN)
    const { core, ownChecks } = wrapped(preverified)
    const vote = signedVote(2, 5)
    await preverified.confirm(vote, set)
    const key = set.validators[2].identityKey
    expect(core.verifyMessage(key, voteSignBytes(CHAIN, vote), vote.signature)).toBe(true)
    expect(ownChecks()).toBe(0)
    // Taken: the same check again is the core's own.
    expect(core.verifyMessage(key, voteSignBytes(CHAIN, vote), vote.signature)).toBe(true)
    expect(ownChecks()).toBe(1)
    expect(preverified.hits).toBe(1)
  })

  it("a confirmed signature never vouches for other bytes or another key, and a failed check leaves the core's own", async () => {
    const preverified = new PreverifiedSignatures(verifyEd25519Batch, CHAIN)
    const { core, ownChecks } = wrapped(preverified)
    const vote = signedVote(1, 3)
    await preverified.confirm(vote, set)
    const otherBytes = voteSignBytes(CHAIN, { ...vote, round: 1 })
    expect(core.verifyMessage(set.validators[1].identityKey, otherBytes, vote.signature)).toBe(false)
    expect(core.verifyMessage(set.validators[0].identityKey, voteSignBytes(CHAIN, vote), vote.signature)).toBe(false)
    expect(ownChecks()).toBe(2)

    // A forged vote: its signature is validator 1's over other bytes; the pre-check refuses it, the core refuses it too.
    const forged: Vote = { ...signedVote(1, 3, 2), validator: 3 }
    await preverified.confirm(forged, set)
    expect(core.verifyMessage(set.validators[3].identityKey, voteSignBytes(CHAIN, forged), forged.signature)).toBe(false)
    expect(ownChecks()).toBe(3)
    expect(preverified.hits).toBe(0)
  })

  it('four adapters with a pre-verifier decide as without one, the cores taking the checked signatures', async () => {
    const clock = new VirtualClock()
    const bus = new Bus(clock)
    let verifierCalls = 0
    const counting: BatchVerifier = (checks) => (verifierCalls++, verifyEd25519Batch(checks))
    const decisions: AdapterDecision[][] = signers.map(() => [])
    const adapters = await Promise.all(
      signers.map(async (signer, i) => {
        const adapter = await ConsensusAdapter.start({
          chainId: CHAIN,
          validators: set,
          signer,
          scheme,
          preverify: i < 2 ? counting : undefined,
          transport: bus.attach(ids[i], signer.identityKey),
          store: new MemoryConsensusStore(),
          application: createBeaconApplication({ selfId: ids[i], validators: set, wallNow: () => clock.wallNow() }),
          log: silentLogger,
          timeouts: FAST,
          clock,
        })
        adapter.onDecision((d) => decisions[i].push(d))
        return adapter
      }),
    )
    await clock.runUntil(() => decisions.every((d) => d.length >= 5), 30_000, 'five heights everywhere')
    const stats = adapters.map((a) => a.stats())
    await Promise.all(adapters.map((a) => a.stop()))
    for (let h = 0; h < 5; h++) for (const d of decisions) expect(d[h].value).toEqual(decisions[0][h].value)
    expect(verifierCalls).toBeGreaterThan(0)
    expect(stats[0].signaturesPreverified).toBeGreaterThanOrEqual(5)
    expect(stats[1].signaturesPreverified).toBeGreaterThanOrEqual(5)
    expect(stats[2].signaturesPreverified).toBe(0)
  })
})

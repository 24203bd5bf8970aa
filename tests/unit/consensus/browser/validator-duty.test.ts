import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { ed25519 } from '@noble/curves/ed25519.js'
import {
  CertificateFollower,
  ConsensusAdapter,
  MemoryConsensusStore,
  beaconSetChangeOf,
  createBeaconApplication,
  createSetChangeOrder,
  type AdapterDecision,
  type DecisionRecord,
} from '../../../../workers/consensus/adapter'
import { createValidatorSet, decodeCertificate, encodeCertificate } from '../../../../workers/consensus/certificate'
import { deriveNodeKeys } from '../../../../workers/security/keys/derive'
import { silentLogger } from '../../../../workers/log'
import { ConsensusDatabase, DexieConsensusStore } from '../../../../app/storage/consensus-store'
import { BrowserValidator, type DutySnapshot } from '../../../../app/consensus/browser-validator'
import { dutyAction } from '../../../../app/consensus/duty-plan'
import { VirtualClock } from '../../../sim/virtual-clock'
import { bls, Bus, FAST, makeValidators, scheme } from '../adapter/harness'

const CHAIN = 'browser-duty-test'
const adminSeed = new Uint8Array(32).fill(7)
const adminKey = ed25519.getPublicKey(adminSeed)
const adminSign = (message: Uint8Array) => Promise.resolve(ed25519.sign(message, adminSeed))

// Four relay validators pin a set; a browser holding the validator role runs its duty (the
// BrowserValidator the page runs, with its Dexie store) on the same in-memory bus and virtual
// clock. An admin adds it, later removes it; its own certificate check follows both changes.
describe('a browser validator duty across set changes', () => {
  const { signers, set, ids } = makeValidators(4)
  const keys = deriveNodeKeys(new Uint8Array(32).fill(91))

  async function scenario() {
    const clock = new VirtualClock()
    const bus = new Bus(clock)
    const orders = { order: null as Uint8Array | null }
    const relayStores = ids.map(() => new MemoryConsensusStore())
    const relays = await Promise.all(
      ids.map((id, i) =>
        ConsensusAdapter.start({
          chainId: CHAIN,
          validators: set,
          selfId: id,
          membership: { setChangeOf: beaconSetChangeOf },
          signer: signers[i],
          scheme,
          transport: bus.attach(id, signers[i].identityKey),
          store: relayStores[i],
          application: createBeaconApplication({
            selfId: id,
            validators: set,
            wallNow: () => clock.wallNow(),
            setChanges: { chainId: CHAIN, admins: [adminKey], pendingOrder: () => (i === 0 ? orders.order : null) },
          }),
          log: silentLogger,
          timeouts: FAST,
          clock,
        }),
      ),
    )
    const admitted = new Set<string>()
    const db = new ConsensusDatabase(`duty-${Math.random()}`)
    const makeBrowser = () =>
      new BrowserValidator({
        chain: { chainId: CHAIN, set, admins: [adminKey], multiaddrs: new Map() },
        intervalMs: 0,
        keys,
        scheme,
        bls,
        transport: bus.attach('browser', keys.identity.publicKey),
        store: new DexieConsensusStore(db, CHAIN),
        log: silentLogger,
        admitValidators: (identityKeys) => identityKeys.forEach((k) => admitted.add(Buffer.from(k).toString('hex'))),
        clock,
        timeouts: FAST,
      })
    const browser = makeBrowser()
    await browser.start()
    const relayDecisions: AdapterDecision[] = []
    relays[0].onDecision((d) => relayDecisions.push(d))
    const height = (a: ConsensusAdapter) => a.stats().status.height - 1
    const order = async (change: Parameters<typeof createSetChangeOrder>[0]['change']) => {
      orders.order = await createSetChangeOrder({ chainId: CHAIN, change, seenHeight: height(relays[0]) }, adminKey, adminSign)
      const before = relayDecisions.filter((d) => d.setChange).length
      await clock.runUntil(() => relayDecisions.filter((d) => d.setChange).length > before, 30_000, `the ${change.kind} decided`)
      orders.order = null
      return relayDecisions.filter((d) => d.setChange).at(-1)!.setChange!.from
    }
    return { clock, bus, relays, relayStores, browser, makeBrowser, db, admitted, order, height }
  }

  it('follows until added, votes while in the set, follows again once removed, and checks every certificate from its pinned set', async () => {
    const { clock, relays, relayStores, browser, makeBrowser, db, admitted, order, height } = await scenario()
    const snap = () => browser.snapshot()
    await clock.runUntil(() => snap().verified >= 3, 30_000, 'the browser following three heights')
    expect(snap()).toMatchObject({ role: 'following', votesCast: 0, certificatesSigned: 0, validators: 4, verifyFailure: null })

    const entry = browser.entry()
    expect(entry.voteKey).toBe(Buffer.from(keys.voting.publicKey).toString('hex'))
    const addedFrom = await order({
      kind: 'add',
      validator: {
        id: browser.id,
        identityKey: keys.identity.publicKey,
        voteKey: keys.voting.publicKey,
        possession: browser.signer.proofOfPossession(),
      },
    })
    // The chain's new member is admitted to RBAC as soon as the change is decided.
    await clock.runUntil(() => admitted.has(Buffer.from(keys.identity.publicKey).toString('hex')), 30_000, 'the browser admitted')
    await clock.runUntil(() => snap().certificatesSigned >= 3, 30_000, 'certificates carrying the browser')
    const voting = snap()
    expect(voting).toMatchObject({ role: 'voting', validators: 5, lastChange: { kind: 'add', id: browser.id, from: addedFrom } })
    expect(voting.votesCast).toBeGreaterThanOrEqual(2 * voting.certificatesSigned)

    const removedFrom = await order({ kind: 'remove', id: browser.id })
    await clock.runUntil(
      () => relays.every((r) => height(r) >= removedFrom + 4) && snap().height > removedFrom + 4,
      30_000,
      'heights after the removal',
    )
    const removed: DutySnapshot = snap()
    expect(removed).toMatchObject({ role: 'removed', validators: 4, verifyFailure: null, equivocations: 0 })
    const votesAtRemoval = removed.votesCast
    await clock.runUntil(() => snap().verified >= removed.verified + 3, 30_000, 'three more heights followed')
    expect(snap().votesCast).toBe(votesAtRemoval)

    // Every height the browser stored verified against its own derivation of the sets, and it signed only while in the set.
    await browser.stop()
    await Promise.all(relays.map((r) => r.stop()))
    const stored = await new DexieConsensusStore(db, CHAIN).decisionsFrom(1, 10_000)
    expect(stored.map((r) => r.height)).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1))
    expect(snap().verified).toBe(stored.length)
    const follower = new CertificateFollower(set, scheme, CHAIN, beaconSetChangeOf)
    const signedAt: number[] = []
    for (const record of stored) {
      const verdict = follower.follow(record.height, record.value, record.certificate)
      if (!verdict.ok) throw new Error(verdict.reason)
      if (verdict.signers.includes(browser.id)) signedAt.push(record.height)
    }
    expect(Math.min(...signedAt)).toBeGreaterThanOrEqual(addedFrom)
    expect(Math.max(...signedAt)).toBeLessThan(removedFrom)
    expect(signedAt.length).toBe(snap().certificatesSigned)

    // The tab reopened: the stored chain is checked again from the pinned set before anything else.
    const reopened = makeBrowser()
    await reopened.start()
    expect(reopened.snapshot()).toMatchObject({
      verified: stored.length,
      role: 'removed',
      verifyFailure: null,
      certificatesSigned: signedAt.length,
    })
    await reopened.stop()

    // A relay's store holds the same chain: each record the browser holds is one a relay decided.
    const relayRecords = await relayStores[1].decisionsFrom(1, stored.length)
    expect(relayRecords.map((r) => Buffer.from(r.value).toString('hex'))).toEqual(
      stored.slice(0, relayRecords.length).map((r) => Buffer.from(r.value).toString('hex')),
    )
    db.close()
  })

  it("refuses a chain whose certificates the pinned set does not derive, a tampered value, a gap, another chain's certificate, and stops at the first failure", async () => {
    const { clock, relays, relayStores, order, height } = await scenario()
    const outsider = makeValidators(5).entries[4]
    await clock.runUntil(() => height(relays[0]) >= 2, 30_000, 'two heights')
    const addedFrom = await order({ kind: 'add', validator: outsider })
    await clock.runUntil(() => height(relays[0]) >= addedFrom + 2, 30_000, 'heights under the new set')
    await Promise.all(relays.map((r) => r.stop()))
    const records = await relayStores[0].decisionsFrom(1, addedFrom + 2)
    const follow = (follower: CertificateFollower, list: readonly DecisionRecord[]) =>
      list.map((r) => follower.follow(r.height, r.value, r.certificate))
    const fresh = () => new CertificateFollower(set, scheme, CHAIN, beaconSetChangeOf)

    // The honest chain verifies height after height, across the change.
    expect(follow(fresh(), records).every((v) => v.ok)).toBe(true)

    // Pinned to another set (the relays' first three only), the very first certificate fails, and every later one is refused.
    const other = createValidatorSet(set.validators.slice(0, 3), scheme)
    if (!other.ok) throw new Error(other.reason)
    const wrongPin = new CertificateFollower(other.set, scheme, CHAIN, beaconSetChangeOf)
    const verdicts = follow(wrongPin, records)
    expect(verdicts[0].ok).toBe(false)
    expect(verdicts.every((v) => !v.ok)).toBe(true)
    expect(wrongPin.failure?.height).toBe(1)

    // A value swapped under a valid certificate; a skipped height; the same certificate for another chain.
    const tampered = fresh()
    follow(tampered, records.slice(0, 2))
    const swapped = tampered.follow(3, records[3].value, records[2].certificate)
    expect(swapped).toMatchObject({ ok: false, height: 3 })
    expect(tampered.height).toBe(2)
    expect(fresh().follow(2, records[1].value, records[1].certificate)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/before height 1/),
    })
    expect(
      new CertificateFollower(set, scheme, 'another-chain', beaconSetChangeOf).follow(1, records[0].value, records[0].certificate).ok,
    ).toBe(false)

    // A certificate from before the change cannot stand for a height the new set decides: the signer bitmap is sized for four, not five.
    const late = fresh()
    follow(late, records.slice(0, addedFrom - 1))
    const stale = decodeCertificate(records[1].certificate)
    if (!stale.ok) throw new Error(stale.reason)
    const forged = encodeCertificate({ ...stale.certificate, height: addedFrom })
    expect(late.follow(addedFrom, records[addedFrom - 1].value, forged).ok).toBe(false)
  })

  it('runs the duty exactly while the node holds the validator role and its mesh node is up', () => {
    expect(dutyAction({ hasRole: true, ready: true, running: false })).toBe('start')
    expect(dutyAction({ hasRole: true, ready: false, running: false })).toBeNull()
    expect(dutyAction({ hasRole: true, ready: true, running: true })).toBeNull()
    expect(dutyAction({ hasRole: false, ready: true, running: true })).toBe('stop')
    expect(dutyAction({ hasRole: false, ready: true, running: false })).toBeNull()
  })
})

import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { ed25519 } from '@noble/curves/ed25519.js'
import {
  ConsensusAdapter,
  MemoryConsensusStore,
  beaconSetChangeOf,
  createBeaconApplication,
  createSetChangeOrder,
  type AdapterDecision,
  type ConsensusStore,
} from '../../../../workers/consensus/adapter'
import { bitmapSigners, createSignerFromKeys, decodeCertificate, ValidatorChain } from '../../../../workers/consensus/certificate'
import { deriveNodeKeys } from '../../../../workers/security/keys/derive'
import { peerIdStringFromPublicKey } from '../../../../workers/identity/ed25519'
import { ConsensusDatabase, DexieConsensusStore } from '../../../../app/storage/consensus-store'
import { silentLogger } from '../../../../workers/log'
import { VirtualClock } from '../../../sim/virtual-clock'
import { bls, Bus, FAST, makeValidators, scheme } from './harness'

const CHAIN = 'browser-validator-test'
const adminSeed = new Uint8Array(32).fill(7)
const adminKey = ed25519.getPublicKey(adminSeed)

// The pieces a browser validator runs, in Node: its keys derived from its recovery phrase (the
// ones its credential names), its store in IndexedDB through Dexie, and the same adapter.
describe('a browser validator', () => {
  it('keeps state and decisions per chain in IndexedDB, ignores a rewritten height, and serves decisions in height order', async () => {
    const db = new ConsensusDatabase('consensus-store-contract')
    const store = new DexieConsensusStore(db, 'a')
    const other = new DexieConsensusStore(db, 'b')
    expect(await store.loadState()).toBeNull()
    expect(await store.lastDecision()).toBeNull()
    await store.saveState(new Uint8Array([1, 2]))
    await store.saveState(new Uint8Array([3]))
    for (const height of [1, 2, 3, 10])
      await store.saveDecision({ height, round: 0, value: new Uint8Array([height]), certificate: new Uint8Array([9]), decidedAtMs: height })
    await store.saveDecision({ height: 2, round: 5, value: new Uint8Array([99]), certificate: new Uint8Array([9]), decidedAtMs: 0 })
    await other.saveDecision({ height: 50, round: 0, value: new Uint8Array([50]), certificate: new Uint8Array([9]), decidedAtMs: 0 })
    expect(await store.loadState()).toEqual(new Uint8Array([3]))
    expect(await other.loadState()).toBeNull()
    expect((await store.lastDecision())?.height).toBe(10)
    expect((await store.decisionsFrom(2, 2)).map((d) => [d.height, d.value[0]])).toEqual([
      [2, 2],
      [3, 3],
    ])
    expect((await other.decisionsFrom(1, 16)).map((d) => d.height)).toEqual([50])
    db.close()
    const reopened = new DexieConsensusStore(new ConsensusDatabase('consensus-store-contract'), 'a')
    expect((await reopened.lastDecision())?.height).toBe(10)
  })

  it('votes with the keys derived from its phrase once an admin adds it, and after its tab is closed resumes from IndexedDB without equivocating', async () => {
    const { signers, set, ids } = makeValidators(4)
    const keys = deriveNodeKeys(new Uint8Array(32).fill(77))
    const browserSigner = createSignerFromKeys({ identitySeed: keys.identity.secretKey, voteSecretKey: keys.voting.secretKey }, { bls })
    // The vote key is the BLS key its credential carries.
    expect(browserSigner.voteKey).toEqual(keys.voting.publicKey)
    const browserId = peerIdStringFromPublicKey(keys.identity.publicKey)
    const browserEntry = {
      id: browserId,
      identityKey: browserSigner.identityKey,
      voteKey: browserSigner.voteKey,
      possession: browserSigner.proofOfPossession(),
    }

    const clock = new VirtualClock()
    const bus = new Bus(clock)
    const pending = { order: null as Uint8Array | null }
    const start = (
      id: string,
      signer: typeof browserSigner,
      store: ConsensusStore,
      decisions: AdapterDecision[],
      orders: { order: Uint8Array | null } = { order: null },
    ) =>
      ConsensusAdapter.start({
        chainId: CHAIN,
        validators: set,
        selfId: id,
        membership: { setChangeOf: beaconSetChangeOf },
        signer,
        scheme,
        transport: bus.attach(id, signer.identityKey),
        store,
        application: createBeaconApplication({
          selfId: id,
          validators: set,
          wallNow: () => clock.wallNow(),
          setChanges: { chainId: CHAIN, admins: [adminKey], pendingOrder: () => orders.order },
        }),
        log: silentLogger,
        timeouts: FAST,
        clock,
      }).then((adapter) => {
        adapter.onDecision((d) => decisions.push(d))
        return adapter
      })
    const relayStores = ids.map(() => new MemoryConsensusStore())
    const relays = await Promise.all(ids.map((id, i) => start(id, signers[i], relayStores[i], [], i === 0 ? pending : undefined)))
    const dbName = 'browser-validator-tab'
    let db = new ConsensusDatabase(dbName)
    const browserDecisions: AdapterDecision[] = []
    let browser = await start(browserId, browserSigner, new DexieConsensusStore(db, CHAIN), browserDecisions)
    const height = (a: ConsensusAdapter) => a.stats().status.height - 1

    await clock.runUntil(() => height(browser) >= 2, 30_000, 'the browser following two heights')
    pending.order = await createSetChangeOrder(
      { chainId: CHAIN, change: { kind: 'add', validator: browserEntry }, seenHeight: height(relays[0]) },
      adminKey,
      (message) => Promise.resolve(ed25519.sign(message, adminSeed)),
    )
    await clock.runUntil(() => browserDecisions.some((d) => d.setChange), 30_000, 'the browser added')
    pending.order = null
    const from = browserDecisions.find((d) => d.setChange)!.setChange!.from
    await clock.runUntil(() => height(browser) >= from + 3, 30_000, 'heights with the browser voting')
    expect(browser.stats()).toMatchObject({ member: true, validators: 5 })

    // The tab closes mid-height (a crash fault); four of five remain, a quorum.
    await browser.stop()
    db.close()
    bus.down.add(browserId)
    const closedAt = height(relays[1])
    await clock.runUntil(() => relays.every((r) => height(r) >= closedAt + 4), 30_000, 'heights without the browser')
    bus.down.delete(browserId)
    db = new ConsensusDatabase(dbName)
    browser = await start(browserId, browserSigner, new DexieConsensusStore(db, CHAIN), browserDecisions)
    expect(browser.stats()).toMatchObject({ member: true, validators: 5 })
    const target = Math.max(...relays.map(height)) + 4
    await clock.runUntil(() => [browser, ...relays].every((a) => height(a) >= target), 30_000, 'the reopened browser caught up')
    await Promise.all([browser, ...relays].map((a) => a.stop()))

    // Its IndexedDB holds every height; every certificate verifies against the chain; it signed before and after the reopening.
    const stored = new DexieConsensusStore(db, CHAIN)
    const records = await stored.decisionsFrom(1, target + 10)
    expect(records.map((r) => r.height)).toEqual(Array.from({ length: records.length }, (_, i) => i + 1))
    expect(records.length).toBeGreaterThanOrEqual(target)
    const chain = new ValidatorChain(set, scheme)
    const browserSigned: number[] = []
    for (const record of records) {
      const certificate = decodeCertificate(record.certificate)
      if (!certificate.ok) throw new Error(certificate.reason)
      expect(chain.verify(certificate.certificate, { chainId: CHAIN, height: record.height })).toEqual({ ok: true })
      const heightSet = chain.setAt(record.height)!
      const signed = bitmapSigners(certificate.certificate.signers, heightSet.validators.length) as number[]
      if (signed.some((index) => heightSet.validators[index].id === browserId)) browserSigned.push(record.height)
      expect(chain.record(record.height, beaconSetChangeOf(record.value))).toBeNull()
    }
    expect(Math.min(...browserSigned)).toBeGreaterThanOrEqual(from)
    expect(browserSigned.some((h) => h > closedAt + 4)).toBe(true)
    expect(relays.reduce((sum, r) => sum + r.stats().equivocations, 0)).toBe(0)
    db.close()
  })
})

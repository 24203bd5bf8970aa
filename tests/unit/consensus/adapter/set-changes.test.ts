import { describe, expect, it } from 'vitest'
import { sha256 } from '@noble/hashes/sha2.js'
import { ed25519 } from '@noble/curves/ed25519.js'
import { encodeMessage } from 'protons-runtime'
import {
  ConsensusAdapter,
  MemoryConsensusStore,
  beaconSetChangeOf,
  createBeaconApplication,
  createSetChangeOrder,
  decodeBeacon,
  ORDER_LIFETIME_HEIGHTS,
  type AdapterDecision,
  type BftApplication,
} from '../../../../workers/consensus/adapter'
import { BeaconRecord } from '../../../../workers/consensus/adapter/beacon.pb'
import { bitmapSigners, decodeCertificate, ValidatorChain, type SetChange } from '../../../../workers/consensus/certificate'
import { silentLogger } from '../../../../workers/log'
import { VirtualClock } from '../../../sim/virtual-clock'
import { Bus, FAST, makeValidators, scheme } from './harness'

const CHAIN = 'set-change-test'
const adminSeed = new Uint8Array(32).fill(7)
const adminKey = ed25519.getPublicKey(adminSeed)
const admin = (message: Uint8Array) => Promise.resolve(ed25519.sign(message, adminSeed))
const strangerSeed = new Uint8Array(32).fill(8)

// Four validators in the pinned set and a fifth node that follows the chain until an admin's
// order adds it; all on one virtual clock and an in-memory bus.
describe('consensus adapter with validator-set changes', () => {
  const { signers, entries, set, ids } = makeValidators(5, 4)
  const pinnedIds = new Set(set.validators.map((v) => v.id))
  const outsider = ids.findIndex((id) => !pinnedIds.has(id))

  interface Node {
    adapter: ConsensusAdapter
    decisions: AdapterDecision[]
  }

  function startNode(
    i: number,
    bus: Bus,
    clock: VirtualClock,
    store: MemoryConsensusStore,
    pending: { order: Uint8Array | null },
    wrap: (app: BftApplication) => BftApplication = (app) => app,
  ): Promise<Node> {
    const decisions: AdapterDecision[] = []
    const application = createBeaconApplication({
      selfId: ids[i],
      validators: set,
      wallNow: () => clock.wallNow(),
      // Paced on the virtual clock, as relays pace the chain (--bft-interval-ms).
      intervalMs: 50,
      sleep: (ms) => new Promise((resolve) => clock.setTimer(ms, resolve)),
      setChanges: { chainId: CHAIN, admins: [adminKey], pendingOrder: () => pending.order },
    })
    return ConsensusAdapter.start({
      chainId: CHAIN,
      validators: set,
      selfId: ids[i],
      membership: { setChangeOf: beaconSetChangeOf },
      signer: signers[i],
      scheme,
      transport: bus.attach(ids[i], signers[i].identityKey),
      store,
      application: wrap(application),
      log: silentLogger,
      timeouts: FAST,
      clock,
    }).then((adapter) => {
      adapter.onDecision((d) => decisions.push(d))
      return { adapter, decisions }
    })
  }

  const height = (node: Node) => node.adapter.stats().status.height - 1

  it('adds a follower and removes a member by admin orders, every certificate verifies against the set in force at its height, and a restart derives the sets from its store', async () => {
    const clock = new VirtualClock()
    const bus = new Bus(clock)
    const stores = ids.map(() => new MemoryConsensusStore())
    // Only one validator holds the admin's order, as on a relay where the admin ran the CLI: it goes in when that one proposes.
    const orders = ids.map(() => ({ order: null as Uint8Array | null }))
    const nodes = await Promise.all(ids.map((_, i) => startNode(i, bus, clock, stores[i], orders[i])))
    const holder = ids.indexOf(set.validators[0].id)
    await clock.runUntil(() => nodes.every((n) => height(n) >= 3), 30_000, 'three heights')
    expect(nodes[outsider].adapter.stats()).toMatchObject({ member: false, validators: 4 })

    const add: SetChange = { kind: 'add', validator: entries[outsider] }
    orders[holder].order = await createSetChangeOrder({ chainId: CHAIN, change: add, seenHeight: height(nodes[holder]) }, adminKey, admin)
    await clock.runUntil(() => nodes.every((n) => n.decisions.some((d) => d.setChange)), 30_000, 'the addition decided everywhere')
    orders[holder].order = null
    const added = nodes[0].decisions.find((d) => d.setChange)!
    expect(added.setChange!.from).toBe(added.height + 2)
    for (const node of nodes) expect(node.decisions.find((d) => d.setChange)?.height).toBe(added.height)
    await clock.runUntil(() => nodes.every((n) => height(n) >= added.height + 6), 30_000, 'heights decided by five')
    expect(nodes[outsider].adapter.stats()).toMatchObject({ member: true, validators: 5 })

    // Remove a member other than the order holder.
    const removedId = set.validators[2].id
    const removed = ids.indexOf(removedId)
    const remove: SetChange = { kind: 'remove', id: removedId }
    orders[holder].order = await createSetChangeOrder(
      { chainId: CHAIN, change: remove, seenHeight: height(nodes[holder]) },
      adminKey,
      admin,
    )
    await clock.runUntil(
      () => nodes.every((n) => n.decisions.filter((d) => d.setChange).length >= 2),
      30_000,
      'the removal decided everywhere',
    )
    const dropped = nodes[0].decisions.filter((d) => d.setChange)[1]
    expect(dropped.setChange!.change).toEqual(remove)
    await clock.runUntil(() => nodes.every((n) => height(n) >= dropped.height + 6), 30_000, 'heights decided without the removed one')
    expect(nodes[removed].adapter.stats()).toMatchObject({ member: false, validators: 4 })

    // A restart rebuilds the sets from the stored decisions alone.
    const restartee = ids.indexOf(set.validators[1].id)
    await nodes[restartee].adapter.stop()
    nodes[restartee] = await startNode(restartee, bus, clock, stores[restartee], orders[restartee])
    expect(nodes[restartee].adapter.stats()).toMatchObject({
      member: true,
      validators: 4,
      setChange: { kind: 'remove', id: removedId, decidedAt: dropped.height, from: dropped.height + 2 },
    })
    const target = Math.max(...nodes.map(height)) + 3
    await clock.runUntil(() => nodes.every((n) => height(n) >= target), 30_000, 'heights after the restart')
    await Promise.all(nodes.map((n) => n.adapter.stop()))

    // An observer that pinned the first set follows the committed chain and checks every certificate of every node.
    const observer = new ValidatorChain(set, scheme)
    const signersAt = new Map<number, string[]>()
    for (let h = 1; h <= target; h++) {
      const value = stores[0].decisions.get(h)!.value
      for (const [i, store] of stores.entries()) {
        const record = store.decisions.get(h)
        expect(record, `node ${i} at height ${h}`).toBeDefined()
        expect(Buffer.from(record!.value).equals(Buffer.from(value))).toBe(true)
        const certificate = decodeCertificate(record!.certificate)
        if (!certificate.ok) throw new Error(certificate.reason)
        expect(observer.verify(certificate.certificate, { chainId: CHAIN, height: h, valueId: sha256(value) })).toEqual({ ok: true })
        const heightSet = observer.setAt(h)!
        const indices = bitmapSigners(certificate.certificate.signers, heightSet.validators.length) as number[]
        if (i === 0)
          signersAt.set(
            h,
            indices.map((index) => heightSet.validators[index].id),
          )
      }
      expect(observer.record(h, beaconSetChangeOf(value))).toBeNull()
    }
    expect(observer.setAt(added.height + 1)!.validators.length).toBe(4)
    expect(observer.setAt(added.height + 2)!.validators.length).toBe(5)
    expect(observer.setAt(dropped.height + 2)!.indexOf(removedId)).toBe(-1)
    // The added validator signs certificates once its set decides, the removed one never after.
    const signedBy = (id: string, from: number, to: number) => [...signersAt].some(([h, who]) => h >= from && h <= to && who.includes(id))
    expect(signedBy(ids[outsider], 1, added.height + 1)).toBe(false)
    expect(signedBy(ids[outsider], added.height + 2, target)).toBe(true)
    expect(signedBy(removedId, dropped.height + 2, target)).toBe(false)
    expect(nodes.reduce((sum, n) => sum + n.adapter.stats().equivocations, 0)).toBe(0)
  })

  it('lets a node started long after the chain began catch up by asking, and then be added', async () => {
    const clock = new VirtualClock()
    const bus = new Bus(clock)
    const stores = ids.map(() => new MemoryConsensusStore())
    const orders = ids.map(() => ({ order: null as Uint8Array | null }))
    const members = ids.map((_, i) => i).filter((i) => i !== outsider)
    const nodes: Node[] = []
    for (const i of members) nodes[i] = await startNode(i, bus, clock, stores[i], orders[i])
    await clock.runUntil(() => members.every((i) => height(nodes[i]) >= 12), 30_000, 'twelve heights')
    // The new node has an empty store and nothing signed: only its catch-up requests bring it up.
    nodes[outsider] = await startNode(outsider, bus, clock, stores[outsider], orders[outsider])
    const late = nodes[outsider]
    await clock.runUntil(() => height(late) >= Math.min(...members.map((i) => height(nodes[i]))), 30_000, 'the late node caught up')
    expect(late.adapter.stats().catchUpRequests).toBeGreaterThan(0)
    expect(members.reduce((sum, i) => sum + nodes[i].adapter.stats().served, 0)).toBeGreaterThanOrEqual(12)

    const holder = ids.indexOf(set.validators[0].id)
    orders[holder].order = await createSetChangeOrder(
      { chainId: CHAIN, change: { kind: 'add', validator: entries[outsider] }, seenHeight: height(nodes[holder]) },
      adminKey,
      admin,
    )
    await clock.runUntil(() => late.decisions.some((d) => d.setChange), 30_000, 'the late node added')
    const from = late.decisions.find((d) => d.setChange)!.setChange!.from
    await clock.runUntil(() => height(late) >= from + 3, 30_000, 'heights with the late node voting')
    await Promise.all(nodes.map((n) => n.adapter.stop()))
    expect(late.adapter.stats()).toMatchObject({ member: true, validators: 5 })
    const last = stores[outsider].decisions.get(from + 2)!
    const certificate = decodeCertificate(last.certificate)
    if (!certificate.ok) throw new Error(certificate.reason)
    const signed = bitmapSigners(certificate.certificate.signers, 5) as number[]
    expect(signed.length).toBeGreaterThanOrEqual(4)
    expect(stores[outsider].decisions.size).toBeGreaterThanOrEqual(from + 3)
  })

  it('never decides an order its admin did not sign, even from a proposer that pushes it into every record', async () => {
    const clock = new VirtualClock()
    const bus = new Bus(clock)
    const stores = ids.map(() => new MemoryConsensusStore())
    const none = { order: null }
    const forged = await createSetChangeOrder(
      { chainId: CHAIN, change: { kind: 'add', validator: entries[outsider] }, seenHeight: 0 },
      ed25519.getPublicKey(strangerSeed),
      (message) => Promise.resolve(ed25519.sign(message, strangerSeed)),
    )
    const pusher = ids.indexOf(set.validators[0].id)
    // The pushing proposer skips its own validity check and puts the forged order into its records.
    const pushForged = (app: BftApplication): BftApplication => ({
      validateValue: app.validateValue,
      async proposeValue(context) {
        const record = decodeBeacon(await app.proposeValue(context))
        if (typeof record === 'string') throw new Error(record)
        return encodeMessage(
          {
            height: BigInt(record.height),
            previousValueId: record.previousValueId as Uint8Array<ArrayBuffer>,
            proposer: record.proposer,
            timeMs: BigInt(record.timeMs),
            setChange: forged as Uint8Array<ArrayBuffer>,
          },
          BeaconRecord.codec(),
        )
      },
    })
    const nodes = await Promise.all(ids.map((_, i) => startNode(i, bus, clock, stores[i], none, i === pusher ? pushForged : undefined)))
    await clock.runUntil(() => nodes.every((n) => height(n) >= 12), 60_000, 'twelve heights')
    await Promise.all(nodes.map((n) => n.adapter.stop()))
    for (const node of nodes) {
      expect(node.decisions.some((d) => d.setChange)).toBe(false)
      expect(node.adapter.stats()).toMatchObject({ validators: 4, setChange: null })
    }
    // The pusher's rounds failed: some heights needed a later round (the check did run).
    expect(nodes[0].decisions.some((d) => d.round > 0)).toBe(true)
    for (const d of nodes[0].decisions) expect(beaconSetChangeOf(d.value)).toBeNull()
  })

  it('has the beacon application refuse orders that are unsigned by an admin, for another chain, stale, expired or impossible', async () => {
    const chain = new ValidatorChain(set, scheme)
    for (let h = 1; h <= 5; h++) chain.record(h, null)
    const app = createBeaconApplication({
      selfId: set.validators[0].id,
      validators: set,
      setChanges: { chainId: CHAIN, admins: [adminKey], pendingOrder: () => null },
    })
    const add: SetChange = { kind: 'add', validator: entries[outsider] }
    const recordWith = async (order: Uint8Array) =>
      encodeMessage(
        {
          height: 6n,
          previousValueId: new Uint8Array(32),
          proposer: set.validators[0].id,
          timeMs: 0n,
          setChange: order as Uint8Array<ArrayBuffer>,
        },
        BeaconRecord.codec(),
      )
    const context = { height: 6, previous: null, chain }
    const explain = async (fields: { chainId?: string; change?: SetChange; seenHeight?: number }, sign = admin, key = adminKey) =>
      app.explain(
        context,
        await recordWith(await createSetChangeOrder({ chainId: CHAIN, change: add, seenHeight: 5, ...fields }, key, sign)),
      )

    expect(await explain({})).toBeNull()
    expect(await explain({}, (m) => Promise.resolve(ed25519.sign(m, strangerSeed)), ed25519.getPublicKey(strangerSeed))).toMatch(
      /not among the set file's admins/,
    )
    expect(await explain({}, (m) => Promise.resolve(ed25519.sign(m, strangerSeed)))).toMatch(/signature does not verify/)
    expect(await explain({ chainId: 'other' })).toMatch(/for chain other/)
    expect(await explain({ seenHeight: 6 })).toMatch(/not decided before/)
    expect(await explain({ change: { kind: 'remove', id: ids[outsider] } })).toMatch(/is not a validator/)
    expect(app.explain(context, await recordWith(new Uint8Array([1, 2, 3])))).toMatch(/not a set-change order/)
    // Without admins in the set file, a record carrying any order is refused.
    const fixed = createBeaconApplication({ selfId: set.validators[0].id, validators: set })
    expect(fixed.explain({ height: 6, previous: null }, await recordWith(new Uint8Array(0)))).toBeNull()
    expect(
      fixed.explain(
        { height: 6, previous: null },
        await recordWith(await createSetChangeOrder({ chainId: CHAIN, change: add, seenHeight: 5 }, adminKey, admin)),
      ),
    ).toMatch(/takes no validator-set changes/)

    // Decided once, an order (and any signed before it) is stale; a long-unused one expires.
    const order = await createSetChangeOrder({ chainId: CHAIN, change: add, seenHeight: 5 }, adminKey, admin)
    expect(chain.record(6, add)).toBeNull()
    for (let h = 7; h <= 9; h++) chain.record(h, null)
    const staleContext = { height: 10, previous: null, chain }
    const record10 = encodeMessage(
      {
        height: 10n,
        previousValueId: new Uint8Array(32),
        proposer: set.validators[0].id,
        timeMs: 0n,
        setChange: order as Uint8Array<ArrayBuffer>,
      },
      BeaconRecord.codec(),
    )
    expect(app.explain(staleContext, record10)).toMatch(/stale: a set change was decided at height 6/)
    const long = new ValidatorChain(set, scheme)
    for (let h = 1; h <= ORDER_LIFETIME_HEIGHTS + 1; h++) long.record(h, null)
    const expired = await createSetChangeOrder({ chainId: CHAIN, change: add, seenHeight: 1 }, adminKey, admin)
    const lateRecord = encodeMessage(
      {
        height: BigInt(ORDER_LIFETIME_HEIGHTS + 2),
        previousValueId: new Uint8Array(32),
        proposer: set.validators[0].id,
        timeMs: 0n,
        setChange: expired as Uint8Array<ArrayBuffer>,
      },
      BeaconRecord.codec(),
    )
    expect(app.explain({ height: ORDER_LIFETIME_HEIGHTS + 2, previous: null, chain: long }, lateRecord)).toMatch(/expired/)
  })
})

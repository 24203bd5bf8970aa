import { describe, expect, it } from 'vitest'
import { sha256 } from '@noble/hashes/sha2.js'
import { ed25519 } from '@noble/curves/ed25519.js'
import {
  ConsensusAdapter,
  MemoryConsensusStore,
  createBeaconApplication,
  decodeBeacon,
  decodePersistedState,
  encodePersistedState,
  type AdapterDecision,
} from '../../../../workers/consensus/adapter'
import { decodeCertificate, verifyCertificate } from '../../../../workers/consensus/certificate'
import { encodeBftMessage } from '../../../../workers/consensus/bft'
import { silentLogger } from '../../../../workers/log'
import { VirtualClock } from '../../../sim/virtual-clock'
import { Bus, FAST, makeValidators, scheme } from './harness'

const CHAIN = 'adapter-test'

// Every node runs on one virtual clock (timers, decision times, beacon record times), so a
// test's run is the same every time and takes no real waiting: time advances only through
// clock.runUntil, which fires the next timer once all pending promises have settled.
describe('consensus adapter', () => {
  const { signers, set, ids } = makeValidators(4)

  async function startNode(i: number, bus: Bus, clock: VirtualClock, store: MemoryConsensusStore, decisions: AdapterDecision[]) {
    const adapter = await ConsensusAdapter.start({
      chainId: CHAIN,
      validators: set,
      signer: signers[i],
      scheme,
      transport: bus.attach(ids[i], signers[i].identityKey),
      store,
      application: createBeaconApplication({ selfId: ids[i], validators: set, wallNow: () => clock.wallNow() }),
      log: silentLogger,
      timeouts: FAST,
      clock,
    })
    adapter.onDecision((d) => decisions.push(d))
    return adapter
  }

  it('decides a hash-chained value per height with verifying certificates, and a validator down for 20 heights resumes from its store and catches up', async () => {
    const clock = new VirtualClock()
    const bus = new Bus(clock)
    const stores = signers.map(() => new MemoryConsensusStore())
    const decisions: AdapterDecision[][] = signers.map(() => [])
    const adapters = await Promise.all(signers.map((_, i) => startNode(i, bus, clock, stores[i], decisions[i])))
    await clock.runUntil(() => decisions.every((d) => d.length >= 3), 30_000, 'three heights everywhere')

    // Validator 0 crashes (state kept in its store); the other three go on (n = 4 tolerates f = 1).
    bus.down.add(ids[0])
    await adapters[0].stop()
    const crashedAt = stores[0].decisions.size
    // More heights than the core remembers commits for (16): catching up needs the stored decisions.
    await clock.runUntil(
      () => [1, 2, 3].every((i) => decisions[i].length >= crashedAt + 20),
      60_000,
      'twenty more heights without validator 0',
    )
    bus.down.delete(ids[0])
    const restarted = await startNode(0, bus, clock, stores[0], decisions[0])
    const target = Math.max(...[1, 2, 3].map((i) => decisions[i].length)) + 2
    await clock.runUntil(() => decisions.every((d) => d.length >= target), 30_000, 'validator 0 catching up')
    const served = adapters.slice(1).reduce((sum, a) => sum + a.stats().served, 0)
    await Promise.all([restarted, ...adapters.slice(1)].map((a) => a.stop()))
    expect(served).toBeGreaterThan(0)

    for (let h = 1; h <= target; h++) {
      const values = stores.map((s) => s.decisions.get(h)!)
      for (const record of values) expect(record, `height ${h}`).toBeDefined()
      const first = values[0].value
      for (const record of values) expect(Buffer.from(record.value).equals(Buffer.from(first))).toBe(true)
      const beacon = decodeBeacon(first)
      if (typeof beacon === 'string') throw new Error(beacon)
      expect(beacon.height).toBe(h)
      const previous = h === 1 ? new Uint8Array(0) : sha256(stores[1].decisions.get(h - 1)!.value)
      expect(Buffer.from(beacon.previousValueId).equals(Buffer.from(previous))).toBe(true)
      const certificate = decodeCertificate(values[0].certificate)
      if (!certificate.ok) throw new Error(certificate.reason)
      expect(verifyCertificate(certificate.certificate, set, scheme, { chainId: CHAIN, height: h, valueId: sha256(first) })).toEqual({
        ok: true,
      })
    }
    expect(restarted.stats().rejected['not-a-validator']).toBe(0)
  })

  it('drops messages whose envelope sender is not a validator, and undecodable ones', async () => {
    const clock = new VirtualClock()
    const bus = new Bus(clock)
    const decisions: AdapterDecision[] = []
    const adapter = await startNode(1, bus, clock, new MemoryConsensusStore(), decisions)
    const outsider = ed25519.getPublicKey(new Uint8Array(32).fill(99))
    const vote = {
      kind: 'vote' as const,
      height: 1,
      round: 0,
      type: 'prevote' as const,
      valueId: null,
      validator: 0,
      commitSignature: new Uint8Array(0),
      signature: new Uint8Array(64).fill(1),
    }
    await bus.attach('outsider', outsider).publish(encodeBftMessage(vote))
    await bus.attach(ids[2], signers[2].identityKey).publish(new Uint8Array([0xff, 0xff, 0xff]))
    // A validator's envelope with a forged inner signature reaches the core, which refuses it.
    await bus.attach(ids[3], signers[3].identityKey).publish(encodeBftMessage(vote))
    await clock.runUntil(() => adapter.stats().rejected.refused >= 1, 1_000, 'the forged vote refused')
    const stats = adapter.stats()
    await adapter.stop()
    expect(stats.rejected['not-a-validator']).toBe(1)
    expect(stats.rejected.undecodable).toBe(1)
    expect(stats.rejected.refused).toBe(1)
    expect(decisions).toEqual([])
  })

  it('round-trips the persisted state through its protobuf record and refuses a damaged one', async () => {
    const clock = new VirtualClock()
    const bus = new Bus(clock)
    const stores = signers.map(() => new MemoryConsensusStore())
    const adapters = await Promise.all(signers.map((_, i) => startNode(i, bus, clock, stores[i], [])))
    await clock.runUntil(() => stores.every((s) => s.decisions.size >= 2), 30_000, 'two heights')
    await Promise.all(adapters.map((a) => a.stop()))
    for (const store of stores) {
      const decoded = decodePersistedState(store.state!)
      if (!decoded.ok) throw new Error(decoded.reason)
      expect(decoded.state.lastCommit?.kind).toBe('commit')
      expect(Buffer.from(encodePersistedState(decoded.state)).equals(Buffer.from(store.state!))).toBe(true)
    }
    expect(decodePersistedState(stores[0].state!.subarray(0, stores[0].state!.length - 3)).ok).toBe(false)
  })

  it('has the beacon application refuse a record that does not extend the last decision', async () => {
    const app = createBeaconApplication({ selfId: ids[0], validators: set })
    const first = await app.proposeValue({ height: 1, previous: null })
    expect(app.explain({ height: 1, previous: null }, first)).toBeNull()
    const second = await app.proposeValue({ height: 2, previous: { height: 1, value: first } })
    expect(app.explain({ height: 2, previous: { height: 1, value: first } }, second)).toBeNull()
    expect(app.explain({ height: 2, previous: { height: 1, value: second } }, second)).toMatch(/does not extend/)
    expect(app.explain({ height: 3, previous: { height: 2, value: second } }, second)).toMatch(/height 2/)
    expect(app.explain({ height: 1, previous: null }, new Uint8Array([1, 2, 3]))).toMatch(/not a beacon/)
    const outsider = createBeaconApplication({ selfId: 'someone-else', validators: set })
    expect(app.explain({ height: 1, previous: null }, await outsider.proposeValue({ height: 1, previous: null }))).toMatch(
      /not a validator/,
    )
  })
})

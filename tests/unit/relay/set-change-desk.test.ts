import { describe, expect, it } from 'vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { SetChangeDesk } from '../../../relay/validator-set-changes'
import { openConsensusDatabase, SqliteConsensusStore } from '../../../relay/consensus-store'
import { BeaconRecord } from '../../../workers/consensus/adapter/beacon.pb'
import {
  decodeSetChangeOrder,
  orderProblem,
  parseValidatorEntry,
  parseValidatorSetFile,
  setChangeRequestOf,
  type AdapterDecision,
  type ConsensusAdapter,
} from '../../../workers/consensus/adapter'
import { createRealScheme, ValidatorChain } from '../../../workers/consensus/certificate'
import { relayValidatorEntry } from '../../../relay/validator'
import { resolveConfig } from '../../../relay/config'
import { loadOrCreateAuthority } from '../../../relay/ca-files'
import { signAsAuthority } from '../../../workers/security/credentials/ca'
import { bytesToHex } from '@noble/hashes/utils.js'
import type { AuditFields } from '../../../workers/security/audit/entry'

/** An adapter that only hands the desk its decisions, when the test says so. */
function decisionsByHand() {
  let handler: ((decision: AdapterDecision) => void) | null = null
  const adapter = { chain: null, onDecision: (h: (decision: AdapterDecision) => void) => void (handler = h) } as unknown as ConsensusAdapter
  return { adapter, decide: (decision: AdapterDecision) => handler!(decision) }
}

describe('validator-set change desk', () => {
  it('audits an order as requested before its decision, even when it is decided before the desk polled it', async () => {
    const db = openConsensusDatabase(mkdtempSync(join(tmpdir(), 'mesh-desk-')))
    const store = new SqliteConsensusStore(db, 'desk-chain')
    const audited: AuditFields[] = []
    const desk = new SetChangeDesk({
      store,
      chainId: 'desk-chain',
      admins: [],
      peerId: 'relay-0',
      log: pino({ level: 'silent' }),
      audit: async (fields) => void audited.push(fields),
      admitValidators: () => {},
    })
    const { adapter, decide } = decisionsByHand()
    desk.start(adapter)
    // The admin's CLI writes an order; this relay proposes it and it is decided before any poll audited it.
    const order = new Uint8Array([1, 2, 3, 4])
    const id = store.addOrder(order, 'remove relay-1', Date.now())
    const value = BeaconRecord.encode({
      height: 7n,
      previousValueId: new Uint8Array(32),
      proposer: 'relay-0',
      timeMs: 1n,
      setChange: order,
    })
    decide({
      height: 7,
      round: 0,
      value,
      certificate: {} as AdapterDecision['certificate'],
      decidedAtMs: 0,
      setChange: { change: { kind: 'remove', id: 'relay-1' }, from: 9 },
    })
    await expect.poll(() => audited.map((a) => (a.details as { stage: string }).stage)).toEqual(['requested', 'decided'])
    expect(store.pendingOrder()).toBeNull()
    // A later poll does not audit the request a second time.
    await desk.poll()
    desk.stop()
    expect(audited.filter((a) => (a.details as { stage: string }).stage === 'requested')).toHaveLength(1)
    expect((audited[0].details as { order: number }).order).toBe(id)
    db.close()
  })
})

/** Five relays' entries; the first four form the set and the first one's CA key is its admin. */
async function adminRelay() {
  const dirs = Array.from({ length: 5 }, () => mkdtempSync(join(tmpdir(), 'mesh-desk-request-')))
  const entries = await Promise.all(dirs.map((dir) => relayValidatorEntry(resolveConfig({ 'data-dir': dir }, {}))))
  const { ca } = await loadOrCreateAuthority(dirs[0])
  const scheme = createRealScheme()
  const loaded = parseValidatorSetFile(
    JSON.stringify({ chainId: 'desk-chain', validators: entries.slice(0, 4), admins: [bytesToHex(ca.anchor.publicKey)] }),
    scheme,
  )
  const db = openConsensusDatabase(dirs[0])
  const store = new SqliteConsensusStore(db, 'desk-chain')
  const audited: AuditFields[] = []
  const chain = new ValidatorChain(loaded.set, scheme)
  const desk = (authority: boolean) =>
    new SetChangeDesk({
      store,
      chainId: 'desk-chain',
      admins: loaded.admins,
      peerId: entries[0].peerId,
      log: pino({ level: 'silent' }),
      audit: async (fields) => void audited.push(fields),
      admitValidators: () => {},
      authority: authority ? { publicKey: ca.anchor.publicKey, sign: (message) => signAsAuthority(ca, message) } : undefined,
    })
  const adapter = { chain, onDecision: () => {} } as unknown as ConsensusAdapter
  const add = setChangeRequestOf('desk-chain', { kind: 'add', validator: parseValidatorEntry(entries[4], 'new relay').validator })
  return { entries, store, audited, chain, desk, adapter, add, admins: loaded.admins, db }
}

describe("an admin's request from the PWA", () => {
  it('is ordered with the relay admin key through the CLI checks, audited with the admin as actor, one change at a time', async () => {
    const { store, audited, chain, desk, adapter, add, admins, entries, db } = await adminRelay()
    const d = desk(true)
    d.start(adapter)
    try {
      expect(await d.request(add, 'admin-page')).toEqual({ queued: expect.any(Number) })
      const waiting = store.pendingOrder()!
      const decoded = decodeSetChangeOrder(waiting.order)
      if (!decoded.ok) throw new Error(decoded.reason)
      expect(decoded.order.change).toMatchObject({ kind: 'add', validator: { id: entries[4].peerId } })
      // The order is one every validator accepts: signed by an admin of the chain, for the next height.
      expect(orderProblem(decoded.order, { chainId: 'desk-chain', admins, chain, height: chain.height + 1 })).toBeNull()
      expect(audited.at(-1)).toMatchObject({ actor: 'admin-page', details: { stage: 'requested', via: 'pwa', kind: 'add' } })
      // A second change while one waits is refused with the reason, and audited as refused.
      const remove = { chainId: 'desk-chain', removeId: entries[1].peerId }
      expect(await d.request(remove, 'admin-page')).toEqual({ refused: expect.stringMatching(/another change is waiting/) })
      expect(audited.at(-1)).toMatchObject({ actor: 'admin-page', details: { stage: 'refused', kind: 'remove' } })
      // A change the chain cannot take is refused by the same checks as the CLI's.
      store.resolveOrder(waiting.id, 'refused', 0, 'test')
      expect(await d.request({ chainId: 'desk-chain', removeId: entries[4].peerId }, 'admin-page')).toEqual({
        refused: expect.stringMatching(/not a validator/),
      })
      expect(await d.request({ chainId: 'desk-chain', add: add.add, removeId: entries[1].peerId }, 'admin-page')).toEqual({
        refused: expect.stringMatching(/exactly one/),
      })
      expect(store.pendingOrder()).toBeNull()
      // Another chain's request is left alone, unaudited.
      const before = audited.length
      expect(await d.request({ ...add, chainId: 'other-chain' }, 'admin-page')).toBeNull()
      expect(audited).toHaveLength(before)
    } finally {
      d.stop()
      db.close()
    }
  })

  it('is left to other relays by one holding no admin key of the chain', async () => {
    const { desk, adapter, add, store, audited, db } = await adminRelay()
    const d = desk(false)
    d.start(adapter)
    expect(await d.request(add, 'admin-page')).toBeNull()
    expect(store.pendingOrder()).toBeNull()
    expect(audited).toHaveLength(0)
    d.stop()
    db.close()
  })
})

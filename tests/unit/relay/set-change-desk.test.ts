import { describe, expect, it } from 'vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { SetChangeDesk } from '../../../relay/validator-set-changes'
import { openConsensusDatabase, SqliteConsensusStore } from '../../../relay/consensus-store'
import { BeaconRecord } from '../../../workers/consensus/adapter/beacon.pb'
import type { AdapterDecision, ConsensusAdapter } from '../../../workers/consensus/adapter'
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

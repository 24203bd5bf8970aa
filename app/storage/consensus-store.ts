import Dexie, { type DexieOptions, type Table } from 'dexie'
import type { ConsensusStore, DecisionRecord } from '../../workers/consensus/adapter/types'

interface StateRow {
  chainId: string
  state: Uint8Array
  updatedMs: number
}

interface DecisionRow extends DecisionRecord {
  chainId: string
}

/** The chain a browser validator pinned at its first join (what the relay's /api/consensus served then), as JSON text. */
export interface PinnedChainRow {
  id: 'beacon'
  json: string
  pinnedAtMs: number
}

/**
 * A browser validator's consensus data in its own IndexedDB database ('agent-mesh-consensus'),
 * apart from the node's main one (as the task store is): the BFT state it must reload before
 * signing again, and the decisions with their certificates, keyed by chain id like the relay's
 * consensus.sqlite. Transactions are strictly durable: the adapter sends a step's messages only
 * once its state is on disk, so a closed tab can never make it sign twice.
 */
export class ConsensusDatabase extends Dexie {
  state!: Table<StateRow, string>
  decisions!: Table<DecisionRow, [string, number]>
  pinned!: Table<PinnedChainRow, string>

  constructor(name = 'agent-mesh-consensus', options?: DexieOptions) {
    super(name, { chromeTransactionDurability: 'strict', ...options })
    this.version(1).stores({ state: 'chainId', decisions: '[chainId+height]' })
    this.version(2).stores({ pinned: 'id' })
  }

  /** The pinned chain's JSON: the one stored at the first join, else `served`, which is stored now and kept. */
  async pinChain(served: string): Promise<string> {
    return this.transaction('rw', this.pinned, async () => {
      const pinned = await this.pinned.get('beacon')
      if (pinned) return pinned.json
      await this.pinned.put({ id: 'beacon', json: served, pinnedAtMs: Date.now() })
      return served
    })
  }
}

export class DexieConsensusStore implements ConsensusStore {
  constructor(
    private readonly db: ConsensusDatabase,
    private readonly chainId: string,
  ) {}

  async loadState(): Promise<Uint8Array | null> {
    return (await this.db.state.get(this.chainId))?.state ?? null
  }

  async saveState(state: Uint8Array): Promise<void> {
    await this.db.state.put({ chainId: this.chainId, state, updatedMs: Date.now() })
  }

  /** A decided height never changes: a second write of it is ignored, as the relay's INSERT OR IGNORE does. */
  async saveDecision(decision: DecisionRecord): Promise<void> {
    await this.db.transaction('rw', this.db.decisions, async () => {
      if ((await this.db.decisions.get([this.chainId, decision.height])) === undefined)
        await this.db.decisions.add({ ...decision, chainId: this.chainId })
    })
  }

  async lastDecision(): Promise<DecisionRecord | null> {
    const row = await this.db.decisions.where('[chainId+height]').between([this.chainId, Dexie.minKey], [this.chainId, Dexie.maxKey]).last()
    return row ? strip(row) : null
  }

  async decisionsFrom(height: number, limit: number): Promise<DecisionRecord[]> {
    const rows = await this.db.decisions
      .where('[chainId+height]')
      .between([this.chainId, height], [this.chainId, Dexie.maxKey])
      .limit(limit)
      .toArray()
    return rows.map(strip)
  }
}

function strip(row: DecisionRow): DecisionRecord {
  return { height: row.height, round: row.round, value: row.value, certificate: row.certificate, decidedAtMs: row.decidedAtMs }
}

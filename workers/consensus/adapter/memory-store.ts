import type { ConsensusStore, DecisionRecord } from './types'

/** A store that lives as long as the object: for tests, benchmarks and throwaway nodes. */
export class MemoryConsensusStore implements ConsensusStore {
  state: Uint8Array | null = null
  readonly decisions = new Map<number, DecisionRecord>()

  async loadState(): Promise<Uint8Array | null> {
    return this.state
  }
  async saveState(state: Uint8Array): Promise<void> {
    this.state = state
  }
  async saveDecision(decision: DecisionRecord): Promise<void> {
    this.decisions.set(decision.height, decision)
  }
  async lastDecision(): Promise<DecisionRecord | null> {
    let last: DecisionRecord | null = null
    for (const d of this.decisions.values()) if (!last || d.height > last.height) last = d
    return last
  }
  async decisionsFrom(height: number, limit: number): Promise<DecisionRecord[]> {
    const out: DecisionRecord[] = []
    for (let h = height; out.length < limit && this.decisions.has(h); h++) out.push(this.decisions.get(h)!)
    return out
  }
}

import type { BftTransport } from '../../../../workers/consensus/adapter'
import {
  createRealScheme,
  createRealSigner,
  createValidatorSet,
  loadWasmBls,
  type ValidatorSigner,
} from '../../../../workers/consensus/certificate'
import { peerIdStringFromPublicKey } from '../../../../workers/identity/ed25519'
import type { VirtualClock } from '../../../sim/virtual-clock'

// The production configuration: WebAssembly BLS for votes.
export const bls = await loadWasmBls()
export const scheme = createRealScheme({ bls })
export const FAST = { proposeMs: 400, prevoteMs: 200, precommitMs: 200, roundIncrementMs: 200, rebroadcastMs: 300 }

/** An in-memory "gossip" on the virtual clock: every publish reaches every other attached node 1 ms later, unless it is down. */
export class Bus {
  private readonly handlers = new Map<string, (payload: Uint8Array, sender: Uint8Array) => void>()
  private readonly catchUpHandlers = new Map<string, (fromHeight: number, sender: Uint8Array) => void>()
  readonly down = new Set<string>()
  /** false: the bus carries no catch-up requests (as a transport without that channel). */
  catchUp = true
  published = 0
  constructor(private readonly clock: VirtualClock) {}
  attach(name: string, key: Uint8Array): BftTransport {
    return {
      publish: async (payload) => {
        if (this.down.has(name)) return
        this.published++
        for (const other of this.handlers.keys()) {
          if (other === name) continue
          this.clock.setTimer(1, () => {
            if (!this.down.has(other)) this.handlers.get(other)?.(payload, key)
          })
        }
      },
      subscribe: (handler) => {
        this.handlers.set(name, handler)
        return () => this.handlers.delete(name)
      },
      requestCatchUp: async (fromHeight) => {
        if (this.down.has(name) || !this.catchUp) return
        for (const other of this.catchUpHandlers.keys()) {
          if (other === name) continue
          this.clock.setTimer(1, () => {
            if (!this.down.has(other)) this.catchUpHandlers.get(other)?.(fromHeight, key)
          })
        }
      },
      subscribeCatchUp: (handler) => {
        this.catchUpHandlers.set(name, handler)
        return () => this.catchUpHandlers.delete(name)
      },
    }
  }
}

/** `n` real signers (seeded) and the set of the first `members` of them (all by default), ordered by id. */
export function makeValidators(n: number, members = n) {
  const signers: ValidatorSigner[] = Array.from({ length: n }, (_, i) =>
    createRealSigner({ identitySeed: new Uint8Array(32).fill(i + 11), voteSeed: new Uint8Array(48).fill(i + 11) }, { bls }),
  )
  const entries = signers.map((s) => ({
    id: peerIdStringFromPublicKey(s.identityKey),
    identityKey: s.identityKey,
    voteKey: s.voteKey,
    possession: s.proofOfPossession(),
  }))
  const created = createValidatorSet(entries.slice(0, members), scheme)
  if (!created.ok) throw new Error(created.reason)
  return { signers, entries, set: created.set, ids: entries.map((e) => e.id) }
}

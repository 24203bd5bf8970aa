import { describe, expect, it } from 'vitest'
import {
  ConsensusAdapter,
  MemoryConsensusStore,
  createBeaconApplication,
  type AdapterStats,
  type BftTransport,
} from '../../../../workers/consensus/adapter'
import { createRealScheme, createRealSigner, createValidatorSet } from '../../../../workers/consensus/certificate'
import { peerIdStringFromPublicKey } from '../../../../workers/identity/ed25519'
import { silentLogger } from '../../../../workers/log'
import { decodeBftMessage } from '../../../../workers/consensus/bft'
import { isReady } from '../../../../relay/ops-http'

const scheme = createRealScheme()
const FAST = { proposeMs: 400, prevoteMs: 200, precommitMs: 200, roundIncrementMs: 200, rebroadcastMs: 300 }

class Bus {
  private readonly handlers = new Map<string, (payload: Uint8Array, sender: Uint8Array) => void>()
  /** Called right after each message is handed to a subscriber (the test samples readiness there). */
  afterDeliver = new Map<string, () => void>()
  /** Messages to a subscriber that this returns false for are dropped (validators re-send). */
  accept = new Map<string, (payload: Uint8Array) => boolean>()
  /** Subscribers whose messages wait until released (so the test holds a handle before they arrive). */
  readonly held = new Map<string, (() => void)[]>()
  release(name: string): void {
    const backlog = this.held.get(name) ?? []
    this.held.delete(name)
    for (const deliver of backlog) setTimeout(deliver, 0)
  }
  attach(name: string, key: Uint8Array): BftTransport {
    return {
      publish: async (payload) => {
        for (const [other, handler] of this.handlers) {
          if (other === name) continue
          if (this.accept.has(other) && !this.accept.get(other)!(payload)) continue
          const deliver = () => {
            handler(payload, key)
            this.afterDeliver.get(other)?.()
          }
          const backlog = this.held.get(other)
          if (backlog) backlog.push(deliver)
          else setTimeout(deliver, 0)
        }
      },
      subscribe: (handler) => {
        this.handlers.set(name, handler)
        return () => this.handlers.delete(name)
      },
    }
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** What the relay's /readyz says about validator duty. */
const caughtUp = (stats: AdapterStats) =>
  isReady({ storage: true, listening: true, validatorCaughtUp: stats.highestSeenHeight <= stats.status.height + 1 })

describe('validator readiness', () => {
  it('a validator that joins far behind reports not ready until it has caught up', async () => {
    const signers = Array.from({ length: 4 }, (_, i) =>
      createRealSigner({ identitySeed: new Uint8Array(32).fill(i + 61), voteSeed: new Uint8Array(48).fill(i + 61) }),
    )
    const entries = signers.map((s) => ({
      id: peerIdStringFromPublicKey(s.identityKey),
      identityKey: s.identityKey,
      voteKey: s.voteKey,
      possession: s.proofOfPossession(),
    }))
    const created = createValidatorSet(entries, scheme)
    if (!created.ok) throw new Error(created.reason)
    const bus = new Bus()
    const start = (i: number) =>
      ConsensusAdapter.start({
        chainId: 'ready-test',
        validators: created.set,
        signer: signers[i],
        scheme,
        transport: bus.attach(entries[i].id, signers[i].identityKey),
        store: new MemoryConsensusStore(),
        application: createBeaconApplication({ selfId: entries[i].id, validators: created.set }),
        log: silentLogger,
        timeouts: FAST,
      })
    // Three of four (n = 4 tolerates one missing) decide a few heights without validator 3.
    const running = await Promise.all([0, 1, 2].map(start))
    await waitFor(() => running.every((a) => a.stats().decisions >= 4), 'four heights without validator 3')
    expect(running.every((a) => caughtUp(a.stats()))).toBe(true)

    // Readiness is sampled as each message arrives: catching up can take less than a polling interval.
    const seen: boolean[] = []
    const handle: { late?: ConsensusAdapter } = {}
    const sample = (): void => {
      const stats = handle.late?.stats()
      if (stats && stats.highestSeenHeight > 0) seen.push(caughtUp(stats))
    }
    bus.afterDeliver.set(entries[3].id, sample)
    // Members hand a silent validator their recent commits, which catch it up within one
    // delivery; hold commits back until it has seen the others' heights and said it is behind.
    bus.accept.set(entries[3].id, (payload) => {
      const decoded = decodeBftMessage(payload)
      return seen.includes(false) || !decoded.ok || decoded.message.kind !== 'commit'
    })
    bus.held.set(entries[3].id, [])
    const late = await start(3)
    handle.late = late
    bus.release(entries[3].id)
    await waitFor(() => {
      sample()
      return seen.includes(false) && seen.at(-1) === true && late.stats().decisions >= 1
    }, 'validator 3 behind, then caught up')
    await Promise.all([...running, late].map((a) => a.stop()))
    expect(seen).toContain(false)
    expect(seen.at(-1)).toBe(true)
    expect(late.stats().status.height).toBeGreaterThan(4)
  })
})

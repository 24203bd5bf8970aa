import { afterEach, describe, expect, it } from 'vitest'
import type { Libp2p } from 'libp2p'
import { loopbackRuntime } from './loopback-node'
import type { MeshRuntimeOptions } from '../../../workers/net/runtime'
import { fetchFromSwarm, sourcesForPass, type SwarmFetched, type SwarmNode } from '../../../workers/net/swarm-fetch'
import { createRng } from '../../../workers/common/random'

describe('which peers a swarm fetch asks, in which order', () => {
  const options = { holders: ['H1', 'H2', 'me', 'H1'], self: 'me', linkedOnlyPasses: 2, maxAskedNeighbours: 3, rng: createRng(4) }

  it('asks linked holders first, then a few linked neighbours, and unlinked holders only after the linked-only passes', () => {
    const linked = ['N1', 'H2', 'N2', 'N3', 'N4', 'me']
    const first = sourcesForPass(0, options, linked)
    expect(first[0]).toEqual({ peer: 'H2', holder: true })
    expect(first.slice(1).every((s) => !s.holder && s.peer.startsWith('N'))).toBe(true)
    expect(first).toHaveLength(1 + 3)
    expect(sourcesForPass(1, options, linked).some((s) => s.peer === 'H1')).toBe(false)
    const later = sourcesForPass(2, options, linked)
    expect(later.at(-1)).toEqual({ peer: 'H1', holder: true })
    // Never itself, never a holder twice.
    for (const pass of [0, 1, 2]) {
      const peers = sourcesForPass(pass, options, linked).map((s) => s.peer)
      expect(peers).not.toContain('me')
      expect(new Set(peers).size).toBe(peers.length)
    }
  })

  it('asks as neighbours only the linked peers that fetch for themselves, while a linked relay named a holder stays a linked holder', () => {
    const linked = ['R', 'N1', 'N2', 'H2']
    const pages = ['N1', 'N2', 'H2', 'X']
    for (const pass of [0, 1, 2]) {
      const sources = sourcesForPass(pass, options, linked, pages)
      expect(sources.map((s) => s.peer)).not.toContain('R')
      // A peer asked as a neighbour must have an open link, whatever the caller passes.
      expect(sources.map((s) => s.peer)).not.toContain('X')
    }
    expect(sourcesForPass(0, options, linked, pages)[0]).toEqual({ peer: 'H2', holder: true })
    expect(sourcesForPass(0, { ...options, holders: ['R'] }, linked, pages)[0]).toEqual({ peer: 'R', holder: true })
  })

  it('spreads fetchers over the neighbours rather than sending all to the first', () => {
    const linked = ['N1', 'N2', 'N3', 'N4', 'N5', 'N6']
    const firsts = new Set(Array.from({ length: 40 }, (_, i) => sourcesForPass(0, { ...options, rng: createRng(i + 1) }, linked)[0].peer))
    expect(firsts.size).toBeGreaterThan(3)
  })

  it('gives up with the reasons once every pass is used up, and stops when the caller aborts', async () => {
    let clock = 0
    const nobody: SwarmNode = {
      linkedPeers: () => [],
      fetch: () => Promise.reject(new Error('unreachable')),
      // A real wait lets a failed fetch settle first, as timers do.
      wait: async (ms) => {
        await new Promise((resolve) => setTimeout(resolve, 1))
        clock += ms
      },
      now: () => clock,
    }
    await expect(fetchFromSwarm(nobody, { holders: ['H'], self: 'me', passes: 3, linkedOnlyPasses: 0 })).rejects.toThrow(
      'no peer served the blob in 3 passes (H: unreachable; H: unreachable; H: unreachable)',
    )
    await expect(fetchFromSwarm(nobody, { holders: [], self: 'me', passes: 2 })).rejects.toThrow('no source was known or linked')
    const aborted = new AbortController()
    aborted.abort(new Error('left the task'))
    await expect(fetchFromSwarm(nobody, { holders: ['H'], self: 'me', signal: aborted.signal })).rejects.toThrow('left the task')
  })
})

type Behaviour = { kind: 'has'; takesMs: number; progressEveryMs?: number } | { kind: 'cannot'; afterMs: number } | { kind: 'hang' }

/**
 * A node on a virtual clock: each peer's fetch is scripted (when it answers, whether it has the
 * blob, how it delivers), and time jumps from one scheduled event to the next.
 */
function virtualSwarm(linked: () => string[], peers: Record<string, (now: number) => Behaviour>) {
  let now = 0
  const timers: { at: number; fire: () => void }[] = []
  const schedule = (ms: number, fire: () => void) => timers.push({ at: now + ms, fire })
  const asked: { peer: string; at: number }[] = []
  const aborted: string[] = []
  const node: SwarmNode = {
    linkedPeers: linked,
    now: () => now,
    wait: (ms) => new Promise((resolve) => schedule(ms, () => resolve())),
    fetch: (peer, signal, onProgress) =>
      new Promise((resolve, reject) => {
        asked.push({ peer, at: now })
        signal.addEventListener('abort', () => {
          aborted.push(peer)
          reject(signal.reason)
        })
        const behaviour = peers[peer]?.(now) ?? { kind: 'cannot', afterMs: 5 }
        if (behaviour.kind === 'cannot') schedule(behaviour.afterMs, () => reject(new Error(`${peer} cannot serve`)))
        if (behaviour.kind === 'has') {
          for (
            let t = behaviour.progressEveryMs ?? behaviour.takesMs;
            t < behaviour.takesMs;
            t += behaviour.progressEveryMs ?? behaviour.takesMs
          )
            schedule(t, () => !signal.aborted && onProgress())
          schedule(behaviour.takesMs, () => !signal.aborted && resolve(new TextEncoder().encode(`from ${peer}`)))
        }
      }),
  }
  async function run(fetching: Promise<SwarmFetched>): Promise<{ fetched: SwarmFetched; at: number }> {
    let settled = false
    fetching.then(
      () => (settled = true),
      () => (settled = true),
    )
    for (let steps = 0; steps < 10_000; steps++) {
      for (let i = 0; i < 10; i++) await Promise.resolve()
      if (settled) return { fetched: await fetching, at: now }
      timers.sort((a, b) => a.at - b.at)
      const next = timers.shift()
      if (!next) break
      now = Math.max(now, next.at)
      next.fire()
    }
    return { fetched: await fetching, at: now }
  }
  return { node, run, asked, aborted }
}

describe('swarm fetch on a virtual clock', () => {
  const base = { self: 'me', perPeerTimeoutMs: 1e9, neighbourTimeoutMs: 1e9, rng: createRng(7) }

  it('a node whose only path to the holder crawls takes the blob from a neighbour once one has it', async () => {
    // N1's link does not answer; N2 fetches the blob itself and has it from t = 6 s; the holder is reached only through the relay, at 20 KB/s.
    const swarm = virtualSwarm(() => ['N1', 'N2'], {
      N1: () => ({ kind: 'hang' }),
      N2: (now) => (now >= 6_000 ? { kind: 'has', takesMs: 400 } : { kind: 'cannot', afterMs: 20 }),
      H: () => ({ kind: 'has', takesMs: 50_000, progressEveryMs: 12_000 }),
    })
    const { fetched, at } = await swarm.run(fetchFromSwarm(swarm.node, { ...base, holders: ['H'] }))
    expect([fetched.from, fetched.fromHolder]).toEqual(['N2', false])
    expect(at).toBeLessThan(10_000)
    // The crawling path was started after the linked-only passes, and stopped with the silent one when N2 delivered.
    expect(swarm.asked.find((a) => a.peer === 'H')!.at).toBeGreaterThanOrEqual(1_500)
    expect(swarm.asked.map((a) => a.peer)).toContain('H')
    expect(swarm.aborted).toEqual(expect.arrayContaining(['H', 'N1']))
  })

  it('hedges a holder that sends nothing with a neighbour, but never a holder that delivers', async () => {
    const stalled = virtualSwarm(() => ['H', 'N'], { H: () => ({ kind: 'hang' }), N: () => ({ kind: 'has', takesMs: 300 }) })
    const first = await stalled.run(fetchFromSwarm(stalled.node, { ...base, holders: ['H'], hedgeMs: 1_000 }))
    expect([first.fetched.from, first.at]).toEqual(['N', 1_300])

    const delivering = virtualSwarm(() => ['H', 'N'], {
      H: () => ({ kind: 'has', takesMs: 3_000, progressEveryMs: 200 }),
      N: () => ({ kind: 'has', takesMs: 300 }),
    })
    const second = await delivering.run(fetchFromSwarm(delivering.node, { ...base, holders: ['H'], hedgeMs: 1_000 }))
    expect([second.fetched.from, second.at]).toEqual(['H', 3_000])
    expect(delivering.asked.map((a) => a.peer)).toEqual(['H'])
  })

  it('runs at most maxParallel fetches of one blob', async () => {
    const swarm = virtualSwarm(
      () => ['N1', 'N2', 'N3', 'N4', 'N5'],
      Object.fromEntries(['N1', 'N2', 'N3', 'N4', 'N5'].map((n) => [n, () => ({ kind: 'hang' as const })])),
    )
    const fetching = fetchFromSwarm(swarm.node, { ...base, holders: [], hedgeMs: 100, maxParallel: 2, passes: 1 })
    void fetching.catch(() => {})
    for (let i = 0; i < 50; i++) await Promise.resolve()
    // Hanging fetches never settle: after many hedge intervals only two were ever started.
    const stepper = swarm.run(fetching)
    await Promise.race([stepper.catch(() => {}), new Promise((r) => setTimeout(r, 200))])
    expect(new Set(swarm.asked.map((a) => a.peer)).size).toBe(2)
  })
})

// The same code over real libp2p (loopback WebSockets, the transfer protocol, the inbound gate).
describe('swarm fetch between real nodes', () => {
  const nodes: Libp2p[] = []
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()))
  })

  async function runtimeFor(seed: number, options: Pick<MeshRuntimeOptions, 'swarmNeighbourLinks'> = {}) {
    const { node, runtime } = await loopbackRuntime(seed, { listen: true, ...options })
    nodes.push(node)
    return runtime
  }

  it('a node without a link to the holder gets the blob from a neighbour that fetched it, and falls back to a dial', async () => {
    const [holder, middle, edge] = await Promise.all([runtimeFor(61), runtimeFor(62), runtimeFor(63)])
    const holderId = holder.node.peerId.toString()
    await middle.node.dial(holder.node.getMultiaddrs()[0])
    await edge.node.dial(middle.node.getMultiaddrs()[0])
    const blob = new Uint8Array(700_000).map((_, i) => (i * 31) % 251)
    const hash = await holder.blobs.add(blob)
    const hashBytes = Uint8Array.from(hash.match(/../g)!.map((h) => parseInt(h, 16)))

    // The middle node is linked to the holder and fetches from it, then serves it on.
    // A holder named by the network that is no PeerId is one failed source, not a failed fetch.
    const fromHolder = await middle.fetchFromHolders(hashBytes, [holderId])
    expect([fromHolder.from, fromHolder.fromHolder, fromHolder.pass]).toEqual([holderId, true, 0])
    // The edge node has no link to the holder (nor its address): its neighbour serves it.
    expect(edge.node.getConnections(holder.node.peerId)).toHaveLength(0)
    const fromNeighbour = await edge.fetchFromHolders(hashBytes, [holderId])
    expect([fromNeighbour.from, fromNeighbour.fromHolder]).toEqual([middle.node.peerId.toString(), false])
    expect(fromNeighbour.bytes).toEqual(blob)
    expect(edge.blobs.get(hash)?.bytes).toEqual(blob)

    // A blob no neighbour holds: after the linked-only passes the edge dials the holder itself.
    const other = await holder.blobs.add(new Uint8Array(1_000).fill(9))
    await edge.node.peerStore.merge(holder.node.peerId, { multiaddrs: holder.node.getMultiaddrs() })
    // A holder named by the network that is no PeerId is one failed source, not a failed fetch.
    const dialled = await edge.fetchFromHolders(
      Uint8Array.from(other.match(/../g)!.map((h) => parseInt(h, 16))),
      ['not-a-peer-id', holderId],
      {
        firstPauseMs: 10,
      },
    )
    expect([dialled.from, dialled.fromHolder, dialled.pass]).toEqual([holderId, true, 2])
  }, 60_000)

  it('a node that asks only peers on direct links leaves a WebSocket peer that holds nothing named alone, as a page leaves its relay', async () => {
    const [holder, middle] = await Promise.all([runtimeFor(64), runtimeFor(65)])
    // Links of every kind but WebRTC are off limits for neighbours here (loopback nodes have only WebSockets).
    const page = await runtimeFor(66, { swarmNeighbourLinks: (kind) => kind === 'webrtc' })
    const holderId = holder.node.peerId.toString()
    await middle.node.dial(holder.node.getMultiaddrs()[0])
    await page.node.dial(middle.node.getMultiaddrs()[0])
    const hash = await holder.blobs.add(new Uint8Array(2_000).fill(3))
    const hashBytes = Uint8Array.from(hash.match(/../g)!.map((h) => parseInt(h, 16)))
    await middle.fetchFromHolders(hashBytes, [holderId])
    await page.node.peerStore.merge(holder.node.peerId, { multiaddrs: holder.node.getMultiaddrs() })
    const fetched = await page.fetchFromHolders(hashBytes, [holderId], { firstPauseMs: 10 })
    // Not from the middle node, which has it: it was never asked; the holder was dialled after the linked-only passes.
    expect([fetched.from, fetched.fromHolder, fetched.pass]).toEqual([holderId, true, 2])
    expect(fetched.attempts.some((a) => a.startsWith(middle.node.peerId.toString().slice(-8)))).toBe(false)
    // Named as a holder, the same WebSocket peer is asked first.
    const again = await page.fetchFromHolders(hashBytes, [middle.node.peerId.toString()])
    expect([again.from, again.pass]).toEqual([middle.node.peerId.toString(), 0])
  }, 60_000)
})

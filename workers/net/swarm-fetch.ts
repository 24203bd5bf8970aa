/**
 * Fetching a blob from whoever can serve it (README, "Transfers"): the peers known to hold it,
 * and the peers this node has a link to, which may have fetched it already. When a model reaches
 * many nodes at once, every node that has it serves the others, so a node without a working link
 * to the first holder gets it from a neighbour over WebRTC instead of through the relay's
 * circuit, whose round trips under load make a 1 MiB transfer take tens of seconds.
 */
import { createRng, shuffleInPlace, type Rng } from '../common/random'

const defaultRng = createRng(crypto.getRandomValues(new Uint8Array(16)))

/** What the fetch needs of the node: its links, one fetch from one peer (reporting bytes as they arrive), a clock. */
export interface SwarmNode {
  /** Peers with an open link that does not cross a relay circuit (WebRTC, or a relay's own WebSocket). */
  linkedPeers(): readonly string[]
  /**
   * Of those, the ones worth asking without being named a holder: peers that fetch blobs for
   * themselves (pages, over WebRTC). A relay has only what it is named as holding, and asking it
   * costs a round trip through the busiest node. Default: every linked peer.
   */
  neighbourPeers?(): readonly string[]
  fetch(peer: string, signal: AbortSignal, onProgress: () => void): Promise<Uint8Array>
  wait(ms: number): Promise<void>
  now(): number
}

export interface SwarmFetchOptions {
  /** Peers known to hold the blob (announcers, aggregators, validators), most trusted first. */
  readonly holders: readonly string[]
  readonly self: string
  readonly signal?: AbortSignal
  /** Passes over the sources; the first `linkedOnlyPasses` ask only linked peers. */
  readonly passes?: number
  readonly linkedOnlyPasses?: number
  /** How long a known holder gets to deliver the whole blob. */
  readonly perPeerTimeoutMs?: number
  /** How long a neighbour gets: one that has the blob is near, and a stalled link must not hold the fetch up. */
  readonly neighbourTimeoutMs?: number
  /** Linked peers not known to hold it asked per pass (each costs one round trip when it does not have it). */
  readonly maxAskedNeighbours?: number
  /** Pause between running out of pass p-1's sources and pass p (p ≥ 1): firstPauseMs × 2^(p-1). */
  readonly firstPauseMs?: number
  /** A fetch that has delivered nothing for this long gets another source started beside it. */
  readonly hedgeMs?: number
  /** Most fetches of the blob running at once (hedges included). */
  readonly maxParallel?: number
  /** Orders the neighbours; seeded in tests. */
  readonly rng?: Rng
  readonly onFailure?: (peer: string, error: Error) => void
}

export interface SwarmFetched {
  readonly bytes: Uint8Array
  readonly from: string
  /** Whether `from` was a known holder, or a neighbour that had fetched it itself. */
  readonly fromHolder: boolean
  readonly pass: number
  /** Every source tried, for diagnosis: peer (h: a known holder), ms after the fetch began that it started and ended, how. */
  readonly attempts: readonly string[]
}

export const SWARM_DEFAULTS = {
  passes: 5,
  linkedOnlyPasses: 2,
  perPeerTimeoutMs: 30_000,
  neighbourTimeoutMs: 10_000,
  maxAskedNeighbours: 6,
  firstPauseMs: 500,
  hedgeMs: 1_000,
  maxParallel: 4,
} as const

/**
 * The sources of one pass, in order: known holders this node has a link to; then linked
 * neighbours (of those, only the `askable`: see SwarmNode.neighbourPeers) in random order (so that fetchers spread over those that finished first); then,
 * after the linked-only passes, known holders without a link (reached by a dial or through the
 * relay's circuit, the slowest path, so only once nearby copies had a chance to appear).
 */
export function sourcesForPass(
  pass: number,
  options: Pick<SwarmFetchOptions, 'holders' | 'self' | 'linkedOnlyPasses' | 'maxAskedNeighbours' | 'rng'>,
  linked: readonly string[],
  askable: readonly string[] = linked,
): { peer: string; holder: boolean }[] {
  const holders = [...new Set(options.holders)].filter((p) => p !== options.self)
  const linkedSet = new Set(linked)
  const holderSet = new Set(holders)
  const neighbours = [...new Set(askable)].filter((p) => linkedSet.has(p) && p !== options.self && !holderSet.has(p))
  shuffleInPlace(neighbours, options.rng ?? defaultRng)
  const linkedOnly = pass < (options.linkedOnlyPasses ?? SWARM_DEFAULTS.linkedOnlyPasses)
  return [
    ...holders.filter((p) => linkedSet.has(p)).map((peer) => ({ peer, holder: true })),
    ...neighbours.slice(0, options.maxAskedNeighbours ?? SWARM_DEFAULTS.maxAskedNeighbours).map((peer) => ({ peer, holder: false })),
    ...(linkedOnly ? [] : holders.filter((p) => !linkedSet.has(p)).map((peer) => ({ peer, holder: true }))),
  ]
}

/**
 * The blob from the first source that delivers it whole (the transfer checks every chunk against
 * the hash). Sources are tried one at a time while the one running delivers; one that has sent
 * nothing for `hedgeMs` (a link that does not answer, a crawling relayed path) gets the next
 * source started beside it, up to `maxParallel`, and the first to finish wins. A pass whose
 * sources are used up is followed by the next after its pause, even while slow fetches go on:
 * by then a neighbour may have the blob.
 */
export async function fetchFromSwarm(node: SwarmNode, options: SwarmFetchOptions): Promise<SwarmFetched> {
  const passes = options.passes ?? SWARM_DEFAULTS.passes
  const perHolder = options.perPeerTimeoutMs ?? SWARM_DEFAULTS.perPeerTimeoutMs
  const perNeighbour = options.neighbourTimeoutMs ?? SWARM_DEFAULTS.neighbourTimeoutMs
  const firstPause = options.firstPauseMs ?? SWARM_DEFAULTS.firstPauseMs
  const hedgeMs = options.hedgeMs ?? SWARM_DEFAULTS.hedgeMs
  const maxParallel = Math.max(1, options.maxParallel ?? SWARM_DEFAULTS.maxParallel)
  const errors: string[] = []
  const began = node.now()
  const attempts: string[] = []
  const trace = (peer: string, holder: boolean, startedMs: number, how: string) =>
    attempts.push(`${peer.slice(-8)}${holder ? '(h)' : ''} ${Math.round(startedMs - began)}-${Math.round(node.now() - began)} ${how}`)
  type Outcome = { readonly peer: string; readonly holder: boolean; readonly pass: number } & (
    { readonly bytes: Uint8Array } | { readonly error: Error }
  )
  interface Running {
    readonly controller: AbortController
    readonly holder: boolean
    readonly startedMs: number
    readonly done: Promise<Outcome>
    lastActiveMs: number
  }
  const running = new Map<string, Running>()
  const stopAll = () => {
    for (const [peer, r] of running) {
      trace(peer, r.holder, r.startedMs, 'stopped')
      r.controller.abort(new Error('another source delivered the blob first'))
    }
  }

  const start = (source: { peer: string; holder: boolean }, pass: number) => {
    const controller = new AbortController()
    const timeout = AbortSignal.timeout(source.holder ? perHolder : perNeighbour)
    const signal = AbortSignal.any([controller.signal, timeout, ...(options.signal ? [options.signal] : [])])
    const entry: Running = {
      controller,
      holder: source.holder,
      startedMs: node.now(),
      lastActiveMs: node.now(),
      // Through a resolved promise, so that a fetch that throws at once (a holder id from the network that does not parse) is one failed source, not the whole fetch.
      done: Promise.resolve()
        .then(() => node.fetch(source.peer, signal, () => (entry.lastActiveMs = node.now())))
        .then(
          (bytes): Outcome => ({ ...source, pass, bytes }),
          (error: Error): Outcome => ({ ...source, pass, error }),
        ),
    }
    running.set(source.peer, entry)
  }

  let pass = 0
  const sources = (p: number) => {
    const linked = node.linkedPeers()
    return sourcesForPass(p, options, linked, node.neighbourPeers?.() ?? linked)
  }
  let queue = sources(0)
  let nextPassAtMs: number | null = null
  for (;;) {
    if (options.signal?.aborted) {
      stopAll()
      throw options.signal.reason
    }
    const now = node.now()
    if (nextPassAtMs !== null && now >= nextPassAtMs) {
      pass++
      nextPassAtMs = null
      queue = sources(pass).filter((s) => !running.has(s.peer))
    }
    const delivering = () => [...running.values()].some((r) => node.now() - r.lastActiveMs < hedgeMs)
    while (queue.length > 0 && running.size < maxParallel && !delivering()) start(queue.shift()!, pass)
    if (queue.length === 0 && nextPassAtMs === null && pass + 1 < passes) nextPassAtMs = now + firstPause * 2 ** pass
    if (queue.length === 0 && running.size === 0 && nextPassAtMs === null) break

    const waitMs = Math.max(1, Math.min(hedgeMs, nextPassAtMs === null ? hedgeMs : nextPassAtMs - now))
    const settled = await Promise.race([...[...running.values()].map((r) => r.done), node.wait(waitMs).then(() => null)])
    if (!settled) continue
    trace(
      settled.peer,
      settled.holder,
      running.get(settled.peer)!.startedMs,
      'bytes' in settled ? 'delivered' : settled.error.message.slice(0, 80),
    )
    running.delete(settled.peer)
    if ('bytes' in settled) {
      stopAll()
      return { bytes: settled.bytes, from: settled.peer, fromHolder: settled.holder, pass: settled.pass, attempts }
    }
    if (options.signal?.aborted) continue
    options.onFailure?.(settled.peer, settled.error)
    errors.push(`${settled.peer.slice(-8)}: ${settled.error.message}`)
  }
  throw new Error(`no peer served the blob in ${passes} passes (${errors.slice(-6).join('; ') || 'no source was known or linked'})`)
}

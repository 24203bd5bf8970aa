/**
 * The public parameters of one secure-aggregation round, known to every party before it
 * starts, and the communication graph they imply.
 *
 * - `complete`: Bonawitz et al. 2017, every client shares with and masks against every other;
 *   t-of-n Shamir shares; the sum is exact when at most n − t clients drop at any phase.
 * - `harary`: SecAgg+ (Bell et al. 2020), each client talks only to its `degree` neighbours in a
 *   Harary graph H(degree, n) whose positions are relabelled by a shuffle seeded with the round's
 *   public randomness; shares are t-of-(degree + 1) within each neighbourhood (the client and its
 *   neighbours), so the round needs, for every client, t survivors in its own neighbourhood.
 */
import { createRng, shuffleInPlace } from '../common/random'
import { concatBytes } from '@noble/hashes/utils.js'
import { hex } from '../common/bytes'

export type GraphSpec = { readonly kind: 'complete' } | { readonly kind: 'harary'; readonly degree: number; readonly seed: Uint8Array }

export interface RoundParams {
  /** Unique per round (and per bucket); bound into every key, nonce and signature. */
  readonly roundId: Uint8Array
  /** Ed25519 identity public keys of the announced cohort; a client is named by its index here. */
  readonly cohort: readonly Uint8Array[]
  /** Shamir threshold: shares needed to rebuild a secret (per neighbourhood under SecAgg+). */
  readonly threshold: number
  /** The round aborts if fewer clients than this remain at any phase; defaults to `threshold`. */
  readonly minClients?: number
  readonly vectorLength: number
  /** Coordinates are clamped to [−bound, bound] before quantization (see quantize.ts). */
  readonly bound: number
  readonly graph: GraphSpec
}

/** Shamir shares are one byte longer than the secret (its x-coordinate), and x ranges over 1..255. */
export const MAX_SHARE_HOLDERS = 255

export function checkParams(p: RoundParams): string | null {
  const n = p.cohort.length
  if (!(p.roundId instanceof Uint8Array) || p.roundId.length === 0 || p.roundId.length > 64) return 'roundId must be 1..64 bytes'
  if (n < 2) return 'a cohort needs at least 2 clients'
  const seen = new Set<string>()
  for (const key of p.cohort) {
    if (!(key instanceof Uint8Array) || key.length !== 32) return 'cohort keys must be 32-byte Ed25519 public keys'
    const id = hex(key)
    if (seen.has(id)) return 'cohort has a duplicate key'
    seen.add(id)
  }
  if (!Number.isInteger(p.vectorLength) || p.vectorLength < 1 || p.vectorLength > 1 << 28) return 'vectorLength must be a positive integer'
  if (!(p.bound > 0) || !Number.isFinite(p.bound)) return 'bound must be positive and finite'
  const holders = neighbourhoodSize(p)
  if (holders > MAX_SHARE_HOLDERS)
    return `a neighbourhood of ${holders} exceeds the ${MAX_SHARE_HOLDERS} Shamir share holders; use the harary graph`
  if (p.graph.kind === 'harary') {
    const k = p.graph.degree
    if (!Number.isInteger(k) || k < 2 || k % 2 !== 0 || k > n - 1) return `harary degree must be even and in [2, ${n - 1}]`
    if (!(p.graph.seed instanceof Uint8Array) || p.graph.seed.length === 0) return 'harary graph needs public seed bytes'
  }
  // A threshold above half the holders means no two disjoint groups of holders can each rebuild
  // a secret, which the consistency check relies on.
  if (!Number.isInteger(p.threshold) || p.threshold < 2 || 2 * p.threshold <= holders || p.threshold > holders) {
    return `threshold must be an integer in (${holders / 2}, ${holders}] for ${holders} share holders`
  }
  const min = minClients(p)
  if (!Number.isInteger(min) || min < p.threshold || min > n) return `minClients must be in [threshold, ${n}]`
  return null
}

export function minClients(p: RoundParams): number {
  return p.minClients ?? p.threshold
}

/** How many clients hold shares of one client's secrets: itself and its neighbours. */
export function neighbourhoodSize(p: RoundParams): number {
  return p.graph.kind === 'complete' ? p.cohort.length : p.graph.degree + 1
}

/** A default SecAgg+ shape for n clients: an even degree near 3·log2(n), threshold a strict 2/3 of the neighbourhood. */
export function suggestHararyGraph(n: number): { degree: number; threshold: number } | null {
  const degree = 2 * Math.ceil(1.5 * Math.log2(n))
  if (degree >= n - 1) return null
  return { degree, threshold: Math.floor((2 * (degree + 1)) / 3) + 1 }
}

/** neighbours[i]: the clients i shares with and masks against, ascending, without i itself. */
export function neighbourLists(p: RoundParams): number[][] {
  const n = p.cohort.length
  if (p.graph.kind === 'complete') {
    return Array.from({ length: n }, (_, i) => Array.from({ length: n - 1 }, (_, j) => (j < i ? j : j + 1)))
  }
  const order = Array.from({ length: n }, (_, i) => i)
  const label = new TextEncoder().encode('agent-mesh/secagg/v1/harary')
  shuffleInPlace(order, createRng(concatBytes(label, p.graph.seed)))
  const position = new Array<number>(n)
  order.forEach((client, pos) => (position[client] = pos))
  const half = p.graph.degree / 2
  return Array.from({ length: n }, (_, i) => {
    const around: number[] = []
    for (let d = 1; d <= half; d++) around.push(order[(position[i] + d) % n], order[(position[i] - d + n) % n])
    return around.sort((a, b) => a - b)
  })
}

/**
 * Which peers a node keeps direct (WebRTC) connections with once the mesh outgrows a full
 * mesh. Peers sit on a ring ordered by PeerId; each node picks `bound / 2` successors and as
 * many predecessors. The choice is symmetric (B is among A's successors exactly when A is
 * among B's predecessors), so two nodes that know the same peers agree on their link, and the
 * ring keeps every node reachable over direct hops. GossipSub's mesh (D = 6, D_hi = 12) then
 * forms over these links and the relay connection; peers a node exchanges data with are
 * added on top (see MeshClient).
 */
export function ringNeighbours(self: string, known: Iterable<string>, bound: number): Set<string> {
  const others = [...new Set(known)].filter((id) => id !== self)
  if (others.length <= bound) return new Set(others)
  const ring = [...others, self].sort()
  const at = ring.indexOf(self)
  const chosen = new Set<string>()
  const half = Math.floor(bound / 2)
  for (let step = 1; step <= half; step++) {
    chosen.add(ring[(at + step) % ring.length])
    chosen.add(ring[(at - step + ring.length) % ring.length])
  }
  // An odd bound takes one more successor.
  if (bound % 2 === 1) chosen.add(ring[(at + half + 1) % ring.length])
  return chosen
}

/**
 * Protocols that stay open on every connection in the background; a connection with only these
 * is idle (GossipSub moves to the peer's remaining connection). A ping in flight is a stream
 * in use: closing under it made a caller's ping fail in the load test.
 */
const BACKGROUND_PROTOCOLS = [/^\/meshsub\//, /^\/floodsub\//, /^\/ipfs\/id\//]

/** A direct connection may be closed to stay within the bound only when nothing but background protocols use it. */
export function isIdle(streamProtocols: readonly (string | undefined)[]): boolean {
  return streamProtocols.every((p) => p !== undefined && BACKGROUND_PROTOCOLS.some((re) => re.test(p)))
}

/** The fields of a libp2p connection that decide which of two twin links both peers keep. */
export interface TwinCandidate {
  direction: 'inbound' | 'outbound'
  timeline: { open: number }
}

/**
 * Of several direct links between the same two peers (left by a simultaneous dial, or by a
 * retried dial that finished late), the one both sides keep: one the smaller PeerId dialled,
 * and of those (or of all, when both came from the same side) the oldest. Both sides compute
 * the same answer, so streams are opened only on the link that survives, and the other is
 * closed once idle; a stream opened on a link the other side was closing died at 0 bytes.
 */
export function keptTwin<C extends TwinCandidate>(self: string, peer: string, twins: readonly C[]): C | undefined {
  const bySmaller = twins.filter((c) => self < peer === (c.direction === 'outbound'))
  const pool = bySmaller.length > 0 ? bySmaller : twins
  return pool.reduce<C | undefined>((oldest, c) => (oldest === undefined || c.timeline.open < oldest.timeline.open ? c : oldest), undefined)
}

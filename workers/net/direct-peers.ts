/** Direct WebRTC peers a node keeps beyond a full mesh (its ring neighbours), before the peers it exchanges data with. */
export const MAX_DIRECT_PEERS = 8

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

/** What decides whether a relayed connection to another page is closed (see relayedToClose). */
export interface RelayedLinkFacts {
  /** How long the relayed connection has been open. */
  readonly openForMs: number
  /** The protocols of its streams (undefined while one is still negotiating). */
  readonly streamProtocols: readonly (string | undefined)[]
  /** A WebRTC dial to this peer is under way (its signalling runs on this connection). */
  readonly dialing: boolean
  /** The peer has a direct link both ends keep and have answered on. */
  readonly direct: boolean
  /** The peer is a ring neighbour or one we exchange data with (wantedDirect). */
  readonly wanted: boolean
}

/** A relayed connection younger than this is left alone: the WebRTC dial that opened it may not have opened its signalling stream yet. */
export const RELAYED_SETTLE_MS = 10_000

/**
 * Whether to close a relayed connection to another page. Such a connection is opened for the
 * WebRTC signalling and stays open afterwards, and GossipSub puts a stream on it: with 16 pages
 * every page held one to each of the other 15, and every gossip copy between two pages crossed
 * both pages' WebSockets and the relay (their round trips grew to 11-22 s while the direct
 * links formed). Gossip reaches every page through the relay's own connection anyway, and
 * moves to the direct link where there is one (GossipLinks), so an idle relayed connection is
 * closed once the direct link is up, or when the peer is not one we want a link with. One in
 * use (a transfer, a task channel, a signalling or a ping stream) is never closed, and one to a
 * wanted peer still without a direct link stays as its fallback.
 */
export function relayedToClose(facts: RelayedLinkFacts): boolean {
  if (facts.dialing || facts.openForMs < RELAYED_SETTLE_MS || !isIdle(facts.streamProtocols)) return false
  return facts.direct || !facts.wanted
}

/** The fields of a libp2p connection that decide which of two twin links both peers keep. */
export interface TwinCandidate {
  direction: 'inbound' | 'outbound'
  timeline: { open: number }
}

/** What a node knows of its links beyond direction and age (see keptTwin). */
export interface TwinFacts<C> {
  /** A name both ends compute alike (webrtcLinkKey), undefined where there is none. */
  readonly keyOf?: (twin: C) => string | undefined
  /** Whether the peer has answered on the link (identify came back over it), so it holds the link too. */
  readonly answered?: (twin: C) => boolean
  /** Whether a stream or ping on the link went unanswered here (MeshRuntime.linkUnanswered): the peer may have closed it. */
  readonly unanswering?: (twin: C) => boolean
}

/**
 * Of several direct links between the same two peers (left by a simultaneous dial, or by a
 * retried dial that finished late), the one both sides keep. Streams are opened only on that
 * link and the others are closed once idle, so both sides must agree: a stream opened on a
 * link the other side was closing died at 0 bytes.
 *
 * A link on which a stream or ping went unanswered is left out while another remains: the
 * peer may have closed its end (its close reaches this end only when ICE gives up, about half a
 * minute later), and a stream opened there hangs until its caller's timeout. The peer, which no
 * longer has that link, already keeps another.
 *
 * Only links the peer has answered on count when there are any: a dial the other side gave up
 * on (timed out under load) can leave a link open at this end that the peer no longer has.
 * Of those, with a link key both ends compute alike (the two ICE usernames of the link), the
 * smallest key wins. Without keys, the link the smaller PeerId dialled, and of those the
 * oldest; but the age is each side's own clock, and two dials that finished close together
 * were seen in different orders on the two sides under load.
 */
export function keptTwin<C extends TwinCandidate>(
  self: string,
  peer: string,
  twins: readonly C[],
  facts: TwinFacts<C> = {},
): C | undefined {
  const unanswering = facts.unanswering
  const live = unanswering ? twins.filter((twin) => !unanswering(twin)) : []
  const alive = live.length > 0 ? live : twins
  const answered = facts.answered ? alive.filter(facts.answered) : []
  const pool = answered.length > 0 ? answered : alive
  const keyed = pool.map((twin) => ({ twin, key: facts.keyOf?.(twin) }))
  if (keyed.length > 0 && keyed.every((k) => k.key !== undefined)) return keyed.reduce((best, k) => (k.key! < best.key! ? k : best)).twin
  const bySmaller = pool.filter((c) => self < peer === (c.direction === 'outbound'))
  const candidates = bySmaller.length > 0 ? bySmaller : pool
  return candidates.reduce<C | undefined>(
    (oldest, c) => (oldest === undefined || c.timeline.open < oldest.timeline.open ? c : oldest),
    undefined,
  )
}

/**
 * A name for a WebRTC link that its two ends compute alike: the ICE username fragments of
 * both session descriptions, sorted. Every RTCPeerConnection draws its own, so twins differ.
 * Read from the peer connection @libp2p/webrtc keeps on its multiaddr connection (not part of
 * libp2p's interface): undefined when that is not there, and keptTwin falls back to direction
 * and age.
 */
export function webrtcLinkKey(connection: object): string | undefined {
  const pc = (
    connection as {
      maConn?: { peerConnection?: { localDescription?: { sdp?: string } | null; remoteDescription?: { sdp?: string } | null } }
    }
  ).maConn?.peerConnection
  const local = iceUfrag(pc?.localDescription?.sdp)
  const remote = iceUfrag(pc?.remoteDescription?.sdp)
  if (local === undefined || remote === undefined) return undefined
  return [local, remote].sort().join(' ')
}

function iceUfrag(sdp: string | undefined): string | undefined {
  return sdp ? /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1] : undefined
}

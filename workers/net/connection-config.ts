import { ping } from '@libp2p/ping'

/**
 * How long a node answers one inbound ping stream before resetting it. libp2p's 10 s made a
 * CPU-starved page reset the relay's ping after 10 s, which the relay's connection monitor
 * counts as a failed ping and aborts the whole connection for, whatever its own timeout: it
 * must be at least the relay's longest ping timeout. Inbound ping streams stay capped per
 * connection (PING_STREAM_LIMITS), so a peer cannot hold more of them open for longer.
 */
export const PING_ANSWER_TIMEOUT_MS = 120_000

/**
 * libp2p's connection monitor pings every connection every 10 s and, by default, aborts the
 * connection when one ping fails or is late (its timeout adapts to the last round trips, so a
 * link busy with an 8 MiB transfer or a page paused by a long task is declared dead). That
 * abort cut streams in use. Browsers keep the monitor for its RTT estimate but leave liveness
 * to the transports: a dead WebRTC peer fails ICE consent checks and closes its connection,
 * and yamux's keep-alive covers the relay's WebSocket.
 */
export const browserConnectionMonitor = { pingInterval: 10_000, abortConnectionOnPingFailure: false } as const

/**
 * The relay does reap peers that stop answering (a closed laptop leaves a half-open
 * WebSocket), but only after a generous, fixed minimum timeout so a page starved of CPU is not
 * dropped with its relayed streams and its round. Measured with 8 browsers training on 2 cores
 * (load 15–20): the relay's pings to live pages took 2–4 s as a rule and over 10 s at the start
 * of a round, so the earlier 10 s minimum reaped 2–7 of 8 browsers in every run. Then, with four
 * validator relays and four pages at load ~20 after one validator was SIGKILLed, the first
 * relay's pings over *every* connection, its links to the other relays included, failed the
 * 30 s minimum together, every ~60 s (libp2p:connection-monitor logs): a stall of the whole
 * relay, not dead peers, and each abort cut every page's streams, circuits and rounds. 60 s
 * rides that out; a vanished peer now goes within 70–130 s.
 */
export const relayConnectionMonitor = {
  pingInterval: 10_000,
  pingTimeout: { minTimeout: 60_000, maxTimeout: 120_000 },
  abortConnectionOnPingFailure: true,
} as const

/** What libp2p's AdaptiveTimeout uses when a monitor names no maximum (@libp2p/utils). */
const LIBP2P_DEFAULT_MAX_PING_TIMEOUT_MS = 60_000

interface MonitorSettings {
  readonly pingInterval: number
  readonly pingTimeout?: { readonly maxTimeout?: number }
}

/**
 * The most pings a connection monitor can have in flight on one connection: it starts a new
 * one every interval without waiting for the last, and each may wait up to its maximum timeout.
 */
export function monitorPingsInFlight(monitor: MonitorSettings): number {
  return Math.ceil((monitor.pingTimeout?.maxTimeout ?? LIBP2P_DEFAULT_MAX_PING_TIMEOUT_MS) / monitor.pingInterval)
}

/** Room for the pings that are not the monitor's: the page's round-trip pinger and any caller (a benchmark's baseline). */
const OTHER_PINGS_PER_CONNECTION = 4

/**
 * Stream limits for `/ipfs/ping/1.0.0`, shared by every user of the protocol on a connection:
 * the connection monitor, the page's round-trip pinger and any caller. libp2p's defaults (1
 * outbound, 2 inbound) made two overlapping users fail with TooManyOutboundProtocolStreamsError;
 * when the monitor was the one refused it aborted the whole connection, transfers included.
 * The monitor alone stacks up a ping per interval while a peer is slow, so the outbound limit
 * must hold all of those: with the relay's 60 s minimum timeout and a fixed limit of 4, four
 * pings left unanswered by a stalled page made the fifth fail at once ("5/4" in relay logs), and
 * the relay aborted the connection 40 s into the stall, 20 s before its own timeout. The remote
 * side must accept what the dialer may open, with the same room again for pings the limit has
 * not yet seen closed.
 */
export function pingStreamLimits(...monitors: readonly MonitorSettings[]): { maxOutboundStreams: number; maxInboundStreams: number } {
  const maxOutboundStreams = Math.max(...monitors.map(monitorPingsInFlight)) + OTHER_PINGS_PER_CONNECTION
  return { maxOutboundStreams, maxInboundStreams: 2 * maxOutboundStreams }
}

/** Relays and pages both dial and answer each other, so both take the larger of their monitors' needs (16 out, 32 in). */
export const PING_STREAM_LIMITS = pingStreamLimits(relayConnectionMonitor, browserConnectionMonitor)

export function meshPing() {
  return ping({ ...PING_STREAM_LIMITS, timeout: PING_ANSWER_TIMEOUT_MS })
}

/**
 * How long a browser's WebRTC dial (signalling over the relayed connection, ICE, the data
 * channel's upgrade) may take. A dial the dialer gives up on may already be a connection on
 * the other side: that half-open link then takes gossip into the void until ICE notices (~10 s
 * later). On a loaded machine upgrades took over 12 s, so the dialer waits long enough for a
 * slow one to finish.
 */
export const WEBRTC_DIAL_TIMEOUT_MS = 30_000

/**
 * The time one attempt of a WebRTC dial gets: 10 s, then 20 s, then WEBRTC_DIAL_TIMEOUT_MS.
 * Some dials run to their timeout on a quiet machine too (in a debug run the answering page
 * completed its end 0.3 s after the dialler gave up at 30 s): with 30 s from the first attempt,
 * 4 pages took 28-32 s to form their full mesh instead of 5-9 s. A loaded machine's slow dials
 * get their 30 s from the third attempt on.
 */
export function webrtcDialTimeoutMs(attempt: number): number {
  return Math.min(WEBRTC_DIAL_TIMEOUT_MS, 10_000 * 2 ** Math.max(0, attempt))
}

/**
 * A browser's connection manager. libp2p caps every dial at `dialTimeout` (10 s) and each
 * address of it at `addressDialTimeout` (6 s) whatever signal the caller passes, and an
 * answering node gives an inbound connection `inboundUpgradeTimeout` (10 s): with 16 pages on
 * two cores every WebRTC dial of the mesh bench failed after 6 s ("signal timed out", 2,422
 * times in 188 s) and the bounded mesh never formed. Both ends now wait as long as the dialer
 * means to.
 *
 * Every relayed connection reaches a page *from its relay's address*, and libp2p admits at most
 * `inboundConnectionThreshold` (5) inbound connections per second per address and
 * `maxIncomingPendingConnections` (10) upgrading at once, refusing the rest silently (the dialer
 * sees its Noise handshake time out). So a page that 16 others dial at once, to fetch a model
 * it holds, took 5 and refused 11, whoever they were (tests/unit/net/relayed-inbound.test.ts).
 * A page's inbound connections all come through relays, which limit each source address
 * themselves (100 per second, relay/node.ts); the page's own limits are set to match.
 */
export const browserConnectionManager = {
  maxConnections: 256,
  dialTimeout: WEBRTC_DIAL_TIMEOUT_MS,
  addressDialTimeout: WEBRTC_DIAL_TIMEOUT_MS,
  inboundUpgradeTimeout: WEBRTC_DIAL_TIMEOUT_MS,
  inboundConnectionThreshold: 100,
  maxIncomingPendingConnections: 64,
} as const

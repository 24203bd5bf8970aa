import { ping } from '@libp2p/ping'

/**
 * Stream limits for `/ipfs/ping/1.0.0` that every mesh node shares. libp2p's defaults (1
 * outbound, 2 inbound per connection) count every user of the protocol together: the page's
 * round-trip pinger, libp2p's own connection monitor and any caller (a benchmark's baseline).
 * Two of them overlapping on one connection made the second fail with
 * TooManyOutboundProtocolStreamsError; when the monitor was the one refused, it aborted the
 * whole connection, transfers included. The remote side must accept what the dialer may open.
 */
export const PING_STREAM_LIMITS = { maxOutboundStreams: 4, maxInboundStreams: 8 } as const

/**
 * How long a node answers one inbound ping stream before resetting it. libp2p's 10 s made a
 * CPU-starved page reset the relay's ping after 10 s, which the relay's connection monitor
 * counts as a failed ping and aborts the whole connection for, whatever its own timeout: it
 * must be at least the relay's longest ping timeout. Inbound ping streams stay capped per
 * connection (PING_STREAM_LIMITS), so a peer cannot hold more of them open for longer.
 */
export const PING_ANSWER_TIMEOUT_MS = 120_000

export function meshPing() {
  return ping({ ...PING_STREAM_LIMITS, timeout: PING_ANSWER_TIMEOUT_MS })
}

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

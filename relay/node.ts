import { createLibp2p } from 'libp2p'
import { relayWebSockets } from './ws-handshake'
import { noise } from '@chainsafe/libp2p-noise'
import { meshYamux } from '../workers/net/yamux-config'
import { identify } from '@libp2p/identify'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import type { PrivateKey } from '@libp2p/interface'
import type { Registry } from 'prom-client'
import type { RelayConfig } from './config'
import { meshGossipsub } from '../workers/net/gossip-config'
import { nodeSha256 } from '../workers/protocol/node/sha256'
import { meshPing, relayConnectionMonitor } from '../workers/net/connection-config'
import { installLengthPrefixFastPath } from './length-prefix-fast-path'

/** Connections the relay holds at most (browsers, other relays, bench peers). */
const MAX_CONNECTIONS = 2048

/**
 * The relay's GossipSub: the mesh's settings, except that every peer that grafts the relay
 * stays in its mesh (GossipSub prunes a topic's mesh above Dhi, 12 by default, back to 6).
 * The relay is the hub of its browsers, and a browser without working WebRTC has no other
 * peer: pruned, it heard a message only through lazy IHAVE/IWANT gossip, if at all. In the
 * relay bench, 100 peers connected only to the relay got 60 % of the messages at 50 msgs/s
 * (p99 3 s); with every subscriber in the mesh, all of them (p99 87 ms), at about 50 µs of
 * relay CPU per copy. Browsers in the bounded direct mesh get a copy from the relay as well.
 */
export function relayGossipsub() {
  return meshGossipsub({ Dhi: MAX_CONNECTIONS }, { messageIdHash: nodeSha256 })
}

export function listenAddress(host: string, port: number, tls = false): string {
  return `/${host.includes(':') ? 'ip6' : 'ip4'}/${host}/tcp/${port}/${tls ? 'tls/ws' : 'ws'}`
}

/**
 * The relay's libp2p node: WebSockets for browsers, circuit relay v2 sized for a mesh of
 * browsers (unlimited relayed connections, since signalling and small gossip ride on them
 * until WebRTC takes over), and GossipSub so it forwards and checks the mesh's gossip.
 */
export async function createRelayNode(
  config: RelayConfig,
  privateKey: PrivateKey,
  registry: Registry,
  tls: { cert: string; key: string } | null = null,
) {
  installLengthPrefixFastPath()
  return createLibp2p({
    privateKey,
    addresses: {
      // With built-in TLS the same port speaks WSS (browsers on an https page may only open wss://).
      listen: [listenAddress(config.host, config.wsPort, tls !== null)],
      announce: [...config.announce],
    },
    transports: [relayWebSockets(config.handshakeTimeoutMs, tls ? { https: { cert: tls.cert, key: tls.key } } : {})],
    connectionEncrypters: [noise()],
    streamMuxers: [meshYamux()],
    // Every inbound connection must finish Noise and Yamux within the handshake timeout (the
    // WebSocket stage before it is guarded in ws-handshake.ts); at most 256 may be
    // mid-handshake (as many as --max-reservations' default: a room of browsers opening the page
    // at once). With 64, 15 of 100 peers dialling together were refused mid-Noise (relay bench);
    // the handshake timeout still bounds how long any of them is held.
    // libp2p accepts 5 connections per second per source address by default; a school or
    // office behind one NAT address, or a room opening the page together, is many browsers on
    // one address: 100/s per address still stops a single host's flood.
    connectionManager: {
      maxConnections: MAX_CONNECTIONS,
      maxIncomingPendingConnections: 256,
      inboundUpgradeTimeout: config.handshakeTimeoutMs,
      inboundConnectionThreshold: 100,
    },
    connectionMonitor: relayConnectionMonitor,
    metrics: prometheusMetrics({ registry, collectDefaultMetrics: false, preserveExistingMetrics: true }),
    services: {
      identify: identify(),
      ping: meshPing(),
      relay: circuitRelayServer({
        reservations: { maxReservations: config.maxReservations, applyDefaultLimit: false, reservationClearInterval: 60_000 },
        maxInboundHopStreams: 256,
        maxOutboundStopStreams: 256,
      }),
      pubsub: relayGossipsub(),
    },
  })
}

import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'

/** The relay's Prometheus metrics; libp2p's own metrics register into the same registry. */
export function createRelayMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'mesh_relay_' })
  return {
    registry,
    messagesAccepted: new Counter({ name: 'mesh_messages_accepted_total', help: 'Inbound messages that passed the envelope gate', labelNames: ['kind'], registers: [registry] }),
    messagesRejected: new Counter({ name: 'mesh_messages_rejected_total', help: 'Inbound messages dropped by the envelope gate, by reason', labelNames: ['reason'], registers: [registry] }),
    httpRefused: new Counter({ name: 'mesh_http_refused_total', help: 'HTTP requests refused or failed (bad target, rate limit, method, body, handler error), by reason', labelNames: ['reason'], registers: [registry] }),
    peersConnected: new Gauge({ name: 'mesh_peers_connected', help: 'Peers with an open connection to the relay', registers: [registry] }),
  }
}

export type RelayMetrics = ReturnType<typeof createRelayMetrics>

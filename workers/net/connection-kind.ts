import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'

/**
 * How a connection reaches its peer. With unlimited relaying, relayed connections carry no
 * `limits`, so the address is what tells them apart: a WebRTC hop after the last circuit
 * means the peers talk directly.
 */
export type ConnectionKind = 'webrtc' | 'relay' | 'websocket' | 'other'

export function connectionKind(remoteAddr: string): ConnectionKind {
  const circuit = remoteAddr.lastIndexOf('/p2p-circuit')
  const webrtc = remoteAddr.lastIndexOf('/webrtc')
  if (webrtc > circuit && !remoteAddr.includes('/webrtc-direct')) return 'webrtc'
  if (circuit >= 0) return 'relay'
  if (/\/wss?(\/|$)|\/tls\/ws/.test(remoteAddr)) return 'websocket'
  return 'other'
}

export function isDirectConnection(remoteAddr: string): boolean {
  return connectionKind(remoteAddr) === 'webrtc'
}

/** The IP part of a multiaddr such as /ip4/1.2.3.4/tcp/5/ws (what per-address limits key on), or undefined. */
export function addressOfMultiaddr(multiaddr: string): string | undefined {
  return /^\/(?:ip4|ip6|dns4|dns6|dns)\/([^/]+)/.exec(multiaddr)?.[1]
}

/** The multiaddrs among `addresses` (strings from the network); anything that does not parse is left out. */
export function parseMultiaddrs(addresses: readonly string[]): Multiaddr[] {
  return addresses.flatMap((a) => {
    try {
      return [multiaddr(a)]
    } catch {
      return []
    }
  })
}

import { createLibp2p } from 'libp2p'
import { webRTC } from '@libp2p/webrtc'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { noise } from '@chainsafe/libp2p-noise'
import { meshYamux } from '../../workers/net/yamux-config'
import { identify } from '@libp2p/identify'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { meshGossipsub } from '../../workers/net/gossip-config'
import { browserConnectionManager, browserConnectionMonitor, meshPing } from '../../workers/net/connection-config'
import { meshWebSockets } from '../../workers/net/websocket-reset'

/**
 * The page's libp2p node (Chromium has no RTCPeerConnection in workers, so it lives here):
 * WebSockets to reach the relay, a circuit-relay reservation so others can reach us, and
 * WebRTC, which the relayed connection upgrades to.
 */
export async function createBrowserNode(seed: Uint8Array, iceServers: readonly string[]) {
  const privateKey = await generateKeyPairFromSeed('Ed25519', seed)
  return createLibp2p({
    privateKey,
    addresses: { listen: ['/p2p-circuit', '/webrtc'] },
    transports: [
      meshWebSockets(),
      webRTC({ rtcConfiguration: { iceServers: iceServers.map((urls) => ({ urls })) } }),
      circuitRelayTransport({ reservationCompletionTimeout: 10_000 }),
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [meshYamux()],
    // The default gater refuses ws:// and private addresses, which is exactly what a relay on
    // loopback or a LAN has; the relay's address comes from the server that served this page.
    connectionGater: { denyDialMultiaddr: () => false },
    connectionManager: browserConnectionManager,
    connectionMonitor: browserConnectionMonitor,
    services: {
      identify: identify(),
      ping: meshPing(),
      pubsub: meshGossipsub(),
    },
  })
}

export type BrowserNode = Awaited<ReturnType<typeof createBrowserNode>>

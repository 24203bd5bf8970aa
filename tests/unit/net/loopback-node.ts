import { createLibp2p, type Libp2pOptions } from 'libp2p'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@chainsafe/libp2p-noise'
import { meshYamux } from '../../../workers/net/yamux-config'
import { identify } from '@libp2p/identify'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { meshGossipsub } from '../../../workers/net/gossip-config'

export interface LoopbackNodeOptions {
  /** Listen on a loopback WebSocket port (else the node only dials). */
  readonly listen: boolean
  /** libp2p's connection manager settings; its defaults when left out. */
  readonly connectionManager?: Libp2pOptions['connectionManager']
  /** The node's GossipSub (the mesh's by default; the relay's for a hub). */
  readonly pubsub?: ReturnType<typeof meshGossipsub>
}

/**
 * A libp2p node as the mesh's nodes are built (WebSockets, Noise, yamux, identify and the
 * mesh's GossipSub) on loopback, its key from `seed`. The caller stops it.
 */
export async function loopbackNode(seed: number, { listen, connectionManager, pubsub = meshGossipsub() }: LoopbackNodeOptions) {
  return createLibp2p({
    privateKey: await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(seed)),
    addresses: { listen: listen ? ['/ip4/127.0.0.1/tcp/0/ws'] : [] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [meshYamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    connectionManager,
    services: { identify: identify(), pubsub },
  })
}

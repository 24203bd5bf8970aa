import { createLibp2p, type Libp2pOptions } from 'libp2p'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@chainsafe/libp2p-noise'
import { meshYamux } from '../../../workers/net/yamux-config'
import { identify } from '@libp2p/identify'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { meshGossipsub } from '../../../workers/net/gossip-config'
import { identityFromSeed } from '../../../workers/identity/ed25519'
import { createEnvelopeSigner } from '../../../workers/protocol/envelope'
import { verifyEd25519Batch } from '../../../workers/protocol/verify'
import { webCryptoSha256 } from '../../../workers/net/blob-store'
import { MeshRuntime, type MeshRuntimeOptions } from '../../../workers/net/runtime'
import { silentLogger } from '../../../workers/log'
import { messageKinds } from '../../../workers/kinds'

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

/**
 * A started MeshRuntime on a loopback node (its identity from `seed` too), with the real gate,
 * signer and SHA-256 and no logging. The caller stops the node.
 */
export async function loopbackRuntime(
  seed: number,
  { listen, ...options }: { readonly listen: boolean } & Pick<MeshRuntimeOptions, 'authorize' | 'onReject' | 'swarmNeighbourLinks'>,
) {
  const node = await loopbackNode(seed, { listen })
  const signer = createEnvelopeSigner(identityFromSeed(new Uint8Array(32).fill(seed)), messageKinds)
  const runtime = new MeshRuntime(node, {
    signer,
    verify: verifyEd25519Batch,
    sha256: webCryptoSha256,
    log: silentLogger,
    gossipKinds: [],
    ...options,
  })
  await runtime.start()
  return { node, runtime, signer }
}

import { createLibp2p } from 'libp2p'
import { webSockets } from '@libp2p/websockets'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { identityFromSeed } from '../../../workers/identity/ed25519'
import { createEnvelopeSigner } from '../../../workers/protocol/envelope'
import { verifyEd25519Batch } from '../../../workers/protocol/verify'
import { webCryptoSha256 } from '../../../workers/net/blob-store'
import { MeshRuntime } from '../../../workers/net/runtime'
import { gossipKinds } from '../../../workers/net/topics'
import { silentLogger } from '../../../workers/log'
import { meshGossipsub } from '../../../workers/net/gossip-config'

/**
 * A plain libp2p peer in Node running the same mesh runtime as the relay; tests use it both
 * as an honest participant and, through the raw hooks, as an attacker.
 */
export async function createNodePeer(seed: Uint8Array) {
  const node = await createLibp2p({
    privateKey: await generateKeyPairFromSeed('Ed25519', seed),
    addresses: { listen: [] },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: meshGossipsub(),
    },
  })
  const identity = identityFromSeed(seed)
  const signer = createEnvelopeSigner(identity)
  const runtime = new MeshRuntime(node, { signer, verify: verifyEd25519Batch, sha256: webCryptoSha256, log: silentLogger, gossipKinds })
  await runtime.start()
  return { node, runtime, identity, signer }
}

export type NodePeer = Awaited<ReturnType<typeof createNodePeer>>

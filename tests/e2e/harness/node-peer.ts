import { createLibp2p } from 'libp2p'
import { webSockets } from '@libp2p/websockets'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { noise } from '@chainsafe/libp2p-noise'
import { meshYamux } from '../../../workers/net/yamux-config'
import { identify } from '@libp2p/identify'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { createEnvelopeSigner, sealRaw } from '../../../workers/protocol/envelope'
import { verifyEd25519Batch } from '../../../workers/protocol/verify'
import { webCryptoSha256 } from '../../../workers/net/blob-store'
import { MeshRuntime } from '../../../workers/net/runtime'
import { gossipKinds } from '../../../workers/net/topics'
import { silentLogger } from '../../../workers/log'
import { meshGossipsub } from '../../../workers/net/gossip-config'
import { meshPing } from '../../../workers/net/connection-config'
import { deriveNodeKeys, signingIdentityOf } from '../../../workers/security/keys/derive'
import { trustAnchorFromCertificate } from '../../../workers/security/credentials/ca'
import { createJoinRequest } from '../../../workers/security/credentials/requests'
import { PeerCredentials } from '../../../workers/security/wiring/peer-credentials'
import { messageKinds } from '../../../workers/kinds'

export interface PeerTrust {
  readonly caCertificate: string
  readonly relayCredential: string
}

/**
 * A plain libp2p peer in Node running the same mesh runtime (and the same credential checks)
 * as the relay; tests use it both as an honest participant and, through the raw hooks, as
 * an attacker. Its keys derive from `seed` as a browser's derive from its phrase's seed.
 */
export async function createNodePeer(seed: Uint8Array, trust?: PeerTrust) {
  const keys = deriveNodeKeys(seed.length >= 32 ? seed : new Uint8Array(32).fill(seed[0] ?? 1))
  const node = await createLibp2p({
    privateKey: await generateKeyPairFromSeed('Ed25519', keys.identity.secretKey),
    addresses: { listen: [] },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [meshYamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: {
      identify: identify(),
      ping: meshPing(),
      pubsub: meshGossipsub(),
    },
  })
  const identity = signingIdentityOf(keys)
  const signer = createEnvelopeSigner(identity, messageKinds)
  const peers = trust ? new PeerCredentials(trustAnchorFromCertificate(Buffer.from(trust.caCertificate, 'base64'))) : undefined
  if (peers && trust) await peers.present(Buffer.from(trust.relayCredential, 'base64'), 'bootstrap')
  const runtime = new MeshRuntime(node, {
    signer,
    verify: verifyEd25519Batch,
    sha256: webCryptoSha256,
    log: silentLogger,
    gossipKinds,
    authorize: peers?.authorize,
  })
  peers?.attach(runtime, identity.publicKey)
  await runtime.start()
  /** Joins through the relay's HTTP desk, as a browser does; returns the DER credential. */
  const join = async (relayUrl: string): Promise<Uint8Array> => {
    const response = await fetch(new URL('/api/credential', relayUrl), {
      method: 'POST',
      body: sealRaw(signer, 'cred.request', createJoinRequest(keys)) as Uint8Array<ArrayBuffer>,
    })
    const answer = (await response.json()) as { certificate?: string; error?: string }
    if (!response.ok || !answer.certificate) throw new Error(`join refused: ${answer.error ?? response.status}`)
    return new Uint8Array(Buffer.from(answer.certificate, 'base64'))
  }
  /** Announces itself with `credential` (any DER, valid or not) in a signed presence. */
  const present = (credential: Uint8Array) =>
    runtime.gossip.publish('mesh.presence', {
      multiaddrs: [],
      agent: 'node-peer',
      nodeKind: 'node',
      credential: credential as Uint8Array<ArrayBuffer>,
    })
  return { node, runtime, identity, signer, keys, peers, join, present }
}

export type NodePeer = Awaited<ReturnType<typeof createNodePeer>>

/** The trust material a node learns from the relay's /api/bootstrap. */
export async function fetchTrust(relayUrl: string): Promise<PeerTrust> {
  const body = (await (await fetch(new URL('/api/bootstrap', relayUrl))).json()) as PeerTrust
  return { caCertificate: body.caCertificate, relayCredential: body.relayCredential }
}

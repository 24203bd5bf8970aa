import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { pino } from 'pino'
import { peerIdFromString } from '@libp2p/peer-id'
import type { RelayConfig } from './config'
import { openDatabase, PeerBook, schemaVersion } from './db'
import { createHttpServer } from './http'
import { loadOrCreateRelayKey } from './identity'
import { createRelayMetrics } from './metrics'
import { createRelayNode } from './node'
import { identityFromSeed } from '../workers/identity/ed25519'
import { createEnvelopeSigner } from '../workers/protocol/envelope'
import { verifyEd25519Batch } from '../workers/protocol/verify'
import { webCryptoSha256 } from '../workers/net/blob-store'
import { MeshRuntime } from '../workers/net/runtime'
import { connectionKind } from '../workers/net/connection-kind'
import { gossipKinds } from '../workers/net/topics'
import { bytesToHex } from '@noble/hashes/utils.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { encodeCertificate } from '../workers/consensus/certificate/certificate'
import { consensusDecisionEntry } from '../workers/security/wiring/audit-hooks'
import { RelaySecurity } from './security'
import { startValidatorDuty } from './validator'
import { keepPeersConnected } from './peer-dialer'
import { messageKinds } from '../workers/kinds'

export const RELAY_VERSION = '0.1.0'

export interface RunningRelay {
  readonly url: string
  readonly peerId: string
  readonly multiaddrs: string[]
  readonly runtime: MeshRuntime
  stop(): Promise<void>
}

export async function startRelay(config: RelayConfig, log = pino({ level: config.logLevel, base: { service: 'relay' } })): Promise<RunningRelay> {
  const db = openDatabase(config.dataDir)
  const peers = new PeerBook(db)
  const { key, created } = await loadOrCreateRelayKey(config.dataDir)
  const metrics = createRelayMetrics()
  const node = await createRelayNode(config, key, metrics.registry)
  const signer = createEnvelopeSigner(identityFromSeed(key.raw.subarray(0, 32)), messageKinds)
  const security = await RelaySecurity.open(config.dataDir, db, key, log.child({ component: 'security' }))
  const runtime = new MeshRuntime(node, {
    signer,
    verify: verifyEd25519Batch,
    sha256: webCryptoSha256,
    log: log.child({ component: 'mesh' }),
    gossipKinds,
    authorize: security.authorize,
    onReject: (rejected, source) => {
      metrics.messagesRejected.inc({ reason: rejected.reason })
      security.noteRejection(rejected, source)
    },
  })
  for (const kind of gossipKinds) runtime.gossip.on(kind, () => metrics.messagesAccepted.inc({ kind }))
  await runtime.start()
  security.start(runtime)
  const validator = config.validatorSet
    ? await startValidatorDuty({
        config,
        runtime,
        registry: metrics.registry,
        log: log.child({ component: 'consensus' }),
        // The validator-set file is the operator's grant of the validator role on this chain: its
        // members' consensus messages pass RBAC even when each validator relay runs its own CA.
        admitValidators: (keys) => keys.forEach((key) => security.peers.registry.pinRoles(key, ['validator'])),
      }).catch(async (err) => {
        await node.stop()
        await security.stop()
        db.close()
        throw err
      })
    : null
  validator?.adapter.onDecision((decision) => {
    const entry = consensusDecisionEntry(security.peerId, {
      chainId: validator.chainId,
      height: decision.height,
      round: decision.round,
      valueHash: bytesToHex(sha256(decision.value)),
      certificateHash: bytesToHex(sha256(encodeCertificate(decision.certificate))),
      signers: countSigners(decision.certificate.signers),
    })
    security.audit.append(entry).catch((err) => log.error({ err: (err as Error).message }, 'consensus decision not audited'))
  })
  const dialer = keepPeersConnected(node, [...config.peers, ...(validator?.peerAddresses ?? [])], log.child({ component: 'peers' }))

  node.addEventListener('connection:open', (event) => {
    const connection = event.detail
    peers.sawPeer(connection.remotePeer.toString(), connection.remoteAddr.toString())
    metrics.peersConnected.set(node.getPeers().length)
    log.info({ peer: connection.remotePeer.toString(), via: connectionKind(connection.remoteAddr.toString()) }, 'peer connected')
  })
  node.addEventListener('peer:disconnect', (event) => {
    metrics.peersConnected.set(node.getPeers().length)
    log.info({ peer: event.detail.toString() }, 'peer disconnected')
  })

  const wsAddrs = node.getMultiaddrs().map((a) => a.toString())
  const boundWsPort = Number(/\/tcp\/(\d+)\//.exec(wsAddrs[0] ?? '')?.[1] ?? config.wsPort)
  const peerId = node.peerId.toString()
  const http = createHttpServer({
    dist: config.dist,
    registry: metrics.registry,
    bootstrap: (hostname) => ({
      relayPeerId: peerId,
      relayMultiaddrs: config.announce.length > 0
        ? config.announce.map((a) => (a.includes('/p2p/') ? a : `${a}/p2p/${peerId}`))
        : [`/${hostname.includes(':') ? 'ip6' : /^[\d.]+$/.test(hostname) ? 'ip4' : 'dns4'}/${hostname}/tcp/${boundWsPort}/ws/p2p/${peerId}`],
      iceServers: [...config.iceServers],
      version: RELAY_VERSION,
      ...security.bootstrapInfo(),
    }),
    routes: security.routes(),
    onRefused: (reason, detail) => {
      metrics.httpRefused.inc({ reason })
      if (reason === 'handler-error') log.error({ err: detail }, 'HTTP handler failed')
      else log.debug({ reason, detail }, 'HTTP request refused')
    },
    health: () => ({ peerId, peers: node.getPeers().length, knownPeers: peers.knownPeers(), schemaVersion: schemaVersion(db), gate: runtime.validator.snapshot(), credentials: security.peers.registry.size, revocations: security.peers.revocations.size, auditEntries: security.audit.length, consensus: validator?.adapter.stats() ?? null }),
  })
  await listen(http, config.port, config.host)
  const httpPort = (http.address() as AddressInfo).port
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${httpPort}/`
  log.info({ url, peerId, multiaddrs: wsAddrs, dataDir: config.dataDir, createdIdentity: created }, 'relay started')

  let stopped = false
  return {
    url,
    peerId,
    multiaddrs: wsAddrs,
    runtime,
    async stop() {
      if (stopped) return
      stopped = true
      log.info({}, 'relay stopping')
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
      dialer.stop()
      await validator?.stop()
      await node.stop()
      await security.stop()
      db.close()
      log.info({}, 'relay stopped')
    },
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new Error(`HTTP port ${port} on ${host} is in use; pick another with --port or MESH_PORT`) : err)
    })
    server.listen(port, host, () => resolve())
  })
}

export { peerIdFromString }

function countSigners(bitmap: Uint8Array): number {
  let count = 0
  for (const byte of bitmap) for (let bits = byte; bits; bits &= bits - 1) count++
  return count
}

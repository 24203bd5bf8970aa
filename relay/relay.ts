import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { pino } from 'pino'
import { peerIdFromString } from '@libp2p/peer-id'
import type { RelayConfig } from './config'
import { openDatabase, PeerBook, schemaVersion } from './db'
import { createHttpServer } from './http'
import { guardedJson, metricsElsewhere, metricsRoute, readinessRoute, startMetricsServer, type ReadinessChecks } from './ops-http'
import { createRelayTracing } from './tracing'
import { overTls } from './tls-server'
import { ConsensusTracing } from '../workers/telemetry/consensus-trace'
import { NODE_REPORT_INTERVAL_MS, NodeReports } from './node-reports'
import { correlated } from '../workers/telemetry/correlation'
import { readFileSync } from 'node:fs'
import { loadOrCreateRelayKey } from './identity'
import { createRelayMetrics } from './metrics'
import { createRelayNode } from './node'
import { identityFromSeed } from '../workers/identity/ed25519'
import { createEnvelopeSigner } from '../workers/protocol/envelope'
import { nativeEd25519Signer, nativeVerifyEd25519Batch } from '../workers/protocol/node/ed25519'
import { webCryptoSha256 } from '../workers/net/blob-store'
import { MeshRuntime } from '../workers/net/runtime'
import { connectionKind } from '../workers/net/connection-kind'
import { gossipKinds } from '../workers/net/topics'
import { bytesToHex } from '@noble/hashes/utils.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { encodeCertificate } from '../workers/consensus/certificate/certificate'
import { consensusDecisionEntry } from '../workers/security/wiring/audit-hooks'
import { RelaySecurity } from './security'
import { soloValidatorKeys, startValidatorDuty } from './validator'
import { FlStore } from './fl-store'
import { flTaskFeed } from './fl-api'
import { signedFlValidatorSet } from './fl-validator-statement'
import { flRoundMetrics } from './fl-metrics'
import { keepPeersConnected } from './peer-dialer'
import { messageKinds } from '../workers/kinds'
import { coordinatorKeys, startTaskDuty } from './tasks'
import { watchEventLoopStalls } from './stall-watch'

export const RELAY_VERSION = '0.1.0'

export interface RunningRelay {
  readonly url: string
  readonly peerId: string
  readonly multiaddrs: string[]
  readonly runtime: MeshRuntime
  /** What /readyz reports. */
  readiness(): ReadinessChecks
  /** The separate /metrics listener's URL, when --metrics-port is set. */
  readonly metricsUrl: string | null
  stop(): Promise<void>
}

export async function startRelay(
  config: RelayConfig,
  log = pino({ level: config.logLevel, base: { service: 'relay' } }),
): Promise<RunningRelay> {
  const stopStallWatch = watchEventLoopStalls(log.child({ component: 'event-loop' }))
  const db = openDatabase(config.dataDir)
  const peers = new PeerBook(db)
  const { key, created } = await loadOrCreateRelayKey(config.dataDir)
  const metrics = createRelayMetrics()
  const tls = config.tls ? { cert: readPem(config.tls.certFile, '--tls-cert'), key: readPem(config.tls.keyFile, '--tls-key') } : null
  const node = await createRelayNode(config, key, metrics.registry, tls)
  const identitySeed = key.raw.subarray(0, 32)
  // Native signing: the relay signs every envelope it sends (consensus votes among them).
  const signer = createEnvelopeSigner({ ...identityFromSeed(identitySeed), sign: nativeEd25519Signer(identitySeed) }, messageKinds)
  const security = await RelaySecurity.open(config.dataDir, db, key, log.child({ component: 'security' }), [
    ...config.taskDuty,
    // A relay on federated duty aggregates (in the rotation over the validator set).
    ...(config.fl ? (['aggregator'] as const) : []),
  ])
  const runtime = new MeshRuntime(node, {
    signer,
    verify: nativeVerifyEd25519Batch,
    sha256: webCryptoSha256,
    log: log.child({ component: 'mesh' }),
    gossipKinds,
    authorize: security.authorize,
    onReject: (rejected, source) => {
      metrics.mesh.rejected(rejected.kind, rejected.reason)
      security.noteRejection(rejected, source)
    },
    onTransfer: (direction, ok, bytes) => metrics.mesh.transfer(direction, ok ? 'ok' : 'failed', bytes),
    onSlowConsumer: () => metrics.mesh.slowConsumerClosed(),
    limits: {
      gossip: {
        perPeer: { perSecond: config.gossipRate.perPeer, burst: 4 * config.gossipRate.perPeer },
        perAddress: { perSecond: config.gossipRate.perAddress, burst: 4 * config.gossipRate.perAddress },
      },
    },
  })
  for (const kind of gossipKinds) runtime.gossip.on(kind, () => metrics.mesh.accepted(kind))
  metrics.mesh.auditEntries(() => security.audit.length)
  const peerId = node.peerId.toString()
  const tracing = createRelayTracing({
    otlpEndpoint: config.otlpEndpoint,
    serviceName: config.validatorSet ? 'agent-mesh-validator' : 'agent-mesh-relay',
    instance: peerId,
    log,
  })
  const consensusLog = log.child({ component: 'consensus' })
  await runtime.start()
  security.start(runtime)
  const validator = config.validatorSet
    ? await startValidatorDuty({
        config,
        runtime,
        log: consensusLog,
        observer: (chainId) =>
          new ConsensusTracing({
            tracer: tracing.tracer,
            chainId,
            validator: peerId,
            onFinal: (final) => {
              metrics.consensus.decided({ round: final.round, signers: final.signers, finalitySeconds: final.finalitySeconds })
              correlated(consensusLog, { height: final.height, traceId: final.traceId }).info(
                { round: final.round, signers: final.signers, finalityMs: Math.round(final.finalitySeconds * 1000) },
                'height final',
              )
            },
          }),
        // The validator-set file is the operator's grant of the validator role on this chain: its
        // members' consensus messages pass RBAC even when each validator relay runs its own CA.
        // Validators also aggregate federated rounds in rotation (relay/fl-duty.ts).
        admitValidators: (keys) =>
          keys.forEach((key) => security.peers.registry.pinRoles(key, config.fl ? ['validator', 'aggregator'] : ['validator'])),
        audit: (fields) => security.audit.append(fields),
      }).catch(async (err) => {
        await node.stop()
        await security.stop()
        db.close()
        throw err
      })
    : null
  if (validator) metrics.consensus.watch(() => validator.adapter.stats())
  validator?.adapter.onDecision((decision) => {
    const entry = consensusDecisionEntry(security.peerId, {
      chainId: validator.chainId,
      height: decision.height,
      round: decision.round,
      valueHash: bytesToHex(sha256(decision.value)),
      certificateHash: bytesToHex(sha256(encodeCertificate(decision.certificate))),
      signers: countSigners(decision.certificate.signers),
    })
    security.audit
      .append(entry)
      .catch((err) =>
        correlated(consensusLog, { height: decision.height }).error({ err: (err as Error).message }, 'consensus decision not audited'),
      )
  })
  // The founding coordinators' list is the operator's grant of the coordinator role for the task
  // log (as the validator-set file is for validators), so relays with separate CAs accept each other.
  for (const key of coordinatorKeys(config.taskCoordinators)) security.peers.registry.pinRoles(key, ['coordinator'])
  const tasks =
    config.taskDuty.length > 0
      ? await startTaskDuty({
          duties: config.taskDuty,
          founders: config.taskCoordinators,
          peerId: node.peerId.toString(),
          dataDir: config.dataDir,
          runtime,
          registry: metrics.registry,
          metrics: metrics.tasks,
          tracer: tracing.tracer,
          log: log.child({ component: 'tasks' }),
        })
      : null
  const identity = identityFromSeed(identitySeed)
  const flValidators = config.fl ? (validator?.keys ?? (await soloValidatorKeys(config.dataDir))) : null
  const flStatement = flValidators ? await signedFlValidatorSet(db, security, flValidators, peerId, log.child({ component: 'fl' })) : null
  // tfjs and its model code (~45 MB resident) load only with the duty that needs them: a relay that only relays never pays for them.
  const flDuty = flValidators ? (await import('./fl-duty')).FlDuty : null
  const fl =
    flDuty && flValidators
      ? await flDuty.start({
          runtime,
          store: new FlStore(db),
          dataDir: config.dataDir,
          peerId,
          identity: { seed: identitySeed, publicKey: identity.publicKey, sign: nativeEd25519Signer(identitySeed) },
          validators: flValidators,
          defaultTask: !validator,
          audit: (fields) => security.audit.append(fields),
          log: log.child({ component: 'fl' }),
          metrics: flRoundMetrics(metrics.flRound),
          tracer: tracing.tracer,
        })
      : null
  const dialer = keepPeersConnected(node, [...config.peers, ...(validator?.peerAddresses ?? [])], log.child({ component: 'peers' }))

  metrics.mesh.watchConnections(() => ({
    open: node.getConnections().map((c) => ({
      transport: connectionKind(c.remoteAddr.toString()),
      roles: c.remotePeer.publicKey ? (security.peers.registry.get(c.remotePeer.publicKey.raw)?.roles ?? []) : [],
    })),
    peers: node.getPeers().length,
  }))
  node.addEventListener('connection:open', (event) => {
    const connection = event.detail
    peers.sawPeer(connection.remotePeer.toString(), connection.remoteAddr.toString())
    log.info({ peer: connection.remotePeer.toString(), via: connectionKind(connection.remoteAddr.toString()) }, 'peer connected')
  })
  node.addEventListener('peer:disconnect', (event) => {
    log.info({ peer: event.detail.toString() }, 'peer disconnected')
  })

  const wsAddrs = node.getMultiaddrs().map((a) => a.toString())
  const boundWsPort = Number(/\/tcp\/(\d+)\//.exec(wsAddrs[0] ?? '')?.[1] ?? config.wsPort)
  const wsSuffix = tls ? 'tls/ws' : 'ws'
  const readiness = (): ReadinessChecks => {
    const stats = validator?.adapter.stats()
    return {
      storage: db.open,
      listening: http.listening && node.status === 'started' && node.getMultiaddrs().length > 0,
      validatorCaughtUp: !stats || stats.highestSeenHeight <= stats.status.height + 1,
    }
  }
  const serveMetrics = metricsRoute(metrics.registry, config.metricsToken)
  const nodeReports = new NodeReports(runtime.validator, metrics)
  const plainHttp = createHttpServer({
    dist: config.dist,
    registry: metrics.registry,
    bootstrap: (hostname) => ({
      relayPeerId: peerId,
      relayMultiaddrs:
        config.announce.length > 0
          ? config.announce.map((a) => (a.includes('/p2p/') ? a : `${a}/p2p/${peerId}`))
          : [
              `/${hostname.includes(':') ? 'ip6' : /^[\d.]+$/.test(hostname) ? 'ip4' : 'dns4'}/${hostname}/tcp/${boundWsPort}/${wsSuffix}/p2p/${peerId}`,
            ],
      iceServers: [...config.iceServers],
      version: RELAY_VERSION,
      nodeReportIntervalMs: NODE_REPORT_INTERVAL_MS,
      ...security.bootstrapInfo(),
    }),
    routes: {
      ...security.routes(),
      '/readyz': readinessRoute(readiness),
      '/metrics': config.metricsListen ? metricsElsewhere : serveMetrics,
      '/api/node-report': nodeReports.postRoute(),
      '/api/node-reports': guardedJson(config.metricsToken, () => nodeReports.list()),
      '/api/fl/tasks': guardedJson(null, () =>
        fl ? flTaskFeed(fl, new FlStore(db), flStatement) : { validators: [], validatorSetStatement: null, tasks: [] },
      ),
      // The beacon chain browsers pin to validate on (null without a validator-set file).
      '/api/consensus': guardedJson(null, () => validator?.chainInfo ?? null),
      // Its latest validator-set change orders (the CLI's and admins' requests from the PWA), for the admin's panel.
      '/api/consensus/orders': guardedJson(null, () => validator?.orders() ?? []),
    },
    onRefused: (reason, detail) => {
      metrics.httpRefused.inc({ reason })
      if (reason === 'handler-error') log.error({ err: detail }, 'HTTP handler failed')
      else log.debug({ reason, detail }, 'HTTP request refused')
    },
    health: () => ({
      peerId,
      peers: node.getPeers().length,
      knownPeers: peers.knownPeers(),
      schemaVersion: schemaVersion(db),
      gate: runtime.validator.snapshot(),
      credentials: security.peers.registry.size,
      revocations: security.peers.revocations.size,
      auditEntries: security.audit.length,
      consensus: validator?.adapter.stats() ?? null,
      tasks: tasks?.coordinator?.stats() ?? null,
    }),
  })
  const http = tls ? overTls(plainHttp, tls) : plainHttp
  await listen(http, config.port, config.host)
  const metricsServer = config.metricsListen
    ? await startMetricsServer(config.metricsListen.host, config.metricsListen.port, serveMetrics, (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' })
        res.end('{"ok":true}')
      })
    : null
  const metricsUrl =
    metricsServer && config.metricsListen
      ? `http://${hostForUrl(config.metricsListen.host)}:${(metricsServer.address() as AddressInfo).port}/metrics`
      : null
  const httpPort = (http.address() as AddressInfo).port
  const url = `${tls ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${httpPort}/`
  log.info({ url, peerId, multiaddrs: wsAddrs, dataDir: config.dataDir, createdIdentity: created }, 'relay started')

  let stopped = false
  return {
    url,
    peerId,
    multiaddrs: wsAddrs,
    runtime,
    readiness,
    metricsUrl,
    async stop() {
      if (stopped) return
      stopped = true
      log.info({}, 'relay stopping')
      stopStallWatch()
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
      if (metricsServer) {
        metricsServer.closeAllConnections()
        await new Promise<void>((resolve) => metricsServer.close(() => resolve()))
      }
      dialer.stop()
      await fl?.stop()
      await validator?.stop()
      await tasks?.stop()
      await tracing.shutdown()
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

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host
}

function readPem(file: string, option: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (err) {
    throw new Error(`cannot read ${option} ${file}: ${(err as Error).message}`)
  }
}

function countSigners(bitmap: Uint8Array): number {
  let count = 0
  for (const byte of bitmap) for (let bits = byte; bits; bits &= bits - 1) count++
  return count
}

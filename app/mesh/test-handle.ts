import { peerIdFromString } from '@libp2p/peer-id'
import type { MeshClient } from './client.svelte'
import type { Trainer } from '../training/trainer.svelte'
import type { FederatedClient } from '../fl/federated.svelte'
import { l2Norm } from '../../workers/fl/update/delta'
import type { TrainRequest } from '../../workers/fl-worker-api'
import { hex } from '../../workers/common/bytes'
import { connectionKind } from '../../workers/net/connection-kind'
import { sealForRecipient, openSealed } from '../../workers/security/e2e/seal'
import { backupPhrase, restoreIdentity } from './identity'
import type { MeshDatabase } from '../storage/db'
import type { Role } from '../../workers/protocol/roles'
import { activeTaskClient } from '../tasks/tasks.svelte'
import type { ValidatorDutyClient } from '../consensus/validator-duty.svelte'
import { validatorDutyHooks } from '../consensus/test-hooks'

/**
 * A small scripting handle on `window.agentMesh` for the end-to-end tests and benchmarks; it
 * exists only in the test build (`npm run build:test`, see app/main.ts) and only calls the
 * node's public API.
 */
/** What the test handle's fetchFromHolders reports (the bench harness reads it through page.evaluate). */
export interface SwarmFetchReport {
  bytes: number
  sha256: string
  ms: number
  from: string
  fromHolder: boolean
  pass: number
  attempts: readonly string[]
  failures: string[]
}

export function installTestHandle(
  client: MeshClient,
  trainer: Trainer,
  fl: FederatedClient,
  db: MeshDatabase,
  validatorDuty?: ValidatorDutyClient,
): void {
  let timeline: { snapshot(): FlTimeline } | null = null
  const handle = {
    ...(validatorDuty ? validatorDutyHooks(validatorDuty) : {}),
    flJoin: (taskId?: string) => fl.join(taskId),
    /** Starts recording when (epoch ms) this node's round phases change, its training calls run, and it stores adopted rounds (benchmarks). */
    flRecordTimeline: () => void (timeline ??= recordFlTimeline(trainer, fl, db)),
    flTimeline: () => timeline?.snapshot() ?? null,
    /** Loads the data and picks the backend, so that a benchmark's first round does not time it. */
    prepareTraining: () => trainer.prepare().then((b) => b.backend),
    /** The whole backend choice: every candidate with its calibration runs (the calibration benchmark). */
    trainingBackendChoice: () => trainer.prepare(),
    /**
     * Trains once exactly as the joined task's trainers do (same model, shard size, steps,
     * batch size), alone and outside any round: the baseline the round benchmark compares to.
     */
    flBaselineTrain: async (clientIndex: number, clients: number) => {
      const task = fl.task?.task
      if (!task) throw new Error('join a task first')
      const started = Date.now()
      const result = await trainer.train({
        epochs: task.localEpochs,
        batchSize: task.batchSize,
        clientIndex,
        clients,
        partition: task.partition,
        seed: task.dataSeed,
        learningRate: task.learningRate,
        maxBatchesPerEpoch: task.localSteps || undefined,
        clipNorm: task.clipNorm || undefined,
        model: task.model,
      })
      return { ms: Date.now() - started, samples: result?.samples ?? 0 }
    },
    /** The peers this node knows subscribe to a kind's gossip topic. */
    gossipPeers: (kind: string) => client.node?.services.pubsub.getSubscribers(`agent-mesh/1/${kind}`).map(String) ?? [],
    /**
     * Makes this node a Byzantine trainer: each update it trains is sign-flipped and stretched
     * to the task's clipping bound (the strongest flip that still passes the bound), before it
     * is sealed and submitted. The robust rule must hold it.
     */
    flAttack: () => {
      const honest = trainer.train.bind(trainer)
      trainer.train = async (request) => {
        const result = await honest(request)
        if (!result?.update) return result
        const bound = fl.task?.task.clipNorm || 1
        const norm = l2Norm(result.update) || 1
        return { ...result, update: result.update.map((v) => (-v * bound) / norm) }
      }
    },
    flState: () => ({
      joined: fl.joined,
      error: fl.error,
      taskId: fl.task?.taskId ?? null,
      status: fl.status ? { ...fl.status, cohort: [...fl.status.cohort] } : null,
      rounds: fl.rounds.map((r) => ({ ...r })),
      trust: fl.trust ? { ...fl.trust } : null,
    }),
    train: (request: Omit<TrainRequest, 'round'>) => trainer.train(request),
    trainingResults: () => trainer.results.map((r) => ({ ...r })),
    trainingProgressEvents: () => trainer.progressEvents,
    backend: () => (trainer.backend ? JSON.parse(JSON.stringify(trainer.backend)) : null),
    peerId: () => client.peerId,
    /** This browser's task roles: the worker's state and count, and its Raft seat when it coordinates. */
    tasks: () => ({
      workerState: activeTaskClient()?.workerState ?? 'off',
      completed: activeTaskClient()?.completed ?? 0,
      coordinator: activeTaskClient()?.coordinatorSnapshot() ?? null,
    }),
    exportLog: () => client.recentLog.exportNdjson(),
    sendReport: () => client.sendReport(),
    relayState: () => client.relayState,
    peers: () => client.peers.map((p) => ({ ...p })),
    directPeers: () => client.peers.filter((p) => p.connection === 'webrtc').map((p) => p.id),
    multiaddrs: () => client.node?.getMultiaddrs().map((a) => a.toString()) ?? [],
    publishChat: (text: string) => client.publishChat(text),
    chats: () => client.chatLog.map((c) => ({ ...c })),
    gate: () => client.runtime?.validator.snapshot(),
    credential: () => {
      const c = client.security?.credential
      return c
        ? { serial: c.serial, peerId: c.peerId, roles: [...c.roles], notAfterMs: c.notAfterMs, status: client.security!.status }
        : { status: client.security?.status ?? 'none' }
    },
    /** Roles of the credential this node has admitted for `peerId`, or null. */
    knownRoles: (peerId: string) => {
      const c = client.security?.knownCredential(peerId)
      return c ? [...c.roles] : null
    },
    revoked: () => client.security?.peers.revocations.list().map((r) => r.serial) ?? [],
    auditEntries: async () =>
      (await client.security!.auditEntries()).map((r) => ({
        seq: r.seq,
        event: r.event,
        actor: r.actor,
        subject: r.subject,
        details: r.details,
      })),
    verifyAudit: () => client.security!.verifyAudit(),
    flushAudit: () => client.security!.flushRejections(),
    relayAudit: () => client.security!.relayAudit().then((a) => ({ total: a.total, events: a.entries.map((e) => e.event) })),
    grant: (peerId: string, roles: Role[], days: number) =>
      client.security!.grant(peerId, roles, days).then((c) => ({ serial: c.serial, roles: [...c.roles] })),
    backupPhrase: () => backupPhrase(db),
    restore: (phrase: string) => restoreIdentity(db, phrase).then(() => undefined),
    /** Seals `size` test bytes to `peerId`'s agreement key (from its credential) and stores the box as a blob. */
    async sealBlobFor(peerId: string, round: number, size: number, seed: number): Promise<string> {
      const recipient = client.security?.knownCredential(peerId)
      if (!recipient) throw new Error(`no credential seen for ${peerId}`)
      const box = sealForRecipient(pseudoRandomBytes(size, seed), recipient.agreementPublicKey, {
        purpose: 'fl.update',
        round,
        sender: client.security!.identity.publicKey,
      })
      return client.runtime!.blobs.add(box)
    },
    /** Fetches a sealed blob from `peerId` and opens it with this node's agreement key; returns the plaintext's SHA-256. */
    async openSealedBlob(
      peerId: string,
      sha256Hex: string,
      round: number,
      size: number,
      seed: number,
    ): Promise<{ ok: boolean; matches: boolean; reason?: string }> {
      const sender = client.security?.knownCredential(peerId)
      if (!sender) throw new Error(`no credential seen for ${peerId}`)
      const box = await client.runtime!.fetchBlob(
        peerIdFromString(peerId),
        Uint8Array.from(sha256Hex.match(/../g)!.map((h) => parseInt(h, 16))),
      )
      const opened = openSealed(box, client.identity!.keys.agreement.secretKey, {
        purpose: 'fl.update',
        round,
        sender: sender.identityPublicKey,
      })
      if (!opened.ok) return { ok: false, matches: false, reason: opened.reason }
      const expected = pseudoRandomBytes(size, seed)
      return { ok: true, matches: opened.plaintext.length === expected.length && opened.plaintext.every((b, i) => b === expected[i]) }
    },
    /** Stores `size` deterministic pseudo-random bytes and returns their SHA-256. */
    async addBlob(size: number, seed: number): Promise<string> {
      const bytes = pseudoRandomBytes(size, seed)
      return client.runtime!.blobs.add(bytes)
    },
    ping: (peerId: string) => client.ping(peerId),
    /** Benchmark baseline: pushes `size` bytes on a bare stream, no envelope or hashing. Needs ?bench in the URL. */
    async rawSend(peerId: string, size: number): Promise<{ bytes: number; ms: number }> {
      const connection = client.runtime!.bestConnection(peerIdFromString(peerId))
      if (!connection) throw new Error(`no connection to ${peerId}`)
      const stream = await connection.newStream(BENCH_SINK_PROTOCOL)
      const chunk = new Uint8Array(16 * 1024)
      const started = performance.now()
      try {
        for (let sent = 0; sent < size; sent += chunk.length) {
          if (!stream.send(chunk)) await stream.onDrain()
        }
        await stream.close()
        // The sink answers with one byte once it has read everything.
        for await (const _ of stream) break
      } catch (err) {
        throw new Error(`raw stream failed: ${(err as Error).message}`)
      }
      return { bytes: size, ms: performance.now() - started }
    },
    async fetchBlob(
      peerId: string,
      sha256Hex: string,
    ): Promise<{ bytes: number; sha256: string; ms: number; directWaitMs: number; links: string; retries: string[] }> {
      const waitStarted = performance.now()
      await client.useDirectFor(peerId)
      const started = performance.now()
      const directWaitMs = started - waitStarted
      const retries: string[] = []
      const bytes = await client
        .runtime!.fetchBlob(peerIdFromString(peerId), Uint8Array.from(sha256Hex.match(/../g)!.map((h) => parseInt(h, 16))), {
          onRetry: (attempt, error, received) =>
            retries.push(`attempt ${attempt} after ${received} bytes: ${describeError(error)}; ${describeLinks(client, peerId)}`),
        })
        .catch((err: Error) => {
          throw new Error(`${err.message}; retries: ${retries.join(' | ')}`)
        })
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))
      return {
        bytes: bytes.length,
        sha256: hex(digest),
        ms: performance.now() - started,
        directWaitMs,
        links: describeLinks(client, peerId),
        retries,
      }
    },
    /** Fetches a blob as a federated round fetches a model: from its known holders or any linked peer that has it (swarm-fetch.ts). */
    async fetchFromHolders(holders: string[], sha256Hex: string): Promise<SwarmFetchReport> {
      const started = performance.now()
      const failures: string[] = []
      const fetched = await client
        .runtime!.fetchFromHolders(Uint8Array.from(sha256Hex.match(/../g)!.map((h) => parseInt(h, 16))), holders, {
          onFailure: (peer, error) => failures.push(`${peer.slice(-8)}: ${describeError(error)}`),
        })
        .catch((err: Error) => {
          throw new Error(`${err.message}; failures: ${failures.join(' | ')}`)
        })
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', fetched.bytes as Uint8Array<ArrayBuffer>))
      return {
        bytes: fetched.bytes.length,
        sha256: hex(digest),
        ms: performance.now() - started,
        from: fetched.from,
        fromHolder: fetched.fromHolder,
        pass: fetched.pass,
        attempts: fetched.attempts,
        failures,
      }
    },
    /**
     * Fetches a blob and, once `afterBytes` have arrived, closes the direct connection it is
     * coming over, as a dropped WebRTC link would: the fetch must resume where it stopped.
     */
    async fetchBlobDroppingConnection(
      peerId: string,
      sha256Hex: string,
      afterBytes: number,
    ): Promise<{ bytes: number; sha256: string; retries: string[]; dropped: boolean }> {
      const peer = peerIdFromString(peerId)
      await client.useDirectFor(peerId)
      const retries: string[] = []
      let dropped = false
      const bytes = await client.runtime!.fetchBlob(peer, Uint8Array.from(sha256Hex.match(/../g)!.map((h) => parseInt(h, 16))), {
        onProgress: (received) => {
          if (dropped || received < afterBytes) return
          dropped = true
          const direct = client.node!.getConnections(peer).filter((c) => connectionKind(c.remoteAddr.toString()) === 'webrtc')
          for (const c of direct) c.abort(new Error('test: direct connection dropped'))
        },
        onRetry: (attempt, error, received) => retries.push(`attempt ${attempt} after ${received} bytes: ${describeError(error)}`),
      })
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))
      return { bytes: bytes.length, sha256: hex(digest), retries, dropped }
    },
    /** Every connection this node saw close since it started, with how it reached the peer. */
    connectionCloses: () => connectionCloses.map((c) => ({ ...c })),
    /** Aborts this page's connections to the relay, as libp2p does when a connection fails; the page must redial. */
    abortRelayConnection: () => {
      for (const c of client.node?.getConnections() ?? [])
        if (c.remotePeer.toString() === client.relayPeerId) c.abort(new Error('test: relay connection aborted'))
    },
    /** For each GossipSub peer, how the connection our outbound gossip stream to it is on reaches it (none: no stream). */
    gossipLinks: () => {
      const links = client.runtime?.gossipLinks
      const peers = (client.node?.services.pubsub.getPeers() ?? []).map((peer) => {
        const link = links?.currentLink(peer)
        return { peer: peer.toString(), kind: link ? connectionKind(link.remoteAddr.toString()) : ('none' as const) }
      })
      return { peers, moves: links?.moves ?? 0 }
    },
    /** Every connection libp2p holds now: peer, how, status, direction, age and the protocols of its streams. */
    connections: () =>
      (client.node?.getConnections() ?? []).map((c) => ({
        peer: c.remotePeer.toString(),
        kind: connectionKind(c.remoteAddr.toString()),
        remoteAddr: c.remoteAddr.toString(),
        status: c.status,
        direction: c.direction,
        openedAt: c.timeline.open,
        rttMs: c.rtt ?? null,
        /** Bytes the page's WebSocket has not sent yet (relay connections only; libp2p keeps it on a non-public field). */
        bufferedBytes: (c as unknown as { maConn?: { websocket?: { bufferedAmount?: number } } }).maConn?.websocket?.bufferedAmount ?? null,
        streams: c.streams.map((s) => s.protocol ?? '?'),
      })),
  }
  ;(window as unknown as { agentMesh: typeof handle }).agentMesh = handle
  if (new URLSearchParams(location.search).has('bench')) void installBenchSink(client)
  void recordConnectionCloses(client)
}

/** The links to a peer when a transfer had to retry, for the failure message: which one streams go to, and which are closing. */
function describeLinks(client: MeshClient, peerId: string): string {
  const best = client.runtime?.bestConnection(peerIdFromString(peerId))
  const links = (client.node?.getConnections(peerIdFromString(peerId)) ?? []).map(
    (c) =>
      `${c === best ? '*' : ''}${client.runtime?.isAnswered(c) ? '' : '(unanswered) '}${c.id} ${connectionKind(c.remoteAddr.toString())} ${c.direction} ${c.status} opened ${Date.now() - c.timeline.open} ms ago, streams [${c.streams.map((s) => s.protocol ?? '?').join(' ')}]`,
  )
  const closed = connectionCloses.filter((c) => c.peer === peerId && Date.now() - c.closedAt < 10_000)
  return `at ${Date.now()}: links ${links.join('; ')}; closed in the last 10 s: ${closed.map((c) => `${c.kind} ${c.direction} ${Date.now() - c.closedAt} ms ago (${c.reason})`).join('; ') || 'none'}`
}

/** Streams sometimes fail with a bare Event (a data channel's 'error'/'close'), not an Error. */
function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}${error.cause ? ` (cause: ${describeError(error.cause)})` : ''}`
  const e = error as { constructor?: { name?: string }; type?: string; error?: unknown; message?: string }
  return `${e?.constructor?.name ?? typeof error} type=${e?.type} message=${e?.message}${e?.error ? ` error=${describeError(e.error)}` : ''}`
}

interface ConnectionClose {
  readonly peer: string
  readonly kind: string
  readonly openedAt: number
  readonly closedAt: number
  readonly streamsOpen: number
  readonly direction: string
  /** Another connection of the same kind to the peer stayed open: a duplicate from a simultaneous dial. */
  readonly duplicate: boolean
  readonly reason: string
}
const connectionCloses: ConnectionClose[] = []

async function recordConnectionCloses(client: MeshClient): Promise<void> {
  while (!client.node) await new Promise((r) => setTimeout(r, 100))
  // Who ended a connection, and how: the close event says whether it was local and why;
  // a local close() or abort() also leaves the caller's stack.
  const why = new WeakMap<object, string>()
  const states = new WeakMap<object, string[]>()
  client.node.addEventListener('connection:open', (event) => {
    const c = event.detail
    // A WebRTC link's own state changes (ICE, DTLS, SCTP), to tell a transport that failed from one that was closed.
    const pc = (c as unknown as { maConn?: { peerConnection?: RTCPeerConnection } }).maConn?.peerConnection
    if (pc && typeof pc.addEventListener === 'function') {
      const seen: string[] = []
      states.set(c, seen)
      const opened = Date.now()
      const note = (what: string) => seen.push(`${what} +${Date.now() - opened} ms`)
      pc.addEventListener('connectionstatechange', () => note(`connection ${pc.connectionState}`))
      pc.addEventListener('iceconnectionstatechange', () => note(`ice ${pc.iceConnectionState}`))
      pc.sctp?.addEventListener('statechange', () => note(`sctp ${pc.sctp?.state}`))
      pc.sctp?.transport.addEventListener('statechange', () => note(`dtls ${pc.sctp?.transport.state}`))
    }
    for (const method of ['close', 'abort'] as const) {
      const original = c[method].bind(c) as (...args: unknown[]) => unknown
      ;(c as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        if (!why.has(c))
          why.set(
            c,
            `${method}(${args[0] instanceof Error ? describeError(args[0]) : ''}) from ${new Error().stack?.split('\n').slice(2, 6).join(' <- ')}`,
          )
        return original(...args)
      }
    }
    c.addEventListener('close', (evt) => {
      const e = evt as Event & { local?: boolean; error?: unknown }
      if (!why.has(c)) why.set(c, `${e.local ? 'local' : 'remote'} close${e.error ? `: ${describeError(e.error)}` : ''}`)
    })
  })
  client.node.addEventListener('connection:close', (event) => {
    const c = event.detail
    const closedAt = Date.now()
    const streamsOpen = c.streams.length
    // The connection's own close event (local or remote, and the error) comes right after this one.
    queueMicrotask(() => {
      const kind = connectionKind(c.remoteAddr.toString())
      const duplicate = client
        .node!.getConnections(c.remotePeer)
        .some((o) => o !== c && o.status === 'open' && connectionKind(o.remoteAddr.toString()) === kind)
      connectionCloses.push({
        peer: c.remotePeer.toString(),
        kind,
        direction: c.direction,
        openedAt: c.timeline.open,
        closedAt,
        streamsOpen,
        duplicate,
        reason: `${why.get(c) ?? 'unknown'}${states.has(c) ? `; link states: ${states.get(c)!.join(', ') || 'no change seen'}` : ''}`,
      })
    })
  })
}

interface FlTimeline {
  /** Round phase changes as this node saw them: [epoch ms, round, phase]. */
  readonly phases: [number, number, string][]
  /** Training calls in the worker: [start, end] epoch ms (the round's training and any other). */
  readonly trainings: [number, number][]
  /** Adopted rounds stored in IndexedDB: [epoch ms, round]. */
  readonly adopted: [number, number][]
}

/**
 * Timestamps of the federated round on this node, for the round benchmark, taken from the
 * outside like flAttack: the client's status is polled (every 10 ms; phases last seconds),
 * trainer.train is wrapped, and IndexedDB's flRounds table reports each adopted round.
 */
function recordFlTimeline(trainer: Trainer, fl: FederatedClient, db: MeshDatabase): { snapshot(): FlTimeline } {
  const timeline: FlTimeline = { phases: [], trainings: [], adopted: [] }
  let last = ''
  setInterval(() => {
    const status = fl.status
    if (!status) return
    const key = `${status.round}/${status.phase}`
    if (key === last) return
    last = key
    timeline.phases.push([Date.now(), status.round, status.phase])
  }, 10)
  const train = trainer.train.bind(trainer)
  trainer.train = async (request) => {
    const started = Date.now()
    try {
      return await train(request)
    } finally {
      timeline.trainings.push([started, Date.now()])
    }
  }
  db.flRounds.hook('creating', (_key, row) => void timeline.adopted.push([Date.now(), row.round]))
  return {
    snapshot: () => ({ phases: [...timeline.phases], trainings: [...timeline.trainings], adopted: [...timeline.adopted] }),
  }
}

const BENCH_SINK_PROTOCOL = '/agent-mesh/bench-sink/1.0.0'

async function installBenchSink(client: MeshClient): Promise<void> {
  while (!client.node) await new Promise((r) => setTimeout(r, 100))
  await client.node.handle(BENCH_SINK_PROTOCOL, async (stream) => {
    for await (const _ of stream) {
      // drain
    }
    stream.send(new Uint8Array([1]))
    await stream.close()
  })
}

function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length)
  let x = seed >>> 0 || 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    out[i] = x & 0xff
  }
  return out
}

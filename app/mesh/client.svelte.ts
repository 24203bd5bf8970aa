import { pageLogLevel } from './log-level'
import { webrtcDialTimeoutMs } from '../../workers/net/connection-config'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerId } from '@libp2p/interface'
import { pino } from 'pino'
import { peerIdStringFromPublicKey } from '../../workers/identity/ed25519'
import { hex } from '../../workers/common/bytes'
import { signingIdentityOf } from '../../workers/security/keys/derive'
import { BrowserSecurity } from './security.svelte'
import { createEnvelopeSigner } from '../../workers/protocol/envelope'
import type { Rejected, RejectReason } from '../../workers/protocol/inbound'
import type { BatchVerifier } from '../../workers/protocol/verify'
import type { Chat, Presence } from '../../workers/protocol/wire.pb'
import { MeshRuntime } from '../../workers/net/runtime'
import { connectionKind, parseMultiaddrs } from '../../workers/net/connection-kind'
import { isIdle, MAX_DIRECT_PEERS, relayedToClose, ringNeighbours } from '../../workers/net/direct-peers'
import { pingOver } from '../../workers/net/link-ping'
import { gossipKinds } from '../../workers/net/topics'
import { createBrowserNode, type BrowserNode } from './browser-node'
import { pageVerifier, startCryptoWorker, workerSha256 } from './crypto'
import { Backoff, sleep } from './backoff'
import { fetchBootstrap, type Bootstrap } from './bootstrap'
import { loadOrCreateIdentity, type StoredIdentity } from './identity'
import type { MeshDatabase } from '../storage/db'
import { nodeSlot, type NodeSlot } from '../storage/node-slot'
import { messageKinds } from '../../workers/kinds'
import { PersistentLog } from '../storage/log-store'
import { loadShareMetrics, postNodeReport, saveShareMetrics, type NodeSummary } from './node-report'
import type { EnvelopeSigner } from '../../workers/protocol/envelope'
import type { Logger } from '../../workers/log'

export type RelayState = 'starting' | 'connecting' | 'connected' | 'reconnecting' | 'offline'

export interface PeerView {
  readonly id: string
  readonly connection: 'webrtc' | 'relay'
  readonly rttMs: number | null
}

export interface ChatView {
  readonly from: string
  readonly text: string
  readonly sentAtUs: number
  readonly receivedAtUs: number
}

const PRESENCE_INTERVAL_MS = 15_000
const PING_INTERVAL_MS = 3_000
/** A page starved of CPU (2 cores, several browsers) answers late; late is not dead. */
const PING_TIMEOUT_MS = 10_000
const RELAY_WATCH_MS = 2_000
/** Re-checks that gossip streams sit on the direct links (events move them; this catches what events missed). */
const GOSSIP_LINK_CHECK_MS = 2_000
const DIAL_ATTEMPTS = 5
/**
 * How long the kept one of twin links must have been open before the others are closed: the
 * two ends of a link see it open at slightly different moments (seconds apart on a loaded
 * machine), and until the other end sees it, it may still open streams on the twin.
 */
const TWIN_SETTLE_MS = 5_000
/** A peer whose presence is older than this no longer counts when choosing neighbours. */
const PRESENCE_FRESH_MS = 3 * PRESENCE_INTERVAL_MS
/** Peers we fetched from or served recently keep their direct connection this long. */
const DATA_PEER_HOLD_MS = 120_000
/** The larger PeerId dials only if the smaller one's dial has not arrived by then. */
const ANSWER_DIAL_AFTER_MS = 8_000
const MAX_CHATS_KEPT = 5_000
const CREDENTIAL_CHECK_MS = 3600_000

export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000)
}

/**
 * The browser node: joins the mesh through the relay the page came from, upgrades to direct
 * WebRTC with every peer it learns about from signed presence gossip, keeps reconnecting
 * with backoff, and exposes its state to the UI as Svelte runes.
 */
export class MeshClient {
  peerId = $state('')
  relayState = $state<RelayState>('starting')
  relayDetail = $state('')
  peers = $state.raw<PeerView[]>([])
  /** The latest few messages, for the UI; the full log stays out of Svelte's reactivity. */
  recentChats = $state.raw<ChatView[]>([])
  chatCount = $state(0)
  readonly chatLog: ChatView[] = []
  rejected = $state<Partial<Record<RejectReason, number>>>({})
  accepted = $state(0)

  node: BrowserNode | undefined
  runtime: MeshRuntime | undefined
  /** Ed25519 checks in the crypto worker (the envelope gate's; consensus checks votes with it too). */
  verify: BatchVerifier | undefined
  security = $state.raw<BrowserSecurity | undefined>(undefined)
  identity: StoredIdentity | undefined
  private bootstrap: Bootstrap | undefined
  private readonly rtt = new Map<string, number>()
  private readonly dialing = new Set<string>()
  private readonly knownAddrs = new Map<string, string[]>()
  private readonly lastPresence = new Map<string, number>()
  private readonly dataPeers = new Map<string, number>()
  private readonly relayBackoff = new Backoff(500, 10_000)
  private relayLoop: Promise<void> | undefined
  private presenceTimer: ReturnType<typeof setTimeout> | undefined
  private lastPresenceAt = 0
  private readonly stop = new AbortController()
  /** Opt-in: send the relay a metrics summary when it asks (setting in LogPanel). */
  shareMetrics = $state(loadShareMetrics())
  /** The slot the relay filed this node's last summary under, shown next to the setting. */
  reportSlot = $state<number | null>(null)
  /** What the summary says about training; the page's trainer sets it. */
  summarySource: () => Pick<NodeSummary, 'backend' | 'samplesPerSecond' | 'roundPhase'> = () => ({
    backend: '',
    samplesPerSecond: 0,
    roundPhase: '',
  })
  private signer: EnvelopeSigner | undefined
  /** The recent log, kept in IndexedDB for export (LogPanel). */
  readonly recentLog: PersistentLog
  private readonly log: Logger

  constructor(
    readonly db: MeshDatabase,
    /** Which of this profile's tabs this node is; names the node's other databases. */
    readonly slot: NodeSlot = nodeSlot(0),
  ) {
    this.recentLog = new PersistentLog(db.log)
    const keep = this.recentLog.write
    this.log = pino({ level: pageLogLevel(), browser: { asObject: true, write: (line: object) => (console.log(line), keep(line)) } }).child(
      {
        component: 'mesh',
      },
    )
  }

  async start(): Promise<void> {
    this.identity = await loadOrCreateIdentity(this.db)
    const identity = signingIdentityOf(this.identity.keys)
    this.peerId = peerIdStringFromPublicKey(identity.publicKey)
    const signer = createEnvelopeSigner(identity, messageKinds)
    this.signer = signer

    this.bootstrap = await this.waitForBootstrap()
    const security = await BrowserSecurity.open(this.db, this.identity.keys, identity, signer, this.bootstrap, () =>
      this.schedulePresence(0),
    )
    this.security = security
    // The libp2p identity is the derived Ed25519 key: the same phrase gives the same PeerId.
    const node = await createBrowserNode(this.identity.keys.identity.secretKey, this.bootstrap.iceServers)
    this.node = node
    const crypto = startCryptoWorker()
    this.verify = await pageVerifier(crypto)
    this.runtime = new MeshRuntime(node, {
      signer,
      verify: this.verify,
      sha256: workerSha256(crypto),
      log: this.log,
      gossipKinds,
      // A page reaches only relays over WebSockets; other pages it links to over WebRTC.
      swarmNeighbourLinks: (kind) => kind === 'webrtc',
      authorize: security.peers.authorize,
      onReject: (rejected: Rejected, source) => {
        this.rejected = { ...this.rejected, [rejected.reason]: (this.rejected[rejected.reason] ?? 0) + 1 }
        security.noteRejection(rejected, source)
      },
    })
    security.peers.attach(this.runtime, identity.publicKey)
    await this.runtime.start()
    void this.keepCredential()
    this.runtime.gossip.on('mesh.presence', (message, from) => this.onPresence(from, message.payload as Presence))
    this.runtime.gossip.on('mesh.chat', (message, from) => this.onChat(from, message.payload as Chat))

    for (const event of ['connection:open', 'connection:close', 'peer:disconnect'] as const) {
      node.addEventListener(event, () => this.refreshPeers())
    }
    node.addEventListener('self:peer:update', () => this.schedulePresence(50))
    window.addEventListener('online', () => this.relayBackoff.reset())

    this.relayLoop = this.keepRelayConnected()
    this.every(PING_INTERVAL_MS, () => this.measureRtt())
    this.every(GOSSIP_LINK_CHECK_MS, () => this.runtime?.gossipLinks.sweep())
    this.every(PRESENCE_INTERVAL_MS, () => {
      this.schedulePresence(0)
      this.pruneDirect()
    })
    if (this.bootstrap.nodeReportIntervalMs)
      this.every(
        this.bootstrap.nodeReportIntervalMs,
        () =>
          this.shareMetrics &&
          this.sendReport().catch((err) => this.log.debug({ err: (err as Error).message }, 'metrics summary not sent')),
      )
  }

  /** A logger for another part of the page (kept in the exportable recent log like the mesh's own). */
  childLog(component: string): Logger {
    return this.log.child({ component })
  }

  setShareMetrics(on: boolean): void {
    this.shareMetrics = on
    saveShareMetrics(on)
    if (on) void this.sendReport().catch((err) => this.log.warn({ err: (err as Error).message }, 'metrics summary not sent'))
    else this.reportSlot = null
  }

  /** Sends the summary now (only when the person opted in); returns the relay's slot for it. */
  async sendReport(): Promise<number | null> {
    if (!this.shareMetrics || !this.signer) return null
    const gateRejections = Object.values(this.rejected).reduce((sum, n) => sum + (n ?? 0), 0)
    this.reportSlot = await postNodeReport(this.signer, { ...this.summarySource(), gateRejections }, AbortSignal.timeout(10_000))
    return this.reportSlot
  }

  /** Joins for a credential, retrying with backoff while the relay cannot be reached. */
  private async keepCredential(): Promise<void> {
    const backoff = new Backoff(1_000, 30_000)
    while (!this.stop.signal.aborted) {
      try {
        await this.security!.ensureCredential()
        this.schedulePresence(0)
        // Renews before expiry, and re-joins after a revocation (refused while banned).
        this.every(CREDENTIAL_CHECK_MS, () =>
          this.security?.ensureCredential().then(
            () => this.schedulePresence(0),
            (err) => this.log.warn({ err: (err as Error).message }, 'credential not renewed'),
          ),
        )
        return
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'no credential yet')
        await sleep(backoff.next(), this.stop.signal).catch(() => {})
      }
    }
  }

  get relayPeerId(): string | undefined {
    return this.bootstrap?.relayPeerId
  }

  async publishChat(text: string): Promise<number> {
    if (!this.runtime) throw new Error('the node has not started yet')
    return this.runtime.gossip.publish('mesh.chat', { text, sentAtUs: BigInt(nowUs()) })
  }

  /** Until the server answers (offline, or the relay is down) the node waits, showing why. */
  private async waitForBootstrap(): Promise<Bootstrap> {
    const backoff = new Backoff(500, 10_000)
    for (;;) {
      try {
        this.relayState = this.relayState === 'starting' ? 'connecting' : this.relayState
        return await fetchBootstrap(AbortSignal.timeout(5_000))
      } catch (err) {
        this.relayState = 'offline'
        this.relayDetail = navigator.onLine ? `relay unreachable: ${(err as Error).message}` : 'this device is offline'
        await sleep(backoff.next(), this.stop.signal)
      }
    }
  }

  private relayConnected(): boolean {
    const relay = this.bootstrap?.relayPeerId
    return !!relay && !!this.node?.getConnections().some((c) => c.remotePeer.toString() === relay && c.status === 'open')
  }

  private async keepRelayConnected(): Promise<void> {
    let everConnected = false
    while (!this.stop.signal.aborted) {
      if (this.relayConnected()) {
        this.relayBackoff.reset()
        this.relayState = 'connected'
        this.relayDetail = ''
        await sleep(RELAY_WATCH_MS, this.stop.signal).catch(() => {})
        continue
      }
      this.relayState = everConnected ? 'reconnecting' : 'connecting'
      try {
        // The relay may have moved ports after a restart: ask the server again each time.
        this.bootstrap = await fetchBootstrap(AbortSignal.timeout(5_000))
        await this.node!.dial(
          this.bootstrap.relayMultiaddrs.map((a) => multiaddr(a)),
          { signal: AbortSignal.timeout(10_000) },
        )
        everConnected = true
        this.relayState = 'connected'
        this.relayDetail = ''
        this.log.info({ relay: this.bootstrap.relayPeerId }, 'connected to relay')
        this.schedulePresence(500)
      } catch (err) {
        this.relayDetail = `${navigator.onLine ? 'relay unreachable' : 'this device is offline'}: ${(err as Error).message}`
        if (!navigator.onLine) this.relayState = 'offline'
        await sleep(this.relayBackoff.next(), this.stop.signal).catch(() => {})
      }
    }
  }

  private schedulePresence(delayMs: number): void {
    if (this.presenceTimer) return
    // Never more than one presence a second, however many triggers arrive.
    const wait = Math.max(delayMs, this.lastPresenceAt + 1000 - Date.now())
    this.presenceTimer = setTimeout(() => {
      this.presenceTimer = undefined
      void this.publishPresence()
    }, wait)
  }

  private async publishPresence(): Promise<void> {
    if (!this.node || !this.runtime) return
    const addrs = this.node
      .getMultiaddrs()
      .map((a) => a.toString())
      .filter((a) => a.includes('/p2p-circuit'))
    if (addrs.length === 0) return
    this.lastPresenceAt = Date.now()
    try {
      await this.runtime.gossip.publish('mesh.presence', {
        multiaddrs: addrs.slice(0, 16).map((a) => new TextEncoder().encode(a)),
        agent: navigator.userAgent.slice(0, 120),
        nodeKind: 'browser',
        credential: (this.security?.credential?.der ?? new Uint8Array(0)) as Uint8Array<ArrayBuffer>,
      })
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'presence not published')
    }
  }

  private onPresence(from: PeerId, presence: Presence): void {
    const id = from.toString()
    // Relays announce themselves only to present their credential (the security layer reads it); they are no ring peers.
    if (id === this.peerId || id === this.bootstrap?.relayPeerId || presence.nodeKind === 'relay') return
    const addrs = presence.multiaddrs
      .map((a) => new TextDecoder().decode(a))
      .filter((a) => a.includes('/p2p-circuit') && a.endsWith(`/p2p/${id}`))
    const isNew = !this.knownAddrs.has(id)
    this.knownAddrs.set(id, addrs)
    // Into libp2p's peer store too: a stream opened to a peer by its id (a blob fetch, a direct
    // message) dials from there, and there only identify put addresses, so a page this one had
    // never been connected to, or whose identify came without them, failed with NoValidAddressesError.
    if (addrs.length > 0)
      void this.node?.peerStore
        .merge(from, { multiaddrs: parseMultiaddrs(addrs) })
        .catch((err: Error) => this.log.debug({ peer: id, err: err.message }, 'presence addresses not stored'))
    this.lastPresence.set(id, Date.now())
    // Tell a newcomer about us at once rather than at our next periodic announcement.
    if (isNew) this.schedulePresence(100 + Math.random() * 300)
    for (const wanted of this.wantedDirect()) void this.ensureDirect(wanted)
  }

  /** Ring neighbours among peers heard from recently, plus the peers we exchange data with. */
  private wantedDirect(): Set<string> {
    const now = Date.now()
    const fresh = [...this.lastPresence].filter(([, at]) => now - at < PRESENCE_FRESH_MS).map(([id]) => id)
    const wanted = ringNeighbours(this.peerId, fresh, MAX_DIRECT_PEERS)
    for (const [id, at] of this.dataPeers) {
      if (now - at < DATA_PEER_HOLD_MS) wanted.add(id)
      else this.dataPeers.delete(id)
    }
    return wanted
  }

  /**
   * Upgrades to a direct connection before exchanging data with a peer outside our
   * neighbourhood (relayed streams die when the connection upgrades, and load the relay).
   * Resolves when the direct connection is there, or after `timeoutMs` (the relay carries it).
   */
  async useDirectFor(id: string, timeoutMs = 15_000): Promise<void> {
    this.dataPeers.set(id, Date.now())
    if (this.hasDirect(id) || id === this.bootstrap?.relayPeerId) return
    void this.ensureDirect(id, true)
    const until = Date.now() + timeoutMs
    while (!this.hasDirect(id) && Date.now() < until) await sleep(100, this.stop.signal)
  }

  /**
   * Closes direct connections beyond the bound that nothing but background protocols use
   * (never one with a transfer or other stream in use), so a node's direct links stay bounded
   * as the mesh grows and its neighbourhood moves.
   */
  private pruneDirect(): void {
    if (!this.node) return
    const wanted = this.wantedDirect()
    let direct = this.node.getConnections().filter((c) => c.status === 'open' && connectionKind(c.remoteAddr.toString()) === 'webrtc')
    // Twin links to one peer (both peers dialled, or a retried dial finished late): both sides
    // keep the same one (MeshRuntime.keptLink) and open streams only there, so the others close
    // once idle; but only once the peer has answered on the kept one and it has been open for
    // TWIN_SETTLE_MS, so the other side has it too and has stopped opening streams on the twin.
    for (const c of direct) {
      const id = c.remotePeer.toString()
      const twins = direct.filter((o) => o.remotePeer.equals(c.remotePeer))
      const kept = twins.length > 1 ? this.runtime?.keptLink(c.remotePeer) : c
      const settled = kept !== undefined && this.runtime!.isAnswered(kept) && Date.now() - kept.timeline.open >= TWIN_SETTLE_MS
      if (kept !== c && settled && isIdle(c.streams.map((st) => st.protocol))) {
        this.log.debug({ peer: id }, 'closing a twin direct connection to a peer')
        void c.close().catch(() => {})
        direct = direct.filter((o) => o !== c)
      }
    }
    let excess = new Set(direct.map((c) => c.remotePeer.toString())).size - MAX_DIRECT_PEERS
    for (const c of direct) {
      if (excess <= 0) break
      const id = c.remotePeer.toString()
      if (wanted.has(id) || !isIdle(c.streams.map((s) => s.protocol))) continue
      this.log.debug({ peer: id }, 'closing an idle direct connection outside the neighbourhood')
      excess--
      void c.close().catch(() => {})
    }
    for (const c of this.node.getConnections()) {
      if (c.status !== 'open' || connectionKind(c.remoteAddr.toString()) !== 'relay') continue
      const id = c.remotePeer.toString()
      const kept = this.runtime?.keptLink(c.remotePeer)
      const close = relayedToClose({
        openForMs: Date.now() - c.timeline.open,
        streamProtocols: c.streams.map((st) => st.protocol),
        dialing: this.dialing.has(id),
        direct: kept !== undefined && kept.status === 'open' && this.runtime!.isAnswered(kept),
        wanted: wanted.has(id),
      })
      if (!close) continue
      this.log.debug({ peer: id, direct: kept !== undefined }, 'closing an idle relayed connection to a page')
      void c.close().catch(() => {})
    }
  }

  private hasDirect(id: string): boolean {
    return !!this.node
      ?.getConnections()
      .some((c) => c.remotePeer.toString() === id && c.status === 'open' && connectionKind(c.remoteAddr.toString()) === 'webrtc')
  }

  /**
   * Upgrades to a direct WebRTC connection. Only the smaller PeerId dials at first, so two
   * peers do not race each other; the other steps in if nothing arrives in a few seconds.
   */
  private async ensureDirect(id: string, now = false): Promise<void> {
    if (!this.node || this.dialing.has(id) || this.hasDirect(id)) return
    this.dialing.add(id)
    try {
      if (this.peerId > id && !now) await sleep(ANSWER_DIAL_AFTER_MS * (0.75 + Math.random() / 2), this.stop.signal)
      const backoff = new Backoff(400, 5_000)
      for (let attempt = 0; attempt < DIAL_ATTEMPTS && !this.hasDirect(id); attempt++) {
        const addrs = (this.knownAddrs.get(id) ?? []).filter((a) => a.includes('/p2p-circuit/webrtc'))
        if (addrs.length === 0) return
        try {
          await this.node.dial(
            addrs.map((a) => multiaddr(a)),
            { signal: AbortSignal.timeout(webrtcDialTimeoutMs(attempt)) },
          )
          // A dial can return an existing relayed connection; only a WebRTC one counts.
          if (this.hasDirect(id)) break
        } catch (err) {
          this.log.debug({ peer: id, attempt, err: (err as Error).message }, 'WebRTC dial failed; retrying')
        }
        await sleep(backoff.next(), this.stop.signal)
      }
    } catch {
      // stopped
    } finally {
      this.dialing.delete(id)
      this.refreshPeers()
    }
  }

  private onChat(from: PeerId, chat: Chat): void {
    const view = { from: from.toString(), text: chat.text, sentAtUs: Number(chat.sentAtUs), receivedAtUs: nowUs() }
    this.chatLog.push(view)
    if (this.chatLog.length > MAX_CHATS_KEPT) this.chatLog.splice(0, this.chatLog.length - MAX_CHATS_KEPT)
    this.chatCount++
    this.scheduleUiUpdate()
  }

  private uiUpdatePending = false

  /** Bursts of messages repaint at most ten times a second, not once per message. */
  private scheduleUiUpdate(): void {
    if (this.uiUpdatePending) return
    this.uiUpdatePending = true
    setTimeout(() => {
      this.uiUpdatePending = false
      this.recentChats = this.chatLog.slice(-8).reverse()
    }, 100)
  }

  private refreshPeers(): void {
    if (!this.node) return
    const relay = this.bootstrap?.relayPeerId
    const byPeer = new Map<string, 'webrtc' | 'relay'>()
    for (const c of this.node.getConnections()) {
      if (c.status !== 'open') continue
      const id = c.remotePeer.toString()
      if (id === relay) continue
      const kind = connectionKind(c.remoteAddr.toString())
      if (kind === 'webrtc') byPeer.set(id, 'webrtc')
      else if (kind === 'relay' && !byPeer.has(id)) byPeer.set(id, 'relay')
    }
    this.peers = [...byPeer]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, connection]) => ({ id, connection, rttMs: this.rtt.get(id) ?? null }))
    const snapshot = this.runtime?.validator.snapshot()
    if (snapshot) this.accepted = snapshot.accepted
  }

  private async measureRtt(): Promise<void> {
    if (!this.node) return
    await Promise.all(
      this.peers.map(async (peer) => {
        try {
          this.rtt.set(peer.id, await this.ping(peer.id))
        } catch {
          this.rtt.delete(peer.id)
        }
      }),
    )
    this.refreshPeers()
  }

  private readonly pingsInFlight = new Map<string, Promise<number>>()

  /**
   * Round-trip time to a peer on its best connection. At most one ping per peer is in flight:
   * a caller asking meanwhile (a benchmark, the UI) shares its answer instead of opening a
   * second ping stream next to the periodic one.
   */
  ping(peerId: string): Promise<number> {
    let pending = this.pingsInFlight.get(peerId)
    if (!pending) {
      pending = (async () => {
        // A ping is a few bytes: a relayed connection with limits will do when there is nothing better.
        const peer = peerIdFromString(peerId)
        const connection = this.runtime?.bestConnection(peer) ?? this.node?.getConnections(peer).find((c) => c.status === 'open')
        if (!connection || !this.node) throw new Error(`no connection to ${peerId}`)
        try {
          return await pingOver(connection, AbortSignal.timeout(PING_TIMEOUT_MS))
        } catch (error) {
          // Only silence marks the link; a refused or reset ping says the far end is there.
          if (/timeout|abort/i.test((error as Error).name)) this.runtime?.linkUnanswered(connection)
          throw error
        }
      })().finally(() => this.pingsInFlight.delete(peerId))
      this.pingsInFlight.set(peerId, pending)
    }
    return pending
  }

  private every(ms: number, task: () => unknown): void {
    const timer = setInterval(() => void task(), ms)
    this.stop.signal.addEventListener('abort', () => clearInterval(timer))
  }

  async shutdown(): Promise<void> {
    this.stop.abort()
    this.security?.stop()
    await this.relayLoop?.catch(() => {})
    await this.node?.stop()
  }

  /** Hex SHA-256 helper for the UI and the test handle. */
  static hex = hex
}

import type { Role } from '../workers/protocol/roles'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { bytesToHex } from '@noble/hashes/utils.js'
import type { RelayDatabase } from './db'
import { readRequestBody } from './http'
import { loadOrCreateAuthority } from './ca-files'
import { CredentialStore } from './credential-store'
import type { Logger } from '../workers/log'
import type { MeshRuntime } from '../workers/net/runtime'
import type { Rejected } from '../workers/protocol/inbound'
import { identityFromSeed } from '../workers/identity/ed25519'
import { deriveNodeKeys, peerIdOf } from '../workers/security/keys/derive'
import type { CertificateAuthority } from '../workers/security/credentials/ca'
import { issueCredential, verifyCredential, type Credential } from '../workers/security/credentials/credential'
import { CredentialAuthority } from '../workers/security/credentials/authority'
import { IssuancePolicy } from '../workers/security/credentials/policy'
import { decodeGrantRequest } from '../workers/security/credentials/requests'
import { Revocation } from '../workers/security/credentials/credentials.pb'
import { AuditLog } from '../workers/security/audit/log'
import { SqliteAuditStore } from '../workers/security/node/sqlite-audit-store'
import { auditRecordToJson } from '../workers/security/audit/jsonl'
import type { AuditRead } from '../workers/security/audit/audit-read.pb'
import { PeerCredentials } from '../workers/security/wiring/peer-credentials'
import { RejectAuditor } from '../workers/security/wiring/reject-auditor'

const YEAR_MS = 365 * 24 * 3600_000
/** How often the relay looks for grants and revocations the admin CLI wrote to the data dir. */
const ADMIN_POLL_MS = 1_000
/** How often grouped rejections are written to the audit log (MESH_REJECT_AUDIT_MS overrides). */
const REJECT_AUDIT_MS = Number(process.env.MESH_REJECT_AUDIT_MS ?? 30_000)
const MAX_REQUEST_BYTES = 16 * 1024
/** When the relay announces its credential in a presence after start, and how often after that. */
const PRESENCE_FIRST_MS = [1_000, 3_000, 6_000]
const PRESENCE_EVERY_MS = 15_000

export type ApiRoute = (req: IncomingMessage, res: ServerResponse) => Promise<void>

/**
 * The relay's security layer: its CA (in the data dir), the credential desk behind
 * POST /api/credential (join) and POST /api/grant (admin), the credentials it checks every
 * inbound message against, and its audit log in SQLite. The admin CLI edits the same data
 * dir; `pollAdminChanges` picks its grants and revocations up, gossips and audits them.
 */
export class RelaySecurity {
  readonly store: CredentialStore
  readonly peers: PeerCredentials
  readonly authority: CredentialAuthority
  private readonly rejects = new RejectAuditor()
  private runtime: MeshRuntime | undefined
  private timers: ReturnType<typeof setInterval>[] = []
  private timeouts: ReturnType<typeof setTimeout>[] = []

  private constructor(
    readonly ca: CertificateAuthority,
    readonly audit: AuditLog,
    readonly auditStore: SqliteAuditStore,
    readonly relayCredential: Credential,
    readonly peerId: string,
    db: RelayDatabase,
    private readonly log: Logger,
  ) {
    this.store = new CredentialStore(db)
    this.peers = new PeerCredentials(ca.anchor, {
      onRefused: (verdict, via) =>
        this.rejects.note(`credential-${verdict.problem}`, 'credential', undefined, via, verdict.reason, Date.now()),
    })
    this.authority = new CredentialAuthority(ca, new IssuancePolicy(), this.peers.revocations)
  }

  /** `duties`: roles this relay's own credential holds besides validator and bootstrap (e.g. coordinator, worker for agent tasks). */
  static async open(
    dataDir: string,
    db: RelayDatabase,
    relayKey: PrivateKey,
    log: Logger,
    duties: readonly Role[] = [],
  ): Promise<RelaySecurity> {
    const { ca, created } = await loadOrCreateAuthority(dataDir)
    const identitySeed = relayKey.raw.subarray(0, 32)
    const writer = identityFromSeed(identitySeed)
    const auditStore = new SqliteAuditStore(db)
    const audit = await AuditLog.open(auditStore, writer)
    // The relay's libp2p key predates the seed scheme; its BLS and X25519 keys grow from it.
    const derived = deriveNodeKeys(new Uint8Array([...identitySeed, ...identitySeed]))
    const now = Date.now()
    const relayCredential = await issueCredential(
      ca,
      { identityPublicKey: writer.publicKey, blsPublicKey: derived.voting.publicKey, agreementPublicKey: derived.agreement.publicKey },
      {
        roles: ['validator', 'bootstrap', ...duties],
        notBeforeMs: now - 60_000,
        notAfterMs: now + YEAR_MS,
      },
    )
    const peerId = peerIdOf(writer.publicKey)
    const security = new RelaySecurity(ca, audit, auditStore, relayCredential, peerId, db, log)
    security.store.addCredential(relayCredential, 'relay', now, true)
    for (const row of security.store.revocations()) security.peers.revoke(row.record, 'data dir')
    security.loadBans()
    await security.peers.present(relayCredential.der, 'self')
    // The relay issued every credential in its database: after a restart it knows them at once
    // instead of refusing (and not forwarding) its peers' messages until their next presence.
    for (const row of security.store.current(now)) await security.peers.present(row.der, 'data dir')
    if (created)
      await audit.append({
        event: 'grant',
        actor: peerId,
        subject: peerId,
        details: { note: 'new CA created in the data dir', ca: ca.anchor.subject },
      })
    await audit.append({
      event: 'grant',
      actor: peerId,
      subject: peerId,
      details: { serial: relayCredential.serial, roles: relayCredential.roles, notAfterMs: relayCredential.notAfterMs, via: 'relay start' },
    })
    return security
  }

  /** For MeshRuntime's options: the RBAC check and the rejection hook. */
  get authorize() {
    return this.peers.authorize
  }

  noteRejection(rejected: Rejected, source: string | undefined): void {
    this.rejects.note(rejected.reason, rejected.kind, rejected.senderHex, source, rejected.detail, Date.now())
  }

  start(runtime: MeshRuntime): void {
    this.runtime = runtime
    this.peers.attach(runtime, this.relayCredential.identityPublicKey)
    this.timers.push(
      setInterval(
        () => void this.pollAdminChanges().catch((err) => this.log.error({ err: (err as Error).message }, 'admin changes not applied')),
        ADMIN_POLL_MS,
      ),
    )
    this.timers.push(setInterval(() => void this.flushRejections(), REJECT_AUDIT_MS))
    // Other relays and the browsers behind them learn this relay's credential only from its
    // presence (/api/bootstrap hands browsers their own relay's alone); without it they refuse,
    // and do not forward, its role-bound messages (task coordinators and workers across relays).
    // Soon after start while the gossip mesh forms, then periodically for peers that join later.
    for (const ms of PRESENCE_FIRST_MS) this.timeouts.push(setTimeout(() => void this.publishPresence(), ms))
    this.timers.push(setInterval(() => void this.publishPresence(), PRESENCE_EVERY_MS))
  }

  private async publishPresence(): Promise<void> {
    try {
      await this.runtime?.gossip.publish('mesh.presence', {
        multiaddrs: [],
        agent: 'agent-mesh-relay',
        nodeKind: 'relay',
        credential: this.relayCredential.der as Uint8Array<ArrayBuffer>,
      })
    } catch (err) {
      // No gossip peer yet: the next round reaches them.
      this.log.debug({ err: (err as Error).message }, 'relay presence not published')
    }
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer)
    for (const timeout of this.timeouts) clearTimeout(timeout)
    await this.flushRejections()
  }

  async flushRejections(): Promise<void> {
    for (const fields of this.rejects.drain(this.peerId)) await this.audit.append(fields)
  }

  /** What /api/bootstrap adds: the trust anchor and the relay's own credential. */
  bootstrapInfo(): { caCertificate: string; relayCredential: string } {
    return { caCertificate: base64(this.ca.anchor.der), relayCredential: base64(this.relayCredential.der) }
  }

  routes(): Record<string, ApiRoute> {
    return {
      '/api/credential': (req, res) => this.handle(req, res, (body, address) => this.join(body, address)),
      '/api/grant': (req, res) => this.handle(req, res, (body) => this.grant(body)),
      '/api/audit': (req, res) => this.handle(req, res, (body, address) => this.readAudit(body, address)),
    }
  }

  /** A join: a `cred.request` envelope signed by the joining identity, checked by the one inbound gate. */
  private async join(body: Uint8Array, address: string): Promise<[number, unknown]> {
    const verdict = await this.runtime!.validator.check(body, {
      carrier: 'http',
      expectedKind: 'cred.request',
      source: `http:/api/credential from ${address}`,
    })
    if (!verdict.ok) return [400, { error: `${verdict.reason}: ${verdict.detail}` }]
    const now = Date.now()
    const result = await this.authority.handleJoin(verdict.envelope.payload, verdict.envelope.sender, address, now)
    const peerId = peerIdOf(verdict.envelope.sender)
    if (!result.ok) {
      this.rejects.note(`join-${result.problem}`, 'cred.request', verdict.senderHex, address, result.reason, now)
      return [
        result.problem === 'rate-limited' ? 429 : result.problem === 'banned' ? 403 : 400,
        { error: `${result.problem}: ${result.reason}` },
      ]
    }
    this.store.addCredential(result.credential, 'join', now, true)
    await this.peers.present(result.credential.der, 'join')
    await this.audit.append({
      event: 'join',
      actor: peerId,
      subject: peerId,
      details: { serial: result.credential.serial, roles: result.credential.roles, notAfterMs: result.credential.notAfterMs, address },
    })
    return [200, this.credentialAnswer(result.credential)]
  }

  /** A page of the relay's audit log for an admin: an `audit.read` envelope, which RBAC allows only to admins. */
  private async readAudit(body: Uint8Array, address: string): Promise<[number, unknown]> {
    const verdict = await this.runtime!.validator.check(body, {
      carrier: 'http',
      expectedKind: 'audit.read',
      source: `http:/api/audit from ${address}`,
    })
    if (!verdict.ok) return [verdict.reason === 'unauthorized' ? 403 : 400, { error: `${verdict.reason}: ${verdict.detail}` }]
    const request = verdict.payload as AuditRead
    const limit = Math.min(Math.max(request.limit, 1), 1000)
    const entries = await this.auditStore.range(Number(request.fromSeq), limit)
    return [200, { entries: entries.map((record) => JSON.parse(auditRecordToJson(record))), total: this.audit.length }]
  }

  /** An admin's GrantRequest (signed by the admin's identity inside), from the PWA. */
  private async grant(body: Uint8Array): Promise<[number, unknown]> {
    const now = Date.now()
    const result = await this.authority.handleGrant(body, now)
    if (!result.ok) {
      this.rejects.note(`grant-${result.problem}`, 'cred.grant', undefined, 'http:/api/grant', result.reason, now)
      return [result.problem === 'bad-request' ? 400 : 403, { error: `${result.problem}: ${result.reason}` }]
    }
    const decoded = decodeGrantRequest(body)
    const admin = decoded.ok ? await verifyCredential(decoded.request.adminCertificate, this.ca.anchor, now) : undefined
    const actor = admin?.ok ? admin.credential.peerId : 'unknown admin'
    this.store.addCredential(result.credential, `admin ${actor}`, now, true)
    await this.announceGrant(result.credential, actor)
    return [200, this.credentialAnswer(result.credential)]
  }

  private credentialAnswer(credential: Credential) {
    return {
      certificate: base64(credential.der),
      caCertificate: base64(this.ca.anchor.der),
      revocations: this.peers.revocations.signedRecords().map(base64),
      peerId: credential.peerId,
      roles: credential.roles,
      notAfterMs: credential.notAfterMs,
    }
  }

  private async announceGrant(credential: Credential, actor: string): Promise<void> {
    await this.peers.present(credential.der, 'grant')
    await this.audit.append({
      event: 'grant',
      actor,
      subject: credential.peerId,
      details: { serial: credential.serial, roles: credential.roles, notAfterMs: credential.notAfterMs },
    })
    await this.runtime?.gossip
      .publish('cred.grant', { certificate: credential.der as Uint8Array<ArrayBuffer> })
      .catch((err) => this.log.warn({ err: (err as Error).message }, 'grant not gossiped'))
  }

  /** Grants, revocations and bans the admin CLI wrote to the data dir while the relay runs. */
  async pollAdminChanges(): Promise<void> {
    for (const row of this.store.unannouncedCredentials()) {
      const verdict = await verifyCredential(row.der, this.ca.anchor, Date.now())
      this.store.markCredentialAnnounced(row.serial)
      if (verdict.ok) await this.announceGrant(verdict.credential, row.issuedBy)
    }
    for (const row of this.store.unannouncedRevocations()) {
      this.store.markRevocationAnnounced(row.serial)
      const applied = this.peers.revoke(row.record, row.revokedBy)
      if (!applied.ok) {
        this.log.error({ serial: row.serial, reason: applied.reason }, 'revocation in the data dir does not verify')
        continue
      }
      await this.audit.append({
        event: 'revoke',
        actor: row.revokedBy,
        subject: row.peerId,
        details: { serial: row.serial, reason: row.reason, revokedAtMs: row.revokedAtMs },
      })
      await this.runtime?.gossip
        .publish('cred.revoke', Revocation.decode(row.record))
        .catch((err) => this.log.warn({ err: (err as Error).message }, 'revocation not gossiped'))
    }
    this.loadBans()
  }

  private loadBans(): void {
    for (const ban of this.store.bans()) this.authority.policy.ban(ban.identityHex)
  }

  private async handle(
    req: IncomingMessage,
    res: ServerResponse,
    answer: (body: Uint8Array, address: string) => Promise<[number, unknown]>,
  ): Promise<void> {
    try {
      if (req.method !== 'POST') return send(res, 405, { error: 'POST the request bytes (application/octet-stream)' })
      const body = await readRequestBody(req, MAX_REQUEST_BYTES)
      if (!body.ok) return send(res, body.status, { error: body.reason })
      const [status, payload] = await answer(body.bytes, req.socket.remoteAddress ?? 'unknown')
      send(res, status, payload)
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'credential request failed')
      send(res, 500, { error: 'internal error' })
    }
  }
}

/** Identity key (hex) of a PeerId string, for bans. */
export function identityHexOfPeerId(peerId: string): string {
  const key = peerIdFromString(peerId).publicKey
  if (!key || key.type !== 'Ed25519') throw new Error(`${peerId} is not an Ed25519 PeerId`)
  return bytesToHex(key.raw)
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    ...(status >= 400 ? { Connection: 'close' } : {}),
  })
  res.end(JSON.stringify(body))
}

export function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64')
}

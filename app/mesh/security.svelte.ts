import { peerIdFromString } from '@libp2p/peer-id'
import { hex } from '../../workers/common/bytes'
import type { SigningIdentity } from '../../workers/identity/ed25519'
import type { EnvelopeSigner } from '../../workers/protocol/envelope'
import { sealMessage, sealRaw } from '../../workers/protocol/envelope'
import type { Rejected } from '../../workers/protocol/inbound'
import type { NodeKeys } from '../../workers/security/keys/derive'
import { trustAnchorFromCertificate, type TrustAnchor } from '../../workers/security/credentials/ca'
import { verifyCredential, type Credential } from '../../workers/security/credentials/credential'
import { createGrantRequest, createJoinRequest } from '../../workers/security/credentials/requests'
import { AuditLog } from '../../workers/security/audit/log'
import { DexieAuditStore } from '../../workers/security/audit/dexie-store'
import type { AuditFields, AuditRecord } from '../../workers/security/audit/entry'
import { verifyAuditChain, type AuditVerdict } from '../../workers/security/audit/verify'
import { exportAuditLog } from '../../workers/security/audit/jsonl'
import { readAll } from '../../workers/security/audit/store'
import { PeerCredentials } from '../../workers/security/wiring/peer-credentials'
import { RejectAuditor } from '../../workers/security/wiring/reject-auditor'
import type { Role } from '../../workers/protocol/roles'
import type { MeshDatabase } from '../storage/db'
import type { Bootstrap } from './bootstrap'

export type CredentialStatus = 'none' | 'requesting' | 'valid' | 'expired' | 'revoked' | 'refused'

/** Renew a credential this long before it expires. */
const RENEW_BEFORE_MS = 24 * 3600_000
const REJECT_AUDIT_MS = 30_000

/**
 * The page's side of the security layer: its credential (obtained from the relay on join,
 * kept in IndexedDB, replaced by admin grants), the credentials other peers present, and
 * the browser's own hash-chained audit log in Dexie.
 */
export class BrowserSecurity {
  credential = $state.raw<Credential | undefined>(undefined)
  status = $state<CredentialStatus>('none')
  detail = $state('')
  auditLength = $state(0)

  readonly anchor: TrustAnchor
  readonly peers: PeerCredentials
  private readonly rejects = new RejectAuditor()
  private timer: ReturnType<typeof setInterval> | undefined

  private constructor(
    private readonly db: MeshDatabase,
    readonly keys: NodeKeys,
    readonly identity: SigningIdentity,
    private readonly signer: EnvelopeSigner,
    readonly audit: AuditLog,
    private readonly auditStore: DexieAuditStore,
    bootstrap: Bootstrap,
    private readonly onOwnCredentialChanged: () => void,
  ) {
    if (!bootstrap.caCertificate) throw new Error('the relay did not send its CA certificate (/api/bootstrap caCertificate)')
    this.anchor = trustAnchorFromCertificate(fromBase64(bootstrap.caCertificate))
    this.peers = new PeerCredentials(this.anchor, {
      onRefused: (verdict, via) =>
        this.rejects.note(`credential-${verdict.problem}`, 'credential', undefined, via, verdict.reason, Date.now()),
      onRevoked: (record, via) => {
        void this.record({ event: 'revoke', actor: via, subject: record.serial, details: record })
        if (this.credential && this.credential.serial === record.serial) {
          this.status = 'revoked'
          this.detail = record.reason
        }
      },
      onOwnCredential: (credential) => void this.adopt(credential, 'grant'),
    })
  }

  static async open(
    db: MeshDatabase,
    keys: NodeKeys,
    identity: SigningIdentity,
    signer: EnvelopeSigner,
    bootstrap: Bootstrap,
    onOwnCredentialChanged: () => void,
  ): Promise<BrowserSecurity> {
    const store = new DexieAuditStore(db.audit)
    const audit = await AuditLog.open(store, identity)
    const security = new BrowserSecurity(db, keys, identity, signer, audit, store, bootstrap, onOwnCredentialChanged)
    security.auditLength = audit.length
    if (bootstrap.relayCredential) await security.peers.present(fromBase64(bootstrap.relayCredential), 'bootstrap')
    security.timer = setInterval(() => void security.flushRejections(), REJECT_AUDIT_MS)
    return security
  }

  get roles(): readonly Role[] {
    return this.credential?.roles ?? []
  }

  noteRejection(rejected: Rejected, source: string | undefined): void {
    this.rejects.note(rejected.reason, rejected.kind, rejected.senderHex, source, rejected.detail, Date.now())
  }

  async flushRejections(): Promise<void> {
    for (const fields of this.rejects.drain(hex(this.identity.publicKey))) await this.record(fields)
  }

  /** Uses the stored credential if it is from this relay's CA and not near expiry; otherwise joins. */
  async ensureCredential(): Promise<void> {
    if (this.credential && this.status === 'valid' && this.credential.notAfterMs - Date.now() > RENEW_BEFORE_MS) return
    const stored = await this.db.credential.get('self')
    if (stored && equal(stored.caDer, this.anchor.der)) {
      const verdict = await verifyCredential(new Uint8Array(stored.der), this.anchor, Date.now(), this.peers.revocations)
      if (
        verdict.ok &&
        verdict.credential.notAfterMs - Date.now() > RENEW_BEFORE_MS &&
        equal(verdict.credential.identityPublicKey, this.identity.publicKey)
      ) {
        this.credential = verdict.credential
        this.status = 'valid'
        return
      }
    }
    await this.join()
  }

  /** Asks the relay for trainer + worker roles with a join request signed by this identity. */
  async join(): Promise<void> {
    this.status = 'requesting'
    const envelope = sealRaw(this.signer, 'cred.request', createJoinRequest(this.keys))
    const response = await fetch('/api/credential', {
      method: 'POST',
      body: envelope as Uint8Array<ArrayBuffer>,
      headers: { 'Content-Type': 'application/octet-stream' },
    })
    const answer = (await response.json()) as CredentialAnswer & { error?: string }
    if (!response.ok) {
      this.status = 'refused'
      this.detail = answer.error ?? `HTTP ${response.status}`
      throw new Error(`the relay refused a credential: ${this.detail}`)
    }
    for (const revocation of answer.revocations) this.peers.revoke(fromBase64(revocation), 'relay')
    await this.adopt(await this.checkOwn(answer.certificate), 'join')
  }

  /** An admin's action: grant `roles` to a peer whose credential this node has seen. */
  async grant(subjectPeerId: string, roles: readonly Role[], days: number): Promise<Credential> {
    if (!this.credential?.roles.includes('admin')) throw new Error('this node holds no admin credential')
    const subjectCredential = this.knownCredential(subjectPeerId)
    if (!subjectCredential) throw new Error(`no credential seen for ${subjectPeerId}; it must be online (its presence carries it)`)
    const now = Date.now()
    const body = createGrantRequest({
      adminCertificate: this.credential.der,
      admin: this.identity,
      subjectCertificate: subjectCredential.der,
      roles,
      notAfterMs: now + days * 24 * 3600_000,
      requestedAtMs: now,
      nonce: crypto.getRandomValues(new Uint8Array(16)),
    })
    const response = await fetch('/api/grant', {
      method: 'POST',
      body: body as Uint8Array<ArrayBuffer>,
      headers: { 'Content-Type': 'application/octet-stream' },
    })
    const answer = (await response.json()) as CredentialAnswer & { error?: string }
    if (!response.ok) throw new Error(`the relay refused the grant: ${answer.error ?? response.status}`)
    const verdict = await verifyCredential(fromBase64(answer.certificate), this.anchor, Date.now(), this.peers.revocations)
    if (!verdict.ok) throw new Error(`the relay returned a credential that does not verify: ${verdict.reason}`)
    await this.record({
      event: 'grant',
      actor: this.credential.peerId,
      subject: subjectPeerId,
      details: { serial: verdict.credential.serial, roles: verdict.credential.roles, notAfterMs: verdict.credential.notAfterMs },
    })
    return verdict.credential
  }

  /** A page of the relay's audit log; the relay answers only to an admin credential. */
  async relayAudit(fromSeq = 1, limit = 1000): Promise<{ entries: RelayAuditEntry[]; total: number }> {
    const envelope = sealMessage(this.signer, 'audit.read', { fromSeq: BigInt(fromSeq), limit })
    const response = await fetch('/api/audit', {
      method: 'POST',
      body: envelope as Uint8Array<ArrayBuffer>,
      headers: { 'Content-Type': 'application/octet-stream' },
    })
    const answer = (await response.json()) as { entries: RelayAuditEntry[]; total: number; error?: string }
    if (!response.ok) throw new Error(`the relay refused its audit log: ${answer.error ?? response.status}`)
    return answer
  }

  /** The credential a peer presented (by PeerId), if this node has admitted one. */
  knownCredential(peerId: string): Credential | undefined {
    const key = publicKeyOfPeerId(peerId)
    return key ? this.peers.credentialOf(key) : undefined
  }

  async record(fields: AuditFields): Promise<void> {
    try {
      await this.audit.append(fields)
      this.auditLength = this.audit.length
    } catch (err) {
      console.warn('audit entry not written', err)
    }
  }

  async auditEntries(): Promise<AuditRecord[]> {
    const out: AuditRecord[] = []
    for await (const record of readAll(this.auditStore)) out.push(record)
    return out
  }

  async verifyAudit(): Promise<AuditVerdict> {
    return verifyAuditChain(await this.auditEntries(), { writer: this.identity.publicKey })
  }

  exportAudit(): Promise<string> {
    return exportAuditLog(this.auditStore)
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
  }

  private async checkOwn(certificateBase64: string): Promise<Credential> {
    const verdict = await verifyCredential(fromBase64(certificateBase64), this.anchor, Date.now(), this.peers.revocations)
    if (!verdict.ok) throw new Error(`the relay's credential does not verify: ${verdict.reason}`)
    if (!equal(verdict.credential.identityPublicKey, this.identity.publicKey))
      throw new Error('the relay issued a credential for another identity')
    return verdict.credential
  }

  private async adopt(credential: Credential, via: 'join' | 'grant'): Promise<void> {
    if (this.credential && this.credential.notBeforeMs > credential.notBeforeMs) return
    this.credential = credential
    this.status = 'valid'
    this.detail = ''
    await this.db.credential.put({ id: 'self', der: credential.der, caDer: this.anchor.der, receivedAtMs: Date.now() })
    await this.peers.present(credential.der, 'self')
    await this.record({
      event: via,
      actor: via === 'join' ? credential.peerId : 'relay',
      subject: credential.peerId,
      details: { serial: credential.serial, roles: credential.roles, notAfterMs: credential.notAfterMs },
    })
    this.onOwnCredentialChanged()
  }
}

export interface RelayAuditEntry {
  seq: number
  event: string
  actor: string
  subject: string
  timeMs: number
  details: string
}

interface CredentialAnswer {
  certificate: string
  caCertificate: string
  revocations: string[]
  roles: string[]
  notAfterMs: number
}

export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function publicKeyOfPeerId(peerId: string): Uint8Array | undefined {
  try {
    const key = peerIdFromString(peerId).publicKey
    return key?.type === 'Ed25519' ? key.raw : undefined
  } catch {
    return undefined
  }
}

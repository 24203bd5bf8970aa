import { bytesToHex } from '@noble/hashes/utils.js'
import { issueCredential, verifyCredential, type Credential } from './credential'
import { createRevocation, type RevocationList } from './revocation'
import { decodeGrantRequest, decodeJoinRequest } from './requests'
import type { IssuancePolicy, IssueProblem } from './policy'
import type { CertificateAuthority } from './ca'
import type { RandomBytes } from './serial'

export type AuthorityResult =
  | { readonly ok: true; readonly credential: Credential }
  | { readonly ok: false; readonly problem: IssueProblem | 'bad-credential'; readonly reason: string }

/**
 * The relay's credential desk: decodes requests, lets the policy decide, signs. The
 * relay persists what it returns (certificates, revocation bytes) and writes the audit log.
 */
export class CredentialAuthority {
  constructor(
    readonly ca: CertificateAuthority,
    readonly policy: IssuancePolicy,
    readonly revocations: RevocationList,
    private readonly random?: RandomBytes,
  ) {}

  /** A `cred.request` payload from `sender` (the envelope's verified signer) at network `address`. */
  async handleJoin(payload: Uint8Array, sender: Uint8Array, address: string, nowMs: number): Promise<AuthorityResult> {
    const decoded = decodeJoinRequest(payload)
    if (!decoded.ok) return { ok: false, problem: 'bad-request', reason: decoded.reason }
    const decision = this.policy.decideJoin(decoded.request, sender, address, nowMs)
    if (!decision.ok) return decision
    return { ok: true, credential: await issueCredential(this.ca, decision.subject, { ...decision, random: this.random }) }
  }

  /** An admin-signed grant request, however it arrived. */
  async handleGrant(payload: Uint8Array, nowMs: number): Promise<AuthorityResult> {
    const decoded = decodeGrantRequest(payload)
    if (!decoded.ok) return { ok: false, problem: 'bad-request', reason: decoded.reason }
    const admin = await verifyCredential(decoded.request.adminCertificate, this.ca.anchor, nowMs, this.revocations)
    if (!admin.ok) return { ok: false, problem: 'bad-credential', reason: `admin credential: ${admin.reason}` }
    const subject = await verifyCredential(decoded.request.subjectCertificate, this.ca.anchor, nowMs, this.revocations)
    if (!subject.ok) return { ok: false, problem: 'bad-credential', reason: `subject credential: ${subject.reason}` }
    const decision = this.policy.decideGrant(decoded.request, admin.credential, subject.credential, nowMs)
    if (!decision.ok) return decision
    return { ok: true, credential: await issueCredential(this.ca, decision.subject, { ...decision, random: this.random }) }
  }

  /**
   * Signs a revocation, applies it locally and returns the `cred.revoke` payload to gossip.
   * With `ban`, the subject also cannot obtain a new self-service credential.
   */
  async revoke(
    credential: Pick<Credential, 'serial' | 'identityPublicKey'>,
    reason: string,
    nowMs: number,
    ban = false,
  ): Promise<Uint8Array> {
    const bytes = await createRevocation(this.ca, { serial: credential.serial, revokedAtMs: nowMs, reason })
    const applied = this.revocations.add(bytes)
    if (!applied.ok) throw new Error(`own revocation rejected: ${applied.reason}`)
    if (ban) this.policy.ban(bytesToHex(credential.identityPublicKey))
    return bytes
  }
}

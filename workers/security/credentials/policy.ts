import { bytesToHex } from '@noble/hashes/utils.js'
import type { GrantRequest, JoinRequest } from './credentials.pb'
import { canonicalRoles, type Credential, type CredentialSubject } from './credential'
import { grantSignedBy } from './requests'
import { FloodGuard, perWindow, type Rate } from '../../common/rate-limit'
import { verifyBlsProofOfPossession } from '../keys/bls-pop'
import { equalBytes } from '../../common/bytes'
import { isRole, selfServiceRoles, type Role } from '../../protocol/roles'

export interface IssuancePolicyConfig {
  /** Lifetime of a self-service (trainer/worker) credential; a node renews by joining again. */
  readonly selfServiceValidityMs: number
  /** Longest lifetime an admin may grant. */
  readonly maxGrantValidityMs: number
  /** Self-service requests per identity and per network address (the mesh's one rate limiter, `common/rate-limit.ts`). */
  readonly perPeer: Rate
  readonly perAddress: Rate
  /** How far a grant request's timestamp may be from the CA's clock. */
  readonly grantFreshnessMs: number
  /** Issued credentials start this much before now, so peers with slightly slow clocks accept them. */
  readonly clockSkewMs: number
}

const HOUR = 3600_000
export const defaultIssuancePolicy: IssuancePolicyConfig = {
  selfServiceValidityMs: 7 * 24 * HOUR,
  maxGrantValidityMs: 90 * 24 * HOUR,
  perPeer: perWindow(5, HOUR),
  perAddress: perWindow(50, HOUR),
  grantFreshnessMs: 5 * 60_000,
  clockSkewMs: 60_000,
}

export type IssueProblem = 'bad-request' | 'needs-admin' | 'rate-limited' | 'banned' | 'not-admin' | 'bad-signature' | 'stale' | 'replay'

export type IssueDecision =
  | {
      readonly ok: true
      readonly subject: CredentialSubject
      readonly roles: readonly Role[]
      readonly notBeforeMs: number
      readonly notAfterMs: number
    }
  | { readonly ok: false; readonly problem: IssueProblem; readonly reason: string }

/**
 * Decides who gets which credential; signs nothing and does no I/O (time comes in as
 * `nowMs`), so the relay's issuance rules can be tested exhaustively. Anyone may obtain
 * trainer/worker roles, within rate limits per identity and per network address; higher
 * roles need a fresh, admin-signed grant request. Banned identities get nothing.
 */
export class IssuancePolicy {
  readonly config: IssuancePolicyConfig
  private readonly requests: FloodGuard
  private readonly banned = new Map<string, number>()
  private readonly seenNonces = new Map<string, number>()

  constructor(config: Partial<IssuancePolicyConfig> = {}) {
    this.config = { ...defaultIssuancePolicy, ...config }
    this.requests = new FloodGuard('credential requests', this.config)
  }

  /**
   * A join request that arrived in an envelope signed by `sender` from network `address`.
   * Rate limits are charged before the (costly) BLS proof check, so floods stay cheap.
   */
  decideJoin(request: JoinRequest, sender: Uint8Array, address: string, nowMs: number): IssueDecision {
    if (!equalBytes(request.identityPublicKey, sender)) return refuse('bad-request', 'the request names an identity other than its signer')
    const requested = request.roles.length === 0 ? [...selfServiceRoles] : request.roles
    const unknown = requested.find((role) => !isRole(role))
    if (unknown !== undefined) return refuse('bad-request', `unknown role '${unknown.slice(0, 32)}'`)
    const elevated = requested.filter((role) => !selfServiceRoles.includes(role as Role))
    if (elevated.length > 0) return refuse('needs-admin', `${elevated.join(', ')} must be granted by an admin`)
    if (request.blsPublicKey.length !== 48 || request.agreementPublicKey.length !== 32) return refuse('bad-request', 'key sizes are wrong')
    const identity = bytesToHex(sender)
    if (this.isBanned(identity, nowMs)) return refuse('banned', 'this identity is banned')
    const limited = this.requests.check(identity, address, nowMs)
    if (limited) return refuse('rate-limited', `too many requests from this ${limited === 'peer' ? 'identity' : 'address'}`)
    if (!verifyBlsProofOfPossession(request.blsPublicKey, sender, request.blsProofOfPossession)) {
      return refuse('bad-request', 'the BLS proof of possession does not verify')
    }
    return {
      ok: true,
      subject: { identityPublicKey: sender, blsPublicKey: request.blsPublicKey, agreementPublicKey: request.agreementPublicKey },
      roles: canonicalRoles(requested as Role[]),
      notBeforeMs: nowMs - this.config.clockSkewMs,
      notAfterMs: nowMs + this.config.selfServiceValidityMs,
    }
  }

  /**
   * A grant request whose two certificates the caller has already verified against the CA
   * (and the revocation list) at `nowMs`: `admin` from `request.adminCertificate`, `subject`
   * from `request.subjectCertificate`.
   */
  decideGrant(request: GrantRequest, admin: Credential, subject: Credential, nowMs: number): IssueDecision {
    if (!admin.roles.includes('admin')) return refuse('not-admin', `${admin.peerId} holds no admin credential`)
    if (!grantSignedBy(request, admin.identityPublicKey))
      return refuse('bad-signature', "the request is not signed by the admin credential's key")
    const requestedAt = Number(request.requestedAtMs)
    if (Math.abs(nowMs - requestedAt) > this.config.grantFreshnessMs)
      return refuse('stale', 'the request is too old or too far in the future')
    if (request.nonce.length < 16) return refuse('bad-request', 'the nonce is shorter than 16 bytes')
    const unknown = request.roles.find((role) => !isRole(role))
    if (unknown !== undefined || request.roles.length === 0)
      return refuse('bad-request', unknown === undefined ? 'no roles requested' : `unknown role '${unknown.slice(0, 32)}'`)
    const identity = bytesToHex(subject.identityPublicKey)
    if (this.isBanned(identity, nowMs)) return refuse('banned', 'the subject is banned')
    const notAfterMs = Number(request.notAfterMs)
    if (notAfterMs <= nowMs) return refuse('bad-request', 'the requested expiry is in the past')
    if (notAfterMs - nowMs > this.config.maxGrantValidityMs) return refuse('bad-request', 'the requested lifetime exceeds the policy')
    this.forgetOldNonces(nowMs)
    const nonceKey = `${bytesToHex(admin.identityPublicKey)}:${bytesToHex(request.nonce)}`
    if (this.seenNonces.has(nonceKey)) return refuse('replay', 'this grant request was already used')
    this.seenNonces.set(nonceKey, requestedAt)
    return {
      ok: true,
      subject: {
        identityPublicKey: subject.identityPublicKey,
        blsPublicKey: subject.blsPublicKey,
        agreementPublicKey: subject.agreementPublicKey,
      },
      roles: canonicalRoles(request.roles as Role[]),
      notBeforeMs: nowMs - this.config.clockSkewMs,
      notAfterMs,
    }
  }

  /** Refuses every credential to an identity (hex of its Ed25519 key) until `untilMs` (forever by default). */
  ban(identityHex: string, untilMs = Number.POSITIVE_INFINITY): void {
    this.banned.set(identityHex, untilMs)
  }

  unban(identityHex: string): void {
    this.banned.delete(identityHex)
  }

  isBanned(identityHex: string, nowMs: number): boolean {
    const until = this.banned.get(identityHex)
    return until !== undefined && nowMs < until
  }

  private forgetOldNonces(nowMs: number): void {
    // A nonce older than the freshness window can never be presented again with a fresh timestamp.
    const horizon = nowMs - 2 * this.config.grantFreshnessMs
    for (const [key, at] of this.seenNonces) if (at < horizon) this.seenNonces.delete(key)
  }
}

function refuse(problem: IssueProblem, reason: string): IssueDecision {
  return { ok: false, problem, reason }
}

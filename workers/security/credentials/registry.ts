import { bytesToHex } from '@noble/hashes/utils.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { verifyCredential, type Credential, type CredentialProblem, type CredentialVerdict, type RevocationLookup } from './credential'
import type { TrustAnchor } from './ca'
import { checkSender, type SenderCheck } from '../rbac/check-sender'
import { authorize } from '../rbac/authorize'
import type { Role } from '../../protocol/roles'
import type { Senders } from '../../protocol/kind-spec'
import type { Authorizer } from '../../protocol/inbound'

/** What a certificate's bytes decide alone, whatever the time or the revocation list: never worth checking twice. */
const PERMANENT_PROBLEMS: ReadonlySet<CredentialProblem> = new Set(['malformed', 'wrong-issuer', 'bad-signature', 'bad-key', 'bad-binding'])
const MAX_REMEMBERED_REFUSALS = 1024

/**
 * The credentials this node has seen other peers present, keyed by identity key: the piece
 * the envelope validator consults. `admit` does the (asynchronous) CA check once per
 * certificate; `check` and `authorizer` are synchronous per message.
 */
export class CredentialRegistry {
  private readonly byIdentity = new Map<string, Credential>()
  private readonly pinned = new Map<string, readonly Role[]>()
  /**
   * Refusals no clock or revocation can undo, by the certificate's SHA-256: a forged or foreign
   * certificate presented again (in every presence of its sender) costs a hash, not a DER parse
   * and a signature check. Bounded; the oldest goes first.
   */
  private readonly refusedForGood = new Map<string, Extract<CredentialVerdict, { ok: false }>>()

  constructor(
    private readonly anchor: TrustAnchor,
    private readonly revocations: RevocationLookup,
    private readonly maxEntries = 10_000,
  ) {}

  /** Verifies a presented certificate and, if good, makes it the sender's current credential. */
  async admit(der: Uint8Array, nowMs: number): Promise<CredentialVerdict> {
    const digest = bytesToHex(sha256(der))
    const refused = this.refusedForGood.get(digest)
    if (refused) return refused
    const verdict = await verifyCredential(der, this.anchor, nowMs, this.revocations)
    if (!verdict.ok) {
      if (PERMANENT_PROBLEMS.has(verdict.problem)) {
        if (this.refusedForGood.size >= MAX_REMEMBERED_REFUSALS) this.refusedForGood.delete(this.refusedForGood.keys().next().value!)
        this.refusedForGood.set(digest, verdict)
      }
      return verdict
    }
    const key = bytesToHex(verdict.credential.identityPublicKey)
    const current = this.byIdentity.get(key)
    // A later issuance (a grant, a renewal) replaces an earlier one; an old one never wins back.
    if (current && current.notBeforeMs > verdict.credential.notBeforeMs) return { ok: true, credential: current }
    this.byIdentity.delete(key)
    if (this.byIdentity.size >= this.maxEntries) this.evict(nowMs)
    this.byIdentity.set(key, verdict.credential)
    return verdict
  }

  get(identityPublicKey: Uint8Array): Credential | undefined {
    return this.byIdentity.get(bytesToHex(identityPublicKey))
  }

  forget(identityPublicKey: Uint8Array): void {
    this.byIdentity.delete(bytesToHex(identityPublicKey))
  }

  get size(): number {
    return this.byIdentity.size
  }

  /** How many certificates are remembered as refused for good (see refusedForGood). */
  get refusalsRemembered(): number {
    return this.refusedForGood.size
  }

  /**
   * Roles this node's operator grants in its own configuration (a validator relay's
   * validator-set file), held without a certificate: they let peers whose credentials come
   * from another CA through the same RBAC check. Nothing over the network can pin a role.
   * Pins add up: a relay that is both validator and task coordinator keeps both.
   */
  pinRoles(identityPublicKey: Uint8Array, roles: readonly Role[]): void {
    const key = bytesToHex(identityPublicKey)
    this.pinned.set(key, [...new Set([...(this.pinned.get(key) ?? []), ...roles])])
  }

  check(kind: string, senders: Senders, sender: Uint8Array, nowMs: number): SenderCheck {
    const verdict = checkSender(kind, senders, sender, this.get(sender), nowMs, this.revocations)
    if (verdict.ok || this.pinned.size === 0) return verdict
    const pinned = this.pinned.get(bytesToHex(sender))
    return pinned && authorize(kind, senders, pinned).ok ? { ok: true } : verdict
  }

  /** Fits `InboundOptions.authorize` in workers/protocol/inbound.ts: returns why not, or null. */
  authorizer(now: () => number): Authorizer {
    return (kind, senders, sender) => {
      const verdict = this.check(kind, senders, sender, now())
      return verdict.ok ? null : `${verdict.problem}: ${verdict.reason}`
    }
  }

  private evict(nowMs: number): void {
    for (const [key, credential] of this.byIdentity) {
      if (credential.notAfterMs < nowMs || this.revocations.isRevoked(credential.serial)) this.byIdentity.delete(key)
    }
    while (this.byIdentity.size >= this.maxEntries) this.byIdentity.delete(this.byIdentity.keys().next().value!)
  }
}

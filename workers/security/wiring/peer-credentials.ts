import { bytesToHex } from '@noble/hashes/utils.js'
import type { PeerId } from '@libp2p/interface'
import type { MeshRuntime } from '../../net/runtime'
import type { Presence } from '../../protocol/wire.pb'
import type { Authorizer } from '../../protocol/inbound'
import type { CredentialGrant, Revocation } from '../credentials/credentials.pb'
import { Revocation as RevocationCodec } from '../credentials/credentials.pb'
import { RevocationList, type RevocationRecord } from '../credentials/revocation'
import { CredentialRegistry } from '../credentials/registry'
import type { TrustAnchor } from '../credentials/ca'
import type { Credential, CredentialVerdict } from '../credentials/credential'
import { equalBytes } from '../../common/bytes'

export interface PeerCredentialEvents {
  /** A peer's credential passed the CA check and is now the one its messages are judged by. */
  onAdmitted?(credential: Credential, via: string): void
  /** A presented credential failed the CA check (expired, revoked, forged, another CA). */
  onRefused?(verdict: Extract<CredentialVerdict, { ok: false }>, via: string): void
  /** A CA-signed revocation arrived that this node did not know. */
  onRevoked?(record: RevocationRecord, via: string): void
  /** The CA announced a credential for this node's own identity (an admin grant). */
  onOwnCredential?(credential: Credential): void
}

/**
 * What every node (relay, browser, Node peer) keeps about other peers' credentials: the
 * trust anchor, the revocations it knows and the credential each peer presented. Its
 * `authorize` goes into the one inbound gate (InboundOptions.authorize), so every message of
 * every kind is judged against its declared senders with the sender's verified credential.
 */
export class PeerCredentials {
  readonly revocations: RevocationList
  readonly registry: CredentialRegistry
  readonly authorize: Authorizer

  constructor(
    readonly anchor: TrustAnchor,
    private readonly events: PeerCredentialEvents = {},
    private readonly now: () => number = Date.now,
  ) {
    this.revocations = new RevocationList(anchor)
    this.registry = new CredentialRegistry(anchor, this.revocations)
    this.authorize = this.registry.authorizer(now)
  }

  /**
   * Checks a certificate a peer presented (in its presence, a grant announcement, or the
   * relay's bootstrap answer). The same certificate again costs a map lookup, not a CA check.
   */
  async present(der: Uint8Array, via: string, expectedIdentity?: Uint8Array): Promise<CredentialVerdict | undefined> {
    if (der.length === 0) return undefined
    if (expectedIdentity) {
      const current = this.registry.get(expectedIdentity)
      if (current && equalBytes(current.der, der)) return { ok: true, credential: current }
    }
    const verdict = await this.registry.admit(der, this.now())
    if (!verdict.ok) {
      this.events.onRefused?.(verdict, via)
      return verdict
    }
    if (expectedIdentity && !equalBytes(verdict.credential.identityPublicKey, expectedIdentity)) {
      // Someone else's certificate in my presence proves nothing about me; the registry keys
      // it by its own subject, so it cannot authorise the presenter.
      return verdict
    }
    this.events.onAdmitted?.(verdict.credential, via)
    return verdict
  }

  /** Applies a CA-signed revocation (its signature is checked here, whoever forwarded it). */
  revoke(bytes: Uint8Array, via: string): { ok: true; added: boolean; record: RevocationRecord } | { ok: false; reason: string } {
    const result = this.revocations.add(bytes)
    if (result.ok && result.added) this.events.onRevoked?.(result.record, via)
    return result
  }

  credentialOf(identityPublicKey: Uint8Array): Credential | undefined {
    return this.registry.get(identityPublicKey)
  }

  /**
   * Feeds the node's gossip into the registry: presences carry credentials, `cred.grant`
   * announces new ones, `cred.revoke` withdraws them. `self` is this node's identity key.
   */
  attach(runtime: MeshRuntime, self: Uint8Array): void {
    runtime.gossip.on('mesh.presence', (message, from) => {
      const presence = message.payload as Presence
      void this.present(presence.credential, `presence from ${peerLabel(from)}`, message.envelope.sender)
    })
    runtime.gossip.on('cred.grant', async (message) => {
      const verdict = await this.present((message.payload as CredentialGrant).certificate, 'cred.grant')
      if (verdict?.ok && equalBytes(verdict.credential.identityPublicKey, self)) this.events.onOwnCredential?.(verdict.credential)
    })
    runtime.gossip.on('cred.revoke', (message) => {
      this.revoke(
        RevocationCodec.encode(message.payload as Revocation),
        `cred.revoke from ${bytesToHex(message.envelope.sender).slice(0, 16)}`,
      )
    })
  }
}

function peerLabel(peer: PeerId): string {
  return peer.toString()
}

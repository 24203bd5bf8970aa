import { CredentialGrant, JoinRequest, Revocation } from './credentials/credentials.pb'
import { AuditRead } from './audit/audit-read.pb'
import { defineKinds, KiB, type PayloadsOf } from '../protocol/kind-spec'

/** Joining, role grants and revocations, and reading a relay's audit log. */
export const securityKinds = defineKinds({
  'cred.request': { codec: JoinRequest.codec(), carrier: 'http', maxEnvelopeBytes: 1 * KiB, limits: { roles: 7 }, senders: 'anyone' },
  'cred.grant': { codec: CredentialGrant.codec(), carrier: 'gossip', maxEnvelopeBytes: 6 * KiB, senders: ['admin', 'bootstrap'] },
  'cred.revoke': { codec: Revocation.codec(), carrier: 'gossip', maxEnvelopeBytes: 1 * KiB, senders: ['admin', 'bootstrap'] },
  'audit.read': { codec: AuditRead.codec(), carrier: 'http', maxEnvelopeBytes: 1 * KiB, senders: ['admin'] },
})

declare module '../protocol/kind-spec' {
  interface MessageKindMap extends PayloadsOf<typeof securityKinds> {}
}

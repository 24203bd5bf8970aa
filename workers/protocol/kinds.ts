import type { Codec } from 'protons-runtime'
import { Chat, NodeReport, Presence, TransferManifest, TransferRequest } from './wire'
import { CredentialGrant, JoinRequest, Revocation } from '../security/credentials/credentials'
import { AuditRead } from '../security/audit/audit-read'
import { BftMessage } from '../consensus/bft/wire'
import { BFT_LIMITS } from '../consensus/bft/validate'

/**
 * How a kind travels: gossip carries small broadcasts, streams carry requests and bulk data,
 * http is a request a node posts to the relay that served its page (joining, admin grants).
 */
export type Carrier = 'gossip' | 'stream' | 'http'

export interface KindSpec<T> {
  readonly codec: Codec<T>
  readonly carrier: Carrier
  /** Largest encoded envelope accepted for this kind. */
  readonly maxEnvelopeBytes: number
  /** Most elements accepted in each repeated field while decoding (nested messages get an object), so a tiny message cannot claim huge arrays. */
  readonly limits?: DecodeLimits
}

export interface DecodeLimits {
  readonly [field: string]: number | DecodeLimits
}

const KiB = 1024

/**
 * Every message kind this node understands. An envelope of a kind not listed here is
 * rejected before its payload is decoded; later layers add their kinds here.
 */
function kind<T>(spec: KindSpec<T>): KindSpec<T> {
  return spec
}

export const messageKinds = {
  'mesh.presence': kind({ codec: Presence.codec(), carrier: 'gossip', maxEnvelopeBytes: 8 * KiB, limits: { multiaddrs: 16 } }),
  'mesh.chat': kind({ codec: Chat.codec(), carrier: 'gossip', maxEnvelopeBytes: 16 * KiB }),
  'transfer.request': kind({ codec: TransferRequest.codec(), carrier: 'stream', maxEnvelopeBytes: 1 * KiB }),
  'transfer.manifest': kind({ codec: TransferManifest.codec(), carrier: 'stream', maxEnvelopeBytes: 256 * KiB, limits: { chunkSha256: 4096 } }),
  'cred.request': kind({ codec: JoinRequest.codec(), carrier: 'http', maxEnvelopeBytes: 1 * KiB, limits: { roles: 7 } }),
  'cred.grant': kind({ codec: CredentialGrant.codec(), carrier: 'gossip', maxEnvelopeBytes: 6 * KiB }),
  'cred.revoke': kind({ codec: Revocation.codec(), carrier: 'gossip', maxEnvelopeBytes: 1 * KiB }),
  'audit.read': kind({ codec: AuditRead.codec(), carrier: 'http', maxEnvelopeBytes: 1 * KiB }),
  'ops.report': kind({ codec: NodeReport.codec(), carrier: 'http', maxEnvelopeBytes: 1 * KiB }),
  // Proposals, votes and commits among validators. The largest is a re-proposal carrying a
  // quorum of prevotes (~230 bytes each) next to its value: 256 KiB covers a quorum of ~700
  // validators with a small value; values are digests and descriptors, never payloads.
  'bft.message': kind({ codec: BftMessage.codec(), carrier: 'gossip', maxEnvelopeBytes: 256 * KiB, limits: { proposal: { justification: BFT_LIMITS.justificationVotes } } }),
}

export type MessageKind = keyof typeof messageKinds
export type PayloadOf<K extends MessageKind> = (typeof messageKinds)[K] extends KindSpec<infer T> ? T : never

/** No envelope of any kind may exceed this; checked before decoding anything. */
export const MAX_ENVELOPE_BYTES = Math.max(...Object.values(messageKinds).map((k) => k.maxEnvelopeBytes))

export function isMessageKind(kind: string): kind is MessageKind {
  return Object.hasOwn(messageKinds, kind)
}

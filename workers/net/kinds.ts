import { Chat, Presence, TransferManifest, TransferRequest } from '../protocol/wire.pb'
import { defineKinds, KiB, type PayloadsOf } from '../protocol/kind-spec'

/** The mesh's own kinds: presence and chat gossip, and the blob transfer protocol's frames. */
export const netKinds = defineKinds({
  'mesh.presence': { codec: Presence.codec(), carrier: 'gossip', maxEnvelopeBytes: 8 * KiB, limits: { multiaddrs: 16 }, senders: 'anyone' },
  'mesh.chat': { codec: Chat.codec(), carrier: 'gossip', maxEnvelopeBytes: 16 * KiB, senders: 'any-role' },
  'transfer.request': { codec: TransferRequest.codec(), carrier: 'stream', maxEnvelopeBytes: 1 * KiB, senders: 'any-role' },
  'transfer.manifest': {
    codec: TransferManifest.codec(),
    carrier: 'stream',
    maxEnvelopeBytes: 256 * KiB,
    limits: { chunkSha256: 4096 },
    senders: 'any-role',
  },
})

declare module '../protocol/kind-spec' {
  interface MessageKindMap extends PayloadsOf<typeof netKinds> {}
}

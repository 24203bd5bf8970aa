import { RaftPacket } from './wire.pb'
import { defineKinds, KiB, type PayloadsOf } from '../../protocol/kind-spec'

/** Largest Raft batch the adapter sends in one message; the kind's envelope limit leaves room for it. */
export const RAFT_MAX_BYTES_PER_APPEND = 192 * KiB

export const raftKinds = defineKinds({
  // Raft among coordinator-role nodes (the task log). Addressed to one node but carried on one
  // shared gossip topic: coordinators are few and every one of them follows the log.
  'raft.message': { codec: RaftPacket.codec(), carrier: 'gossip', maxEnvelopeBytes: 256 * KiB, senders: ['coordinator'] },
})

declare module '../../protocol/kind-spec' {
  interface MessageKindMap extends PayloadsOf<typeof raftKinds> {}
}

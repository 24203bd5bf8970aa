import { RaftPacket } from './wire.pb'
import { defineKinds, KiB, type PayloadsOf } from '../../protocol/kind-spec'

/** Largest Raft batch the adapter sends in one message; the kind's envelope limit leaves room for it. */
export const RAFT_MAX_BYTES_PER_APPEND = 192 * KiB

export const raftKinds = defineKinds({
  // Raft among coordinator-role nodes (the task log), addressed to one node (RaftPacket.to).
  // Sent on a per-peer stream (raft.message.direct) when the two are connected; this gossip
  // topic is the fallback for a peer with no open connection or a stream that failed.
  'raft.message': { codec: RaftPacket.codec(), carrier: 'gossip', maxEnvelopeBytes: 256 * KiB, senders: ['coordinator'] },
  // The same packet on a long-lived stream to the one coordinator it is for: one received copy
  // (one signature check) instead of one per subscriber and gossip forward.
  'raft.message.direct': { codec: RaftPacket.codec(), carrier: 'stream', maxEnvelopeBytes: 256 * KiB, senders: ['coordinator'] },
})

declare module '../../protocol/kind-spec' {
  interface MessageKindMap extends PayloadsOf<typeof raftKinds> {}
}

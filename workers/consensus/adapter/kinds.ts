import { BftMessage } from '../bft/wire.pb'
import { BftCatchUpRequest } from './catch-up.pb'
import { BFT_LIMITS } from '../bft/validate'
import { defineKinds, KiB, type PayloadsOf } from '../../protocol/kind-spec'

export const consensusKinds = defineKinds({
  // Proposals, votes and commits among validators. The largest is a re-proposal carrying a
  // quorum of prevotes (~230 bytes each) next to its value: 256 KiB covers a quorum of ~700
  // validators with a small value; values are digests and descriptors, never payloads.
  'bft.message': {
    codec: BftMessage.codec(),
    carrier: 'gossip',
    maxEnvelopeBytes: 256 * KiB,
    limits: { proposal: { justification: BFT_LIMITS.justificationVotes } },
    senders: ['validator'],
  },
  // A far-behind node's request for stored decisions (catch-up.proto): validators, and nodes
  // holding the validator role that follow a chain until a set change adds them.
  'bft.catchup': {
    codec: BftCatchUpRequest.codec(),
    carrier: 'gossip',
    maxEnvelopeBytes: 1 * KiB,
    limits: { chainId: 128 },
    senders: ['validator'],
  },
})

declare module '../../protocol/kind-spec' {
  interface MessageKindMap extends PayloadsOf<typeof consensusKinds> {}
}

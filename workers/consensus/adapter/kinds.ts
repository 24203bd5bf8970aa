import { BftMessage } from '../bft/wire.pb'
import { BftCatchUpRequest } from './catch-up.pb'
import { SetChangeRequest } from './set-change.pb'
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
  // An admin's request from the PWA that the admin relays order one validator-set change
  // (set-change.proto); each relay holding an admin key files it through the validators CLI's checks.
  'bft.setchange.request': {
    codec: SetChangeRequest.codec(),
    carrier: 'gossip',
    maxEnvelopeBytes: 2 * KiB,
    senders: ['admin'],
  },
})

declare module '../../protocol/kind-spec' {
  interface MessageKindMap extends PayloadsOf<typeof consensusKinds> {}
}

import { RoundAnnounce, RoundCommitted, RoundPropose, RoundSubmit, TaskConsensus, TrainerReady } from './wire.pb'
import { ROUND_LIMITS } from './codec'
import { TaskSpec } from '../task/wire.pb'
import { defineKinds, KiB, type PayloadsOf } from '../../protocol/kind-spec'

const inputs = { inputs: ROUND_LIMITS.inputs }

/**
 * The federated round's messages (README, "Federated round"). Announcements, proposals and
 * commits are small broadcasts (digests and PeerIds, never weights: models and updates move as
 * blobs over the transfer protocol); a submission goes to its aggregator on a stream. Sizes
 * cover a cohort of ROUND_LIMITS.inputs trainers (about 170 bytes per input).
 */
export const flRoundKinds = defineKinds({
  // An admin publishes a task (workers/fl/task/spec.ts); nodes check it before joining.
  'fl.task.create': { codec: TaskSpec.codec(), carrier: 'gossip', maxEnvelopeBytes: 24 * KiB, senders: ['admin'] },
  'fl.round.announce': {
    codec: RoundAnnounce.codec(),
    carrier: 'gossip',
    maxEnvelopeBytes: 256 * KiB,
    limits: { cohort: ROUND_LIMITS.cohort, previous: { descriptor: inputs } },
    senders: ['aggregator'],
  },
  'fl.round.submit': { codec: RoundSubmit.codec(), carrier: 'stream', maxEnvelopeBytes: 2 * KiB, senders: ['trainer'] },
  'fl.round.propose': {
    codec: RoundPropose.codec(),
    carrier: 'gossip',
    maxEnvelopeBytes: 256 * KiB,
    limits: { descriptor: inputs },
    senders: ['aggregator'],
  },
  'fl.round.committed': {
    codec: RoundCommitted.codec(),
    carrier: 'gossip',
    maxEnvelopeBytes: 256 * KiB,
    limits: { proof: { descriptor: inputs } },
    senders: ['validator'],
  },
  'fl.trainer.ready': { codec: TrainerReady.codec(), carrier: 'gossip', maxEnvelopeBytes: 1 * KiB, senders: ['trainer'] },
  // Sized like bft.message, whose encoded bytes it carries.
  'fl.consensus': { codec: TaskConsensus.codec(), carrier: 'gossip', maxEnvelopeBytes: 256 * KiB + 1 * KiB, senders: ['validator'] },
})

declare module '../../protocol/kind-spec' {
  interface MessageKindMap extends PayloadsOf<typeof flRoundKinds> {}
}

import {
  RoundAnnounce,
  RoundCommitted,
  RoundPropose,
  RoundSubmit,
  SecaggClient,
  SecaggServer,
  TaskConsensus,
  TrainerReady,
} from './wire.pb'
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
  // A task (workers/fl/task/spec.ts), from an admin or from a validator relay an admin created it
  // on (relay/fl-duty.ts spreads its tasks to the other validators); nodes check it before use.
  'fl.task.create': { codec: TaskSpec.codec(), carrier: 'gossip', maxEnvelopeBytes: 24 * KiB, senders: ['admin', 'validator'] },
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
  // Secure mode (secure-session.ts): the attempt's aggregator and one bucket member exchange one
  // secure-aggregation round's messages on direct streams. The aggregator's carry key lists,
  // encrypted shares and survivor lists of a bucket (and, in BEGIN, the cohort); a trainer's
  // largest is its masked update, 4 bytes per model parameter (models up to 1 M parameters).
  'fl.secagg.server': {
    codec: SecaggServer.codec(),
    carrier: 'stream',
    maxEnvelopeBytes: 128 * KiB,
    limits: { cohort: ROUND_LIMITS.cohort },
    senders: ['aggregator'],
  },
  'fl.secagg.client': { codec: SecaggClient.codec(), carrier: 'stream', maxEnvelopeBytes: 4 * 1024 * KiB + 4 * KiB, senders: ['trainer'] },
  // Sized like bft.message, whose encoded bytes it carries.
  'fl.consensus': { codec: TaskConsensus.codec(), carrier: 'gossip', maxEnvelopeBytes: 256 * KiB + 1 * KiB, senders: ['validator'] },
})

declare module '../../protocol/kind-spec' {
  interface MessageKindMap extends PayloadsOf<typeof flRoundKinds> {}
}

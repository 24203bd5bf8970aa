export {
  ConsensusAdapter,
  systemClock,
  replayValidatorChain,
  adapterRejectReasons,
  type ConsensusAdapterOptions,
  type AdapterStats,
  type AdapterRejectReason,
} from './adapter'
export { gossipBftTransport } from './gossip-transport'
export { MemoryConsensusStore } from './memory-store'
export { createBeaconApplication, decodeBeacon, beaconSetChangeOf, type BeaconOptions, type DecodedBeacon } from './beacon-app'
export {
  changeOfFields,
  setChangeRequestOf,
  type ChangeOrderSummary,
  createSetChangeOrder,
  decodeSetChangeOrder,
  orderProblem,
  setChangeOfOrder,
  describeChange,
  ORDER_LIFETIME_HEIGHTS,
  type DecodedSetChangeOrder,
  type OrderRules,
} from './set-change-order'
export {
  parseValidatorSetFile,
  parseValidatorEntry,
  validatorEntry,
  type ValidatorSetFile,
  type ValidatorEntryJson,
  type LoadedValidatorSet,
} from './validator-set-file'
export { encodePersistedState, decodePersistedState } from './state-codec'
export type * from './types'
export { CertificateFollower, type FollowVerdict } from './certificate-follower'
export { PreverifiedSignatures } from './preverified'

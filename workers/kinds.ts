import { combineKinds } from './protocol/kind-spec'
import { netKinds } from './net/kinds'
import { securityKinds } from './security/kinds'
import { consensusKinds } from './consensus/adapter/kinds'
import { raftKinds } from './consensus/raft-adapter/kinds'
import { taskKinds } from './tasks/kinds'
import { telemetryKinds } from './telemetry/kinds'
import { flRoundKinds } from './fl/round/kinds'

/**
 * Every message kind a node understands, as contributed by the module that owns it. Adding a
 * kind is one entry in its module's kinds file; a new module adds its file here. The relay,
 * the page and tests hand this registry to the envelope signer and the inbound gate; nothing
 * below this file imports it, so the layers stay acyclic.
 */
export const messageKinds = combineKinds<
  typeof netKinds &
    typeof securityKinds &
    typeof consensusKinds &
    typeof telemetryKinds &
    typeof flRoundKinds &
    typeof raftKinds &
    typeof taskKinds
>(netKinds, securityKinds, consensusKinds, telemetryKinds, flRoundKinds, raftKinds, taskKinds)

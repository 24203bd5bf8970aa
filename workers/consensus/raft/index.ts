/**
 * Raft for coordination among coordinator-role nodes: the multi-agent layer elects a task
 * coordinator with it and replicates the task log (assignments, completions, results).
 *
 * The core is a pure state machine. The host feeds events to `node.step` and, for every
 * result, in this order: applies `persist` durably, loads `restoreSnapshot` if present,
 * applies `committed` to its state machine, sends `messages` (encodeRaftMessage → the
 * signed envelope), and ticks the node again by `wakeAt`. After a restart it passes what it
 * stored as `restored` and rebuilds its state machine from the stored snapshot; the core then
 * re-delivers the committed entries after it. `node.status()` tells leader, term, role and
 * commit index. A proposal is accepted at `proposed.{index, term}`; it took effect only if
 * the entry committed at that index has that term (a leader change can discard it).
 *
 * What it implements: pre-vote and a leader lease against disruption, check-quorum,
 * randomized election timeouts from the injected `random`, log replication with pipelining
 * and the conflict-term backtracking hint, the Figure 8 commit rule, snapshots
 * (application-taken, InstallSnapshot to lagging followers), and single-server membership
 * changes. Single-server rather than joint consensus because coordinator roles are granted
 * and revoked one node at a time, and one-at-a-time changes need no joint phase: any
 * majorities of two configurations that differ by one voter overlap.
 */
export { createRaftNode, type RaftNode } from './node'
export { encodeRaftMessage, decodeRaftMessage, RAFT_DECODE_LIMITS, type DecodeResult } from './codec'
export { applyPersistOps, EMPTY_PERSISTED_STATE } from './storage'
export type * from './types'

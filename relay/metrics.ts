import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { isMessageKind } from '../workers/protocol/kind-spec'
import { messageKinds } from '../workers/kinds'
import { rejectReasons, type RejectReason } from '../workers/protocol/inbound'
import type { ConnectionKind } from '../workers/net/connection-kind'
import { roles, type Role } from '../workers/protocol/roles'
import { flRoundPhases, type FlRoundPhase, type TaskPhase } from '../workers/telemetry/phases'

/**
 * Every Prometheus family the relay exports, in one registry (libp2p's own `libp2p_*` families
 * register into it too). Labels take values from closed sets only: message kinds from the
 * registry, reasons from the gate's list, transports, roles, phases and states from their
 * enums. A PeerId, task id or round number never becomes a label: per-node detail lives in
 * logs and traces, not in time series.
 */
export function createRelayMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'mesh_relay_' })
  const registers = [registry]

  const messagesAccepted = new Counter({
    name: 'mesh_messages_accepted_total',
    help: 'Inbound messages that passed the envelope gate, by kind',
    labelNames: ['kind'],
    registers,
  })
  const messagesRejected = new Counter({
    name: 'mesh_messages_rejected_total',
    help: 'Inbound messages dropped by the envelope gate, by kind and reason',
    labelNames: ['kind', 'reason'],
    registers,
  })
  // Connections are counted at scrape time, so a peer's role is the one its credential holds now.
  let connectionSource: (() => { open: readonly { transport: ConnectionKind; roles: readonly Role[] }[]; peers: number }) | null = null
  new Gauge({
    name: 'mesh_peers_connected',
    help: 'Peers with an open connection to the relay',
    registers,
    collect() {
      if (connectionSource) this.set(connectionSource().peers)
    },
  })
  new Gauge({
    name: 'mesh_peers',
    help: "Open connections to the relay by transport and by the highest role of the peer's credential",
    labelNames: ['transport', 'role'],
    registers,
    collect() {
      if (!connectionSource) return
      this.reset()
      for (const connection of connectionSource().open) this.inc({ transport: connection.transport, role: highestRole(connection.roles) })
    },
  })
  const transfers = new Counter({
    name: 'mesh_stream_transfers_total',
    help: 'Blob transfers on the transfer protocol, by direction and outcome',
    labelNames: ['direction', 'outcome'],
    registers,
  })
  const transferBytes = new Counter({
    name: 'mesh_stream_transfer_bytes_total',
    help: 'Blob bytes moved on the transfer protocol, by direction',
    labelNames: ['direction'],
    registers,
  })
  const slowConsumers = new Counter({
    name: 'mesh_slow_consumers_closed_total',
    help: 'Connections closed because the peer stopped reading and what was queued for it passed the limit',
    registers,
  })
  // Gauges read at scrape time from the layer that owns the number.
  let auditSource: (() => number) | null = null
  let consensusSource: (() => { status: { height: number; round: number }; rejected: Record<string, number> }) | null = null
  new Gauge({
    name: 'mesh_audit_entries',
    help: "Entries in the relay's hash-chained audit log",
    registers,
    collect() {
      if (auditSource) this.set(auditSource())
    },
  })

  new Gauge({
    name: 'mesh_consensus_height',
    help: 'Height this validator is deciding',
    registers,
    collect() {
      if (consensusSource) this.set(consensusSource().status.height)
    },
  })
  new Gauge({
    name: 'mesh_consensus_round',
    help: 'Round within the current height',
    registers,
    collect() {
      if (consensusSource) this.set(consensusSource().status.round)
    },
  })
  const consensusDecisions = new Counter({
    name: 'mesh_consensus_decisions_total',
    help: 'Heights this validator decided since start',
    registers,
  })
  const roundsPerHeight = new Histogram({
    name: 'mesh_consensus_rounds_per_height',
    help: 'Rounds a height needed to decide (1 = decided in its first round)',
    buckets: [1, 2, 3, 4, 6, 8],
    registers,
  })
  const finality = new Histogram({
    name: 'mesh_consensus_finality_seconds',
    help: 'From the first proposal this validator saw for a height to its decision',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers,
  })
  const certificateSigners = new Histogram({
    name: 'mesh_consensus_certificate_signers',
    help: 'Validators whose signatures a commit certificate aggregates',
    buckets: [1, 2, 3, 4, 5, 7, 10, 16, 32, 64],
    registers,
  })
  new Gauge({
    name: 'mesh_consensus_rejected',
    help: 'Consensus messages the adapter dropped since start, by reason',
    labelNames: ['reason'],
    registers,
    collect() {
      if (consensusSource) for (const [reason, count] of Object.entries(consensusSource().rejected)) this.set({ reason }, count)
    },
  })

  const flRoundsPhase = new Counter({
    name: 'mesh_fl_round_phases_total',
    help: 'Federated-round phases entered, by phase',
    labelNames: ['phase'],
    registers,
  })
  const flPhaseDuration = new Histogram({
    name: 'mesh_fl_round_phase_seconds',
    help: 'Time a federated round spent in each phase',
    labelNames: ['phase'],
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    registers,
  })
  const flSubmissions = new Counter({
    name: 'mesh_fl_submissions_total',
    help: 'Model updates received for aggregation, by outcome',
    labelNames: ['outcome'],
    registers,
  })
  const flDropouts = new Counter({ name: 'mesh_fl_dropouts_total', help: 'Trainers that left a round after being selected', registers })
  const secaggAborts = new Counter({
    name: 'mesh_fl_secagg_aborts_total',
    help: 'Secure-aggregation rounds aborted, by reason',
    labelNames: ['reason'],
    registers,
  })
  const tasksByState = new Gauge({ name: 'mesh_tasks', help: 'Agent tasks by state', labelNames: ['state'], registers })
  const subtasksByState = new Gauge({ name: 'mesh_subtasks', help: 'Subtasks by state', labelNames: ['state'], registers })
  const taskPhaseDuration = new Histogram({
    name: 'mesh_task_phase_seconds',
    help: 'Time an agent task spent in each phase',
    labelNames: ['phase'],
    buckets: [0.01, 0.1, 0.5, 1, 5, 30, 120, 600],
    registers,
  })

  const browserReports = new Counter({
    name: 'mesh_browser_reports_total',
    help: 'Metrics summaries browsers sent (opt-in), by training backend',
    labelNames: ['backend'],
    registers,
  })
  const browserSamplesPerSecond = new Gauge({
    name: 'mesh_browser_samples_per_second',
    help: 'Training throughput a reporting browser measured, by report slot (slot, not PeerId: see /api/node-reports)',
    labelNames: ['slot', 'backend'],
    registers,
  })
  const browserGateRejections = new Gauge({
    name: 'mesh_browser_gate_rejections',
    help: "Messages a reporting browser's gate rejected since it started, by report slot",
    labelNames: ['slot'],
    registers,
  })

  const httpRefused = new Counter({
    name: 'mesh_http_refused_total',
    help: 'HTTP requests refused or failed (bad target, rate limit, method, body, handler error), by reason',
    labelNames: ['reason'],
    registers,
  })

  // Zero-initialise closed label sets so dashboards and alerts see every series from the start.
  for (const reason of rejectReasons) messagesRejected.inc({ kind: 'unknown', reason }, 0)
  for (const phase of flRoundPhases) flRoundsPhase.inc({ phase }, 0)

  return {
    registry,
    /** HTTP requests refused or failed (bad target, rate limit, method, body, handler error), by reason. */
    httpRefused,
    mesh: {
      accepted(kind: string): void {
        messagesAccepted.inc({ kind: kindLabel(kind) })
      },
      rejected(kind: string | undefined, reason: RejectReason): void {
        messagesRejected.inc({ kind: kindLabel(kind), reason })
      },
      /** The node's open connections and peer count, read at scrape time. */
      watchConnections(read: () => { open: readonly { transport: ConnectionKind; roles: readonly Role[] }[]; peers: number }): void {
        connectionSource = read
      },
      transfer(direction: 'served' | 'fetched', outcome: 'ok' | 'failed', bytes: number): void {
        transfers.inc({ direction, outcome })
        if (bytes > 0) transferBytes.inc({ direction }, bytes)
      },
      slowConsumerClosed(): void {
        slowConsumers.inc()
      },
      /** Reads a value at scrape time. */
      auditEntries(read: () => number): void {
        auditSource = read
      },
    },
    consensus: {
      /** Gauges read from the adapter at scrape time. */
      watch(stats: () => { status: { height: number; round: number }; rejected: Record<string, number> }): void {
        consensusSource = stats
      },
      decided(decision: { round: number; signers: number; finalitySeconds: number | null }): void {
        consensusDecisions.inc()
        roundsPerHeight.observe(decision.round + 1)
        certificateSigners.observe(decision.signers)
        if (decision.finalitySeconds !== null) finality.observe(decision.finalitySeconds)
      },
    },
    /** For the federated-round layer: call as a round moves through its phases. */
    flRound: {
      phase(phase: FlRoundPhase, secondsInPreviousPhase?: { phase: FlRoundPhase; seconds: number }): void {
        flRoundsPhase.inc({ phase })
        if (secondsInPreviousPhase) flPhaseDuration.observe({ phase: secondsInPreviousPhase.phase }, secondsInPreviousPhase.seconds)
      },
      submission(outcome: 'accepted' | 'rejected' | 'late'): void {
        flSubmissions.inc({ outcome })
      },
      dropout(): void {
        flDropouts.inc()
      },
      secaggAbort(reason: 'too-few-survivors' | 'bad-share' | 'timeout' | 'other'): void {
        secaggAborts.inc({ reason })
      },
    },
    /** For the agent-task layer: counts by state, set from its replicated log. */
    tasks: {
      states(tasks: Readonly<Record<TaskState, number>>, subtasks: Readonly<Record<TaskState, number>>): void {
        for (const state of taskStates) {
          tasksByState.set({ state }, tasks[state])
          subtasksByState.set({ state }, subtasks[state])
        }
      },
      phaseDuration(phase: TaskPhase, seconds: number): void {
        taskPhaseDuration.observe({ phase }, seconds)
      },
    },
    browsers: {
      report(slot: number, summary: { backend: string; samplesPerSecond: number; gateRejections: number }): void {
        const backend = backendLabel(summary.backend)
        browserReports.inc({ backend })
        browserSamplesPerSecond.set({ slot: String(slot), backend }, summary.samplesPerSecond)
        browserGateRejections.set({ slot: String(slot) }, summary.gateRejections)
      },
      forget(slot: number): void {
        for (const backend of trainingBackends) browserSamplesPerSecond.remove({ slot: String(slot), backend })
        browserGateRejections.remove({ slot: String(slot) })
      },
    },
  }
}

export type RelayMetrics = ReturnType<typeof createRelayMetrics>

export const taskStates = ['announced', 'assigned', 'running', 'done', 'failed'] as const
export type TaskState = (typeof taskStates)[number]
export const trainingBackends = ['webgpu', 'webgl', 'wasm', 'cpu', 'other'] as const

function kindLabel(kind: string | undefined): string {
  return kind !== undefined && isMessageKind(messageKinds, kind) ? kind : 'unknown'
}

function backendLabel(backend: string): string {
  return (trainingBackends as readonly string[]).includes(backend) ? backend : 'other'
}

/** The most trusted role a peer holds: one bounded label per connection. */
export function highestRole(held: readonly Role[]): Role | 'none' {
  for (let i = roles.length - 1; i >= 0; i--) if (held.includes(roles[i])) return roles[i]
  return 'none'
}

export { rejectReasons }

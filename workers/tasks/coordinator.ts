/**
 * One coordinator, as a synchronous state machine: the Raft core, the task state machine it
 * replicates, and the leader's scheduler, fed events and returning effects (durable writes,
 * Raft messages, assignments for workers, task status reports). No I/O, no timers: the
 * adapter (adapter.ts) does those, and the simulator drives this directly with virtual time.
 *
 * Every coordinator hears every pull and result (they are gossiped), so a new leader already
 * knows the workers and holds the results that arrived while there was none; it continues
 * from the replicated log once it has applied an entry of its own term (its no-op), which
 * guarantees it has everything its predecessors committed.
 */
import { createRaftNode, type RaftNode } from '../consensus/raft/node'
import type {
  LogEntry,
  MembershipChange,
  NodeId,
  Outbound,
  PersistedState,
  PersistOp,
  RaftMessage,
  RaftStatus,
  Snapshot,
  StepResult,
} from '../consensus/raft/types'
import type { Role } from '../protocol/roles'
import { capacityOf } from './capacity'
import { parseParams } from './params'
import { taskKind } from './registry'
import {
  DEFAULT_SCHEDULER_CONFIG,
  inflightKey,
  isEmptyCommand,
  plan,
  type PendingResult,
  type SchedulerConfig,
  type WorkerView,
} from './scheduler'
import { attemptKey, encodeTaskCommand, TASK_ID, TASK_WIRE_VERSION, TaskState, type ApplyEffects, type TaskRecord } from './state'
import { refusedStatus, taskStatusOf } from './status'
import { TASK_LIMITS } from './kinds'
import type { TaskAnnounce, TaskAnnounced, TaskAssign, TaskAssignment, TaskPull, TaskResult, TaskStatus } from './wire.pb'

export type CoordinatorEvent =
  | { readonly type: 'tick'; readonly now: number }
  | { readonly type: 'raft'; readonly from: NodeId; readonly message: RaftMessage }
  /** `roles`: the sender's credential roles, checked against the kind's announcers (omit for a trusted local caller). */
  | { readonly type: 'announce'; readonly from: NodeId; readonly announce: TaskAnnounce; readonly roles?: readonly Role[] }
  | { readonly type: 'pull'; readonly from: NodeId; readonly pull: TaskPull }
  | { readonly type: 'result'; readonly from: NodeId; readonly result: TaskResult }
  | { readonly type: 'membership'; readonly change: MembershipChange }

export interface CoordinatorOutput {
  readonly ok: boolean
  readonly reason?: string
  /** Durable writes, in order, before anything below is sent. */
  readonly persist: readonly PersistOp[]
  readonly raft: readonly Outbound[]
  readonly assigns: readonly { readonly to: NodeId; readonly message: TaskAssign }[]
  /** Reports to broadcast (leader only). */
  readonly statuses: readonly TaskStatus[]
  /** Committed log entries applied during this step (for observers and tests). */
  readonly applied: readonly LogEntry[]
  readonly restoredSnapshot?: Snapshot
  readonly wakeAt: number
}

export interface CoordinatorConfig {
  readonly id: NodeId
  readonly voters: readonly NodeId[]
  readonly random: () => number
  readonly now: number
  readonly restored?: PersistedState
  readonly heartbeatIntervalMs?: number
  readonly electionTimeoutMinMs?: number
  readonly electionTimeoutMaxMs?: number
  readonly maxBytesPerAppend?: number
  readonly scheduler?: SchedulerConfig
  /** The application snapshots its state after this many applied entries beyond the last snapshot. */
  readonly snapshotEvery?: number
  /** Least time between two progress reports of one task (a finished task is reported at once). */
  readonly statusIntervalMs?: number
  /** A running attempt missing from its worker's pulls for this long is sent again. */
  readonly resendAfterMs?: number
}

interface WorkerInfo extends WorkerView {
  readonly running: ReadonlySet<string>
}

const MAX_PENDING_RESULTS = 4096
const MAX_PENDING_ANNOUNCES = 256
const MAX_WORKERS = 4096

export class TaskCoordinator {
  readonly id: NodeId
  private readonly raft: RaftNode
  private state = new TaskState()
  private readonly workers = new Map<string, WorkerInfo>()
  private readonly announces = new Map<string, TaskAnnounced>()
  private readonly results = new Map<string, PendingResult>()
  /** Proposed but not yet applied, with the log index of their proposal. */
  private readonly inflightAssigns = new Map<string, number>()
  private readonly inflightClosures = new Map<string, number>()
  private readonly inflightAnnounces = new Map<string, number>()
  private readonly statusDirty = new Set<string>()
  private readonly lastStatusAt = new Map<string, number>()
  private readonly scheduler: SchedulerConfig
  private readonly snapshotEvery: number
  private readonly statusIntervalMs: number
  private readonly resendAfterMs: number
  private now: number
  private lastApplied = 0
  private lastAppliedTerm = 0
  private snapshotIndex = 0
  private leaderTerm = 0
  /** Something the scheduler reads changed since it last ran (most steps are heartbeats and change nothing). */
  private planDirty = true
  /** Earliest running lease among the tasks, when the scheduler must look again even if nothing else changed. */
  private nextLeaseCheck = 0

  // Output of the step in progress.
  private persist: PersistOp[] = []
  private raftOut: Outbound[] = []
  private assignsOut = new Map<NodeId, TaskAssign>()
  private statusesOut: TaskStatus[] = []
  private appliedOut: LogEntry[] = []
  private restoredOut: Snapshot | undefined
  private wakeAt = 0

  constructor(config: CoordinatorConfig) {
    this.id = config.id
    this.now = config.now
    this.scheduler = config.scheduler ?? DEFAULT_SCHEDULER_CONFIG
    this.snapshotEvery = config.snapshotEvery ?? 2000
    this.statusIntervalMs = config.statusIntervalMs ?? 250
    this.resendAfterMs = config.resendAfterMs ?? 1500
    const snapshot = config.restored?.snapshot
    if (snapshot) {
      this.state = TaskState.restore(snapshot.data)
      this.lastApplied = snapshot.index
      this.snapshotIndex = snapshot.index
    }
    this.raft = createRaftNode({
      id: config.id,
      voters: config.voters,
      random: config.random,
      now: config.now,
      restored: config.restored,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      electionTimeoutMinMs: config.electionTimeoutMinMs,
      electionTimeoutMaxMs: config.electionTimeoutMaxMs,
      maxBytesPerAppend: config.maxBytesPerAppend,
    })
  }

  status(): RaftStatus {
    return this.raft.status()
  }

  /** The replicated tasks as this node has applied them. */
  tasks(): ReadonlyMap<string, TaskRecord> {
    return this.state.tasks
  }

  task(id: string): TaskRecord | undefined {
    return this.state.task(id)
  }

  /** Raft log entries held after the snapshot (for tests). */
  entries(): LogEntry[] {
    return this.raft.entries()
  }

  isLeader(): boolean {
    return this.raft.status().role === 'leader'
  }

  step(event: CoordinatorEvent): CoordinatorOutput {
    this.begin()
    return this.finish(this.input(event))
  }

  /**
   * Several events at once, then one plan: what a busy leader does with the events that queued
   * up while it worked. N results become one log entry (one append per follower) instead of N,
   * and each worker one assignment message. The outputs are those of the whole batch, durable
   * writes first as for one step. `problems[i]` is why event i was refused, or undefined.
   */
  stepBatch(events: readonly CoordinatorEvent[]): CoordinatorOutput & { readonly problems: readonly (string | undefined)[] } {
    this.begin()
    const problems = events.map((event) => this.input(event))
    return { ...this.finish(undefined), problems }
  }

  private begin(): void {
    this.persist = []
    this.raftOut = []
    this.assignsOut = new Map()
    this.statusesOut = []
    this.appliedOut = []
    this.restoredOut = undefined
  }

  private input(event: CoordinatorEvent): string | undefined {
    switch (event.type) {
      case 'tick': {
        if (event.now < this.now) return 'clock went backwards'
        this.now = event.now
        const result = this.stepRaft({ type: 'tick', now: event.now })
        return result.ok ? undefined : result.reason
      }
      case 'raft': {
        const result = this.stepRaft({ type: 'receive', from: event.from, message: event.message })
        return result.ok ? undefined : result.reason
      }
      case 'membership': {
        const result = this.stepRaft({ type: 'changeMembership', change: event.change })
        return result.ok ? undefined : result.reason
      }
      case 'announce':
        return this.onAnnounce(event.from, event.announce, event.roles) ?? undefined
      case 'pull':
        return this.onPull(event.from, event.pull) ?? undefined
      case 'result':
        return this.onResult(event.from, event.result) ?? undefined
    }
  }

  private finish(problem: string | undefined): CoordinatorOutput {
    this.lead()
    this.reportStatuses()
    return {
      ok: problem === undefined,
      ...(problem !== undefined ? { reason: problem } : {}),
      persist: this.persist,
      raft: this.raftOut,
      assigns: [...this.assignsOut].map(([to, message]) => ({ to, message })),
      statuses: this.statusesOut,
      applied: this.appliedOut,
      ...(this.restoredOut ? { restoredSnapshot: this.restoredOut } : {}),
      wakeAt: Math.min(this.wakeAt, this.nextStatusDue()),
    }
  }

  // ------------------------------------------------------------ inputs

  private onAnnounce(from: NodeId, announce: TaskAnnounce, roles: readonly Role[] | undefined): string | null {
    const id = announce.taskId
    if (announce.version !== TASK_WIRE_VERSION) return `announce version ${announce.version} is not ${TASK_WIRE_VERSION}`
    if (!TASK_ID.test(id)) return 'task id must be 8 to 64 characters of [0-9a-z-]'
    const existing = this.state.task(id)
    if (existing) {
      // The initiator asks again: it missed the report.
      if (this.isLeader()) this.statusesOut.push(taskStatusOf(existing, this.id, this.status().term))
      return null
    }
    const kind = taskKind(announce.kind)
    let problem: string | null = null
    if (!kind) problem = `unknown task kind '${announce.kind}'`
    else if (roles && !roles.some((role) => kind.announcers.includes(role)))
      problem = `announcing ${kind.name} needs one of the roles ${kind.announcers.join(', ')}`
    else if (!(announce.redundancy >= 1 && announce.redundancy <= TASK_LIMITS.redundancy))
      problem = `redundancy must be 1 to ${TASK_LIMITS.redundancy}`
    else {
      const parsed = parseParams(kind.parameters, announce.params)
      if (!parsed.ok) problem = parsed.reason
      else {
        const count = kind.split(parsed.params).length
        if (count === 0 || count > TASK_LIMITS.subtasks) problem = `splits into ${count} subtasks (1 to ${TASK_LIMITS.subtasks} allowed)`
      }
    }
    if (problem) {
      if (this.isLeader()) this.statusesOut.push(refusedStatus(id, announce.kind, problem, this.id, this.status().term))
      return problem
    }
    if (this.announces.size >= MAX_PENDING_ANNOUNCES) return 'too many announcements waiting'
    this.announces.set(id, { taskId: id, kind: announce.kind, params: announce.params, redundancy: announce.redundancy, initiator: from })
    this.planDirty = true
    return null
  }

  private onPull(from: NodeId, pull: TaskPull): string | null {
    if (pull.version !== TASK_WIRE_VERSION) return `pull version ${pull.version} is not ${TASK_WIRE_VERSION}`
    if (!this.workers.has(from) && this.workers.size >= MAX_WORKERS) return 'too many workers'
    const slots = Math.min(Math.max(0, Math.floor(pull.slots)), 64)
    const previous = this.workers.get(from)
    if (
      !previous ||
      previous.slots !== slots ||
      previous.running.size !== pull.running.length ||
      this.now - previous.lastSeenMs > this.scheduler.workerTimeoutMs / 2
    )
      this.planDirty = true
    this.workers.set(from, { id: from, capacity: capacityOf(pull), slots, lastSeenMs: this.now, running: new Set(pull.running) })
    if (!this.isLeader() || !this.ready()) return null
    // Acknowledge results the log holds (or no longer wants); re-send assignments the worker lost.
    const acked: string[] = []
    for (const key of pull.unacked) {
      const [taskId, index] = splitKey(key)
      if (taskId !== null && this.attemptClosed(taskId, index, from)) acked.push(key)
    }
    const holding = new Set([...pull.running, ...pull.unacked])
    const resend: TaskAssignment[] = []
    for (const task of this.state.tasks.values()) {
      if (task.state !== 'running') continue
      for (const subtask of task.subtasks) {
        if (subtask.accepted) continue
        for (const attempt of subtask.attempts) {
          if (attempt.worker !== from || attempt.state !== 'running') continue
          if (!holding.has(attemptKey(task.id, subtask.index)) && this.now - attempt.assignedMs >= this.resendAfterMs)
            resend.push(assignmentOf(task, subtask.index, attempt.leaseUntilMs))
        }
      }
    }
    if (acked.length > 0 || resend.length > 0) this.queueAssign(from, resend, acked)
    return null
  }

  private onResult(from: NodeId, result: TaskResult): string | null {
    if (result.version !== TASK_WIRE_VERSION) return `result version ${result.version} is not ${TASK_WIRE_VERSION}`
    const key = inflightKey(result.taskId, result.subtask, from)
    if (this.results.has(key)) return null
    if (this.results.size >= MAX_PENDING_RESULTS) this.results.delete(this.results.keys().next().value!)
    this.results.set(key, { worker: from, result })
    this.planDirty = true
    return null
  }

  // ------------------------------------------------------------ raft and the state machine

  private stepRaft(event: Parameters<RaftNode['step']>[0]): StepResult {
    const before = this.raft.status()
    const result = this.raft.step(event)
    this.persist.push(...result.persist)
    this.raftOut.push(...result.messages)
    this.wakeAt = result.wakeAt
    if (result.restoreSnapshot) {
      this.state = TaskState.restore(result.restoreSnapshot.data)
      this.lastApplied = result.restoreSnapshot.index
      this.lastAppliedTerm = result.restoreSnapshot.term
      this.snapshotIndex = result.restoreSnapshot.index
      this.restoredOut = result.restoreSnapshot
      this.clearInflight()
    }
    for (const entry of result.committed) this.apply(entry)
    const after = this.raft.status()
    if (after.role !== 'leader' || after.term !== before.term) {
      if (before.role === 'leader' || after.term !== before.term) this.clearInflight()
    }
    if (after.role !== before.role || after.term !== before.term) this.planDirty = true
    if (after.role === 'leader' && this.leaderTerm !== after.term) {
      this.leaderTerm = after.term
      // A new leader gives every worker it knows a fresh grace period before its leases can expire.
      for (const [id, worker] of this.workers) this.workers.set(id, { ...worker, lastSeenMs: Math.max(worker.lastSeenMs, this.now) })
    }
    return result
  }

  private apply(entry: LogEntry): void {
    this.planDirty = true
    this.appliedOut.push(entry)
    this.lastApplied = entry.index
    this.lastAppliedTerm = entry.term
    const settled: string[] = []
    for (const [key, index] of this.inflightClosures) if (index <= entry.index) settled.push(key)
    for (const inflight of [this.inflightAssigns, this.inflightClosures, this.inflightAnnounces]) {
      for (const [key, index] of inflight) if (index <= entry.index) inflight.delete(key)
    }
    if (entry.kind !== 'command') return
    const effects = this.state.applyBytes(entry.command)
    this.afterApply(effects)
    this.acknowledgeSettled(settled)
    if (this.lastApplied - this.snapshotIndex >= this.snapshotEvery) {
      const result = this.raft.step({ type: 'snapshot', index: this.lastApplied, data: this.state.snapshot() })
      if (result.ok) {
        this.snapshotIndex = this.lastApplied
        this.persist.push(...result.persist)
      }
    }
  }

  private afterApply(effects: ApplyEffects): void {
    for (const id of effects.changed) this.statusDirty.add(id)
    for (const id of effects.finished) this.lastStatusAt.delete(id)
    if (this.isLeader()) {
      for (const { task, subtask, attempt } of effects.assigned) {
        this.queueAssign(attempt.worker, [assignmentOf(task, subtask.index, attempt.leaseUntilMs)], [])
      }
    }
    for (const id of this.announces.keys()) if (this.state.task(id)) this.announces.delete(id)
    for (const [key, pending] of this.results) {
      if (!this.attemptOpen(pending.result.taskId, pending.result.subtask, pending.worker)) this.results.delete(key)
    }
  }

  /**
   * Acknowledges at once the results this leader's committed entry settled, instead of at the
   * worker's next pull: until acknowledged a worker sends its result again every few seconds,
   * which under load was most of the task traffic (2.6 results sent per subtask in the bench).
   * The same rule as a pull's acknowledgements: only what this node's applied log settled.
   */
  private acknowledgeSettled(keys: readonly string[]): void {
    if (keys.length === 0 || !this.isLeader()) return
    for (const key of keys) {
      const [taskId, index, worker] = key.split('/')
      const subtask = Number(index)
      if (worker && this.attemptClosed(taskId, subtask, worker)) this.queueAssign(worker, [], [attemptKey(taskId, subtask)])
    }
  }

  private attemptOpen(taskId: string, index: number, worker: string): boolean {
    const task = this.state.task(taskId)
    const subtask = task?.subtasks[index]
    if (!task || !subtask || task.state !== 'running' || subtask.accepted) return false
    for (let i = subtask.attempts.length - 1; i >= 0; i--) {
      const attempt = subtask.attempts[i]
      if (attempt.worker === worker) return attempt.state === 'running' || attempt.state === 'expired'
    }
    // Not assigned yet: a result may still be on its way after a reassignment we have not applied.
    return false
  }

  /**
   * Whether the log settled this worker's attempt (its result logged or refused, or no longer
   * wanted). Only then is a result acknowledged: this node may be a leader cut off from a newer
   * one, and its log a stale prefix, where an attempt it does not know may well exist.
   */
  private attemptClosed(taskId: string, index: number, worker: string): boolean {
    const task = this.state.task(taskId)
    const subtask = task?.subtasks[index]
    if (!task || !subtask) return false
    if (task.state !== 'running' || subtask.accepted) return true
    for (let i = subtask.attempts.length - 1; i >= 0; i--) {
      const attempt = subtask.attempts[i]
      if (attempt.worker === worker) return attempt.state !== 'running' && attempt.state !== 'expired'
    }
    return false
  }

  private clearInflight(): void {
    this.inflightAssigns.clear()
    this.inflightClosures.clear()
    this.inflightAnnounces.clear()
  }

  /** A leader that has applied an entry of its own term holds every earlier committed entry. */
  private ready(): boolean {
    const status = this.raft.status()
    return status.role === 'leader' && this.lastAppliedTerm === status.term
  }

  // ------------------------------------------------------------ leading

  private lead(): void {
    if (!this.ready()) return
    if (!this.planDirty && this.now < this.nextLeaseCheck) return
    this.planDirty = false
    this.nextLeaseCheck = this.now + this.scheduler.workerTimeoutMs / 2
    const announces = [...this.announces.values()].filter((a) => !this.inflightAnnounces.has(a.taskId))
    const command = plan(
      {
        state: this.state,
        workers: this.workers,
        announces,
        results: [...this.results.values()].slice(0, 512),
        inflightAssigns: new Set(this.inflightAssigns.keys()),
        inflightClosures: new Set(this.inflightClosures.keys()),
        now: this.now,
        config: this.scheduler,
      },
      TASK_WIRE_VERSION,
    )
    if (isEmptyCommand(command)) return
    const result = this.stepRaft({ type: 'propose', command: encodeTaskCommand(command) })
    if (!result.ok || !result.proposed) return
    const index = result.proposed.index
    // Items already applied (a one-voter cluster commits at once) were cleared from the maps by apply.
    if (this.lastApplied >= index) return
    for (const a of command.announces) this.inflightAnnounces.set(a.taskId, index)
    for (const a of command.assigns) this.inflightAssigns.set(inflightKey(a.taskId, a.subtask, a.worker), index)
    for (const c of [...command.completes, ...command.refuses, ...command.expires])
      this.inflightClosures.set(inflightKey(c.taskId, c.subtask, c.worker), index)
  }

  private queueAssign(to: NodeId, assignments: TaskAssignment[], acked: string[]): void {
    let message = this.assignsOut.get(to)
    if (!message) {
      message = { version: TASK_WIRE_VERSION, worker: to, term: BigInt(this.raft.status().term), assignments: [], acked: [] }
      this.assignsOut.set(to, message)
    }
    message.assignments.push(...assignments.slice(0, TASK_LIMITS.assignments - message.assignments.length))
    message.acked.push(...acked.slice(0, TASK_LIMITS.keys - message.acked.length))
  }

  private reportStatuses(): void {
    if (!this.isLeader()) return
    const term = this.raft.status().term
    for (const id of [...this.statusDirty]) {
      const task = this.state.task(id)
      if (!task) {
        this.statusDirty.delete(id)
        continue
      }
      const last = this.lastStatusAt.get(id)
      if (task.state === 'running' && last !== undefined && this.now - last < this.statusIntervalMs) continue
      this.statusDirty.delete(id)
      this.lastStatusAt.set(id, this.now)
      this.statusesOut.push(taskStatusOf(task, this.id, term))
    }
  }

  private nextStatusDue(): number {
    if (!this.isLeader() || this.statusDirty.size === 0) return Infinity
    let due = Infinity
    for (const id of this.statusDirty) due = Math.min(due, (this.lastStatusAt.get(id) ?? this.now) + this.statusIntervalMs)
    return due
  }
}

function assignmentOf(task: TaskRecord, index: number, leaseUntilMs: number): TaskAssignment {
  const spec = task.subtasks[index].spec
  return {
    taskId: task.id,
    subtask: index,
    kind: task.kind,
    params: Object.entries(spec.params).map(([name, value]) => ({ name, value: String(value) })),
    leaseUntilMs,
    weight: spec.weight,
  }
}

function splitKey(key: string): [string | null, number] {
  const slash = key.lastIndexOf('/')
  const index = Number(key.slice(slash + 1))
  return slash > 0 && Number.isInteger(index) && index >= 0 ? [key.slice(0, slash), index] : [null, 0]
}

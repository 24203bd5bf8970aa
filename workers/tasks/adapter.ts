/**
 * Runs one coordinator (TaskCoordinator: Raft + task state machine + scheduler) against the
 * real world, like the BFT adapter: events from the transport and a clock are stepped one at
 * a time, in arrival order; each step's durable writes complete before any of its messages
 * leave; the clock wakes the core at the time it asks for. No Node-only imports: the relay
 * and browsers run it with their own transport and store, tests with a virtual clock.
 */
import { decodeRaftMessage, encodeRaftMessage } from '../consensus/raft/codec'
import type { MembershipChange, NodeId, RaftStatus } from '../consensus/raft/types'
import type { AdapterClock } from '../consensus/adapter/types'
import type { Logger } from '../log'
import { TaskCoordinator, type CoordinatorConfig, type CoordinatorEvent, type CoordinatorOutput } from './coordinator'
import type { RaftStore } from './store'
import type { CoordinatorTransport } from './transport'
import { TASK_RESULT_BATCH_VERSION, type TaskRecord } from './state'
import type { TaskAnnounce, TaskStatus } from './wire.pb'

export interface TaskCoordinatorAdapterOptions {
  readonly id: NodeId
  /** The founding coordinators (identical on each); a coordinator added later passes []. */
  readonly voters: readonly NodeId[]
  readonly transport: CoordinatorTransport
  readonly store: RaftStore
  readonly log: Logger
  readonly clock?: AdapterClock
  readonly random?: () => number
  /** Timing and scheduling; defaults suit gossip over browsers (hundreds of ms under load). */
  readonly core?: Partial<Omit<CoordinatorConfig, 'id' | 'voters' | 'random' | 'now' | 'restored'>>
  readonly maxQueuedEvents?: number
  /**
   * How long a message waits, when the coordinator was idle, for others to join its batch (one
   * plan, one log entry). Messages that arrive while a step persists are batched regardless;
   * over the network they arrive as separate I/O events, so without a window each would make
   * its own entry. 0 (the default) never waits.
   */
  readonly batchWindowMs?: number
}

export interface TaskAdapterStats {
  readonly raft: RaftStatus
  readonly applied: number
  readonly stepped: number
  readonly refused: number
  readonly queued: number
}

/** Mesh defaults: gossip under load can take hundreds of milliseconds. */
export const MESH_RAFT_TIMING = { heartbeatIntervalMs: 150, electionTimeoutMinMs: 1500, electionTimeoutMaxMs: 3000 } as const

export const wallClock: AdapterClock = {
  now: () => Date.now(),
  wallNow: () => Date.now(),
  setTimer(ms, run) {
    const timer = setTimeout(run, ms)
    return () => clearTimeout(timer)
  },
}

/** Most messages stepped as one batch (one plan, one log entry). */
const MAX_BATCH = 256
/** What the relay and browsers pass as batchWindowMs: small beside gossip's latency, long enough to catch a burst. */
export const MESH_BATCH_WINDOW_MS = 5

type Queued =
  | CoordinatorEvent
  | { readonly type: 'clock' }
  | { readonly type: 'local-membership'; readonly change: MembershipChange; readonly done: (problem: string | null) => void }

function isMessage(queued: Queued): queued is CoordinatorEvent {
  return queued.type === 'raft' || queued.type === 'announce' || queued.type === 'pull' || queued.type === 'result'
}

export class TaskCoordinatorAdapter {
  private readonly queue: Queued[] = []
  private draining = false
  private idle: Promise<void> = Promise.resolve()
  private stopped = false
  private cancelTimer: (() => void) | null = null
  private readonly unsubscribe: (() => void)[] = []
  private readonly statusListeners = new Set<(status: TaskStatus) => void>()
  private readonly applyListeners = new Set<() => void>()
  private lastNow = 0
  private counters = { applied: 0, stepped: 0, refused: 0 }

  private constructor(
    private readonly options: TaskCoordinatorAdapterOptions,
    private readonly core: TaskCoordinator,
    private readonly clock: AdapterClock,
  ) {}

  static async start(options: TaskCoordinatorAdapterOptions): Promise<TaskCoordinatorAdapter> {
    const clock = options.clock ?? wallClock
    const restored = await options.store.load()
    const now = clock.now()
    const core = new TaskCoordinator({
      ...MESH_RAFT_TIMING,
      ...options.core,
      id: options.id,
      voters: options.voters,
      random: options.random ?? Math.random,
      now,
      restored,
    })
    const adapter = new TaskCoordinatorAdapter(options, core, clock)
    adapter.lastNow = now
    const t = options.transport
    adapter.unsubscribe.push(
      t.onRaft((from, bytes) => {
        const decoded = decodeRaftMessage(bytes)
        if (!decoded.ok) return adapter.refuse('raft', from, decoded.reason)
        adapter.push({ type: 'raft', from, message: decoded.message })
      }),
      t.onAnnounce((from, announce) => adapter.push({ type: 'announce', from, announce })),
      t.onPull((from, pull) => adapter.push({ type: 'pull', from, pull })),
      t.onResult((from, batch) => {
        // One signed message, many results: each is queued (and so planned) on its own, so one
        // out-of-bounds result is refused alone; they arrive together and are stepped as one batch.
        if (batch.version !== TASK_RESULT_BATCH_VERSION)
          return adapter.refuse('result', from, `result batch version ${batch.version} is not ${TASK_RESULT_BATCH_VERSION}`)
        adapter.push(...batch.results.map((result) => ({ type: 'result' as const, from, result })))
      }),
    )
    options.log.info(
      { id: options.id, voters: options.voters.length, restoredEntries: restored.entries.length, term: restored.hardState.term },
      'task coordinator started',
    )
    adapter.push({ type: 'clock' })
    return adapter
  }

  get id(): NodeId {
    return this.options.id
  }

  status(): RaftStatus {
    return this.core.status()
  }

  tasks(): ReadonlyMap<string, TaskRecord> {
    return this.core.tasks()
  }

  stats(): TaskAdapterStats {
    return { raft: this.core.status(), ...this.counters, queued: this.queue.length }
  }

  /** Every report this node sends as leader (and so every task it finishes). */
  onStatus(listener: (status: TaskStatus) => void): () => void {
    this.statusListeners.add(listener)
    return () => this.statusListeners.delete(listener)
  }

  /** Called after each step that applied committed entries (for observers). */
  onApply(listener: () => void): () => void {
    this.applyListeners.add(listener)
    return () => this.applyListeners.delete(listener)
  }

  /** An announcement from this node itself (the relay's CLI, a coordinator's own UI). */
  announce(announce: TaskAnnounce): void {
    this.push({ type: 'announce', from: this.options.id, announce })
  }

  /** Adds or removes one coordinator (leader only; one change at a time). Resolves with the refusal, or null once proposed. */
  changeMembership(change: MembershipChange): Promise<string | null> {
    return new Promise((resolve) => this.push({ type: 'local-membership', change, done: resolve }))
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.cancelTimer?.()
    for (const off of this.unsubscribe) off()
    this.queue.length = 0
    await this.idle
  }

  private refuse(what: string, from: string, reason: string): void {
    this.counters.refused++
    this.options.log.debug({ what, from, reason }, 'task message refused')
  }

  /** Queues events (all of them before stepping starts, so that one message's several results make one batch). */
  private push(...events: Queued[]): void {
    if (this.stopped) return
    for (const event of events) {
      if (event.type !== 'clock' && event.type !== 'local-membership' && this.queue.length >= (this.options.maxQueuedEvents ?? 20_000))
        this.refuse(event.type, 'from' in event ? event.from : '', 'overloaded')
      else this.queue.push(event)
    }
    if (!this.draining && this.queue.length > 0) {
      this.draining = true
      this.idle = this.drain()
    }
  }

  private async drain(): Promise<void> {
    try {
      // Messages come in bursts (one socket read, one gossip heartbeat): a short wait lets a burst
      // become one batch, one log entry, instead of one entry per message.
      const windowMs = this.options.batchWindowMs ?? 0
      if (windowMs > 0 && isMessage(this.queue[0])) await new Promise<void>((resolve) => this.clock.setTimer(windowMs, resolve))
      while (this.queue.length > 0 && !this.stopped) {
        const batch = this.takeBatch()
        try {
          if (batch) await this.handleBatch(batch)
          else await this.handle(this.queue.shift()!)
        } catch (error) {
          // Storage failed: nothing of this step was sent; going on could forget a vote. Stop and say so.
          this.options.log.error({ err: error }, 'task coordinator stopped: could not persist its Raft state')
          this.stopped = true
          this.cancelTimer?.()
        }
      }
    } finally {
      this.draining = false
    }
  }

  /** The messages waiting at the head of the queue (what arrived while the last step was persisting), or null. */
  private takeBatch(): CoordinatorEvent[] | null {
    let count = 0
    while (count < this.queue.length && count < MAX_BATCH && isMessage(this.queue[count])) count++
    return count > 1 ? (this.queue.splice(0, count) as CoordinatorEvent[]) : null
  }

  private async handleBatch(events: CoordinatorEvent[]): Promise<void> {
    this.lastNow = Math.max(this.lastNow, this.clock.now())
    const fresh = this.lastNow - this.lastTickAt >= 10
    const batch: CoordinatorEvent[] = fresh ? [{ type: 'tick', now: this.lastNow }, ...events] : events
    if (fresh) this.lastTickAt = this.lastNow
    this.counters.stepped += batch.length
    const output = this.core.stepBatch(batch)
    output.problems.forEach((problem, i) => {
      const event = batch[i]
      if (problem !== undefined) this.refuse(event.type, 'from' in event ? event.from : '', problem)
    })
    await this.deliver(output)
  }

  private async handle(queued: Queued): Promise<void> {
    // The core's clock must not go backwards; the wall clock may (NTP), so it is clamped.
    this.lastNow = Math.max(this.lastNow, this.clock.now())
    let event: CoordinatorEvent
    if (queued.type === 'clock') event = { type: 'tick', now: this.lastNow }
    else if (queued.type === 'local-membership') event = { type: 'membership', change: queued.change }
    else {
      // Feed the current time first (when it moved noticeably) so leases and timestamps are fresh.
      if (this.lastNow - this.lastTickAt >= 10) await this.stepCore({ type: 'tick', now: this.lastNow })
      event = queued
    }
    const output = await this.stepCore(event)
    if (queued.type === 'local-membership') queued.done(output.ok ? null : (output.reason ?? 'refused'))
  }

  private lastTickAt = 0

  private async stepCore(event: CoordinatorEvent) {
    if (event.type === 'tick') this.lastTickAt = event.now
    this.counters.stepped++
    const output = this.core.step(event)
    if (!output.ok && event.type !== 'membership') this.refuse(event.type, 'from' in event ? event.from : '', output.reason ?? 'refused')
    await this.deliver(output)
    return output
  }

  /** Durable writes first, then the messages, reports and observers. */
  private async deliver(output: CoordinatorOutput): Promise<void> {
    if (output.persist.length > 0) await this.options.store.write(output.persist)
    const t = this.options.transport
    const sent: Promise<void>[] = []
    for (const { to, message } of output.raft) sent.push(t.sendRaft(to, encodeRaftMessage(message)))
    for (const { message } of output.assigns) sent.push(t.publishAssign(message))
    for (const status of output.statuses) {
      sent.push(t.publishStatus(status))
      for (const listener of this.statusListeners) listener(status)
    }
    for (const failed of sent) failed.catch((error) => this.options.log.debug({ err: error }, 'task publish failed'))
    if (output.applied.length > 0) {
      this.counters.applied += output.applied.length
      for (const listener of this.applyListeners) listener()
    }
    this.schedule(output.wakeAt)
  }

  private schedule(wakeAt: number): void {
    if (this.stopped) return
    this.cancelTimer?.()
    const delay = Number.isFinite(wakeAt) ? Math.max(0, Math.ceil(wakeAt - this.clock.now())) : 1000
    this.cancelTimer = this.clock.setTimer(delay, () => {
      this.cancelTimer = null
      this.push({ type: 'clock' })
    })
  }
}

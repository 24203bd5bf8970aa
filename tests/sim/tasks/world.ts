/**
 * Deterministic simulation of task distribution: coordinator nodes (the real TaskCoordinator:
 * Raft core + task state machine + scheduler) and workers (the real WorkerAgent) on a virtual
 * clock and an in-memory network that delays, drops, reorders and partitions, with crashes and
 * restarts (only what a node persisted survives), vanishing, slow, lying and malformed
 * workers. Raft messages go through their protobuf codec. Safety is checked as it runs:
 * at most one leader per term, and every node applies the same entry at every index.
 */
import { EventQueue } from '../heap'
import type { Random } from './random'
import { TaskCoordinator, type CoordinatorOutput } from '../../../workers/tasks/coordinator'
import { resultBatches, WorkerAgent, type CapacityReport } from '../../../workers/tasks/worker-agent'
import { TASK_RESULT_BATCH_VERSION } from '../../../workers/tasks/state'
import { decodeRaftMessage, encodeRaftMessage } from '../../../workers/consensus/raft/codec'
import { applyPersistOps, EMPTY_PERSISTED_STATE } from '../../../workers/consensus/raft/storage'
import type { LogEntry, PersistedState } from '../../../workers/consensus/raft/types'
import type {
  TaskAnnounce,
  TaskAssign,
  TaskAssignment,
  TaskPull,
  TaskResult,
  TaskResultBatch,
  TaskStatus,
} from '../../../workers/tasks/wire.pb'
import type { ImageDataset } from '../../../workers/fl/data/mnist-format'
import { pixelStats } from '../../../workers/tasks/data'
import { MNIST_CLASSES } from '../../../workers/fl/data/mnist-format'

export type WorkerBehaviour = 'honest' | 'slow' | 'liar' | 'malformed' | 'vanishes' | 'amnesiac'

export interface NetworkConditions {
  readonly delayMs: readonly [number, number]
  readonly dropRate: number
}

export interface WorldOptions {
  readonly coordinators: number
  readonly workers: readonly WorkerBehaviour[]
  readonly dataset: ImageDataset
  readonly tasks: readonly TaskAnnounce[]
  readonly gstMs: number
  readonly beforeGst: NetworkConditions
  readonly afterGst: NetworkConditions
  /** Coordinator crashes before GST; every crashed coordinator is back by GST. */
  readonly crashes: readonly { readonly index: number; readonly at: number; readonly restartAt: number }[]
  /** Coordinator partitions before GST (groups of coordinator indices; workers see every group). */
  readonly partitions: readonly { readonly at: number; readonly groups: readonly (readonly number[])[] }[]
  /** Work units per second of an honest worker; slow ones are 20× slower. */
  readonly unitsPerS: number
  /** When a 'vanishes' worker disappears for good, and when an 'amnesiac' one restarts blank. */
  readonly vanishAt: number
  /** Crash whichever coordinator leads at this time (restarting it 2 s later). */
  readonly killLeaderAt?: number
}

type Packet =
  | { readonly type: 'raft'; readonly bytes: Uint8Array }
  | { readonly type: 'announce'; readonly announce: TaskAnnounce }
  | { readonly type: 'pull'; readonly pull: TaskPull }
  | { readonly type: 'results'; readonly batch: TaskResultBatch }
  | { readonly type: 'assign'; readonly assign: TaskAssign }
  | { readonly type: 'status'; readonly status: TaskStatus }

type SimEvent =
  | { at: number; seq: number; type: 'deliver'; from: string; to: string; packet: Packet }
  | { at: number; seq: number; type: 'wake'; node: string; token: number }
  | { at: number; seq: number; type: 'finish'; worker: string; assignment: TaskAssignment; startedAt: number; epoch: number }
  | { at: number; seq: number; type: 'fault'; run: () => void }

interface CoordinatorSlot {
  readonly id: string
  node: TaskCoordinator | null
  stored: PersistedState
  token: number
  applied: number
}

interface WorkerSlot {
  readonly id: string
  readonly behaviour: WorkerBehaviour
  agent: WorkerAgent | null
  token: number
  /** Bumped on restart, so subtasks started before it never report. */
  epoch: number
  /** Results finished since its last flush; they leave together, as the worker host sends them. */
  ready: TaskResult[]
  flushPending: boolean
}

export const INITIATOR = 'initiator'

/** A slow worker's speed relative to the others. */
const SLOW = 0.05
/** How long a finished result waits for others of its worker (the worker host's batch window, larger to make batches here). */
const RESULT_BATCH_MS = 30

export class TaskWorld {
  now = 0
  readonly violations: string[] = []
  readonly leadersByTerm = new Map<number, string>()
  /** Entry key at each committed index, as first applied anywhere. */
  readonly committed = new Map<number, string>()
  /** What the initiator heard: the latest report per task. */
  readonly reports = new Map<string, TaskStatus>()
  readonly coordinators: CoordinatorSlot[] = []
  readonly workers: WorkerSlot[] = []
  delivered = 0
  /** Result batches stepped by coordinators, and those sent with more than one result (the batching is exercised). */
  batchesStepped = 0
  multiResultBatches = 0
  private readonly queue = new EventQueue<SimEvent>()
  private seq = 0
  private blocked = new Set<string>()
  private readonly voters: string[]
  private readonly pendingAnnounce = new Set<string>()

  constructor(
    readonly options: WorldOptions,
    private readonly random: Random,
  ) {
    this.voters = Array.from({ length: options.coordinators }, (_, i) => `c${i}`)
    for (const id of this.voters) {
      const slot: CoordinatorSlot = { id, node: null, stored: EMPTY_PERSISTED_STATE, token: 0, applied: 0 }
      this.coordinators.push(slot)
      this.startCoordinator(slot)
    }
    options.workers.forEach((behaviour, i) => {
      const slot: WorkerSlot = {
        id: `w${i}`,
        behaviour,
        agent: new WorkerAgent({ slots: 2 }),
        token: 0,
        epoch: 0,
        ready: [],
        flushPending: false,
      }
      this.workers.push(slot)
      this.wakeWorker(slot, 0)
    })
    for (const task of options.tasks) this.pendingAnnounce.add(task.taskId)
    for (const crash of options.crashes) {
      this.at(crash.at, () => this.crash(crash.index))
      this.at(crash.restartAt, () => this.restart(crash.index))
    }
    for (const partition of options.partitions) this.at(partition.at, () => this.partition(partition.groups))
    this.at(options.gstMs, () => {
      this.blocked.clear()
      this.coordinators.forEach((_, i) => this.restart(i))
    })
    this.at(options.vanishAt, () => {
      for (const slot of this.workers) {
        if (slot.behaviour === 'vanishes') slot.agent = null
        if (slot.behaviour === 'amnesiac') {
          slot.agent = new WorkerAgent({ slots: 2 })
          slot.ready = []
          slot.epoch++
          this.wakeWorker(slot, this.now)
        }
      }
    })
    if (options.killLeaderAt !== undefined) {
      this.at(options.killLeaderAt, () => {
        const leader = this.leader()
        if (!leader) return
        this.killedLeader = leader.id
        this.killedTerm = leader.node!.status().term
        const index = this.coordinators.indexOf(leader)
        this.crash(index)
        this.at(this.now + 2000, () => this.restart(index))
      })
    }
    this.announceLoop()
  }

  /** The coordinator killLeaderAt crashed, if one led then. */
  killedLeader: string | null = null
  killedTerm = 0

  // ------------------------------------------------------------ driving

  /** Runs until every task is reported finished to the initiator (and a little after), or until `until`. */
  run(until: number): void {
    let finishedAt: number | null = null
    for (;;) {
      const event = this.queue.peek()
      if (!event || event.at > until) break
      if (finishedAt !== null && event.at > finishedAt + 500) break
      this.queue.pop()
      this.now = event.at
      this.handle(event)
      if (finishedAt === null && this.allReported()) finishedAt = this.now
    }
  }

  allReported(): boolean {
    return this.options.tasks.every((t) => {
      const report = this.reports.get(t.taskId)
      return report !== undefined && report.state !== 'running'
    })
  }

  leader(): CoordinatorSlot | null {
    let best: CoordinatorSlot | null = null
    for (const slot of this.coordinators) {
      const status = slot.node?.status()
      if (status?.role === 'leader' && (!best || status.term > best.node!.status().term)) best = slot
    }
    return best
  }

  private handle(event: SimEvent): void {
    switch (event.type) {
      case 'fault':
        event.run()
        break
      case 'wake': {
        const coordinator = this.coordinators.find((c) => c.id === event.node)
        if (coordinator) {
          if (coordinator.node && coordinator.token === event.token) this.stepCoordinator(coordinator, { type: 'tick', now: this.now })
          break
        }
        const worker = this.workers.find((w) => w.id === event.node)!
        if (worker.agent && worker.token === event.token) this.tickWorker(worker)
        break
      }
      case 'deliver':
        this.delivered++
        this.deliver(event.from, event.to, event.packet)
        break
      case 'finish': {
        const worker = this.workers.find((w) => w.id === event.worker)!
        if (!worker.agent || worker.epoch !== event.epoch) break
        const values = this.execute(worker, event.assignment)
        const result = worker.agent.finished(event.assignment, values, event.startedAt, this.now, 'sim')
        if (result) worker.ready.push(result)
        if (!worker.flushPending) {
          worker.flushPending = true
          const epoch = worker.epoch
          this.at(this.now + RESULT_BATCH_MS, () => {
            worker.flushPending = false
            if (worker.agent && worker.epoch === epoch) this.tickWorker(worker)
          })
        }
        break
      }
    }
  }

  private deliver(from: string, to: string, packet: Packet): void {
    if (to === INITIATOR) {
      if (packet.type === 'status') {
        const known = this.reports.get(packet.status.taskId)
        if (!known || known.state === 'running') this.reports.set(packet.status.taskId, packet.status)
        else if (packet.status.state !== 'running' && !sameResult(known, packet.status))
          this.violations.push(`task ${packet.status.taskId} reported finished twice with different results`)
      }
      return
    }
    const coordinator = this.coordinators.find((c) => c.id === to)
    if (coordinator) {
      if (!coordinator.node) return
      switch (packet.type) {
        case 'raft': {
          const decoded = decodeRaftMessage(packet.bytes)
          if (!decoded.ok) return void this.violations.push(`undecodable raft message: ${decoded.reason}`)
          this.stepCoordinator(coordinator, { type: 'raft', from, message: decoded.message })
          return
        }
        case 'announce':
          return void this.stepCoordinator(coordinator, { type: 'announce', from, announce: packet.announce, roles: ['admin'] })
        case 'pull':
          return void this.stepCoordinator(coordinator, { type: 'pull', from, pull: packet.pull })
        case 'results': {
          // As the adapter does: a batch of another version is refused whole; its results are stepped together, each checked alone.
          if (packet.batch.version !== TASK_RESULT_BATCH_VERSION) return
          const events = packet.batch.results.map((result) => ({ type: 'result' as const, from, result }))
          return void this.stepCoordinatorBatch(coordinator, events)
        }
        default:
          return
      }
    }
    const worker = this.workers.find((w) => w.id === to)
    if (!worker?.agent || packet.type !== 'assign') return
    if (packet.assign.worker !== worker.id)
      return void this.violations.push(`assignment for ${packet.assign.worker} delivered to ${worker.id}`)
    for (const assignment of worker.agent.onAssign(packet.assign)) {
      const speed = this.options.unitsPerS * (worker.behaviour === 'slow' ? SLOW : 1)
      this.push({
        at: this.now + Math.max(1, (1000 * assignment.weight) / speed),
        seq: 0,
        type: 'finish',
        worker: worker.id,
        assignment,
        startedAt: this.now,
        epoch: worker.epoch,
      })
    }
  }

  /** What a worker answers: the true map step, or a lie that passes the bounds, or garbage. */
  private execute(worker: WorkerSlot, assignment: TaskAssignment): number[] {
    const p = Object.fromEntries(assignment.params.map(({ name, value }) => [name, Number(value)]))
    const truth = trueValues(this.options.dataset, assignment.kind, p)
    if (worker.behaviour === 'malformed') return truth.map((v) => -1 - v)
    if (worker.behaviour !== 'liar') return truth
    const lie = [...truth]
    if (assignment.kind === 'pixel-stats') {
      // Move one digit between two classes: still adds up, so only the majority catches it.
      const from = lie.findIndex((v, i) => i < MNIST_CLASSES && v > 0)
      const to = (from + 1 + this.random.int(0, MNIST_CLASSES - 2)) % MNIST_CLASSES
      lie[from]--
      lie[to]++
      lie[MNIST_CLASSES + from] = Math.min(lie[MNIST_CLASSES + from], lie[from])
    } else {
      lie[0] = lie[0] > lie[1] / 2 ? 0 : lie[1]
    }
    return lie
  }

  // ------------------------------------------------------------ nodes

  private startCoordinator(slot: CoordinatorSlot): void {
    slot.node = new TaskCoordinator({
      id: slot.id,
      voters: this.voters,
      random: () => this.random.next(),
      now: this.now,
      restored: slot.stored,
      snapshotEvery: 100,
      heartbeatIntervalMs: 100,
      electionTimeoutMinMs: 500,
      electionTimeoutMaxMs: 1000,
      scheduler: { workerTimeoutMs: 2500, minLeaseMs: 3000, maxAssignPerWorker: 8 },
    })
    slot.applied = slot.stored.snapshot?.index ?? 0
    this.stepCoordinator(slot, { type: 'tick', now: this.now })
  }

  private stepCoordinator(slot: CoordinatorSlot, event: Parameters<TaskCoordinator['step']>[0]): void {
    this.afterStep(slot, slot.node!.step(event))
  }

  private stepCoordinatorBatch(slot: CoordinatorSlot, events: Parameters<TaskCoordinator['step']>[0][]): void {
    this.batchesStepped++
    this.afterStep(slot, slot.node!.stepBatch([{ type: 'tick', now: this.now }, ...events]))
  }

  private afterStep(slot: CoordinatorSlot, output: CoordinatorOutput): void {
    slot.stored = applyPersistOps(slot.stored, output.persist)
    this.check(slot, output)
    for (const { to, message } of output.raft) this.send(slot.id, to, { type: 'raft', bytes: encodeRaftMessage(message) })
    for (const { to, message } of output.assigns) this.send(slot.id, to, { type: 'assign', assign: message })
    for (const status of output.statuses)
      if (status.initiator === INITIATOR || status.initiator === '') this.send(slot.id, INITIATOR, { type: 'status', status })
    slot.token++
    if (Number.isFinite(output.wakeAt))
      this.push({ at: Math.max(output.wakeAt, this.now + 1), seq: 0, type: 'wake', node: slot.id, token: slot.token })
  }

  private check(slot: CoordinatorSlot, output: CoordinatorOutput): void {
    const status = slot.node!.status()
    if (status.role === 'leader') {
      const known = this.leadersByTerm.get(status.term)
      if (known === undefined) this.leadersByTerm.set(status.term, slot.id)
      else if (known !== slot.id) this.violations.push(`two leaders in term ${status.term}: ${known} and ${slot.id}`)
    }
    if (output.restoredSnapshot) slot.applied = output.restoredSnapshot.index
    for (const entry of output.applied) {
      if (entry.index !== slot.applied + 1) this.violations.push(`${slot.id} applied ${entry.index} after ${slot.applied}`)
      slot.applied = entry.index
      const key = entryKey(entry)
      const first = this.committed.get(entry.index)
      if (first === undefined) this.committed.set(entry.index, key)
      else if (first !== key) this.violations.push(`${slot.id} applied a different entry at ${entry.index}: a committed entry was lost`)
    }
  }

  private crash(index: number): void {
    this.coordinators[index].node = null
  }

  private restart(index: number): void {
    const slot = this.coordinators[index]
    if (!slot.node) this.startCoordinator(slot)
  }

  private tickWorker(slot: WorkerSlot): void {
    const agent = slot.agent!
    // A slow device calibrates slow, but not always: every other slow worker claims the normal speed.
    const honestClaim = slot.behaviour !== 'slow' || Number(slot.id.slice(1)) % 2 === 0
    const capacity: CapacityReport = {
      backend: 'sim',
      samplesPerS: this.options.unitsPerS * (honestClaim && slot.behaviour === 'slow' ? SLOW : 1),
      cores: 2,
      visible: true,
      battery: -1,
      charging: false,
    }
    const output = agent.tick(this.now, capacity)
    for (const batch of resultBatches([...slot.ready, ...output.results])) {
      if (batch.results.length > 1) this.multiResultBatches++
      this.gossipToCoordinators(slot.id, { type: 'results', batch })
    }
    slot.ready = []
    if (output.pull) this.gossipToCoordinators(slot.id, { type: 'pull', pull: output.pull })
    this.wakeWorker(slot, agent.wakeAt())
  }

  private wakeWorker(slot: WorkerSlot, at: number): void {
    slot.token++
    this.push({ at: Math.max(at, this.now + 1), seq: 0, type: 'wake', node: slot.id, token: slot.token })
  }

  private announceLoop(): void {
    const pending = this.options.tasks.filter((t) => !this.reports.get(t.taskId) || this.reports.get(t.taskId)!.state === 'running')
    if (pending.length === 0) return
    for (const announce of pending) this.gossipToCoordinators(INITIATOR, { type: 'announce', announce })
    this.at(this.now + 2000, () => this.announceLoop())
  }

  // ------------------------------------------------------------ network

  private gossipToCoordinators(from: string, packet: Packet): void {
    for (const id of this.voters) this.send(from, id, packet)
  }

  private send(from: string, to: string, packet: Packet): void {
    if (this.blocked.has(`${from}>${to}`)) return
    const conditions = this.now < this.options.gstMs ? this.options.beforeGst : this.options.afterGst
    if (this.random.chance(conditions.dropRate)) return
    const delay = this.random.int(conditions.delayMs[0], conditions.delayMs[1])
    this.push({ at: this.now + delay, seq: 0, type: 'deliver', from, to, packet })
  }

  private partition(groups: readonly (readonly number[])[]): void {
    this.blocked.clear()
    const groupOf = new Map<string, number>()
    groups.forEach((group, g) => group.forEach((i) => groupOf.set(this.voters[i], g)))
    let next = groups.length
    for (const id of this.voters) if (!groupOf.has(id)) groupOf.set(id, next++)
    for (const a of this.voters) for (const b of this.voters) if (groupOf.get(a) !== groupOf.get(b)) this.blocked.add(`${a}>${b}`)
  }

  private at(at: number, run: () => void): void {
    this.push({ at, seq: 0, type: 'fault', run })
  }

  private push(event: SimEvent): void {
    event.seq = this.seq++
    this.queue.push(event)
  }
}

export function trueValues(dataset: ImageDataset, kind: string, p: Record<string, number>): number[] {
  if (kind === 'pixel-stats') return pixelStats(dataset, p.start, p.end)
  if (kind === 'evaluate') {
    // A stand-in for the model: deterministic in the shard and seed, within the kind's bounds.
    const count = p.end - p.start
    const correct = Math.floor((count * (((p.start * 7 + p.modelSeed * 13) % 50) + 40)) / 100)
    return [correct, count, count * 0.5 + (p.start % 7)]
  }
  throw new Error(`the simulator has no stand-in for ${kind}`)
}

function entryKey(entry: LogEntry): string {
  let hash = 0
  for (const byte of entry.command) hash = (Math.imul(hash, 31) + byte) | 0
  return `${entry.term}/${entry.kind}/${entry.command.byteLength}/${hash}/${entry.voters.join(',')}`
}

function sameResult(a: TaskStatus, b: TaskStatus): boolean {
  return a.state === b.state && a.result.length === b.result.length && a.result.every((v, i) => v === b.result[i])
}

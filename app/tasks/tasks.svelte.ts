import type { MeshClient } from '../mesh/client.svelte'
import type { Trainer } from '../training/trainer.svelte'
import { DexieRaftStore, TaskDatabase } from '../storage/raft-store'
import { MESH_BATCH_WINDOW_MS, TaskCoordinatorAdapter } from '../../workers/tasks/adapter'
import { trace } from '@opentelemetry/api'
import { gossipTaskTransport, preferDirect, TASK_DIRECT_KINDS, type TaskTransport } from '../../workers/tasks/transport'
import { startTaskChannels } from '../../workers/tasks/peer-channels'
import { TaskTracing, tracedTaskTransport } from '../../workers/telemetry/task-trace'
import { TaskWorkerHost, type RunningSubtask } from '../../workers/tasks/worker-host'
import { runTask } from '../../workers/tasks/initiator'
import type { CapacityReport } from '../../workers/tasks/worker-agent'
import type { TaskStatus } from '../../workers/tasks/wire.pb'
import type { Logger } from '../../workers/log'
import type { RaftStatus } from '../../workers/consensus/raft/types'

const pageLog: Logger = {
  debug() {},
  info() {},
  warn: (fields, message) => console.warn(message, fields),
  error: (fields, message) => console.error(message, fields),
  child: () => pageLog,
}

export type WorkerState = 'off' | 'waiting' | 'on' | 'failed'

/** This browser's seat among the task coordinators (the Raft group that runs the task log). */
export interface CoordinatorView {
  readonly role: RaftStatus['role']
  readonly term: number
  readonly leader: string | null
  readonly voters: readonly string[]
}

/** The page's task client (one per page), for the test build's window.agentMesh handle. */
const pageTaskClients: TaskClient[] = []
export const activeTaskClient = (): TaskClient | undefined => pageTaskClients.at(-1)

/** What the browser exposes about its power state (Chromium's navigator.getBattery). */
interface BatteryInfo {
  level: number
  charging: boolean
}

/**
 * The page's side of agent tasks: watches task reports (kept in IndexedDB, so the Tasks view
 * survives a reload), runs subtasks in the training worker while this node holds the worker
 * role, and announces tasks when it holds a role that may.
 */
export class TaskClient {
  reports = $state.raw<TaskStatus[]>([])
  running = $state.raw<RunningSubtask[]>([])
  workerState = $state<WorkerState>('off')
  completed = $state(0)
  error = $state('')
  /** Set while this browser holds the coordinator role and runs the Raft adapter. */
  coordinator = $state.raw<CoordinatorView | null>(null)
  private adapter: TaskCoordinatorAdapter | undefined
  private readonly starting = new Set<'worker' | 'coordinator'>()
  private transport: TaskTransport | undefined
  private host: TaskWorkerHost | undefined
  private battery: BatteryInfo | null = null

  constructor(
    private readonly client: MeshClient,
    private readonly trainer: Trainer,
    private readonly db = new TaskDatabase(),
  ) {
    pageTaskClients.push(this)
  }

  get roles(): readonly string[] {
    return this.client.security?.roles ?? []
  }

  get canAnnounce(): boolean {
    return this.roles.includes('admin') || this.roles.includes('coordinator')
  }

  async start(): Promise<void> {
    const stored = await this.db.reports.orderBy('receivedAtMs').reverse().toArray()
    this.reports = stored.map((row) => row.status)
    while (!this.client.runtime) await new Promise((r) => setTimeout(r, 200))
    // The page records no spans (no exporter) but passes each task's trace context on, so its
    // results and reports continue the coordinator's trace (README, "Traces").
    const tracing = new TaskTracing({ tracer: trace.getTracer('agent-mesh'), node: this.client.peerId })
    // Raft, assignments and results on per-peer streams where connected (WebRTC or the relay), gossip otherwise.
    const runtime = this.client.runtime
    const channels = await startTaskChannels(runtime, TASK_DIRECT_KINDS)
    const mesh = preferDirect(gossipTaskTransport(runtime.gossip, this.client.peerId), channels, this.client.peerId)
    this.transport = tracedTaskTransport(mesh, tracing)
    this.transport.onStatus((_from, status) => void this.record(status))
    const nav = navigator as Navigator & { getBattery?: () => Promise<BatteryInfo> }
    nav.getBattery?.().then(
      (battery) => (this.battery = battery),
      () => {},
    )
    // Work only with the worker role, coordinate only with the coordinator role (others would
    // refuse our pulls, results and Raft messages). Either role may arrive later, by an admin's grant.
    this.workerState = 'waiting'
    const poll = setInterval(() => {
      if (!this.starting.has('worker') && this.roles.includes('worker')) {
        this.starting.add('worker')
        void this.startWorker()
      }
      if (!this.starting.has('coordinator') && this.roles.includes('coordinator')) {
        this.starting.add('coordinator')
        void this.startCoordinator().catch((err) => (this.error = `coordinator: ${(err as Error).message}`))
      }
      if (this.starting.size === 2) clearInterval(poll)
    }, 1000)
  }

  /** This node's Raft view and the tasks its replicated log holds (for the test handle). */
  coordinatorSnapshot(): { view: CoordinatorView; tasks: number } | null {
    if (!this.adapter) return null
    return { view: this.view(), tasks: this.adapter.tasks().size }
  }

  /**
   * Runs the coordinator here: Raft over the mesh, its log in IndexedDB (so a reload resumes
   * with its vote and log). It starts with no voters of its own: it takes part once the leader
   * adds it (`npm run relay -- task coordinators --add PEERID`), and from a reload on it knows
   * the membership from its stored log.
   */
  private async startCoordinator(): Promise<void> {
    const adapter = await TaskCoordinatorAdapter.start({
      id: this.client.peerId,
      voters: [],
      transport: this.transport!,
      store: new DexieRaftStore(this.db),
      log: pageLog,
      batchWindowMs: MESH_BATCH_WINDOW_MS,
    })
    this.adapter = adapter
    this.coordinator = this.view()
    adapter.onApply(() => (this.coordinator = this.view()))
    const refresh = setInterval(() => (this.coordinator = this.view()), 1000)
    window.addEventListener('pagehide', () => {
      clearInterval(refresh)
      void adapter.stop()
    })
  }

  private view(): CoordinatorView {
    const status = this.adapter!.status()
    return { role: status.role, term: Number(status.term), leader: status.leader ?? null, voters: [...status.voters] }
  }

  /** Announces a task and follows it to its result. */
  async announce(kind: string, params: { name: string; value: string }[], redundancy: number): Promise<TaskStatus> {
    if (!this.transport) throw new Error('the node has not joined the mesh yet')
    return runTask({ transport: this.transport, kind, params, redundancy, onProgress: (s) => void this.record(s) })
  }

  private async startWorker(): Promise<void> {
    try {
      const choice = await this.trainer.prepare()
      this.host = new TaskWorkerHost({
        transport: this.transport!,
        slots: 1,
        log: pageLog,
        capacity: () => this.capacity(choice.backend, choice.samplesPerSecond),
        execute: (assignment) => this.trainer.runTaskSubtask(assignment),
      })
      this.host.onChange(() => {
        this.running = this.host!.current()
        this.completed = this.host!.completed
      })
      this.workerState = 'on'
    } catch (err) {
      this.workerState = 'failed'
      this.error = (err as Error).message
    }
  }

  private capacity(backend: string, samplesPerS: number): CapacityReport {
    return {
      backend,
      samplesPerS,
      cores: navigator.hardwareConcurrency ?? 1,
      visible: document.visibilityState === 'visible',
      battery: this.battery ? this.battery.level : -1,
      charging: this.battery?.charging ?? false,
    }
  }

  private async record(status: TaskStatus): Promise<void> {
    const others = this.reports.filter((r) => r.taskId !== status.taskId)
    this.reports = [status, ...others].slice(0, 50)
    await this.db.reports.put({ taskId: status.taskId, receivedAtMs: Date.now(), status })
  }
}

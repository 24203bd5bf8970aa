import type { MeshClient } from '../mesh/client.svelte'
import type { Trainer } from '../training/trainer.svelte'
import { TaskDatabase } from '../storage/raft-store'
import { gossipTaskTransport, type TaskTransport } from '../../workers/tasks/transport'
import { TaskWorkerHost, type RunningSubtask } from '../../workers/tasks/worker-host'
import { runTask } from '../../workers/tasks/initiator'
import type { CapacityReport } from '../../workers/tasks/worker-agent'
import type { TaskStatus } from '../../workers/tasks/wire.pb'
import type { Logger } from '../../workers/log'

const pageLog: Logger = {
  debug() {},
  info() {},
  warn: (fields, message) => console.warn(message, fields),
  error: (fields, message) => console.error(message, fields),
  child: () => pageLog,
}

export type WorkerState = 'off' | 'waiting' | 'on' | 'failed'

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
  private transport: TaskTransport | undefined
  private host: TaskWorkerHost | undefined
  private battery: BatteryInfo | null = null

  constructor(
    private readonly client: MeshClient,
    private readonly trainer: Trainer,
    private readonly db = new TaskDatabase(),
  ) {}

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
    this.transport = gossipTaskTransport(this.client.runtime.gossip, this.client.peerId)
    this.transport.onStatus((_from, status) => void this.record(status))
    const nav = navigator as Navigator & { getBattery?: () => Promise<BatteryInfo> }
    nav.getBattery?.().then(
      (battery) => (this.battery = battery),
      () => {},
    )
    // Work only with the worker role (others would refuse our pulls and results).
    this.workerState = 'waiting'
    const poll = setInterval(() => {
      if (this.host || !this.roles.includes('worker')) return
      clearInterval(poll)
      void this.startWorker()
    }, 1000)
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

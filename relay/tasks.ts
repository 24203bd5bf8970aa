import { availableParallelism } from 'node:os'
import type Database from 'better-sqlite3'
import { peerIdFromString } from '@libp2p/peer-id'
import { Gauge, type Registry } from 'prom-client'
import type { Tracer } from '@opentelemetry/api'
import { MESH_BATCH_WINDOW_MS, TaskCoordinatorAdapter } from '../workers/tasks/adapter'
import { TaskWorkerHost } from '../workers/tasks/worker-host'
import { gossipTaskTransport, preferDirect, TASK_DIRECT_KINDS, type RouteCounts } from '../workers/tasks/transport'
import { startTaskChannels } from '../workers/tasks/peer-channels'
import { newTaskId } from '../workers/tasks/initiator'
import { TASK_WIRE_VERSION } from '../workers/tasks/state'
import type { MeshRuntime } from '../workers/net/runtime'
import type { Logger } from '../workers/log'
import type { TaskStatus } from '../workers/tasks/wire.pb'
import { countTaskStates } from '../workers/tasks/counts'
import { TaskTracing, taskTraceId, tracedTaskTransport, type TaskRole } from '../workers/telemetry/task-trace'
import type { TaskPhase } from '../workers/telemetry/phases'
import { openRaftDatabase, SqliteRaftStore } from './raft-store'
import type { RelayMetrics } from './metrics'

/**
 * The relay's part in agent tasks: a coordinator (a Raft voter among the founding
 * coordinators, or one an admin adds later) and/or a worker running subtasks with tfjs in this
 * process. Admin requests (run a task, add or remove a coordinator) arrive through the
 * task_requests table of tasks.sqlite, written by `npm run relay -- task …`, and are picked up
 * within half a second; their outcome is written back there.
 */
export const taskRequestMigration = `CREATE TABLE IF NOT EXISTS task_requests (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  action TEXT NOT NULL,
  body TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'new',
  result TEXT,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);`

export type TaskDuty = 'coordinator' | 'worker'

export interface TaskRequestBody {
  readonly kind?: string
  readonly params?: { name: string; value: string }[]
  readonly redundancy?: number
  readonly taskId?: string
  readonly peer?: string
}

export interface RelayTaskDuty {
  readonly coordinator: TaskCoordinatorAdapter | null
  readonly worker: TaskWorkerHost | null
  stop(): Promise<void>
}

export function openTaskDatabase(dataDir: string): Database.Database {
  const db = openRaftDatabase(dataDir)
  db.exec(taskRequestMigration)
  return db
}

/** The founding coordinators' Ed25519 keys, from their PeerIds (identity multihash), for pinning their role. */
export function coordinatorKeys(peerIds: readonly string[]): Uint8Array[] {
  return peerIds.map((id) => {
    const key = peerIdFromString(id).publicKey
    if (!key) throw new Error(`--task-coordinators: ${id} is not an Ed25519 PeerId`)
    return key.raw
  })
}

/**
 * Which role's span on this relay measures each phase of a task (workers/telemetry/task-trace.ts):
 * an initiator (a CLI `task run` the relay announces) waits through `announce` until a coordinator
 * reports; a coordinator waits for its Raft log to take the task (`elect`), for the first
 * assignment (`assign`) and for the result (`run`). `complete` is an instant in both roles.
 */
const PHASE_MEASURED_BY: Readonly<Partial<Record<TaskPhase, TaskRole>>> = {
  announce: 'initiator',
  elect: 'coordinator',
  assign: 'coordinator',
  run: 'coordinator',
}

export async function startTaskDuty(deps: {
  readonly duties: readonly TaskDuty[]
  readonly founders: readonly string[]
  readonly peerId: string
  readonly dataDir: string
  readonly runtime: MeshRuntime
  readonly registry: Registry
  /** mesh_tasks and mesh_subtasks, set from the replicated log this coordinator applies. */
  readonly metrics?: RelayMetrics['tasks']
  /** Spans of each task this relay coordinates, runs or announces (relay/tracing.ts); none recorded without it. */
  readonly tracer?: Tracer
  readonly log: Logger
}): Promise<RelayTaskDuty> {
  const { duties, peerId, log } = deps
  const metrics = deps.metrics
  const tracing = deps.tracer
    ? new TaskTracing({
        tracer: deps.tracer,
        node: peerId,
        // mesh_task_phase_seconds: each phase as the span of the role that waits through it measured it on this relay.
        onPhaseEnd: (role, phase, seconds) => {
          if (PHASE_MEASURED_BY[phase] === role) metrics?.phaseDuration(phase, seconds)
        },
      })
    : null
  // Addressed messages (Raft, assignments, results) on per-peer streams where connected, gossip otherwise.
  const channels = await startTaskChannels(deps.runtime, TASK_DIRECT_KINDS)
  const routes: RouteCounts = {}
  const mesh = preferDirect(gossipTaskTransport(deps.runtime.gossip, peerId, { joinAll: true }), channels, peerId, { counts: routes })
  new Gauge({
    name: 'mesh_task_messages',
    help: 'Addressed task messages sent since start, by route (direct; gossip: no connection or a re-sent result; fallback: the direct send failed) and kind',
    labelNames: ['route', 'kind'],
    registers: [deps.registry],
    collect() {
      for (const [key, n] of Object.entries(routes)) {
        const [route, kind] = key.split(':')
        this.set({ route, kind }, n)
      }
    },
  })
  const transport = tracing ? tracedTaskTransport(mesh, tracing) : mesh
  const db = openTaskDatabase(deps.dataDir)
  let coordinator: TaskCoordinatorAdapter | null = null
  let worker: TaskWorkerHost | null = null
  let countsTimer: ReturnType<typeof setInterval> | undefined
  if (duties.includes('coordinator')) {
    coordinator = await TaskCoordinatorAdapter.start({
      id: peerId,
      // A relay outside the founding list waits to be added by an admin (task coordinators --add).
      voters: deps.founders.includes(peerId) ? deps.founders : [],
      transport,
      store: new SqliteRaftStore(db),
      log: log.child({ role: 'coordinator' }),
      batchWindowMs: MESH_BATCH_WINDOW_MS,
    })
    const adapter = coordinator
    new Gauge({
      name: 'mesh_tasks_raft_term',
      help: 'Raft term of this coordinator',
      registers: [deps.registry],
      collect() {
        this.set(adapter.status().term)
      },
    })
    new Gauge({
      name: 'mesh_tasks_raft_leader',
      help: '1 while this coordinator leads',
      registers: [deps.registry],
      collect() {
        this.set(adapter.status().role === 'leader' ? 1 : 0)
      },
    })
    new Gauge({
      name: 'mesh_tasks_applied_entries',
      help: 'Raft entries applied since start',
      registers: [deps.registry],
      collect() {
        this.set(adapter.stats().applied)
      },
    })
    // Counting walks every task in the log: after applies, at most once a second (the scrape interval is longer).
    let countsDue = true
    adapter.onApply(() => (countsDue = true))
    if (tracing) adapter.onApply(() => tracing.applied(adapter.tasks()))
    if (metrics) {
      countsTimer = setInterval(() => {
        if (!countsDue) return
        countsDue = false
        const counts = countTaskStates(adapter.tasks().values())
        metrics.states(counts.tasks, counts.subtasks)
      }, 1000)
      countsTimer.unref?.()
    }
    adapter.onStatus((status) => {
      if (status.state !== 'running')
        log.info(
          {
            task: status.taskId,
            traceId: taskTraceId(status.taskId),
            kind: status.kind,
            state: status.state,
            summary: status.summary,
            reason: status.reason,
          },
          'task finished',
        )
    })
  }
  if (duties.includes('worker')) {
    // Only a worker runs subtasks: tfjs and the digits load here, not in a coordinator-only relay.
    const [{ runSubtask }, { selectBackend }, { nodeBackendOptions }, { loadMnistNode }] = await Promise.all([
      import('../workers/tasks/run'),
      import('../workers/fl/model/backend'),
      import('../workers/fl/node/backend'),
      import('../workers/fl/node/mnist-data'),
    ])
    const dataset = loadMnistNode()
    const choice = await selectBackend(nodeBackendOptions({ calibrate: false }))
    const cores = availableParallelism()
    worker = new TaskWorkerHost({
      transport,
      log: log.child({ role: 'worker' }),
      slots: 1,
      capacity: () => ({
        backend: choice.backend,
        samplesPerS: choice.samplesPerSecond,
        cores,
        visible: true,
        battery: -1,
        charging: false,
      }),
      execute: async (assignment) => ({ values: await runSubtask(assignment, { dataset }), backend: choice.backend }),
    })
  }
  const inbox = coordinator ? serveRequests(db, coordinator, transport, log) : () => {}
  log.info({ duties, founders: deps.founders.length }, 'task duty started')
  return {
    coordinator,
    worker,
    async stop() {
      clearInterval(countsTimer)
      inbox()
      worker?.stop()
      await coordinator?.stop()
      await channels.stop()
      tracing?.close()
      db.close()
    },
  }
}

/** Polls task_requests: runs announced tasks (recording progress and the final report) and membership changes. */
function serveRequests(
  db: Database.Database,
  coordinator: TaskCoordinatorAdapter,
  transport: ReturnType<typeof gossipTaskTransport>,
  log: Logger,
): () => void {
  const take = db.prepare("SELECT id, action, body FROM task_requests WHERE state = 'new' ORDER BY id LIMIT 16")
  const update = db.prepare('UPDATE task_requests SET state = ?, result = ?, updated_ms = ? WHERE id = ?')
  const watching = new Map<string, number>()
  const record = (status: TaskStatus) => {
    const id = watching.get(status.taskId)
    if (id === undefined) return
    update.run(status.state === 'running' ? 'running' : status.state, JSON.stringify(statusJson(status)), Date.now(), id)
    if (status.state !== 'running') watching.delete(status.taskId)
  }
  const offLocal = coordinator.onStatus(record)
  const offRemote = transport.onStatus((_from, status) => record(status))
  const resend = new Map<string, ReturnType<typeof setInterval>>()
  const timer = setInterval(() => {
    for (const row of take.all() as { id: number; action: string; body: string }[]) {
      let body: TaskRequestBody
      try {
        body = JSON.parse(row.body) as TaskRequestBody
      } catch {
        update.run('failed', JSON.stringify({ reason: 'request body is not JSON' }), Date.now(), row.id)
        continue
      }
      if (row.action === 'run') {
        const taskId = body.taskId ?? newTaskId()
        const announce = {
          version: TASK_WIRE_VERSION,
          taskId,
          kind: body.kind ?? '',
          params: body.params ?? [],
          redundancy: body.redundancy ?? 1,
        }
        watching.set(taskId, row.id)
        update.run('announced', JSON.stringify({ taskId }), Date.now(), row.id)
        const send = () => {
          if (!watching.has(taskId)) return (clearInterval(resend.get(taskId)), resend.delete(taskId))
          transport.publishAnnounce(announce).catch(() => {})
        }
        send()
        resend.set(taskId, setInterval(send, 3000))
        log.info({ task: taskId, kind: announce.kind }, 'task announced by an admin request')
      } else if (row.action === 'add' || row.action === 'remove') {
        const change = row.action === 'add' ? { add: body.peer ?? '' } : { remove: body.peer ?? '' }
        void coordinator.changeMembership(change).then((problem) => {
          update.run(
            problem ? 'failed' : 'done',
            JSON.stringify(problem ? { reason: problem, leader: coordinator.status().leader } : { voters: coordinator.status().voters }),
            Date.now(),
            row.id,
          )
        })
      } else {
        update.run('failed', JSON.stringify({ reason: `unknown action ${row.action}` }), Date.now(), row.id)
      }
    }
  }, 500)
  return () => {
    clearInterval(timer)
    for (const t of resend.values()) clearInterval(t)
    offLocal()
    offRemote()
  }
}

/** A report as JSON for people and tools (bigint term as a number). */
export function statusJson(status: TaskStatus): Record<string, unknown> {
  return { ...status, term: Number(status.term) }
}

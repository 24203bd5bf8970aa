/**
 * How the task layer reaches the mesh. Coordinators exchange Raft messages and hear
 * announcements, pulls and results; workers hear assignments; initiators hear status reports.
 * Senders are PeerId strings the transport authenticated (the envelope's verified signer, after
 * the inbound gate's RBAC check of the kind's senders).
 */
import type { MeshGossip } from '../net/gossip'
import type { MessageKind, PayloadOf } from '../protocol/kind-spec'
import { TASK_WIRE_VERSION } from './state'
import type { TaskAnnounce, TaskAssign, TaskPull, TaskResultBatch, TaskStatus } from './wire.pb'
import type { TaskDirect, TaskDirectKind } from './peer-channels'

/** `traceparent`: the W3C trace context the message's envelope carried (workers/telemetry/task-trace.ts). */
type Handler<T> = (from: string, message: T, traceparent?: string) => void

/** Publishers take the traceparent to put in the envelope; tracedTaskTransport (workers/telemetry/task-trace.ts) supplies it. */
export interface CoordinatorTransport {
  sendRaft(to: string, message: Uint8Array): Promise<void>
  publishAssign(message: TaskAssign, traceparent?: string): Promise<void>
  publishStatus(message: TaskStatus, traceparent?: string): Promise<void>
  onRaft(handler: Handler<Uint8Array>): () => void
  onAnnounce(handler: Handler<TaskAnnounce>): () => void
  onPull(handler: Handler<TaskPull>): () => void
  /** Each batch as sent (the adapter checks its version and steps its results together). */
  onResult(handler: Handler<TaskResultBatch>): () => void
}

export interface WorkerTransport {
  publishPull(message: TaskPull): Promise<void>
  /** Several results under one signature (a burst of finished subtasks and re-sent copies). */
  publishResults(message: TaskResultBatch, traceparent?: string): Promise<void>
  /** Assignments addressed to this node (the transport filters by `worker`). */
  onAssign(handler: Handler<TaskAssign>): () => void
}

export interface InitiatorTransport {
  publishAnnounce(message: TaskAnnounce, traceparent?: string): Promise<void>
  onStatus(handler: Handler<TaskStatus>): () => void
}

export type TaskTransport = CoordinatorTransport & WorkerTransport & InitiatorTransport

export const TASK_GOSSIP_KINDS: readonly MessageKind[] = [
  'raft.message',
  'task.announce',
  'task.pull',
  'task.assign',
  'task.result',
  'task.status',
]

/**
 * Everything on the mesh's gossip, one topic per kind. Raft messages are addressed inside
 * (RaftPacket.to) and ignored by everyone else: coordinators are 3 to 5 and all follow the
 * log, so one shared topic costs little and needs no extra streams.
 */
export function gossipTaskTransport(gossip: MeshGossip, selfId: string, options: { readonly joinAll?: boolean } = {}): TaskTransport {
  // A node subscribes to the kinds it listens to (a worker hears no Raft traffic); a relay
  // joins them all so that it forwards every kind to the browsers behind it.
  const joined = new Set<MessageKind>()
  const join = (kind: MessageKind) => {
    if (joined.has(kind)) return
    joined.add(kind)
    gossip.join([kind])
  }
  if (options.joinAll) TASK_GOSSIP_KINDS.forEach(join)
  // Gossip never delivers to the publisher; a relay that is coordinator and worker at once hears itself here.
  const local = new Map<string, Set<Handler<any>>>()
  const on = <K extends MessageKind>(kind: K, handler: Handler<any>): (() => void) => {
    join(kind)
    let set = local.get(kind)
    if (!set) local.set(kind, (set = new Set()))
    set.add(handler)
    const off = gossip.on(kind, (accepted, from) => handler(from.toString(), accepted.payload, accepted.envelope.traceparent))
    return () => {
      set.delete(handler)
      off()
    }
  }
  const publish = async (kind: MessageKind, payload: unknown, traceparent?: string): Promise<void> => {
    for (const handler of local.get(kind) ?? []) queueMicrotask(() => handler(selfId, payload, traceparent))
    await gossip.publish(kind, payload as never, { traceparent })
  }
  return {
    sendRaft: (to, message) => publish('raft.message', { version: TASK_WIRE_VERSION, to, message }),
    publishAssign: (message, traceparent) => publish('task.assign', message, traceparent),
    publishStatus: (message, traceparent) => publish('task.status', message, traceparent),
    publishPull: (message) => publish('task.pull', message),
    publishResults: (message, traceparent) => publish('task.result', message, traceparent),
    publishAnnounce: (message, traceparent) => publish('task.announce', message, traceparent),
    onRaft: (handler) =>
      on('raft.message', (from, packet: { version: number; to: string; message: Uint8Array }) => {
        if (packet.version === TASK_WIRE_VERSION && packet.to === selfId) handler(from, packet.message)
      }),
    onAnnounce: (handler) => on('task.announce', handler),
    onPull: (handler) => on('task.pull', handler),
    onResult: (handler) => on('task.result', handler),
    onAssign: (handler) =>
      on('task.assign', (from, message: TaskAssign, traceparent) => {
        if (message.worker === selfId) handler(from, message, traceparent)
      }),
    onStatus: (handler) => on('task.status', handler),
  }
}

export const TASK_DIRECT_KINDS: readonly TaskDirectKind[] = ['raft.message.direct', 'task.assign.direct', 'task.result.direct']

/** Results a worker remembers having sent once (so a second copy is known as one). */
const SENT_RESULT_KEYS = 4096

/** How each addressed message left: `direct:<kind>`, `gossip:<kind>` (no connection) or `fallback:<kind>` (the direct send failed). */
export type RouteCounts = Record<string, number>

/**
 * Addressed traffic on direct channels, the rest on `inner` (gossip). Raft packets go to the
 * coordinator they are for, assignments to their worker, a worker's results to the coordinator
 * that last assigned it work (the leader, as far as it knows). When the peer has no open
 * connection, or the direct send fails, the message goes by gossip instead, so a peer that is
 * not directly reachable still gets it (through the relays' gossip forwarding). Losses on either
 * path are repaired as before: Raft retransmits, a leader re-sends an assignment a worker's pull
 * does not hold, and a worker re-sends an unacknowledged result — every second copy on gossip,
 * so that whichever coordinator leads by then hears it. Receivers listen on both paths.
 */
export function preferDirect(
  inner: TaskTransport,
  direct: TaskDirect,
  selfId: string,
  options: { readonly counts?: RouteCounts } = {},
): TaskTransport {
  const count = (route: 'direct' | 'gossip' | 'fallback', kind: TaskDirectKind) => {
    if (options.counts) options.counts[`${route}:${kind}`] = (options.counts[`${route}:${kind}`] ?? 0) + 1
  }
  const route = <K extends TaskDirectKind>(
    to: string | null,
    kind: K,
    payload: PayloadOf<K>,
    traceparent: string | undefined,
    gossip: () => Promise<void>,
  ): Promise<void> => {
    if (to === null || to === selfId || !direct.reachable(to)) {
      count('gossip', kind)
      return gossip()
    }
    count('direct', kind)
    return direct.send(to, kind, payload, { traceparent }).catch(() => {
      count('fallback', kind)
      return gossip()
    })
  }
  let leader: string | null = null
  const sentResults = new Set<string>()
  return {
    ...inner,
    sendRaft: (to, message) =>
      route(to, 'raft.message.direct', { version: TASK_WIRE_VERSION, to, message: message as Uint8Array<ArrayBuffer> }, undefined, () =>
        inner.sendRaft(to, message),
      ),
    publishAssign: (message, traceparent) =>
      route(message.worker, 'task.assign.direct', message, traceparent, () => inner.publishAssign(message, traceparent)),
    publishResults: (batch, traceparent) => {
      let again = false
      for (const result of batch.results) {
        const key = `${result.taskId}/${result.subtask}`
        if (sentResults.has(key)) again = true
        else {
          if (sentResults.size >= SENT_RESULT_KEYS) sentResults.delete(sentResults.values().next().value!)
          sentResults.add(key)
        }
      }
      return route(again ? null : leader, 'task.result.direct', batch, traceparent, () => inner.publishResults(batch, traceparent))
    },
    onRaft: (handler) => {
      const offGossip = inner.onRaft(handler)
      const offDirect = direct.on('raft.message.direct', (from, packet) => {
        if (packet.version === TASK_WIRE_VERSION && packet.to === selfId) handler(from, packet.message)
      })
      return () => (offGossip(), offDirect())
    },
    onAssign: (handler) => {
      const heard: typeof handler = (from, message, traceparent) => {
        leader = from
        handler(from, message, traceparent)
      }
      const offGossip = inner.onAssign(heard)
      const offDirect = direct.on('task.assign.direct', (from, message, traceparent) => {
        if (message.worker === selfId) heard(from, message, traceparent)
      })
      return () => (offGossip(), offDirect())
    },
    onResult: (handler) => {
      const offGossip = inner.onResult(handler)
      const offDirect = direct.on('task.result.direct', handler)
      return () => (offGossip(), offDirect())
    },
  }
}

/**
 * An in-memory bus for tests and benchmarks without libp2p: every published message reaches
 * every other member asynchronously (a microtask later), in order.
 */
export class MemoryTaskBus {
  private readonly members = new Map<string, Map<string, Set<Handler<any>>>>()

  transport(selfId: string): TaskTransport {
    const handlers = new Map<string, Set<Handler<any>>>()
    this.members.set(selfId, handlers)
    const on = (kind: string, handler: Handler<any>): (() => void) => {
      let set = handlers.get(kind)
      if (!set) handlers.set(kind, (set = new Set()))
      set.add(handler)
      return () => set.delete(handler)
    }
    const publish = async (kind: string, payload: unknown, traceparent?: string): Promise<void> => {
      for (const [id, member] of this.members) {
        if (id === selfId) continue
        for (const handler of member.get(kind) ?? []) queueMicrotask(() => handler(selfId, payload, traceparent))
      }
    }
    return {
      sendRaft: (to, message) => publish('raft.message', { to, message }),
      publishAssign: (message, traceparent) => publish('task.assign', message, traceparent),
      publishStatus: (message, traceparent) => publish('task.status', message, traceparent),
      publishPull: (message) => publish('task.pull', message),
      publishResults: (message, traceparent) => publish('task.result', message, traceparent),
      publishAnnounce: (message, traceparent) => publish('task.announce', message, traceparent),
      onRaft: (handler) =>
        on('raft.message', (from, packet: { to: string; message: Uint8Array }) => packet.to === selfId && handler(from, packet.message)),
      onAnnounce: (handler) => on('task.announce', handler),
      onPull: (handler) => on('task.pull', handler),
      onResult: (handler) => on('task.result', handler),
      onAssign: (handler) =>
        on('task.assign', (from, message: TaskAssign, traceparent) => message.worker === selfId && handler(from, message, traceparent)),
      onStatus: (handler) => on('task.status', handler),
    }
  }

  leave(selfId: string): void {
    this.members.delete(selfId)
  }
}

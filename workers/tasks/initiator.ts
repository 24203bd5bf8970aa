/**
 * Announcing a task and waiting for its result: re-announces until a coordinator reports it
 * finished (a leader change can lose the first announcement), and reports progress meanwhile.
 */
import { randomBytes } from '@noble/hashes/utils.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import type { AdapterClock } from '../consensus/adapter/types'
import type { InitiatorTransport } from './transport'
import { wallClock } from './adapter'
import { TASK_WIRE_VERSION } from './state'
import type { TaskAnnounce, TaskParam, TaskStatus } from './wire.pb'

export function newTaskId(): string {
  return bytesToHex(randomBytes(16))
}

export interface RunTaskOptions {
  readonly transport: InitiatorTransport
  readonly kind: string
  readonly params: readonly TaskParam[]
  readonly redundancy?: number
  readonly taskId?: string
  readonly timeoutMs?: number
  readonly reannounceMs?: number
  readonly onProgress?: (status: TaskStatus) => void
  /** For a coordinator announcing to itself as well (gossip does not deliver to the publisher). */
  readonly local?: (announce: TaskAnnounce) => void
  readonly clock?: AdapterClock
}

export function runTask(options: RunTaskOptions): Promise<TaskStatus> {
  const announce: TaskAnnounce = {
    version: TASK_WIRE_VERSION,
    taskId: options.taskId ?? newTaskId(),
    kind: options.kind,
    params: [...options.params],
    redundancy: options.redundancy ?? 1,
  }
  const clock = options.clock ?? wallClock
  return new Promise((resolve, reject) => {
    let cancelResend = (): void => {}
    const send = () => {
      options.local?.(announce)
      options.transport.publishAnnounce(announce).catch(() => {})
      cancelResend = clock.setTimer(options.reannounceMs ?? 3000, send)
    }
    const timeoutMs = options.timeoutMs ?? 10 * 60_000
    const cancelDeadline = clock.setTimer(timeoutMs, () => finish(new Error(`task ${announce.taskId} not finished within ${timeoutMs} ms`)))
    const off = options.transport.onStatus((_from, status) => {
      if (status.taskId !== announce.taskId) return
      options.onProgress?.(status)
      if (status.state !== 'running') finish(null, status)
    })
    function finish(error: Error | null, status?: TaskStatus): void {
      cancelResend()
      cancelDeadline()
      off()
      if (error) reject(error)
      else resolve(status!)
    }
    send()
  })
}

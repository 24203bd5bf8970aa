import type { MeshDatabase, FlRoundRow } from './db'
import { decodeTask, encodeTask, taskIdOf, type FlTask } from '../../workers/fl/task/spec'

/**
 * What a browser keeps of federated tasks, so the dashboard and the node's place in the task
 * come back after a reload: tasks, adopted rounds (descriptor + certificate, re-verifiable)
 * and committed models. A round and its model are written in one transaction.
 */
export class BrowserFlStore {
  constructor(private readonly db: MeshDatabase) {}

  async addTask(task: FlTask, nowMs = Date.now()): Promise<string> {
    const taskId = taskIdOf(task)
    await this.db.flTasks.put({ taskId, spec: encodeTask(task), receivedAtMs: nowMs })
    return taskId
  }

  /** Tasks whose stored definition still passes the checks (a row this version cannot read is skipped). */
  async tasks(): Promise<{ taskId: string; task: FlTask }[]> {
    const rows = await this.db.flTasks.toArray()
    return rows.flatMap((row) => {
      const decoded = decodeTask(row.spec)
      return decoded.ok ? [{ taskId: row.taskId, task: decoded.task }] : []
    })
  }

  async adopt(round: FlRoundRow, weights: Uint8Array): Promise<void> {
    await this.db.transaction('rw', this.db.flRounds, this.db.flModels, async () => {
      await this.db.flModels.put({ hash: round.modelHash, weights })
      await this.db.flRounds.put(round)
    })
  }

  async rounds(taskId: string): Promise<FlRoundRow[]> {
    return this.db.flRounds.where('taskId').equals(taskId).sortBy('round')
  }

  async latest(taskId: string): Promise<FlRoundRow | null> {
    const rounds = await this.rounds(taskId)
    return rounds.at(-1) ?? null
  }

  async model(hash: string): Promise<Uint8Array | null> {
    return (await this.db.flModels.get(hash))?.weights ?? null
  }
}

import type { FlDuty } from './fl-duty'
import type { FlStore } from './fl-store'
import { taskSpecToFeed, toBase64, validatorToJson, type TaskFeed } from '../workers/fl/mesh/task-feed'

/** `/api/fl/tasks`: the validator set this relay vouches for, and its tasks with every committed round (workers/fl/mesh/task-feed.ts). */
export function flTaskFeed(duty: FlDuty, store: FlStore): TaskFeed {
  return {
    validators: duty.validatorSet.validators.map(validatorToJson),
    tasks: store.tasks().map((stored) => {
      const status = duty.statusOf(stored.taskId)
      return {
        taskId: stored.taskId,
        spec: taskSpecToFeed(stored.task),
        state: stored.state,
        current: status ? { round: status.round, attempt: status.attempt, phase: status.phase, aggregator: status.aggregator } : null,
        committed: store.rounds(stored.taskId).map((r) => ({
          round: r.round,
          descriptor: toBase64(r.descriptor),
          certificate: toBase64(r.certificate),
          modelHash: r.modelHash,
          accuracy: r.accuracy,
          loss: r.loss,
          committedMs: r.committedMs,
        })),
      }
    }),
  }
}

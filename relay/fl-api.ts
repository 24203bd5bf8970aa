import type { FlDuty } from './fl-duty'
import type { FlStore } from './fl-store'
import { taskSpecToFeed, toBase64, validatorToJson, type TaskFeed } from '../workers/fl/mesh/task-feed'

/** `/api/fl/tasks`: the validator set this relay vouches for (with its CA's signed statement), and its tasks with every committed round (workers/fl/mesh/task-feed.ts). */
export function flTaskFeed(duty: FlDuty, store: FlStore, validatorSetStatement: Uint8Array | null): TaskFeed {
  return {
    validators: duty.validatorSet.validators.map((v) => validatorToJson(v, duty.addressesOf(v.id))),
    validatorSetStatement: validatorSetStatement ? toBase64(validatorSetStatement) : null,
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
          classAccuracy: r.classAccuracy,
          committedMs: r.committedMs,
        })),
      }
    }),
  }
}

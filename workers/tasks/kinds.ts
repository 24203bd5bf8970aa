import { TaskAnnounce, TaskAssign, TaskPull, TaskResultBatch, TaskStatus } from './wire.pb'
import { defineKinds, KiB, type PayloadsOf } from '../protocol/kind-spec'

/** Bounds shared by the kinds' decoders and the task state machine. */
export const TASK_LIMITS = {
  params: 32,
  paramBytes: 512,
  values: 1024,
  subtasks: 256,
  attemptsPerSubtask: 16,
  keys: 256,
  assignments: 64,
  /** Results in one task.result message (a worker's burst); more are sent as further messages. */
  results: 64,
  redundancy: 5,
} as const

/** Payload bytes a worker puts in one task.result (the envelope's limit below leaves room for the rest). */
export const RESULT_BATCH_BYTES = 96 * 1024

const paramLimits = { params: TASK_LIMITS.params }

/**
 * Agent tasks: an initiator announces, coordinators (the Raft leader) assign and report,
 * workers pull and return results. Which task kinds exist is code (workers/tasks/registry.ts);
 * a kind's own entry may ask more of an announcer than these senders (see announcers).
 */
export const taskKinds = defineKinds({
  'task.announce': {
    codec: TaskAnnounce.codec(),
    carrier: 'gossip',
    maxEnvelopeBytes: 24 * KiB,
    limits: paramLimits,
    senders: ['admin', 'coordinator'],
  },
  'task.pull': {
    codec: TaskPull.codec(),
    carrier: 'gossip',
    maxEnvelopeBytes: 24 * KiB,
    limits: { running: TASK_LIMITS.keys, unacked: TASK_LIMITS.keys },
    senders: ['worker'],
  },
  'task.assign': {
    codec: TaskAssign.codec(),
    carrier: 'gossip',
    maxEnvelopeBytes: 64 * KiB,
    limits: { assignments: TASK_LIMITS.assignments, assignments$: paramLimits, acked: TASK_LIMITS.keys },
    senders: ['coordinator'],
  },
  // The addressed kinds' direct twins: the same payload on a long-lived stream to the one peer it
  // is for (workers/tasks/peer-channels.ts), the gossip kind above being the fallback.
  'task.assign.direct': {
    codec: TaskAssign.codec(),
    carrier: 'stream',
    maxEnvelopeBytes: 64 * KiB,
    limits: { assignments: TASK_LIMITS.assignments, assignments$: paramLimits, acked: TASK_LIMITS.keys },
    senders: ['coordinator'],
  },
  'task.result': {
    codec: TaskResultBatch.codec(),
    carrier: 'gossip',
    maxEnvelopeBytes: 128 * KiB,
    limits: { results: TASK_LIMITS.results, results$: { values: TASK_LIMITS.values } },
    senders: ['worker'],
  },
  'task.result.direct': {
    codec: TaskResultBatch.codec(),
    carrier: 'stream',
    maxEnvelopeBytes: 128 * KiB,
    limits: { results: TASK_LIMITS.results, results$: { values: TASK_LIMITS.values } },
    senders: ['worker'],
  },
  'task.status': {
    codec: TaskStatus.codec(),
    carrier: 'gossip',
    maxEnvelopeBytes: 512 * KiB,
    limits: {
      params: TASK_LIMITS.params,
      result: TASK_LIMITS.values,
      subtasks: TASK_LIMITS.subtasks,
      subtasks$: {
        params: TASK_LIMITS.params,
        acceptedFrom: TASK_LIMITS.attemptsPerSubtask,
        attempts: TASK_LIMITS.attemptsPerSubtask,
        attempts$: { values: TASK_LIMITS.values },
      },
    },
    senders: ['coordinator'],
  },
})

declare module '../protocol/kind-spec' {
  interface MessageKindMap extends PayloadsOf<typeof taskKinds> {}
}

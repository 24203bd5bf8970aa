/**
 * Random fault schedules for task distribution, each determined by its seed: 3 or 5
 * coordinators, 3–7 workers (some slow, vanishing, restarting blank, lying or sending
 * garbage), one or two tasks with redundancy 1–3, message loss, delays, partitions and
 * coordinator crashes until GST; after it the network heals and every crashed coordinator
 * restarts, and every task must be reported finished to its initiator within a bound, with
 * exactly the result an undisturbed run computes.
 */
import { seededRandom, type Random } from './random'
import { TaskWorld, type WorkerBehaviour, type WorldOptions } from './world'
import { trueValues } from './world'
import { taskKind } from '../../../workers/tasks/registry'
import { parseParams } from '../../../workers/tasks/params'
import type { ImageDataset } from '../../../workers/fl/data/mnist-format'
import type { TaskAnnounce } from '../../../workers/tasks/wire.pb'
import { TASK_WIRE_VERSION } from '../../../workers/tasks/state'

export const LIVENESS_BOUND_MS = 60_000

/** A small labelled dataset of 4×4 "digits": the map step reads real pixels, fast. */
export function syntheticDataset(count = 400): ImageDataset {
  const random = seededRandom(0xda7a)
  const pixels = new Uint8Array(count * 16)
  const labels = new Uint8Array(count)
  for (let i = 0; i < count; i++) {
    labels[i] = random.int(0, 9)
    for (let p = 0; p < 16; p++) pixels[i * 16 + p] = random.int(0, 255)
  }
  return { count, rows: 4, cols: 4, pixels, labels, sha256: 'synthetic' }
}

const DATASET = syntheticDataset()

export function randomWorld(seed: number): { options: WorldOptions; random: Random } {
  const random = seededRandom(seed)
  const coordinators = random.pick([3, 3, 5])
  const redundancy = random.pick([1, 1, 2, 3])
  const honest = Math.max(2, redundancy) + random.int(0, 2)
  const extras: WorkerBehaviour[] = []
  const extraCount = random.int(0, 3)
  for (let i = 0; i < extraCount; i++) {
    const choices: WorkerBehaviour[] = ['slow', 'vanishes', 'amnesiac', 'malformed']
    // A liar wins undetected without redundancy, so liars appear only where a majority is taken; one at most.
    if (redundancy >= 2 && !extras.includes('liar')) choices.push('liar', 'liar')
    extras.push(random.pick(choices))
  }
  const workers = random.shuffle([...Array<WorkerBehaviour>(honest).fill('honest'), ...extras])
  const taskCount = random.pick([1, 1, 2])
  const tasks: TaskAnnounce[] = []
  for (let t = 0; t < taskCount; t++) {
    const kind = random.pick(['pixel-stats', 'pixel-stats', 'evaluate'])
    const params =
      kind === 'pixel-stats'
        ? [
            { name: 'samples', value: String(random.int(20, DATASET.count)) },
            { name: 'shards', value: String(random.int(1, 10)) },
          ]
        : [
            { name: 'samples', value: String(random.int(20, DATASET.count)) },
            { name: 'shards', value: String(random.int(1, 6)) },
            { name: 'modelSeed', value: String(random.int(0, 99)) },
            { name: 'pretrainSteps', value: String(random.int(0, 10)) },
          ]
    tasks.push({ version: TASK_WIRE_VERSION, taskId: `task-${seed}-${t}`, kind, params, redundancy })
  }
  const gstMs = random.pick([0, 1000, 3000, 6000])
  const crashes: WorldOptions['crashes'][number][] = []
  const partitions: WorldOptions['partitions'][number][] = []
  if (gstMs > 0) {
    for (let i = random.int(0, 2); i > 0; i--) {
      const at = random.int(0, gstMs - 1)
      crashes.push({ index: random.int(0, coordinators - 1), at, restartAt: random.int(at + 1, gstMs) })
    }
    for (let i = random.int(0, 2); i > 0; i--) {
      const ids = random.shuffle(Array.from({ length: coordinators }, (_, k) => k))
      const cut = random.int(1, coordinators - 1)
      partitions.push({ at: random.int(0, gstMs - 1), groups: [ids.slice(0, cut), ids.slice(cut)] })
    }
  }
  return {
    random,
    options: {
      coordinators,
      workers,
      dataset: DATASET,
      tasks,
      gstMs,
      beforeGst: { delayMs: [1, random.pick([20, 80, 200])], dropRate: random.pick([0, 0.05, 0.2, 0.4]) },
      afterGst: { delayMs: [1, 10], dropRate: 0 },
      crashes,
      partitions,
      unitsPerS: random.pick([500, 2000, 10_000]),
      vanishAt: random.int(0, gstMs + 1000),
    },
  }
}

export function describeWorld(options: WorldOptions): string {
  return JSON.stringify({ ...options, dataset: `${options.dataset.count} digits` })
}

/** The result an undisturbed, honest run computes: the kind's reduce over true values. */
export function expectedResult(dataset: ImageDataset, announce: TaskAnnounce): readonly number[] {
  const kind = taskKind(announce.kind)!
  const parsed = parseParams(kind.parameters, announce.params)
  if (!parsed.ok) throw new Error(parsed.reason)
  const subtasks = kind.split(parsed.params)
  return kind.reduce(
    parsed.params,
    subtasks,
    subtasks.map((s) => trueValues(dataset, announce.kind, s.params)),
  ).values
}

export interface WorldReport {
  readonly violations: readonly string[]
  readonly endedAt: number
  readonly delivered: number
  /** Result messages that carried more than one result (the batching was exercised). */
  readonly multiResultBatches: number
}

/** Runs one seed and returns every violation of safety, exactly-once or liveness. */
export function runWorld(seed: number): WorldReport {
  const { options, random } = randomWorld(seed)
  return checkWorld(options, random).report
}

/** Runs a world to the bound and checks it; returns the world for tests that look further. */
export function checkWorld(options: WorldOptions, random: Random): { report: WorldReport; world: TaskWorld } {
  const world = new TaskWorld(options, random)
  world.run(options.gstMs + LIVENESS_BOUND_MS)
  const violations = [...world.violations]
  for (const announce of options.tasks) {
    const report = world.reports.get(announce.taskId)
    if (!report || report.state === 'running') {
      violations.push(`liveness: task ${announce.taskId} not reported finished by ${world.now} ms (GST ${options.gstMs} ms)`)
      continue
    }
    if (report.state !== 'done') {
      violations.push(`task ${announce.taskId} failed: ${report.reason}`)
      continue
    }
    const expected = expectedResult(options.dataset, announce)
    if (report.result.length !== expected.length || report.result.some((v, i) => v !== expected[i]))
      violations.push(
        `task ${announce.taskId}: result ${JSON.stringify(report.result)} differs from the undisturbed ${JSON.stringify(expected)}`,
      )
    for (const subtask of report.subtasks) {
      if (!subtask.accepted) violations.push(`task ${announce.taskId} done with subtask ${subtask.index} not accepted`)
      for (const worker of subtask.acceptedFrom) {
        const behaviour = options.workers[Number(worker.slice(1))]
        if (behaviour === 'liar' || behaviour === 'malformed')
          violations.push(`task ${announce.taskId} subtask ${subtask.index} accepted a ${behaviour} worker's result`)
      }
      if (subtask.acceptedFrom.length < Math.floor(announce.redundancy / 2) + 1)
        violations.push(
          `subtask ${subtask.index} accepted with ${subtask.acceptedFrom.length} agreeing results (redundancy ${announce.redundancy})`,
        )
    }
    // Every live coordinator that applied the task holds the same final result.
    for (const slot of world.coordinators) {
      const task = slot.node?.task(announce.taskId)
      if (task && task.state !== 'running' && (task.result.length !== expected.length || task.result.some((v, i) => v !== expected[i])))
        violations.push(`${slot.id} holds a different result for ${announce.taskId}`)
    }
  }
  return { report: { violations, endedAt: world.now, delivered: world.delivered, multiResultBatches: world.multiResultBatches }, world }
}

import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../sim/tasks/random'
import { checkWorld, expectedResult, syntheticDataset } from '../../sim/tasks/schedule'
import type { WorldOptions } from '../../sim/tasks/world'
import { TASK_WIRE_VERSION } from '../../../workers/tasks/state'

const dataset = syntheticDataset()

function world(overrides: Partial<WorldOptions>): WorldOptions {
  return {
    coordinators: 3,
    workers: ['honest', 'honest', 'honest', 'slow'],
    dataset,
    tasks: [
      {
        version: TASK_WIRE_VERSION,
        taskId: 'task-stats',
        kind: 'pixel-stats',
        params: [
          { name: 'samples', value: '400' },
          { name: 'shards', value: '12' },
        ],
        redundancy: 1,
      },
      {
        version: TASK_WIRE_VERSION,
        taskId: 'task-eval',
        kind: 'evaluate',
        params: [
          { name: 'samples', value: '300' },
          { name: 'shards', value: '6' },
        ],
        redundancy: 2,
      },
    ],
    gstMs: 0,
    beforeGst: { delayMs: [1, 10], dropRate: 0 },
    afterGst: { delayMs: [1, 10], dropRate: 0 },
    crashes: [],
    partitions: [],
    unitsPerS: 200,
    vanishAt: 1e9,
    ...overrides,
  }
}

describe('coordinator failover', () => {
  it('a new leader continues from the log after the leader is killed mid-task: same result as undisturbed, nothing counted twice', () => {
    const calm = checkWorld(world({}), seededRandom(7))
    expect(calm.report.violations).toEqual([])
    const killedAt = 6000
    const disturbed = checkWorld(world({ killLeaderAt: killedAt }), seededRandom(7))
    expect(disturbed.report.violations).toEqual([])
    const { world: run } = disturbed
    expect(run.killedLeader).not.toBeNull()
    // Mid-task: some evaluation subtasks finished under the killed leader, some after it.
    const finished = run.reports
      .get('task-eval')!
      .subtasks.flatMap((s) => s.attempts.filter((a) => a.state === 'done').map((a) => a.finishedMs))
    expect(finished.some((at) => at < killedAt)).toBe(true)
    expect(finished.some((at) => at > killedAt)).toBe(true)
    expect(Number(run.reports.get('task-eval')!.term)).toBeGreaterThan(run.killedTerm)
    for (const task of world({}).tasks) {
      const report = run.reports.get(task.taskId)!
      expect(report.result).toEqual(calm.world.reports.get(task.taskId)!.result)
      expect(report.result).toEqual(expectedResult(dataset, task))
      expect(report.subtasks.every((s) => s.accepted)).toBe(true)
    }
  })

  it('negative control: without redundancy a liar goes undetected, and the checker says so', () => {
    const { report } = checkWorld(world({ workers: ['liar', 'liar', 'liar'], tasks: [world({}).tasks[0]] }), seededRandom(3))
    expect(report.violations.join('\n')).toMatch(/differs from the undisturbed|accepted a liar/)
  })

  it('negative control: with every worker gone the task is reported as not finished', () => {
    const { report } = checkWorld(world({ workers: ['vanishes', 'vanishes'], vanishAt: 0 }), seededRandom(3))
    expect(report.violations.join('\n')).toMatch(/liveness/)
  })
})

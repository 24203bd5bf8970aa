import { describe, expect, it } from 'vitest'
import { expectedRuns } from '../../sim/seeds'
import { checkTaskSchedules } from './schedules'

// Task distribution under random fault schedules: 1,000 seeds in all (501-1000 here, 1-500 in
// the sibling file, so the two run in parallel). 3 or 5 coordinators running the real Raft
// core, task state machine and scheduler; 3-7 workers, some slow, vanishing, restarting blank,
// lying or malformed; loss, delays, partitions and coordinator crashes before GST. Each seed
// asserts: one leader per term, no committed entry lost, every task reported done with exactly
// the result of an undisturbed honest run (each subtask's result counted once), within 60 s after GST.
describe('task distribution under random fault schedules', () => {
  it('keeps Raft safe and finishes every task with the undisturbed result, seeds 501-1000', () => {
    const { ran, slowestMs, delivered, multiResultBatches } = checkTaskSchedules(501, 500, 'tests/unit/tasks/schedules-b.test.ts')
    console.log(
      `${ran} schedules, ${delivered} messages, ${multiResultBatches} multi-result batches; slowest finished at ${Math.round(slowestMs)} virtual ms`,
    )
    // Workers send what finishes together as one task.result: batches of several results are stepped (each checked alone).
    if (ran > 1) expect(multiResultBatches).toBeGreaterThan(0)
    expect(ran).toBe(expectedRuns(500))
  })
})

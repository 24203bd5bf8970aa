import { seededRandom } from './tests/sim/random'
import { checkWorld, syntheticDataset } from './tests/sim/tasks/schedule'
import { TASK_WIRE_VERSION } from './workers/tasks/state'
const dataset = syntheticDataset()
const o: any = { coordinators: 3, workers: ['honest', 'honest', 'honest', 'slow'], dataset,
    tasks: [
      { version: TASK_WIRE_VERSION, taskId: 'task-stats', kind: 'pixel-stats', params: [{ name: 'samples', value: '400' }, { name: 'shards', value: '12' }], redundancy: 1 },
      { version: TASK_WIRE_VERSION, taskId: 'task-eval', kind: 'evaluate', params: [{ name: 'samples', value: '300' }, { name: 'shards', value: '6' }], redundancy: 2 },
    ], gstMs: 0, beforeGst: { delayMs: [1, 10], dropRate: 0 }, afterGst: { delayMs: [1, 10], dropRate: 0 }, crashes: [], partitions: [], unitsPerS: 200, vanishAt: 1e9, killLeaderAt: 2500 }
const { world } = checkWorld(o, seededRandom(7))
console.log(world.killedLeader)
for (const r of world.reports.values()) { console.log(r.taskId, r.coordinator, r.finishedMs); for (const s of r.subtasks) console.log('  ', s.index, s.attempts.map(a => `${a.worker}:${a.state}:${a.assignedMs}-${Math.round(a.finishedMs)}`).join(' ')) }

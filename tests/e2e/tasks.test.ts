import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { copyFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Browser } from 'playwright-core'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { RelayProcess } from './harness/relay-process'
import { launchChromium, openDevice, type Device } from './harness/browser'
import { waitUntil } from './harness/wait'
import { CA_CERT_FILE, CA_KEY_FILE, loadOrCreateAuthority } from '../../relay/ca-files'
import { loadOrCreateRelayKey } from '../../relay/identity'
import { openTaskDatabase } from '../../relay/tasks'
import { selectBackend } from '../../workers/fl/model/backend'
import { nodeBackendOptions } from '../../workers/fl/node/backend'
import { loadMnistNode } from '../../workers/fl/node/mnist-data'
import { parseParams } from '../../workers/tasks/params'
import { taskKind } from '../../workers/tasks/registry'
import { runSubtask } from '../../workers/tasks/run'

const root = resolve(import.meta.dirname, '../..')

// Agent tasks over the real mesh. Three coordinators run the task log with Raft: two relay
// processes (founders) and a browser an operator grants the coordinator role and adds to the
// group live. Four workers run the subtasks: the hub relay process and three browsers (the
// coordinator browser keeps the worker role every browser joins with). A hyperparameter sweep
// and an evaluation run at once; as soon as the first subtask is in, the Raft leader is killed
// (SIGKILL for a relay, closing the page for the browser). Both tasks must still finish, every
// subtask in the result exactly once, and agree with an undisturbed run of the same registry
// code in this process (within the tolerance the kind itself uses to compare two workers'
// results: backends round differently).

const SWEEP = {
  taskId: 'e2e-sweep-0001',
  kind: 'hyperparameter',
  params: [
    { name: 'learningRates', value: '0.05,0.1,0.2,0.4' },
    { name: 'batchSizes', value: '16,32' },
    { name: 'steps', value: '15' },
    { name: 'seed', value: '3' },
  ],
}
const EVALUATION = {
  taskId: 'e2e-evaluate-0001',
  kind: 'evaluate',
  params: [
    { name: 'samples', value: '1600' },
    { name: 'shards', value: '8' },
    { name: 'modelSeed', value: '5' },
    { name: 'pretrainSteps', value: '10' },
  ],
}
const TASKS = [SWEEP, EVALUATION]
const SUBTASKS = 16

interface Report {
  state: string
  coordinator: string
  term: number
  result: number[]
  subtasks: {
    index: number
    accepted: boolean
    acceptedFrom: string[]
    params: { name: string; value: string }[]
    attempts: { worker: string; state: string; values: number[] }[]
  }[]
}

/** Runs a relay CLI command against a data dir, as an operator would. */
function cli(dataDir: string, ...args: string[]): { code: number | null; out: string } {
  const result = spawnSync(join(root, 'node_modules/.bin/tsx'), ['relay/cli.ts', ...args, '--data-dir', dataDir], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}` },
  })
  return { code: result.status, out: `${result.stdout}${result.stderr}` }
}

/** The latest report a coordinator relay recorded for each task request (what `task run` prints). */
function reports(relay: RelayProcess): Map<string, Report> {
  const db = openTaskDatabase(relay.dataDir)
  try {
    const rows = db.prepare("SELECT body, result FROM task_requests WHERE action = 'run'").all() as {
      body: string
      result: string | null
    }[]
    const out = new Map<string, Report>()
    for (const row of rows) {
      const report = row.result ? (JSON.parse(row.result) as Report & { taskId?: string }) : null
      if (report?.state) out.set((JSON.parse(row.body) as { taskId: string }).taskId, report)
    }
    return out
  } finally {
    db.close()
  }
}

function accepted(relays: RelayProcess[]): number {
  let most = 0
  for (const relay of relays) {
    let count = 0
    for (const report of reports(relay).values()) count += report.subtasks.filter((s) => s.accepted).length
    most = Math.max(most, count)
  }
  return most
}

async function raftRole(relay: RelayProcess): Promise<{ role: string; voters: string[]; term: number } | null> {
  try {
    const raft = (await relay.health()).tasks?.raft
    return raft ? { role: raft.role, voters: raft.voters, term: raft.term } : null
  } catch {
    return null
  }
}

async function browserRaft(device: Device): Promise<{ role: string; voters: string[]; term: number } | null> {
  const tasks = await device.page.evaluate(() => (window as any).agentMesh.tasks())
  return tasks.coordinator?.view ?? null
}

let backendReady: Promise<unknown> | undefined

/** The same registry code, undisturbed and in one process: split, run every subtask, in order. */
async function reference(task: (typeof TASKS)[number]): Promise<number[][]> {
  const spec = taskKind(task.kind)!
  const parsed = parseParams(spec.parameters, task.params)
  if (!parsed.ok) throw new Error(parsed.reason)
  await backendReady
  const dataset = loadMnistNode()
  const values: number[][] = []
  for (const [index, subtask] of spec.split(parsed.params).entries()) {
    const params = Object.entries(subtask.params).map(([name, value]) => ({ name, value: String(value) }))
    values.push(await runSubtask({ taskId: task.taskId, subtask: index, kind: task.kind, params, leaseUntilMs: 0, weight: 1 }, { dataset }))
  }
  return values
}

describe('agent tasks: Raft coordinators (relays and a browser) and workers (relay and browsers) over the mesh', () => {
  let hub: RelayProcess
  let founders: RelayProcess[] = []
  let browser: Browser
  const devices: Device[] = []
  let coordinatorBrowser: Device
  const peerIds = new Map<unknown, string>()

  beforeAll(async () => {
    // One CA for the whole deployment: the browsers' credentials come from the hub, and the
    // coordinator relays must accept their pulls and results (copying ca.key and ca.crt into
    // each data dir is how an operator runs several relays under one CA).
    hub = await RelayProcess.create({ extraArgs: ['--task-duty', 'worker'] })
    await loadOrCreateAuthority(hub.dataDir)
    founders = await Promise.all([0, 1].map(() => RelayProcess.create()))
    for (const relay of founders) {
      for (const file of [CA_KEY_FILE, CA_CERT_FILE]) copyFileSync(join(hub.dataDir, file), join(relay.dataDir, file))
      peerIds.set(relay, peerIdFromPrivateKey((await loadOrCreateRelayKey(relay.dataDir)).key).toString())
    }
    const [hubInfo, launched] = await Promise.all([hub.start(), launchChromium()])
    browser = launched
    peerIds.set(hub, hubInfo.peerId)
    const hubAddress = hubInfo.multiaddrs.find((a) => a.includes('/ws')) ?? hubInfo.multiaddrs[0]
    const coordinators = founders.map((r) => peerIds.get(r)!).join(',')
    await Promise.all([
      ...founders.map((r) => r.start(['--task-duty', 'coordinator', '--task-coordinators', coordinators, '--peers', hubAddress])),
      // wasm, like the relays' workers, so results differ only by how each machine rounds.
      ...[0, 1, 2].map(async () => devices.push(await openDevice(browser, `${hubInfo.url}?backend=wasm`))),
    ])
    coordinatorBrowser = devices[2]
    for (const device of devices) peerIds.set(device, await device.page.evaluate(() => (window as any).agentMesh.peerId()))
  })

  afterAll(async () => {
    await browser?.close()
    await Promise.all([hub, ...founders].map((r) => r?.stop()))
  })

  it('adds a browser coordinator live, survives killing the leader mid-task, and returns each subtask once', async () => {
    // The operator grants a browser the coordinator role, then adds it to the Raft group on the leader.
    const browserId = peerIds.get(coordinatorBrowser)!
    const granted = cli(hub.dataDir, 'grant', '--peer', browserId, '--role', 'coordinator')
    expect(granted.code, granted.out).toBe(0)
    const joined = async () => {
      await waitUntil(
        () => browserRaft(coordinatorBrowser),
        (view) => view !== null,
        'the browser to start its coordinator',
        90_000,
      )
      const leaderRelay = await waitUntil(
        async () => {
          for (const relay of founders) if ((await raftRole(relay))?.role === 'leader') return relay
          return null
        },
        (relay) => relay !== null,
        'a leader among the founding coordinator relays',
        90_000,
      )
      const added = cli(leaderRelay!.dataDir, 'task', 'coordinators', '--add', browserId)
      expect(added.code, added.out).toBe(0)
      await waitUntil(
        async () => [...(await Promise.all(founders.map(raftRole))), await browserRaft(coordinatorBrowser)],
        (views) => views.every((v) => v?.voters.length === 3 && v.voters.includes(browserId)),
        'three coordinators, the browser among them, on every node',
        90_000,
      )
    }
    const working = () =>
      waitUntil(
        () => Promise.all(devices.map((d) => d.page.evaluate(() => (window as any).agentMesh.tasks().workerState))),
        (states) => states.every((s) => s === 'on'),
        'the browsers to work',
        90_000,
      )
    await Promise.all([joined(), working()])

    backendReady ??= selectBackend(nodeBackendOptions({ calibrate: false }))
    // Both tasks, announced through both founding relays' request tables (whichever survives reports).
    for (const relay of founders) {
      const db = openTaskDatabase(relay.dataDir)
      const insert = db.prepare("INSERT INTO task_requests (action, body, state, created_ms, updated_ms) VALUES ('run', ?, 'new', ?, ?)")
      for (const task of TASKS) insert.run(JSON.stringify({ ...task, redundancy: 1 }), Date.now(), Date.now())
      db.close()
    }
    await waitUntil(
      () => accepted(founders),
      (n) => n >= 1,
      'the first accepted subtask',
      180_000,
    )

    // Kill whoever leads now: a relay with SIGKILL, the browser by closing its page.
    let killed = ''
    let survivors = founders
    for (const relay of founders) {
      if ((await raftRole(relay))?.role !== 'leader') continue
      killed = peerIds.get(relay)!
      relay.kill()
      survivors = founders.filter((r) => r !== relay)
      break
    }
    if (!killed && (await browserRaft(coordinatorBrowser))?.role === 'leader') {
      killed = browserId
      await coordinatorBrowser.context.close()
    }
    expect(killed, 'a leader to kill').not.toBe('')
    const acceptedAtKill = accepted(founders)
    expect(acceptedAtKill).toBeLessThan(SUBTASKS)
    // The undisturbed run, computed meanwhile.
    const expectedRuns = (async () => {
      const runs: number[][][] = []
      for (const task of TASKS) runs.push(await reference(task))
      return runs
    })()

    const final = await waitUntil(
      () => reports(survivors[0]),
      (r) => TASKS.every((t) => r.get(t.taskId) && r.get(t.taskId)!.state !== 'running'),
      'both tasks to finish after the leader was killed',
      180_000,
    )
    const expectedByTask = await expectedRuns
    for (const [taskIndex, task] of TASKS.entries()) {
      const report = final.get(task.taskId)!
      expect(report.state, JSON.stringify(report)).toBe('done')
      // A later leader finished it: from the replicated log, not the killed node's memory.
      expect(report.coordinator).not.toBe(killed)
      const spec = taskKind(task.kind)!
      const parsed = parseParams(spec.parameters, task.params)
      if (!parsed.ok) throw new Error(parsed.reason)
      const subtasks = spec.split(parsed.params)
      expect(report.subtasks.map((s) => s.index)).toEqual(subtasks.map((_, i) => i))
      const expected = expectedByTask[taskIndex]
      const got: number[][] = []
      for (const subtask of report.subtasks) {
        // Exactly once: one accepted worker, one done attempt from it; any other copy was not counted.
        expect(subtask.accepted).toBe(true)
        expect(subtask.acceptedFrom).toHaveLength(1)
        const counted = subtask.attempts.filter((a) => a.state === 'done')
        expect(counted.map((a) => a.worker)).toEqual(subtask.acceptedFrom)
        got.push(counted[0].values)
        expect(spec.agree(subtasks[subtask.index], expected[subtask.index], counted[0].values), `subtask ${subtask.index}`).toBe(true)
      }
      // The final result is the kind's reduction of exactly those results.
      expect(report.result).toEqual([...spec.reduce(parsed.params, subtasks, got).values])
    }
    // The evaluation covered each test digit once: the count is exact whatever the backend.
    expect(final.get(EVALUATION.taskId)!.result[2]).toBe(1600)
    // The work was shared out: the leaders handed subtasks to more than one worker. Whose copy
    // counts is a race (a fast worker steals a slow one's straggler and may commit first; CI once
    // saw the hub relay's copies win every subtask), so the spread is checked on the attempts.
    const attemptsBy = new Map<string, number>()
    for (const task of TASKS)
      for (const subtask of final.get(task.taskId)!.subtasks)
        for (const attempt of subtask.attempts) attemptsBy.set(attempt.worker, (attemptsBy.get(attempt.worker) ?? 0) + 1)
    expect(attemptsBy.size, JSON.stringify([...attemptsBy])).toBeGreaterThanOrEqual(2)
    const workers = new Set(TASKS.flatMap((t) => final.get(t.taskId)!.subtasks.flatMap((s) => s.acceptedFrom)))
    const kinds = (id: string) => (id === peerIds.get(hub) ? 'relay' : devices.some((d) => peerIds.get(d) === id) ? 'browser' : 'other')
    console.log(
      `killed the leader (${killed === browserId ? 'browser' : 'relay'}) at ${acceptedAtKill}/${SUBTASKS} subtasks; finished by ${TASKS.map((t) => final.get(t.taskId)!.coordinator.slice(-6)).join(', ')}; attempts by worker: ${[...attemptsBy].map(([id, n]) => `${kinds(id)} ${n}`).join(', ')}; counted from: ${[...workers].map(kinds).join(', ')}`,
    )

    // The operator's metrics count the tasks from the survivor's replicated log.
    await expect
      .poll(async () => await survivors[0].metrics(), { timeout: 30_000, interval: 500 })
      .toMatch(/^mesh_tasks\{state="done"\} 2$/m)
    expect(await survivors[0].metrics()).toMatch(new RegExp(`^mesh_subtasks\\{state="done"\\} ${SUBTASKS}$`, 'm'))
    // Its phase histogram saw both tasks through the log taking them, their first assignments and their runs.
    const phases = (await survivors[0].metrics()).split('\n').filter((line) => line.startsWith('mesh_task_phase_seconds_count'))
    console.log(`survivor's task phases:\n${phases.join('\n')}`)
    for (const phase of ['elect', 'assign', 'run'])
      expect(phases.join('\n')).toMatch(new RegExp(`^mesh_task_phase_seconds_count\\{phase="${phase}"\\} 2$`, 'm'))
    // Every addressed message is counted by route. Here the coordinators reach each other only
    // through the hub relay, so their Raft travels by the gossip fallback (README, Agent tasks).
    const routed = (await survivors[0].metrics()).split('\n').filter((line) => line.startsWith('mesh_task_messages{'))
    console.log(`survivor's addressed task messages by route:\n${routed.join('\n')}`)
    expect(routed.join('\n')).toMatch(/^mesh_task_messages\{route="(direct|gossip|fallback)",kind="raft\.message\.direct"\} [1-9]\d*$/m)
  })
})

import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { join } from 'node:path'
import { expect } from 'vitest'
import type { Browser } from 'playwright-core'
import { launchChromium, openDevice, waitForRelay, type Device } from './browser'
import { RelayProcess } from './relay-process'
import { fromBase64, type TaskFeed } from '../../../workers/fl/mesh/task-feed'
import { decodeDescriptor } from '../../../workers/fl/round/codec'
import { secureSubmissionTicket } from '../../../workers/fl/round/secure-reexecute'

const root = join(import.meta.dirname, '../../..')

/** What the test build's `agentMesh.flState()` reports of this browser's federated task. */
export interface FlState {
  joined: boolean
  error: string
  taskId: string | null
  status: { round: number; phase: string; cohort: string[] } | null
  rounds: {
    round: number
    modelHash: string
    accuracy: number | null
    classAccuracy: (number | null)[] | null
    verified: boolean
    adopted: boolean
    signers: number
  }[]
  /** Which validator set the page checks certificates against (app/fl/federated.svelte.ts TrustView). */
  trust: { validators: number; ca: string | null; issuedAtMs: number | null; warning: string | null; followedAtMs: number | null } | null
}

export const flState = (d: Device): Promise<FlState> => d.page.evaluate(() => (window as any).agentMesh.flState())

/** Rounds whose certificate this browser verified and whose model it adopted. */
export const adoptedRounds = async (d: Device): Promise<number> => (await flState(d)).rounds.filter((r) => r.verified && r.adopted).length

/**
 * Creates a task with the relay CLI in a relay's data dir, as an operator would, before the
 * relay starts (a relay that finds a task creates no default one). `options` are `fl create`
 * flags without the dashes. Returns the task id.
 */
export async function createFlTask(dataDir: string, options: Record<string, string | number>): Promise<string> {
  const flags = Object.entries(options).flatMap(([name, value]) => [`--${name}`, String(value)])
  const { stdout } = await promisify(execFile)(
    join(root, 'node_modules/.bin/tsx'),
    ['relay/cli.ts', 'fl', 'create', ...flags, '--data-dir', dataDir],
    { cwd: root },
  )
  const id = /[0-9a-f]{64}/.exec(stdout)?.[0]
  if (!id) throw new Error(`fl create printed no task id: ${stdout}`)
  return id
}

/** Rounds the relay's store holds as committed for its (only) task, read with `fl list` while the relay is stopped. */
export async function committedRoundsInStore(dataDir: string): Promise<number> {
  const { stdout } = await promisify(execFile)(join(root, 'node_modules/.bin/tsx'), ['relay/cli.ts', 'fl', 'list', '--data-dir', dataDir], {
    cwd: root,
  })
  const found = / (\d+)\/\d+ rounds /.exec(stdout)
  if (!found) throw new Error(`fl list printed no committed rounds: ${stdout}`)
  return Number(found[1])
}

/** What each browser's federated card and log said, for a test that timed out: its state and its last `lines` round-related log lines. */
export async function printBrowserFlState(devices: readonly Device[], lines = 30): Promise<void> {
  for (const [i, d] of devices.entries()) {
    console.log(`browser ${i}:`, JSON.stringify(await flState(d).catch((e) => String(e))))
    console.log(
      d.logs
        .filter((l) => /fl|round|error|warn/i.test(l))
        .slice(-lines)
        .join('\n'),
    )
  }
}

/** One relay with a federated task created by its CLI before it starts, and trainer browsers on it, each its own device. */
export interface FlMesh {
  readonly relay: RelayProcess
  readonly browser: Browser
  readonly devices: Device[]
}

export async function startFlMesh(task: Record<string, string | number>, trainers: number): Promise<FlMesh> {
  const relay = await RelayProcess.create({ fl: true })
  await createFlTask(relay.dataDir, task)
  await relay.start()
  const browser = await launchChromium()
  const devices: Device[] = []
  for (let i = 0; i < trainers; i++) devices.push(await openDevice(browser, relay.info!.url))
  await Promise.all(devices.map((d) => waitForRelay(d.page)))
  return { relay, browser, devices }
}

/**
 * Every device ended without an error on one model for `round`; returns their states. The model's
 * accuracy by round, as the device's relay evaluated it, goes to the log under `label`.
 */
export async function expectOneModel(devices: readonly Device[], round: number, label: string): Promise<FlState[]> {
  const states = await Promise.all(devices.map(flState))
  for (const s of states) expect(s.error).toBe('')
  expect(new Set(states.map((s) => s.rounds.find((r) => r.round === round)!.modelHash)).size).toBe(1)
  const accuracy = states[0].rounds.map((r) => r.accuracy ?? 0)
  console.log(`${label}, accuracy by round: ${accuracy.map((x) => (x * 100).toFixed(1)).join(' % → ')} %`)
  return states
}

/**
 * The relay's task feed holds `rounds` committed rounds, each from secure aggregation: its
 * descriptor names a transcript, and its inputs are signed tickets (never an update blob) of at
 * least `minInputs` trainers.
 */
export async function expectSecureCommits(relayUrl: string, rounds: number, minInputs: number): Promise<void> {
  const feed = (await (await fetch(new URL('/api/fl/tasks', relayUrl))).json()) as TaskFeed
  expect(feed.tasks[0].committed).toHaveLength(rounds)
  for (const c of feed.tasks[0].committed) {
    const d = decodeDescriptor(fromBase64(c.descriptor))
    if (!d.ok) throw new Error(`committed descriptor does not decode: ${d.reason}`)
    expect(d.value.transcript).toMatch(/^[0-9a-f]{64}$/)
    expect(d.value.inputs.length).toBeGreaterThanOrEqual(minInputs)
    for (const input of d.value.inputs) expect(input.update).toBe(secureSubmissionTicket(d.value.taskId, d.value.round, input.trainer))
  }
}

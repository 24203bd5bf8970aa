import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { join } from 'node:path'
import type { Device } from './browser'

const root = join(import.meta.dirname, '../../..')

/** What the test build's `agentMesh.flState()` reports of this browser's federated task. */
export interface FlState {
  joined: boolean
  error: string
  taskId: string | null
  status: { round: number; phase: string; cohort: string[] } | null
  rounds: { round: number; modelHash: string; accuracy: number | null; verified: boolean; adopted: boolean; signers: number }[]
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

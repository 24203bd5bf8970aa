/**
 * A relay loads tfjs (and its ~45 MB of model code) only with a duty that trains or evaluates:
 * federated tasks (--fl on) or the agent-task worker. Importing the relay itself must not pull it
 * in, or every relay pays for it (README, Benchmarks: relay). Checked in a fresh Node process,
 * whose CommonJS module cache lists what tfjs's packages loaded.
 */
import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../../..')

/** How many @tensorflow modules a fresh process holds after importing `module`. */
function tensorflowModulesAfterImporting(module: string): number {
  const code = [
    `await import(${JSON.stringify(resolve(root, module))})`,
    `const { createRequire } = await import('node:module')`,
    `const Module = createRequire(import.meta.url)('node:module')`,
    `console.log(Object.keys(Module._cache).filter((path) => path.includes('@tensorflow')).length)`,
  ].join('\n')
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`probe of ${module} failed: ${run.stderr}`)
  return Number(run.stdout.trim().split('\n').at(-1))
}

describe('relay duties load what they need when they start', () => {
  it('the relay and its task duty import no tfjs; the federated duty does (the probe sees it)', () => {
    expect(tensorflowModulesAfterImporting('relay/relay.ts')).toBe(0)
    expect(tensorflowModulesAfterImporting('relay/tasks.ts')).toBe(0)
    expect(tensorflowModulesAfterImporting('relay/fl-duty.ts')).toBeGreaterThan(0)
  }, 60_000)
})

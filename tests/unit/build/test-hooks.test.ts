import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

// The test hooks (app/mesh/test-handle.ts: window.agentMesh, the benchmark stream protocol)
// must reach only the test build (`vite build --mode test`), never a user's browser. Both builds
// run here with the project's own vite config, into temporary folders.
const root = resolve(import.meta.dirname, '../../..')
const outDirs: string[] = []

/** Names that only the test handle puts in a bundle: its global, its methods and the bench protocol. */
const HOOK_NAMES = [
  'agentMesh',
  '/agent-mesh/bench-sink/1.0.0',
  'backupPhrase',
  'sealBlobFor',
  'openSealedBlob',
  'rawSend',
  'trainingProgressEvents',
  'knownRoles',
]

/** The environment `npm run build` sees: vitest's NODE_ENV=test would make vite build a non-production bundle. */
function buildEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'NODE_ENV' && !key.startsWith('VITEST')))
}

async function build(mode: 'production' | 'test'): Promise<Map<string, string>> {
  const outDir = mkdtempSync(join(tmpdir(), `mesh-build-${mode}-`))
  outDirs.push(outDir)
  const args = ['build', '--mode', mode, '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error']
  await promisify(execFile)(join(root, 'node_modules/.bin/vite'), args, { cwd: root, env: buildEnv(), timeout: 240_000 })
  const files = new Map<string, string>()
  for (const entry of readdirSync(outDir, { recursive: true, encoding: 'utf8' })) {
    if (entry.endsWith('.js')) files.set(entry, readFileSync(join(outDir, entry), 'utf8'))
  }
  return files
}

function filesContaining(files: Map<string, string>, name: string): string[] {
  return [...files].filter(([, text]) => text.includes(name)).map(([path]) => path)
}

describe('test hooks in the built PWA', () => {
  let production: Map<string, string>
  let testBuild: Map<string, string>
  beforeAll(async () => {
    production = await build('production')
    testBuild = await build('test')
  }, 480_000)
  afterAll(() => {
    for (const dir of outDirs) rmSync(dir, { recursive: true, force: true })
  })

  it('emits the app, its workers and the service worker in both builds', () => {
    for (const files of [production, testBuild]) {
      const names = [...files.keys()]
      expect(names).toContain('sw.js')
      expect(names.some((n) => /^assets\/index-.*\.js$/.test(n))).toBe(true)
      expect(names.some((n) => /^assets\/training\.worker-.*\.js$/.test(n))).toBe(true)
    }
  })

  it.each(HOOK_NAMES)('the production build has no %s in any JS file', (name) => {
    expect(filesContaining(production, name)).toEqual([])
  })

  it.each(HOOK_NAMES)('the test build has %s (so the check above can fail)', (name) => {
    expect(filesContaining(testBuild, name).length).toBeGreaterThan(0)
  })

  it('the production build precaches no test-handle chunk', () => {
    expect([...production.keys()].filter((n) => n.includes('test-handle'))).toEqual([])
    expect(production.get('sw.js')).not.toContain('test-handle')
  })
})

import { describe, expect, it } from 'vitest'
import { ESLint } from 'eslint'
import { resolve } from 'node:path'

// The layer rules in eslint.config.js, checked against code that breaks them, so a config
// change that stops enforcing a boundary fails here rather than going unnoticed.
const root = resolve(import.meta.dirname, '../../..')
const eslint = new ESLint({ cwd: root, ignore: false })

async function rulesBroken(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, filePath) })
  return result.messages.map((m) => m.ruleId ?? m.message)
}

describe('layer boundaries', () => {
  it.each([
    ['workers/fl/data/reader.ts', "import { readFileSync } from 'node:fs'\nexport const r = readFileSync"],
    ['workers/net/store.ts', "import Database from 'better-sqlite3'\nexport const d = Database"],
    ['app/mesh/x.ts', "import { createHttpServer } from '../../relay/http'\nexport const s = createHttpServer"],
    ['app/mesh/y.ts', "import { nodePrimitives } from '../../workers/secagg/node/primitives'\nexport const p = nodePrimitives"],
    ['relay/x.ts', "import { db } from '../app/storage/db'\nexport const d = db"],
    ['workers/net/x.ts', "import { db } from '../../app/storage/db'\nexport const d = db"],
    ['workers/consensus/bft/x.ts', "import type { Libp2p } from 'libp2p'\nexport type L = Libp2p"],
    ['workers/secagg/x.ts', "import { MeshGossip } from '../net/gossip'\nexport const g = MeshGossip"],
    ['workers/fl/aggregation/x.ts', "import Dexie from 'dexie'\nexport const d = Dexie"],
  ])('refuses the import in %s', async (file, code) => {
    expect(await rulesBroken(file, code)).toContain('no-restricted-imports')
  })

  it.each([
    ['workers/consensus/raft/x.ts', 'export const t = () => setTimeout(() => 0, 1)', 'no-restricted-globals'],
    ['workers/secagg/x.ts', 'export const t = () => Date.now()', 'no-restricted-properties'],
  ])('keeps timers and clocks out of protocol cores (%s)', async (file, code, rule) => {
    expect(await rulesBroken(file, code)).toContain(rule)
  })

  it('allows Node built-ins in a node/ folder, the relay, and tests', async () => {
    const code = "import { readFileSync } from 'node:fs'\nexport const r = readFileSync\n"
    for (const file of ['workers/fl/node/reader.ts', 'relay/reader.ts', 'tests/unit/reader.ts'])
      expect(await rulesBroken(file, code)).toEqual([])
  })

  it('reports an import cycle', async () => {
    const [result] = await eslint.lintFiles([resolve(root, 'tests/unit/lint/fixtures/cycle-a.ts')])
    expect(result.messages.map((m) => m.ruleId)).toContain('import-x/no-cycle')
  })
})

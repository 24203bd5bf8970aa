// Usage: npm run bench -- NAME [args...]   (each NAME is tests/bench/NAME.bench.ts)
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort()

const [name, ...args] = process.argv.slice(2)
if (!name || name === '--help' || name === '-h') {
  console.log(
    `usage: npm run bench -- NAME [options]\n\nbenchmarks: ${available.join(', ')}\n` +
      `each writes tests/bench/results/NAME.json; run 'npm run bench -- NAME --help' for its options`,
  )
  process.exit(name ? 0 : 1)
}
if (!available.includes(name)) {
  console.error(`unknown benchmark '${name}'; available: ${available.join(', ')}`)
  process.exit(1)
}
const mod = await import(pathToFileURL(join(here, `${name}.bench.ts`)).href)
// Benchmarks that drive browsers load the test build (dist-test/, with window.agentMesh): bring it up to date first.
if (mod.needsTestBuild === true && !args.includes('--help')) {
  const build = spawnSync(process.execPath, [join(here, '../../scripts/build-if-stale.mjs'), 'test'], { stdio: 'inherit' })
  if (build.status !== 0) process.exit(build.status ?? 1)
}
await mod.main(args)

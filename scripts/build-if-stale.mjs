// Builds the PWA when its build is missing or older than its sources. `npm start` uses it for
// the production build (dist/); `npm run bench` for the test build (dist-test/) that the
// browser benchmarks load.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const root = resolve(import.meta.dirname, '..')
const SOURCES = ['app', 'workers', 'public', 'vite.config.ts', 'package-lock.json']

/** Each build: the folder vite writes and the npm script that writes it. */
export const builds = {
  production: { outDir: 'dist', script: 'build' },
  test: { outDir: 'dist-test', script: 'build:test' },
}

function newestMtime(path) {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(0, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))))
}

/** Returns 0 when the build is up to date or was rebuilt, else the build's exit status. */
export function buildIfStale(kind) {
  const { outDir, script } = builds[kind]
  const index = join(root, outDir, 'index.html')
  const built = existsSync(index) ? statSync(index).mtimeMs : 0
  const sources = Math.max(...SOURCES.map((path) => newestMtime(join(root, path))))
  if (built >= sources) return 0
  console.log(
    built === 0 ? `Building the PWA into ${outDir}/ (first time)…` : `Sources changed since the last build; rebuilding ${outDir}/…`,
  )
  const result = spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) console.error(`The PWA build (npm run ${script}) failed; see the errors above.`)
  return result.status ?? 1
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const kind = process.argv[2]
  if (!(kind in builds)) {
    console.log(
      'usage: node scripts/build-if-stale.mjs production|test\n\nBuilds dist/ (production) or dist-test/ (test) when it is missing or older than its sources.',
    )
    process.exit(kind === '--help' || kind === '-h' ? 0 : 1)
  }
  process.exit(buildIfStale(kind))
}

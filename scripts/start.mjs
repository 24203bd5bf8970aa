// `npm start`: builds the PWA when it is missing or older than its sources, then runs the
// relay, which serves it. Arguments after `--` go to the relay (`npm start -- --help`).
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const args = process.argv.slice(2)
const wantsHelp = args.includes('--help') || args.includes('-h')

function newestMtime(path) {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(0, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))))
}

if (!wantsHelp) {
  const built = existsSync('dist/index.html') ? statSync('dist/index.html').mtimeMs : 0
  const sources = Math.max(...['app', 'workers', 'public', 'vite.config.ts', 'package-lock.json'].map(newestMtime))
  if (built < sources) {
    console.log(built === 0 ? 'Building the PWA (first start)…' : 'Sources changed since the last build; rebuilding the PWA…')
    const result = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
    if (result.status !== 0) {
      console.error('The PWA build failed; see the errors above.')
      process.exit(result.status ?? 1)
    }
  }
}

const relay = spawn('tsx', ['relay/cli.ts', ...args], { stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => relay.kill(signal))
relay.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))

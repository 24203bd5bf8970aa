// `npm start`: builds the PWA when it is missing or older than its sources, then runs the
// relay, which serves it. Arguments after `--` go to the relay (`npm start -- --help`).
import { spawn } from 'node:child_process'
import { buildIfStale } from './build-if-stale.mjs'

const args = process.argv.slice(2)
const wantsHelp = args.includes('--help') || args.includes('-h')

if (!wantsHelp) {
  const status = buildIfStale('production')
  if (status !== 0) process.exit(status)
}

const relay = spawn('tsx', ['relay/cli.ts', ...args], { stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => relay.kill(signal))
relay.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))

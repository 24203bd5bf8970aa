import { parseArgs } from 'node:util'
import { ConfigError, helpText, optionSpecs, resolveConfig } from './config'
import { startRelay } from './relay'
import { adminCommands, runAdmin } from './admin-cli'
import { relayValidatorEntry } from './validator'
import { runFlCli } from './fl-cli'
import { runTaskCommand } from './task-cli'
import { runValidatorsCli } from './validators-cli'
import { loadOrCreateRelayKey } from './identity'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'

async function main(): Promise<void> {
  // Admin subcommands (grant, revoke, audit, credentials) work on the data dir and exit.
  if ((adminCommands as readonly string[]).includes(process.argv[2] ?? '')) {
    process.exitCode = await runAdmin(process.argv.slice(2))
    return
  }
  if (process.argv[2] === 'fl') {
    process.exitCode = await runFlCli(process.argv.slice(3))
    return
  }
  if (process.argv[2] === 'validators') {
    process.exitCode = await runValidatorsCli(process.argv.slice(3))
    return
  }
  if (process.argv[2] === 'task') {
    process.exitCode = await runTaskCommand(process.argv.slice(3))
    return
  }
  let parsed
  try {
    parsed = parseArgs({
      options: {
        help: { type: 'boolean', short: 'h' },
        'validator-entry': { type: 'boolean' },
        'peer-id': { type: 'boolean' },
        config: { type: 'string' },
        ...Object.fromEntries(Object.values(optionSpecs).map((o) => [o.flag, { type: 'string' as const }])),
      },
      allowPositionals: false,
    })
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${helpText()}`)
    process.exit(2)
  }
  if (parsed.values.help) {
    console.log(helpText())
    return
  }
  let config
  try {
    config = resolveConfig(parsed.values as Record<string, string | undefined>, process.env)
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`error: ${err.message}\nrun with --help for every option`)
      process.exit(2)
    }
    throw err
  }
  if (parsed.values['peer-id']) {
    console.log(peerIdFromPrivateKey((await loadOrCreateRelayKey(config.dataDir)).key).toString())
    return
  }
  if (parsed.values['validator-entry']) {
    console.log(JSON.stringify(await relayValidatorEntry(config), null, 2))
    return
  }
  const relay = await startRelay(config)
  console.log(
    `\nAgent Mesh relay is running.\n  open:      ${relay.url}\n  peer id:   ${relay.peerId}\n  libp2p:    ${relay.multiaddrs.join(', ')}\n  data dir:  ${config.dataDir}\nPress Ctrl+C to stop.\n`,
  )
  // A machine-readable line for tools and tests that start the relay.
  console.log(`MESH_RELAY_READY ${JSON.stringify({ url: relay.url, peerId: relay.peerId, multiaddrs: relay.multiaddrs })}`)

  let stopping = false
  const shutdown = (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`received ${signal}, shutting down`)
    const force = setTimeout(() => process.exit(1), 10_000)
    force.unref()
    relay.stop().then(
      () => process.exit(0),
      (err) => {
        console.error('shutdown failed', err)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('SIGTERM', () => shutdown('SIGTERM'))
}

// Every handler catches its own errors; these are the last line, for a bug that slips past one.
// A stray rejection is logged and the relay keeps serving everyone else; a synchronous throw
// that reached the event loop leaves state unknown, so the process exits for its supervisor
// (systemd Restart=always, Kubernetes) to restart it from its data dir.
process.on('unhandledRejection', (reason) => {
  console.error(
    JSON.stringify({
      level: 50,
      msg: 'unhandled rejection (a bug; the relay keeps running)',
      err: String((reason as Error)?.stack ?? reason),
    }),
  )
})
process.on('uncaughtException', (err) => {
  console.error(
    JSON.stringify({ level: 60, msg: 'uncaught exception; exiting for the supervisor to restart', err: String(err?.stack ?? err) }),
  )
  process.exit(70)
})

main().catch((err) => {
  console.error(`relay failed to start: ${(err as Error).message}`)
  process.exit(1)
})

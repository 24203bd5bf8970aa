import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

/** One relay setting: its flag, environment variable, default and help text, in one place. */
interface OptionSpec {
  readonly flag: string
  readonly env: string
  readonly type: 'string' | 'number' | 'list'
  readonly defaultValue: string
  readonly help: string
}

export const optionSpecs = {
  host: {
    flag: 'host',
    env: 'MESH_HOST',
    type: 'string',
    defaultValue: '127.0.0.1',
    help: 'interface to bind HTTP and WebSockets to (0.0.0.0 on a VM)',
  },
  port: {
    flag: 'port',
    env: 'MESH_PORT',
    type: 'number',
    defaultValue: '8080',
    help: 'HTTP port serving the PWA, /api/bootstrap, /healthz and /metrics (0 = any free port)',
  },
  wsPort: {
    flag: 'ws-port',
    env: 'MESH_WS_PORT',
    type: 'number',
    defaultValue: '9090',
    help: 'libp2p WebSockets port that browsers dial (0 = any free port)',
  },
  dataDir: {
    flag: 'data-dir',
    env: 'MESH_DATA_DIR',
    type: 'string',
    defaultValue: '.data/relay',
    help: 'where the relay keeps its identity key and SQLite database',
  },
  announce: {
    flag: 'announce',
    env: 'MESH_ANNOUNCE',
    type: 'list',
    defaultValue: '',
    help: 'public multiaddrs to give browsers, comma-separated, e.g. /dns4/mesh.example.org/tcp/443/wss (default: derived from the address the page was loaded from)',
  },
  dist: {
    flag: 'dist',
    env: 'MESH_DIST',
    type: 'string',
    defaultValue: 'dist',
    help: 'folder of the built PWA to serve (npm run build writes dist/; the tests serve the test build, dist-test/)',
  },
  iceServers: {
    flag: 'ice-servers',
    env: 'MESH_ICE_SERVERS',
    type: 'list',
    defaultValue: '',
    help: 'STUN/TURN URLs for browsers, comma-separated (empty: host candidates only, right for one LAN or loopback)',
  },
  maxReservations: {
    flag: 'max-reservations',
    env: 'MESH_MAX_RESERVATIONS',
    type: 'number',
    defaultValue: '256',
    help: 'circuit-relay reservations held at once',
  },
  validatorSet: {
    flag: 'validator-set',
    env: 'MESH_VALIDATOR_SET',
    type: 'string',
    defaultValue: '',
    help: "JSON file of the BFT validator set (chainId and each validator's entry from --validator-entry); when given, this relay is one of its validators",
  },
  peers: {
    flag: 'peers',
    env: 'MESH_PEERS',
    type: 'list',
    defaultValue: '',
    help: 'libp2p multiaddrs (with /p2p/ID) of other relays to dial and keep connected, comma-separated; validators also dial the addresses in the set file',
  },
  bftIntervalMs: {
    flag: 'bft-interval-ms',
    env: 'MESH_BFT_INTERVAL_MS',
    type: 'number',
    defaultValue: '1000',
    help: 'validators: how long a proposer waits after a decision before proposing the next height of the demo beacon chain',
  },
  taskDuty: {
    flag: 'task-duty',
    env: 'MESH_TASK_DUTY',
    type: 'list',
    defaultValue: '',
    help: 'agent-task roles this relay takes, comma-separated: coordinator (a Raft voter of the task log), worker (runs subtasks with tfjs here)',
  },
  taskCoordinators: {
    flag: 'task-coordinators',
    env: 'MESH_TASK_COORDINATORS',
    type: 'list',
    defaultValue: '',
    help: 'PeerIds of the founding task coordinators (3 or 5, the same list on each); a coordinator relay not listed waits for an admin to add it',
  },
  handshakeTimeoutMs: {
    flag: 'handshake-timeout-ms',
    env: 'MESH_HANDSHAKE_TIMEOUT_MS',
    type: 'number',
    defaultValue: '10000',
    help: 'close a WebSocket-port connection that has not finished its WebSocket and libp2p (Noise, Yamux) handshakes within this time',
  },
  gossipPeerRate: {
    flag: 'gossip-peer-rate',
    env: 'MESH_GOSSIP_PEER_RATE',
    type: 'number',
    defaultValue: '500',
    help: 'gossip messages per second one peer may propagate to the relay (bursts of 4x); more are refused before any decoding',
  },
  gossipAddressRate: {
    flag: 'gossip-address-rate',
    env: 'MESH_GOSSIP_ADDRESS_RATE',
    type: 'number',
    defaultValue: '1000',
    help: 'gossip messages per second all peers of one network address may propagate (bursts of 4x); raise for many browsers behind one NAT',
  },
  logLevel: { flag: 'log-level', env: 'MESH_LOG_LEVEL', type: 'string', defaultValue: 'info', help: 'debug, info, warn or error' },
  tlsCert: {
    flag: 'tls-cert',
    env: 'MESH_TLS_CERT',
    type: 'string',
    defaultValue: '',
    help: 'PEM certificate chain: serve HTTPS and WSS (wss://) on the same two ports instead of HTTP and WS; needs --tls-key',
  },
  tlsKey: { flag: 'tls-key', env: 'MESH_TLS_KEY', type: 'string', defaultValue: '', help: 'PEM private key for --tls-cert' },
  metricsToken: {
    flag: 'metrics-token',
    env: 'MESH_METRICS_TOKEN',
    type: 'string',
    defaultValue: '',
    help: '/metrics answers only requests with "Authorization: Bearer TOKEN" (empty: open)',
  },
  metricsPort: {
    flag: 'metrics-port',
    env: 'MESH_METRICS_PORT',
    type: 'number',
    defaultValue: '',
    help: 'serve /metrics on this separate port instead of the main one (e.g. bound to a private interface with --metrics-host)',
  },
  metricsHost: {
    flag: 'metrics-host',
    env: 'MESH_METRICS_HOST',
    type: 'string',
    defaultValue: '127.0.0.1',
    help: 'interface for --metrics-port',
  },
  otlpEndpoint: {
    flag: 'otlp-endpoint',
    env: 'MESH_OTLP_ENDPOINT',
    type: 'string',
    defaultValue: '',
    help: 'send OpenTelemetry traces over OTLP/HTTP to this URL, e.g. http://collector:4318/v1/traces (empty: tracing off)',
  },
  fl: {
    flag: 'fl',
    env: 'MESH_FL',
    type: 'string',
    defaultValue: 'on',
    help: 'federated tasks: on (aggregate and validate every task in the data dir; without --validator-set the relay is its own validator and creates the default MNIST task) or off',
  },
} as const satisfies Record<string, OptionSpec>

export interface RelayConfig {
  readonly host: string
  readonly port: number
  readonly wsPort: number
  readonly dataDir: string
  readonly announce: readonly string[]
  readonly dist: string
  readonly iceServers: readonly string[]
  readonly maxReservations: number
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error'
  /** Absolute path of the validator-set file, or null when this relay is no validator. */
  readonly validatorSet: string | null
  readonly peers: readonly string[]
  readonly bftIntervalMs: number
  readonly taskDuty: readonly ('coordinator' | 'worker')[]
  readonly taskCoordinators: readonly string[]
  readonly handshakeTimeoutMs: number
  /** Gossip messages per second a peer, and an address, may propagate to the relay. */
  readonly gossipRate: { readonly perPeer: number; readonly perAddress: number }
  /** PEM files for built-in TLS, or null for plain HTTP/WS (TLS at a reverse proxy). */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null
  readonly metricsToken: string | null
  /** A separate listener for /metrics, or null to serve it on the main port. */
  readonly metricsListen: { readonly host: string; readonly port: number } | null
  readonly otlpEndpoint: string | null
  readonly fl: boolean
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Where the options come from besides flags: `--config FILE` (or MESH_CONFIG) names a JSON file. */
export const configFileOption = { flag: 'config', env: 'MESH_CONFIG' } as const

/**
 * Reads a config file: a JSON object keyed by flag name ("ws-port": 9090, "ice-servers":
 * ["stun:stun.example.org"]). Unknown keys are refused so a typo does not pass silently.
 */
export function readConfigFile(path: string): Record<string, string> {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new ConfigError(`cannot read the config file ${path}: ${(err as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ConfigError(`the config file ${path} must hold one JSON object keyed by option name, e.g. {"port": 8080}`)
  const byFlag = new Map<string, OptionSpec>(Object.values(optionSpecs).map((o) => [o.flag, o]))
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(parsed)) {
    const spec = byFlag.get(key)
    if (!spec)
      throw new ConfigError(`the config file ${path} has an unknown option '${key}'; options are: ${[...byFlag.keys()].join(', ')}`)
    if (Array.isArray(value) && spec.type === 'list') out[key] = value.map(String).join(',')
    else if (typeof value === 'string' || typeof value === 'number') out[key] = String(value)
    else
      throw new ConfigError(
        `the config file ${path}: '${key}' must be ${spec.type === 'list' ? 'a list of strings' : spec.type === 'number' ? 'a number' : 'a string'}`,
      )
  }
  return out
}

/**
 * Flags win over environment variables, which win over the config file (`--config` /
 * MESH_CONFIG), which wins over defaults.
 */
export function resolveConfig(flags: Record<string, string | undefined>, env: NodeJS.ProcessEnv): RelayConfig {
  const configPath = flags[configFileOption.flag] ?? env[configFileOption.env]
  const file = configPath ? readConfigFile(resolve(configPath)) : {}
  const raw = (key: keyof typeof optionSpecs): string => {
    const spec = optionSpecs[key]
    return flags[spec.flag] ?? env[spec.env] ?? file[spec.flag] ?? spec.defaultValue
  }
  const port = (
    key:
      | 'port'
      | 'wsPort'
      | 'maxReservations'
      | 'bftIntervalMs'
      | 'handshakeTimeoutMs'
      | 'metricsPort'
      | 'gossipPeerRate'
      | 'gossipAddressRate',
  ): number => {
    const text = raw(key)
    const value = Number(text)
    const max = key === 'port' || key === 'wsPort' || key === 'metricsPort' ? 65_535 : key.startsWith('gossip') ? 1_000_000 : 100_000
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new ConfigError(`--${optionSpecs[key].flag} must be a whole number from 0 to ${max}, got '${text}'`)
    }
    return value
  }
  const list = (key: 'announce' | 'iceServers' | 'peers' | 'taskDuty' | 'taskCoordinators'): string[] =>
    raw(key)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
  const logLevel = raw('logLevel')
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel))
    throw new ConfigError(`--log-level must be debug, info, warn or error, got '${logLevel}'`)
  const announce = list('announce')
  for (const addr of announce) {
    if (!addr.startsWith('/')) throw new ConfigError(`--announce takes multiaddrs such as /dns4/example.org/tcp/443/wss, got '${addr}'`)
  }
  const peers = list('peers')
  for (const addr of peers) {
    if (!addr.startsWith('/') || !addr.includes('/p2p/'))
      throw new ConfigError(`--peers takes multiaddrs ending in /p2p/PEER_ID, got '${addr}'`)
  }
  const taskDuty = list('taskDuty')
  for (const duty of taskDuty) {
    if (duty !== 'coordinator' && duty !== 'worker') throw new ConfigError(`--task-duty takes coordinator and/or worker, got '${duty}'`)
  }
  const taskCoordinators = list('taskCoordinators')
  for (const id of taskCoordinators) {
    if (!/^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}$/.test(id))
      throw new ConfigError(`--task-coordinators takes Ed25519 PeerIds (12D3KooW…), got '${id}'`)
  }
  if (taskDuty.includes('coordinator') && taskCoordinators.length === 0)
    throw new ConfigError(
      "--task-duty coordinator needs --task-coordinators (the founding coordinators' PeerIds; print this relay's with --peer-id)",
    )
  const config: RelayConfig = {
    host: raw('host'),
    port: port('port'),
    wsPort: port('wsPort'),
    dataDir: resolve(raw('dataDir')),
    announce,
    dist: resolve(raw('dist')),
    iceServers: list('iceServers'),
    maxReservations: port('maxReservations'),
    logLevel: logLevel as RelayConfig['logLevel'],
    validatorSet: raw('validatorSet') === '' ? null : resolve(raw('validatorSet')),
    peers,
    bftIntervalMs: port('bftIntervalMs'),
    taskDuty: taskDuty as RelayConfig['taskDuty'],
    taskCoordinators,
    handshakeTimeoutMs: port('handshakeTimeoutMs'),
    gossipRate: { perPeer: port('gossipPeerRate'), perAddress: port('gossipAddressRate') },
    tls: raw('tlsCert') === '' && raw('tlsKey') === '' ? null : { certFile: resolve(raw('tlsCert')), keyFile: resolve(raw('tlsKey')) },
    metricsToken: raw('metricsToken') === '' ? null : raw('metricsToken'),
    metricsListen: raw('metricsPort') === '' ? null : { host: raw('metricsHost'), port: port('metricsPort') },
    otlpEndpoint: raw('otlpEndpoint') === '' ? null : raw('otlpEndpoint'),
    fl: raw('fl') === 'on',
  }
  if (config.handshakeTimeoutMs < 100)
    throw new ConfigError(`--handshake-timeout-ms must be at least 100, got ${config.handshakeTimeoutMs}`)
  if (config.gossipRate.perPeer < 1 || config.gossipRate.perAddress < 1)
    throw new ConfigError('--gossip-peer-rate and --gossip-address-rate must be at least 1 (message per second)')
  if ((raw('tlsCert') === '') !== (raw('tlsKey') === ''))
    throw new ConfigError('--tls-cert and --tls-key go together: give both PEM files, or neither (TLS at a reverse proxy)')
  if (raw('fl') !== 'on' && raw('fl') !== 'off') throw new ConfigError(`--fl must be on or off, got '${raw('fl')}'`)
  if (config.otlpEndpoint !== null && !/^https?:\/\//.test(config.otlpEndpoint))
    throw new ConfigError(`--otlp-endpoint must be an http(s) URL such as http://localhost:4318/v1/traces, got '${config.otlpEndpoint}'`)
  if (
    config.metricsListen &&
    config.metricsListen.port !== 0 &&
    config.metricsListen.host === config.host &&
    [config.port, config.wsPort].includes(config.metricsListen.port)
  )
    throw new ConfigError('--metrics-port must differ from --port and --ws-port')
  if (config.port !== 0 && config.port === config.wsPort) throw new ConfigError('--port and --ws-port must differ')
  return config
}

export function helpText(): string {
  const lines = Object.values(optionSpecs).map((o) => {
    const left = `  --${o.flag} ${o.type === 'number' ? 'N' : o.type === 'list' ? 'LIST' : 'VALUE'}`
    const def = o.defaultValue === '' ? '' : ` [default: ${o.defaultValue}]`
    return `${left.padEnd(28)}${o.help}${def}\n${''.padEnd(28)}env: ${o.env}`
  })
  return [
    "Agent Mesh relay: serves the PWA and is the mesh's bootstrap, circuit relay and WebRTC signalling node.",
    '',
    'usage: npm start -- [options]        (or: npx tsx relay/cli.ts [options])',
    '',
    'options:',
    ...lines,
    "  --validator-entry           print this relay's validator entry (JSON for the --validator-set file) and exit;",
    '                              makes the BLS vote key in --data-dir on first use',
    "  --peer-id                   print this relay's PeerId (for --task-coordinators) and exit",
    '  --config FILE               JSON file of options keyed by flag name, e.g. {"host": "0.0.0.0", "ice-servers": ["stun:stun.example.org"]}',
    '                              env: MESH_CONFIG',
    '  --help                      show this text',
    '',
    'Precedence: a flag wins over its environment variable, which wins over the config file, which wins over the default.',
    'Admin commands on the data dir: grant, revoke, audit, credentials (npm run relay -- grant --help).',
    'Agent tasks: npm run relay -- task --help (run a task, list the kinds, add or remove coordinators).',
    'Validators: npm run relay -- validators --help (add or remove a validator live, list the set).',
  ].join('\n')
}

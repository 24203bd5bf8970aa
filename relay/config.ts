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
  host: { flag: 'host', env: 'MESH_HOST', type: 'string', defaultValue: '127.0.0.1', help: 'interface to bind HTTP and WebSockets to (0.0.0.0 on a VM)' },
  port: { flag: 'port', env: 'MESH_PORT', type: 'number', defaultValue: '8080', help: 'HTTP port serving the PWA, /api/bootstrap, /healthz and /metrics (0 = any free port)' },
  wsPort: { flag: 'ws-port', env: 'MESH_WS_PORT', type: 'number', defaultValue: '9090', help: 'libp2p WebSockets port that browsers dial (0 = any free port)' },
  dataDir: { flag: 'data-dir', env: 'MESH_DATA_DIR', type: 'string', defaultValue: '.data/relay', help: 'where the relay keeps its identity key and SQLite database' },
  announce: { flag: 'announce', env: 'MESH_ANNOUNCE', type: 'list', defaultValue: '', help: 'public multiaddrs to give browsers, comma-separated, e.g. /dns4/mesh.example.org/tcp/443/wss (default: derived from the address the page was loaded from)' },
  dist: { flag: 'dist', env: 'MESH_DIST', type: 'string', defaultValue: 'dist', help: 'folder of the built PWA to serve (npm run build writes dist/; the tests serve the test build, dist-test/)' },
  iceServers: { flag: 'ice-servers', env: 'MESH_ICE_SERVERS', type: 'list', defaultValue: '', help: 'STUN/TURN URLs for browsers, comma-separated (empty: host candidates only, right for one LAN or loopback)' },
  maxReservations: { flag: 'max-reservations', env: 'MESH_MAX_RESERVATIONS', type: 'number', defaultValue: '256', help: 'circuit-relay reservations held at once' },
  validatorSet: { flag: 'validator-set', env: 'MESH_VALIDATOR_SET', type: 'string', defaultValue: '', help: 'JSON file of the BFT validator set (chainId and each validator\'s entry from --validator-entry); when given, this relay is one of its validators' },
  peers: { flag: 'peers', env: 'MESH_PEERS', type: 'list', defaultValue: '', help: 'libp2p multiaddrs (with /p2p/ID) of other relays to dial and keep connected, comma-separated; validators also dial the addresses in the set file' },
  bftIntervalMs: { flag: 'bft-interval-ms', env: 'MESH_BFT_INTERVAL_MS', type: 'number', defaultValue: '1000', help: 'validators: how long a proposer waits after a decision before proposing the next height of the demo beacon chain' },
  handshakeTimeoutMs: { flag: 'handshake-timeout-ms', env: 'MESH_HANDSHAKE_TIMEOUT_MS', type: 'number', defaultValue: '10000', help: 'close a WebSocket-port connection that has not finished its WebSocket and libp2p (Noise, Yamux) handshakes within this time' },
  logLevel: { flag: 'log-level', env: 'MESH_LOG_LEVEL', type: 'string', defaultValue: 'info', help: 'debug, info, warn or error' },
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
  readonly handshakeTimeoutMs: number
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Flags win over environment variables, which win over defaults. */
export function resolveConfig(flags: Record<string, string | undefined>, env: NodeJS.ProcessEnv): RelayConfig {
  const raw = (key: keyof typeof optionSpecs): string => {
    const spec = optionSpecs[key]
    return flags[spec.flag] ?? env[spec.env] ?? spec.defaultValue
  }
  const port = (key: 'port' | 'wsPort' | 'maxReservations' | 'bftIntervalMs' | 'handshakeTimeoutMs'): number => {
    const text = raw(key)
    const value = Number(text)
    const max = key === 'maxReservations' || key === 'bftIntervalMs' || key === 'handshakeTimeoutMs' ? 100_000 : 65_535
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new ConfigError(`--${optionSpecs[key].flag} must be a whole number from 0 to ${max}, got '${text}'`)
    }
    return value
  }
  const list = (key: 'announce' | 'iceServers' | 'peers'): string[] => raw(key).split(',').map((s) => s.trim()).filter(Boolean)
  const logLevel = raw('logLevel')
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) throw new ConfigError(`--log-level must be debug, info, warn or error, got '${logLevel}'`)
  const announce = list('announce')
  for (const addr of announce) {
    if (!addr.startsWith('/')) throw new ConfigError(`--announce takes multiaddrs such as /dns4/example.org/tcp/443/wss, got '${addr}'`)
  }
  const peers = list('peers')
  for (const addr of peers) {
    if (!addr.startsWith('/') || !addr.includes('/p2p/')) throw new ConfigError(`--peers takes multiaddrs ending in /p2p/PEER_ID, got '${addr}'`)
  }
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
    handshakeTimeoutMs: port('handshakeTimeoutMs'),
  }
  if (config.handshakeTimeoutMs < 100) throw new ConfigError(`--handshake-timeout-ms must be at least 100, got ${config.handshakeTimeoutMs}`)
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
    'Agent Mesh relay: serves the PWA and is the mesh\'s bootstrap, circuit relay and WebRTC signalling node.',
    '',
    'usage: npm start -- [options]        (or: npx tsx relay/cli.ts [options])',
    '',
    'options:',
    ...lines,
    '  --validator-entry           print this relay\'s validator entry (JSON for the --validator-set file) and exit;',
    '                              makes the BLS vote key in --data-dir on first use',
    '  --help                      show this text',
    '',
    'Each option may also be set by its environment variable; a flag wins over the variable.',
    'Admin commands on the data dir: grant, revoke, audit, credentials (npm run relay -- grant --help).',
  ].join('\n')
}

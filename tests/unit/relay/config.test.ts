import { describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, helpText, optionSpecs, resolveConfig } from '../../../relay/config'

describe('relay configuration', () => {
  it('uses defaults, then environment variables, then flags', () => {
    expect(resolveConfig({}, {})).toMatchObject({ host: '127.0.0.1', port: 8080, wsPort: 9090, announce: [] })
    expect(resolveConfig({}, { MESH_PORT: '7000', MESH_ANNOUNCE: '/dns4/a.example/tcp/443/wss, /ip4/1.2.3.4/tcp/9090/ws' })).toMatchObject({
      port: 7000,
      announce: ['/dns4/a.example/tcp/443/wss', '/ip4/1.2.3.4/tcp/9090/ws'],
    })
    expect(resolveConfig({ port: '7001' }, { MESH_PORT: '7000' }).port).toBe(7001)
  })

  it('refuses bad values with a message that names the option', () => {
    expect(() => resolveConfig({ port: 'eighty' }, {})).toThrow(/--port must be a whole number/)
    expect(() => resolveConfig({ 'ws-port': '70000' }, {})).toThrow(ConfigError)
    expect(() => resolveConfig({ port: '9000', 'ws-port': '9000' }, {})).toThrow(/must differ/)
    expect(() => resolveConfig({ announce: 'example.org:443' }, {})).toThrow(/multiaddrs/)
    expect(() => resolveConfig({ 'log-level': 'loud' }, {})).toThrow(/log-level/)
  })

  it('keeps the per-peer and per-address gossip limits unless raised on purpose', () => {
    expect(resolveConfig({}, {}).gossipRate).toEqual({ perPeer: 500, perAddress: 1000 })
    expect(resolveConfig({ 'gossip-address-rate': '20000' }, { MESH_GOSSIP_PEER_RATE: '2000' }).gossipRate).toEqual({
      perPeer: 2000,
      perAddress: 20000,
    })
    expect(() => resolveConfig({ 'gossip-peer-rate': '0' }, {})).toThrow(/at least 1/)
    expect(() => resolveConfig({ 'gossip-address-rate': 'lots' }, {})).toThrow(/--gossip-address-rate must be a whole number/)
  })

  it('documents every option with its environment variable in --help', () => {
    const text = helpText()
    for (const spec of Object.values(optionSpecs)) {
      expect(text).toContain(`--${spec.flag}`)
      expect(text).toContain(spec.env)
    }
  })

  it('reads a JSON config file below environment variables and flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesh-config-'))
    const file = join(dir, 'relay.json')
    writeFileSync(
      file,
      JSON.stringify({
        port: 7100,
        host: '0.0.0.0',
        'ice-servers': ['stun:stun.example.org:3478', 'turn:turn.example.org'],
        'metrics-token': 't',
      }),
    )
    expect(resolveConfig({ config: file }, {})).toMatchObject({
      port: 7100,
      host: '0.0.0.0',
      iceServers: ['stun:stun.example.org:3478', 'turn:turn.example.org'],
      metricsToken: 't',
    })
    expect(resolveConfig({}, { MESH_CONFIG: file, MESH_PORT: '7200' }).port).toBe(7200)
    expect(resolveConfig({ config: file, port: '7300' }, { MESH_PORT: '7200' }).port).toBe(7300)
    writeFileSync(file, JSON.stringify({ prot: 1 }))
    expect(() => resolveConfig({ config: file }, {})).toThrow(/unknown option 'prot'/)
    expect(() => resolveConfig({ config: join(dir, 'missing.json') }, {})).toThrow(/cannot read the config file/)
  })

  it('takes TLS as a pair of files, metrics on their own port, and an OTLP URL', () => {
    expect(resolveConfig({}, {})).toMatchObject({ tls: null, metricsToken: null, metricsListen: null, otlpEndpoint: null })
    expect(resolveConfig({ 'tls-cert': 'c.pem', 'tls-key': 'k.pem' }, {}).tls).toMatchObject({
      certFile: expect.stringMatching(/c\.pem$/),
      keyFile: expect.stringMatching(/k\.pem$/),
    })
    expect(() => resolveConfig({ 'tls-cert': 'c.pem' }, {})).toThrow(/go together/)
    expect(resolveConfig({ 'metrics-port': '9464' }, {}).metricsListen).toEqual({ host: '127.0.0.1', port: 9464 })
    expect(() => resolveConfig({ 'metrics-port': '8080' }, {})).toThrow(/--metrics-port must differ/)
    expect(() => resolveConfig({ 'otlp-endpoint': 'collector:4318' }, {})).toThrow(/http\(s\) URL/)
    expect(resolveConfig({}, { MESH_OTLP_ENDPOINT: 'http://localhost:4318/v1/traces' }).otlpEndpoint).toBe(
      'http://localhost:4318/v1/traces',
    )
  })
})

import { describe, expect, it } from 'vitest'
import { ConfigError, helpText, optionSpecs, resolveConfig } from '../../../relay/config'

describe('relay configuration', () => {
  it('uses defaults, then environment variables, then flags', () => {
    expect(resolveConfig({}, {})).toMatchObject({ host: '127.0.0.1', port: 8080, wsPort: 9090, announce: [] })
    expect(resolveConfig({}, { MESH_PORT: '7000', MESH_ANNOUNCE: '/dns4/a.example/tcp/443/wss, /ip4/1.2.3.4/tcp/9090/ws' }))
      .toMatchObject({ port: 7000, announce: ['/dns4/a.example/tcp/443/wss', '/ip4/1.2.3.4/tcp/9090/ws'] })
    expect(resolveConfig({ port: '7001' }, { MESH_PORT: '7000' }).port).toBe(7001)
  })

  it('refuses bad values with a message that names the option', () => {
    expect(() => resolveConfig({ port: 'eighty' }, {})).toThrow(/--port must be a whole number/)
    expect(() => resolveConfig({ 'ws-port': '70000' }, {})).toThrow(ConfigError)
    expect(() => resolveConfig({ port: '9000', 'ws-port': '9000' }, {})).toThrow(/must differ/)
    expect(() => resolveConfig({ announce: 'example.org:443' }, {})).toThrow(/multiaddrs/)
    expect(() => resolveConfig({ 'log-level': 'loud' }, {})).toThrow(/log-level/)
  })

  it('documents every option with its environment variable in --help', () => {
    const text = helpText()
    for (const spec of Object.values(optionSpecs)) {
      expect(text).toContain(`--${spec.flag}`)
      expect(text).toContain(spec.env)
    }
  })
})

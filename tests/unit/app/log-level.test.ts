import { describe, expect, it } from 'vitest'
import { pageLogLevel } from '../../../app/mesh/log-level'

describe('the page log level from its address', () => {
  it('is info unless the address asks for a known level', () => {
    expect(pageLogLevel('')).toBe('info')
    expect(pageLogLevel('?bench')).toBe('info')
    expect(pageLogLevel('?bench&log=debug')).toBe('debug')
    expect(pageLogLevel('?log=warn')).toBe('warn')
    expect(pageLogLevel('?log=error')).toBe('error')
  })

  it('ignores levels pino has but the page does not offer, and anything else', () => {
    expect(pageLogLevel('?log=trace')).toBe('info')
    expect(pageLogLevel('?log=silent')).toBe('info')
    expect(pageLogLevel('?log=DEBUG')).toBe('info')
    expect(pageLogLevel('?log=')).toBe('info')
  })
})

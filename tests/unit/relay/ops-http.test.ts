import { describe, expect, it } from 'vitest'
import type { AddressInfo } from 'node:net'
import { Counter, Registry } from 'prom-client'
import { metricsRoute, readinessRoute, startMetricsServer, type ReadinessChecks } from '../../../relay/ops-http'
import { createServer } from 'node:http'

describe('operator endpoints', () => {
  it('serves /metrics on a separate listener, behind the bearer token, and nothing else there', async () => {
    const registry = new Registry()
    new Counter({ name: 'mesh_test_total', help: 'test', registers: [registry] }).inc(3)
    const server = await startMetricsServer('127.0.0.1', 0, metricsRoute(registry, 'tok'), (_req, res) => res.end('ok'))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      expect((await fetch(`${base}/metrics`)).status).toBe(401)
      const scraped = await fetch(`${base}/metrics`, { headers: { Authorization: 'Bearer tok' } })
      expect(scraped.status).toBe(200)
      expect(await scraped.text()).toContain('mesh_test_total 3')
      expect((await fetch(`${base}/`)).status).toBe(404)
      expect((await fetch(`${base}/healthz`)).status).toBe(200)
    } finally {
      server.close()
    }
  })

  it('answers /readyz 200 only while every check holds, and names the failing one', async () => {
    const checks: { -readonly [K in keyof ReadinessChecks]: boolean } = { storage: true, listening: true, validatorCaughtUp: true }
    const server = createServer(readinessRoute(() => ({ ...checks })))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`
    try {
      expect((await fetch(url)).status).toBe(200)
      checks.validatorCaughtUp = false
      const behind = await fetch(url)
      expect(behind.status).toBe(503)
      expect(await behind.json()).toEqual({ ready: false, checks: { storage: true, listening: true, validatorCaughtUp: false } })
      checks.validatorCaughtUp = true
      expect((await fetch(url)).status).toBe(200)
    } finally {
      server.close()
    }
  })
})

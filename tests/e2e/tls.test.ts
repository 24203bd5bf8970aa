import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'node:https'
import type { Browser } from 'playwright-core'
import { RelayProcess } from './harness/relay-process'
import { launchChromium, openDevice, waitForRelay, type Device } from './harness/browser'
import { makeTestTls, type TestTls } from './harness/test-ca'

/** GET over HTTPS trusting only the test CA (so a wrong certificate fails the test). */
function httpsGet(url: string, ca: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers }, (res) => {
      let body = ''
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

// Built-in TLS: the relay serves the PWA over HTTPS and libp2p over WSS on its two ports,
// with a certificate from a CA made here; Chromium trusts that CA by its key only.
describe('relay with built-in TLS', () => {
  let tls: TestTls
  let relay: RelayProcess
  let browser: Browser
  let device: Device
  let base: string

  beforeAll(async () => {
    tls = await makeTestTls()
    const dir = mkdtempSync(join(tmpdir(), 'mesh-tls-'))
    writeFileSync(join(dir, 'cert.pem'), tls.certChainPem)
    writeFileSync(join(dir, 'key.pem'), tls.keyPem, { mode: 0o600 })
    relay = await RelayProcess.create({ extraArgs: ['--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')] })
    await relay.start()
    base = `https://localhost:${relay.port}/`
    browser = await launchChromium([`--ignore-certificate-errors-spki-list=${tls.caSpkiSha256}`])
  })

  afterAll(async () => {
    await browser?.close()
    await relay?.stop()
  })

  it('answers HTTPS with a certificate the test CA signed, and gives browsers a WSS address', async () => {
    expect(relay.info!.url).toMatch(/^https:/)
    expect(relay.info!.multiaddrs.every((a) => a.includes('/tls/ws'))).toBe(true)
    const health = await httpsGet(new URL('/healthz', base).href, tls.caPem)
    expect(health.status).toBe(200)
    const bootstrap = JSON.parse((await httpsGet(new URL('/api/bootstrap', base).href, tls.caPem)).body)
    expect(bootstrap.relayMultiaddrs[0]).toMatch(new RegExp(`^/dns4/localhost/tcp/${relay.wsPort}/tls/ws/p2p/`))
    // Plain HTTP on the TLS port is refused rather than served in the clear.
    await expect(fetch(`http://localhost:${relay.port}/healthz`)).rejects.toThrow()
  })

  it('serves the PWA to Chromium over HTTPS and accepts its libp2p connection over WSS', async () => {
    device = await openDevice(browser, base)
    expect(device.page.url()).toMatch(/^https:\/\/localhost:/)
    await waitForRelay(device.page)
    const metrics = (await httpsGet(new URL('/metrics', base).href, tls.caPem)).body
    expect(metrics).toMatch(/mesh_peers\{transport="websocket",role="[a-z]+"\} [1-9]/)
    const isSecure = await device.page.evaluate(() => window.isSecureContext && location.protocol)
    expect(isSecure).toBe('https:')
  })

  it('sends the relay a metrics summary only after the person opts in, and exports its log', async () => {
    const page = device.page
    expect(await page.evaluate(() => (window as any).agentMesh.sendReport())).toBeNull()
    expect(JSON.parse((await httpsGet(new URL('/api/node-reports', base).href, tls.caPem)).body)).toEqual([])
    await page.getByTestId('share-metrics').check()
    await page.waitForSelector('[data-testid="report-slot"]', { timeout: 30_000 })
    const peerId = await page.evaluate(() => (window as any).agentMesh.peerId() as string)
    const filed = JSON.parse((await httpsGet(new URL('/api/node-reports', base).href, tls.caPem)).body)
    expect(filed).toEqual([expect.objectContaining({ slot: 0, peerId, gateRejections: 0 })])
    const metrics = (await httpsGet(new URL('/metrics', base).href, tls.caPem)).body
    expect(metrics).toMatch(/mesh_browser_reports_total\{backend="[a-z]+"\} [1-9]/)
    expect(metrics).not.toContain(peerId)

    const exported: string = await page.evaluate(() => (window as any).agentMesh.exportLog())
    const lines = exported
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(lines.some((line) => line.msg === 'connected to relay' && line.component === 'mesh')).toBe(true)
  })
})

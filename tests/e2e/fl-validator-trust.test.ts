import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RelayProcess } from './harness/relay-process'
import { launchChromium, openDevice, waitForRelay, type Device } from './harness/browser'
import { flState } from './harness/fl'
import { CA_CERT_FILE, CA_KEY_FILE } from '../../relay/ca-files'

// Which validator set a browser checks federated certificates against, over real relay restarts:
// the page pins its relay's CA with the set that CA signed at the first Join; when the operator
// restarts the relay with another set (same CA), the page follows the newer signed set by itself
// and says so; when the relay comes back with a new CA (its key files replaced), the page keeps
// the set it pinned and shows why. Correctness only.
describe('the federated validator set a browser trusts', () => {
  let relay: RelayProcess
  let second: RelayProcess
  let browser: Browser
  let device: Device
  const setDir = mkdtempSync(join(tmpdir(), 'mesh-fl-trust-'))

  const trustOf = async () => (await flState(device)).trust

  beforeAll(async () => {
    relay = await RelayProcess.create({ fl: true })
    second = await RelayProcess.create({ fl: true })
    await relay.start()
    browser = await launchChromium()
    device = await openDevice(browser, relay.info!.url)
    await waitForRelay(device.page)
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await relay?.stop()
    rmSync(setDir, { recursive: true, force: true })
  })

  it('pins the CA-signed set at Join, follows a newer set that CA signs, and refuses a set from another CA', async () => {
    await device.page.getByTestId('fl-join').click()
    await expect.poll(trustOf, { timeout: 60_000, interval: 500 }).toMatchObject({ validators: 1, warning: null, followedAtMs: null })
    const pinned = (await trustOf())!
    expect(pinned.ca).toMatch(/CN=/)
    expect(await device.page.getByTestId('fl-trust').getAttribute('data-signed')).toBe('true')
    expect(await device.page.getByTestId('fl-trust').textContent()).toMatch(/1 validator\s+signed by/)

    // The operator makes the relay one of two validators (a validator-set file, the same CA) and restarts it.
    await relay.stop()
    const setFile = join(setDir, 'validators.json')
    const entries = [await relay.validatorEntry(), await second.validatorEntry()]
    writeFileSync(setFile, JSON.stringify({ chainId: 'e2e-fl-trust', validators: entries }, null, 2))
    await relay.start(['--validator-set', setFile])

    await expect.poll(trustOf, { timeout: 60_000, interval: 500 }).toMatchObject({ validators: 2, warning: null })
    const followed = (await trustOf())!
    expect(followed.followedAtMs).not.toBeNull()
    expect(followed.ca).toBe(pinned.ca)
    expect(followed.issuedAtMs!).toBeGreaterThan(pinned.issuedAtMs!)
    const audit = (await device.page.evaluate(() => (window as any).agentMesh.auditEntries())) as { event: string; details: string }[]
    const change = audit.find((e) => e.event === 'validator.change')
    expect(JSON.parse(change!.details)).toMatchObject({ followed: 'ca-signed', validators: entries.map((e) => String(e.peerId)).sort() })
    expect((await flState(device)).error).toBe('')

    // A reload keeps the followed set (IndexedDB).
    await device.page.reload()
    await waitForRelay(device.page)
    await expect.poll(trustOf, { timeout: 60_000, interval: 500 }).toMatchObject({ validators: 2, issuedAtMs: followed.issuedAtMs })

    // The relay comes back with another CA (its key files lost and made anew) and a set of one:
    // that CA is not the one the page pinned, so the page keeps its set and says why.
    await relay.stop()
    rmSync(join(relay.dataDir, CA_KEY_FILE))
    rmSync(join(relay.dataDir, CA_CERT_FILE))
    await relay.start()
    await expect.poll(async () => (await trustOf())?.warning ?? '', { timeout: 90_000, interval: 500 }).toMatch(/pinned CA did not sign/)
    expect((await trustOf())!.validators).toBe(2)
    expect(await device.page.getByTestId('fl-trust-warning').textContent()).toMatch(/pinned CA did not sign/)
  }, 300_000)
})

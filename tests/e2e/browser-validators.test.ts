import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { hexToBytes } from '@noble/hashes/utils.js'
import type { RelayProcess } from './harness/relay-process'
import { launchChromium, openDevice, waitForNode, waitForRelay, type Device } from './harness/browser'
import { waitUntil as waitFor } from './harness/wait'
import {
  grantAdmin,
  grantValidator,
  orderAdd,
  pageDuty as duty,
  relayConsensus,
  runCli,
  startRelayValidators,
  type RelayConsensus,
  type RelayValidators,
} from './harness/browser-validators'
import { runValidatorsCli } from '../../relay/validators-cli'
import { beaconSetChangeOf, CertificateFollower } from '../../workers/consensus/adapter'

// Two relay validators (sharing one CA, as the relays of one mesh do) pin a two-member set with
// relay 0's CA key as admin. Three Chromium pages are granted the validator role and follow the
// chain; an admin adds two of them live through the validators CLI, so two relays and two
// browsers commit heights together; then adds the third and removes relay 1. Every browser
// checks every certificate it holds against the set it derives from the pinned one, and the
// test checks them again in Node.
const CHAIN = 'e2e-browser-validators'

let relays: RelayProcess[] = []
let devices: Device[] = []
/** waitUntil that shows the relays' and pages' recent logs when it times out. */
async function waitUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs: number): Promise<T> {
  try {
    return await waitFor(probe, done, what, timeoutMs)
  } catch (error) {
    for (const [i, relay] of relays.entries()) console.error(`relay ${i}:\n${relay.output.join('').split('\n').slice(-12).join('\n')}`)
    for (const [i, device] of devices.entries()) console.error(`page ${i}:\n${device.logs.slice(-12).join('\n')}`)
    throw error
  }
}
const decided = (c: RelayConsensus | null) => c?.lastDecision?.height ?? 0
const started = Date.now()
const phases: string[] = []
const mark = (what: string) => phases.push(`${what} ${((Date.now() - started) / 1000).toFixed(1)} s`)

describe('browser validators over the mesh', () => {
  let browser: Browser
  let validators: RelayValidators
  let ids: string[] = []

  /**
   * The admin adds a browser through the CLI, or from an admin's page when `adminPage` is given;
   * resolves once both relays and the browser have it voting in the set.
   */
  async function addBrowser(index: number, others: Device[], adminPage?: Device): Promise<{ decidedAt: number; from: number }> {
    if (adminPage) {
      const entry = await devices[index].page.evaluate(() => (window as any).agentMesh.validatorEntry())
      const panel = adminPage.page.getByTestId('validator-admin')
      await panel.locator('summary').click()
      await panel.locator('textarea[name="validator-entry"]').fill(JSON.stringify(entry))
      await adminPage.page.getByTestId('validator-add').click()
      await expect
        .poll(() => adminPage.page.getByTestId('validator-request-sent').textContent(), { timeout: 10_000 })
        .toContain(`add ${ids[index]}`)
      // The admin relay's order shows in the panel.
      await expect.poll(() => panel.getByTestId('validator-orders').textContent(), { timeout: 20_000 }).toContain(`add ${ids[index]}`)
    } else {
      const ordered = await orderAdd(validators, devices[index], `browser-${index}`)
      expect(ordered.peerId).toBe(ids[index])
      expect(ordered.output).toMatch(`add ${ids[index]}`)
    }
    const [relayView] = await waitUntil(
      () => Promise.all([relayConsensus(relays[0]), ...[devices[index], ...others].map(duty)]),
      ([relay, ...pages]) =>
        relay?.setChange?.kind === 'add' &&
        relay.setChange.id === ids[index] &&
        pages.every((p) => p.duty?.lastChange?.id === ids[index] && (p.duty.lastCertificate?.height ?? 0) >= relay.setChange!.from + 2) &&
        (pages[0].duty?.certificatesSigned ?? 0) > 0,
      `browser ${index} added and signing`,
      120_000,
    )
    return relayView!.setChange!
  }

  beforeAll(async () => {
    validators = await startRelayValidators(CHAIN, 2, 300)
    relays = validators.relays
    browser = await launchChromium()
    devices = await Promise.all(Array.from({ length: 3 }, () => openDevice(browser, relays[0].info!.url)))
    await Promise.all(devices.map((d) => waitForRelay(d.page)))
    ids = await Promise.all(devices.map((d) => d.page.evaluate(() => (window as any).agentMesh.peerId() as string)))
    mark('started')
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await Promise.all(relays.map((r) => r.stop()))
  })

  it('two relays and two browsers commit heights; a third browser is added and a relay removed live; a tab closed and reopened votes again; every browser verifies every certificate', async () => {
    // Without the role, a page only offers its entry.
    expect((await duty(devices[0])).status).toBe('no-role')
    for (const [i, id] of ids.entries()) await grantValidator(relays[0], devices[i], id)
    const followers = await waitUntil(
      () => Promise.all(devices.map(duty)),
      (ps) => ps.every((p) => p.status === 'running' && p.duty?.role === 'following' && p.duty.verified >= 3),
      'every page granted the role and following the chain',
      120_000,
    )
    for (const p of followers) expect(p.duty).toMatchObject({ votesCast: 0, validators: 2, verifyFailure: null })
    mark('following')

    const addedA = await addBrowser(0, [devices[1]])
    const addedB = await addBrowser(1, [devices[0]])
    mark('two browsers in')
    // Two relays and two browsers: a certificate needs three of the four, so at least one browser's vote counts in each.
    const four = await waitUntil(
      () => Promise.all(devices.slice(0, 2).map(duty)),
      (ps) => ps.every((p) => (p.duty?.certificatesSigned ?? 0) >= 3 && p.duty!.validators === 4),
      'both browsers signing certificates in the set of four',
      120_000,
    )
    for (const p of four) expect(p.duty).toMatchObject({ role: 'voting', verifyFailure: null })

    // The third comes in from an admin's page: browser 0 is granted the admin role as well.
    await grantAdmin(relays[0], devices[0], ids[0])
    await expect.poll(() => devices[0].page.getByTestId('validator-admin').count(), { timeout: 20_000 }).toBe(1)
    // A bad entry is refused in the page, with the reason.
    await devices[0].page.getByTestId('validator-admin').locator('summary').click()
    await devices[0].page.getByTestId('validator-admin').locator('textarea[name="validator-entry"]').fill('{"peerId": "12D3KooWnot"}')
    await devices[0].page.getByTestId('validator-add').click()
    await expect.poll(() => devices[0].page.getByTestId('validator-request-error').textContent(), { timeout: 10_000 }).toMatch(/is missing/)
    await devices[0].page.getByTestId('validator-admin').locator('summary').click()
    const addedC = await addBrowser(2, devices.slice(0, 2), devices[0])
    mark('third browser in')
    const removedId = relays[1].info!.peerId
    expect(await runCli(runValidatorsCli, ['remove', '--peer', removedId, ...validators.adminArgs])).toMatch(`remove ${removedId}`)
    const removed = (
      await waitUntil(
        () => Promise.all([relayConsensus(relays[0]), ...devices.map(duty)]),
        ([relay, ...pages]) =>
          relay?.setChange?.kind === 'remove' &&
          pages.every((p) => p.duty?.lastChange?.kind === 'remove' && (p.duty.lastCertificate?.height ?? 0) >= relay.setChange!.from + 3),
        'relay 1 removed and three heights decided without it',
        120_000,
      )
    )[0]!.setChange!
    mark('relay removed')
    expect(removed.id).toBe(removedId)
    expect(await relayConsensus(relays[1])).toMatchObject({ member: false, validators: 4 })

    // Closing a tab is a crash fault: three of the four remain, a quorum. The reopened tab (same profile, so the
    // same node slot and IndexedDB) checks its stored chain again, catches up and votes again.
    await devices[0].page.close()
    const closedAt = decided(await relayConsensus(relays[0]))
    await waitUntil(
      () => relayConsensus(relays[0]),
      (r) => decided(r) >= closedAt + 3,
      'three heights without the closed tab',
      60_000,
    )
    const page = await devices[0].context.newPage()
    const logs: string[] = []
    page.on('console', (message) => logs.push(`[${message.type()}] ${message.text()}`))
    await page.goto(relays[0].info!.url)
    devices[0] = { context: devices[0].context, page, logs }
    expect(await waitForNode(page)).toBe(ids[0])
    const reopened = await waitUntil(
      () => duty(devices[0]),
      (p) => p.duty?.role === 'voting' && p.duty.votesCast >= 4 && (p.duty.lastCertificate?.height ?? 0) > closedAt + 3,
      'the reopened tab voting again',
      120_000,
    )
    expect(reopened.duty!.verified).toBeGreaterThan(closedAt)
    mark('tab reopened')

    // Each browser's own check: every height it holds verified from the pinned set, none failed, nobody equivocated.
    const final = await Promise.all(devices.map(duty))
    for (const p of final) expect(p.duty).toMatchObject({ role: 'voting', validators: 4, verifyFailure: null, equivocations: 0 })
    // Other validators' signatures were checked in the crypto worker, not on the page.
    for (const p of final) expect(p.duty!.signaturesInWorker).toBeGreaterThan(0)

    // And again in Node: each page's IndexedDB chain, from height 1, against the set file's set and the committed changes.
    const signed = new Map<string, number[]>()
    for (const [i, device] of devices.entries()) {
      const records = (await device.page.evaluate(() => (window as any).agentMesh.validatorDecisions())) as {
        height: number
        value: string
        certificate: string
      }[]
      expect(records.map((r) => r.height)).toEqual(Array.from({ length: records.length }, (_, k) => k + 1))
      expect(records.length).toBeGreaterThanOrEqual(removed.from + 3)
      expect((await duty(device)).duty!.verified).toBeGreaterThanOrEqual(records.length)
      const follower = new CertificateFollower(validators.loaded.set, validators.scheme, CHAIN, beaconSetChangeOf)
      for (const record of records) {
        const verdict = follower.follow(record.height, hexToBytes(record.value), hexToBytes(record.certificate))
        if (!verdict.ok) throw new Error(`page ${i} height ${record.height}: ${verdict.reason}`)
        for (const id of verdict.signers) signed.set(id, [...new Set([...(signed.get(id) ?? []), record.height])])
      }
      expect(follower.lastChange()).toMatchObject({ decidedAt: removed.decidedAt, from: removed.from })
    }
    // The browsers' votes count in certificates from the height their set decides, and the removed relay's never after.
    const [a, b, c] = ids.map((id) => signed.get(id) ?? [])
    expect(a.length).toBeGreaterThan(0)
    expect(b.length).toBeGreaterThan(0)
    expect(c.length).toBeGreaterThan(0)
    expect(Math.min(...a)).toBeGreaterThanOrEqual(addedA.from)
    expect(Math.min(...b)).toBeGreaterThanOrEqual(addedB.from)
    expect(Math.min(...c)).toBeGreaterThanOrEqual(addedC.from)
    expect(Math.max(...(signed.get(removedId) ?? [0]))).toBeLessThan(removed.from)
    expect(Math.max(...a)).toBeGreaterThan(closedAt)
    // Nobody signed two values at one height and round, the reopened tab included.
    for (const relay of relays) expect((await relayConsensus(relay))?.equivocations ?? 0).toBe(0)
    // The dashboard shows the duty.
    await expect.poll(() => devices[2].page.getAttribute('[data-testid="validator-panel"]', 'data-role')).toBe('voting')
    mark('checked')
    console.log(
      `${phases.join(', ')}; browsers added from heights ${addedA.from}, ${addedB.from}, ${addedC.from}; relay 1 removed from ${removed.from}; ` +
        `tab 0 closed at ${closedAt}; ` +
        `certificates signed by the browsers: ${a.length}, ${b.length}, ${c.length}`,
    )
  }, 600_000)
})

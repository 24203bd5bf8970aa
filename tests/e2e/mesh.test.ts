import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { RelayProcess } from './harness/relay-process'
import { launchChromium, mesh, openDevice, waitForDirectPeers, waitForNode, waitForRelay, type Device } from './harness/browser'

// Three browser profiles and a real relay process over real WebRTC: the foundation's
// promises, checked in the order a person would meet them.
describe('browser mesh over a real relay', () => {
  let relay: RelayProcess
  let browser: Browser
  let devices: Device[] = []
  let ids: string[] = []

  const others = (i: number) => ids.filter((_, j) => j !== i)

  beforeAll(async () => {
    relay = await RelayProcess.create()
    await relay.start()
    browser = await launchChromium()
    devices = []
    for (let i = 0; i < 3; i++) devices.push(await openDevice(browser, relay.info!.url))
    ids = await Promise.all(devices.map((d) => mesh(d.page).peerId()))
  })

  afterAll(async () => {
    await browser?.close()
    await relay?.stop()
  })

  it('gives each profile its own PeerId and connects it to the relay', async () => {
    expect(new Set(ids).size).toBe(3)
    for (const id of ids) expect(id).toMatch(/^12D3KooW/)
    await Promise.all(devices.map((d) => waitForRelay(d.page)))
  })

  it('upgrades every pair to a direct WebRTC connection', async () => {
    await Promise.all(devices.map((d, i) => waitForDirectPeers(d.page, others(i))))
    for (const [i, d] of devices.entries()) {
      const rows = await d.page
        .locator('[data-peer-id]')
        .evaluateAll((els) => els.map((e) => [e.getAttribute('data-peer-id'), e.getAttribute('data-connection')]))
      for (const other of others(i)) expect(rows).toContainEqual([other, 'webrtc'])
    }
    // Each direct peer's round trip, once measured, reads as milliseconds with at most one decimal.
    const cells = () => devices[0].page.locator('[data-peer-id] td:nth-child(3)').allInnerTexts()
    await expect.poll(async () => (await cells()).filter((t) => t !== '—').length, { timeout: 30_000 }).toBe(2)
    for (const text of await cells()) expect(text).toMatch(/^(—|\d+(\.\d)? ms)$/)
  })

  it('carries gossip between browsers on their direct links, not through the relayed circuit', async () => {
    // GossipSub opens its stream to a peer on the relayed circuit (identified first); it must
    // move to the direct link (workers/net/gossip-links.ts), or every message takes the relay's seconds.
    for (const [i, d] of devices.entries()) {
      await expect
        .poll(async () => (await mesh(d.page).gossipLinks()).peers.filter((p) => others(i).includes(p.peer)).map((p) => p.kind), {
          timeout: 30_000,
        })
        .toEqual(others(i).map(() => 'webrtc'))
    }
  })

  it('delivers a gossip message from each node to every other', async () => {
    for (const [i, d] of devices.entries()) await mesh(d.page).publishChat(`hello from ${i}`)
    for (const [i, d] of devices.entries()) {
      await expect
        .poll(async () => (await mesh(d.page).chats()).map((c) => c.text).sort(), { timeout: 20_000 })
        .toEqual(
          others(i)
            .map((id) => `hello from ${ids.indexOf(id)}`)
            .sort(),
        )
      const chats = await mesh(d.page).chats()
      for (const chat of chats) expect(chat.from).toBe(ids[Number(chat.text.split(' ').at(-1))])
    }
  })

  it('moves a 5 MB payload intact between two browsers over the stream protocol', async () => {
    const hash = await mesh(devices[0].page).addBlob(5_000_000, 20261125)
    const received = await mesh(devices[1].page).fetchBlob(ids[0], hash)
    expect(received.bytes).toBe(5_000_000)
    expect(received.sha256).toBe(hash)
    // Asking for a blob nobody holds fails with a clear error instead of hanging.
    await expect(mesh(devices[2].page).fetchBlob(ids[0], '00'.repeat(32))).rejects.toThrow(/not found/)
  })

  it('keeps the PeerId across a reload and rejoins the mesh', async () => {
    const page = devices[2].page
    await page.reload()
    expect(await waitForNode(page)).toBe(ids[2])
    await waitForRelay(page)
    await waitForDirectPeers(page, others(2))
  })

  it('makes a second tab of one profile its own node, and gives a reopened tab its identity back', async () => {
    const { context } = devices[0]
    const openTab = async () => {
      const tab = await context.newPage()
      await tab.goto(relay.info!.url)
      return { tab, id: await waitForNode(tab) }
    }
    const first = await openTab()
    expect(first.id).toMatch(/^12D3KooW/)
    expect(ids).not.toContain(first.id)
    await waitForRelay(first.tab)
    await waitForDirectPeers(first.tab, [ids[0]])
    await first.tab.close()
    // The first tab keeps its own identity while the second comes and goes.
    expect(await mesh(devices[0].page).peerId()).toBe(ids[0])
    const reopened = await openTab()
    expect(reopened.id).toBe(first.id)
    await reopened.tab.close()
  })

  it('opens the app shell offline from the service worker and says it is offline', async () => {
    const { page, context } = devices[1]
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 })
    await context.setOffline(true)
    try {
      await page.reload()
      await page.getByTestId('offline-banner').waitFor({ timeout: 15_000 })
      await expect.poll(() => page.getByTestId('peer-id').textContent()).toBe(ids[1])
      expect(await page.title()).toBe('Agent Mesh')
      await page.waitForSelector('[data-relay-state="offline"]', { timeout: 15_000 })
    } finally {
      await context.setOffline(false)
    }
    await waitForRelay(page)
    await waitForDirectPeers(page, others(1))
  })

  it('reconnects after the relay restarts, and the pages find each other again', async () => {
    expect(await relay.stop()).toBe(0)
    await Promise.all(devices.map((d) => d.page.waitForSelector('[data-relay-state="reconnecting"]', { timeout: 30_000 })))
    await relay.start()
    await Promise.all(devices.map((d) => waitForRelay(d.page)))
    for (const [i, d] of devices.entries()) await mesh(d.page).publishChat(`again from ${i}`)
    for (const [i, d] of devices.entries()) {
      await expect
        .poll(async () => (await mesh(d.page).chats()).filter((c) => c.text.startsWith('again')).length, { timeout: 30_000 })
        .toBe(2)
      await waitForDirectPeers(d.page, others(i))
    }
    // A newcomer after the restart discovers all three and connects to them directly.
    const newcomer = await openDevice(browser, relay.info!.url)
    devices.push(newcomer)
    await waitForRelay(newcomer.page)
    await waitForDirectPeers(newcomer.page, ids)
    const health = await relay.health()
    expect(health.peers).toBeGreaterThanOrEqual(4)
  })
})

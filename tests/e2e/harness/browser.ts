import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchHeadlessChromium } from '../../../scripts/chromium'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { TEST_BUILD } from './relay-process'
import type { SwarmFetchReport } from '../../../app/mesh/test-handle'

export { CHROMIUM, CHROMIUM_ARGS } from '../../../scripts/chromium'

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  // Pages load the test build, the only one with window.agentMesh.
  if (!existsSync(join(TEST_BUILD, 'index.html'))) {
    throw new Error(`the test build is missing (${TEST_BUILD}): run 'npm run build:test' (npm test does)`)
  }
  return launchHeadlessChromium(extraArgs)
}

export interface Device {
  readonly context: BrowserContext
  readonly page: Page
  readonly logs: string[]
}

/** One simulated device: its own browser context, so its own IndexedDB, service worker and PeerId. */
export async function openDevice(browser: Browser, url: string): Promise<Device> {
  const context = await browser.newContext()
  // MESH_LIBP2P_DEBUG=libp2p:webrtc* (the `debug` module's syntax) turns on libp2p's logs in the page.
  const debug = process.env.MESH_LIBP2P_DEBUG
  if (debug) await context.addInitScript((namespaces) => localStorage.setItem('debug', namespaces), debug)
  const page = await context.newPage()
  const logs: string[] = []
  // The console's text of an object is a preview of its first few fields (a log line's message and error are cut off), so objects are read whole.
  page.on('console', (message) => {
    const args = message.args()
    if (!message.text().includes('{') || args.length === 0) return void logs.push(`[${message.type()}] ${message.text()}`)
    Promise.all(args.map((a) => a.jsonValue()))
      .then((values) => logs.push(`[${message.type()}] ${values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(' ')}`))
      .catch(() => logs.push(`[${message.type()}] ${message.text()}`))
  })
  page.on('pageerror', (error) => logs.push(`[pageerror] ${error.message}`))
  await page.goto(url)
  await waitForNode(page)
  return { context, page, logs }
}

export async function waitForNode(page: Page, timeout = 30_000): Promise<string> {
  await page.waitForFunction(() => (window as any).agentMesh?.peerId(), undefined, { timeout })
  return page.evaluate(() => (window as any).agentMesh.peerId() as string)
}

export async function waitForRelay(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForSelector('[data-relay-state="connected"]', { timeout })
}

/** Waits until the page lists every given peer with a direct WebRTC connection. */
export async function waitForDirectPeers(page: Page, peerIds: string[], timeout = 90_000): Promise<void> {
  await page.waitForFunction(
    (ids) => ids.every((id) => document.querySelector(`[data-peer-id="${id}"][data-connection="webrtc"]`)),
    peerIds,
    { timeout, polling: 250 },
  )
}

/** Waits until the page lists at least `count` peers with a direct WebRTC connection. */
export async function waitForDirectPeerCount(page: Page, count: number, timeout = 90_000): Promise<void> {
  await page.waitForFunction((n) => document.querySelectorAll('[data-peer-id][data-connection="webrtc"]').length >= n, count, {
    timeout,
    polling: 250,
  })
}

export interface ConnectionClose {
  readonly peer: string
  readonly kind: string
  readonly openedAt: number
  readonly closedAt: number
  readonly streamsOpen: number
  readonly direction: string
  readonly duplicate: boolean
  readonly reason: string
}

export function mesh(page: Page) {
  return {
    peerId: () => page.evaluate(() => (window as any).agentMesh.peerId() as string),
    publishChat: (text: string) => page.evaluate((t) => (window as any).agentMesh.publishChat(t) as Promise<number>, text),
    chats: () =>
      page.evaluate(() => (window as any).agentMesh.chats() as { from: string; text: string; sentAtUs: number; receivedAtUs: number }[]),
    addBlob: (size: number, seed: number) =>
      page.evaluate(([s, d]) => (window as any).agentMesh.addBlob(s, d) as Promise<string>, [size, seed] as const),
    fetchBlob: (peerId: string, hash: string) =>
      page.evaluate(
        ([p, h]) =>
          (window as any).agentMesh.fetchBlob(p, h) as Promise<{
            bytes: number
            sha256: string
            ms: number
            directWaitMs: number
            links: string
            retries: string[]
          }>,
        [peerId, hash] as const,
      ),
    fetchFromHolders: (holders: string[], hash: string) =>
      page.evaluate(([p, h]) => (window as any).agentMesh.fetchFromHolders(p, h) as Promise<SwarmFetchReport>, [holders, hash] as const),
    directPeers: () => page.evaluate(() => (window as any).agentMesh.directPeers() as string[]),
    gossipLinks: () =>
      page.evaluate(() => (window as any).agentMesh.gossipLinks() as { peers: { peer: string; kind: string }[]; moves: number }),
    connectionCloses: () => page.evaluate(() => (window as any).agentMesh.connectionCloses() as ConnectionClose[]),
    ping: (peerId: string) => page.evaluate((p) => (window as any).agentMesh.ping(p) as Promise<number>, peerId),
    gate: () => page.evaluate(() => (window as any).agentMesh.gate() as { accepted: number; rejected: Record<string, number> }),
    multiaddrs: () => page.evaluate(() => (window as any).agentMesh.multiaddrs() as string[]),
  }
}

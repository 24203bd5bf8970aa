import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { RelayProcess } from './harness/relay-process'
import { launchChromium, mesh, openDevice, waitForRelay, type Device } from './harness/browser'

// A connection a browser aborts must end on the relay too. libp2p resets WebSockets with
// close(1006), which Chromium refuses (InvalidAccessError); before workers/net/websocket-reset.ts
// the relay kept such a connection open forever (and the relay's own aborts left pages on dead
// sockets, which the unit test tests/unit/net/websocket-reset.test.ts covers in Node).
describe('a WebSocket connection aborted in the browser', () => {
  let relay: RelayProcess
  let browser: Browser
  let device: Device
  let peerId: string

  beforeAll(async () => {
    // Info level: the relay logs every peer connection and disconnection.
    relay = await RelayProcess.create({ logLevel: 'info' })
    await relay.start()
    browser = await launchChromium()
    device = await openDevice(browser, relay.info!.url)
    await waitForRelay(device.page)
    peerId = await mesh(device.page).peerId()
  })

  afterAll(async () => {
    await browser?.close()
    await relay?.stop()
  })

  const relayLog = (msg: string) =>
    relay.output
      .join('')
      .split('\n')
      .filter((line) => line.includes(`"msg":"${msg}"`) && line.includes(peerId)).length

  it('ends on the relay as well, and the page connects again', async () => {
    expect(relayLog('peer connected')).toBe(1)
    await device.page.evaluate(() => (window as any).agentMesh.abortRelayConnection())
    await expect.poll(() => relayLog('peer disconnected'), { timeout: 30_000 }).toBe(1)
    await expect.poll(() => relayLog('peer connected'), { timeout: 30_000 }).toBe(2)
    await waitForRelay(device.page)
    expect((await relay.health()).peers).toBe(1)
  })
})

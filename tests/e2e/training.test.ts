import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { RelayProcess } from './harness/relay-process'
import { launchChromium, openDevice, type Device } from './harness/browser'

/** Records every long task (> 50 ms) on the page's main thread from now on. */
async function watchLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { longTasks: number[] }
    w.longTasks = []
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.longTasks.push(entry.duration)
    }).observe({ type: 'longtask' })
  })
}

// Training runs in a Dedicated Worker with tfjs on real MNIST: the page sees the backend,
// progress and results, and its main thread never blocks for more than 50 ms meanwhile.
describe('local training in the browser', () => {
  let relay: RelayProcess
  let browser: Browser
  let device: Device

  beforeAll(async () => {
    relay = await RelayProcess.create()
    await relay.start()
    browser = await launchChromium()
    device = await openDevice(browser, relay.info!.url)
  })

  afterAll(async () => {
    await browser?.close()
    await relay?.stop()
  })

  it('trains in a worker, reports backend and progress, and never blocks the main thread', async () => {
    const { page } = device
    await page.waitForTimeout(1000) // let start-up work (bundle parsing, connecting) finish first
    await watchLongTasks(page)
    // The button runs a small round; the progress bar is checked on a longer one below.
    await page.getByRole('button', { name: 'Train one round' }).click()
    // What the page said is kept if this ever times out again (it did twice in clean-clone runs,
    // when the click met the button disabled by the task worker's preparation; now it waits).
    await page.waitForSelector('[data-testid="train-result"]', { timeout: 120_000 }).catch(async (error) => {
      const panel = await page
        .locator('[data-training-state]')
        .first()
        .evaluate((el) => `${el.getAttribute('data-training-state')}: ${el.textContent}`)
        .catch((e: Error) => `no training panel: ${e.message}`)
      console.log(`training panel: ${panel}\npage log (last 40):\n${device.logs.slice(-40).join('\n')}`)
      throw error
    })
    const long = page.evaluate(() => (window as any).agentMesh.train({ epochs: 3, batchSize: 32, clientIndex: 0, clients: 2, seed: 9 }))
    await page.waitForSelector('[data-training-state="training"] progress', { timeout: 60_000 })
    await long
    expect(await page.evaluate(() => (window as any).agentMesh.trainingProgressEvents())).toBeGreaterThan(20)

    const backend = await page.locator('[data-testid="backend"]').getAttribute('data-backend')
    // Headless with --disable-gpu there is no hardware adapter: WebGPU/WebGL must have been skipped,
    // and wasm works, so the cpu fallback is never measured (a race could pick it under load).
    expect(backend).toBe('wasm')
    const candidates = (await page.locator('[data-testid="backend-candidates"] li').allTextContents()).map((c) =>
      c.replace(/\s+/g, ' ').trim(),
    )
    expect(candidates.find((c) => c.startsWith('wasm:'))).toMatch(/samples\/s at best \(runs \d+\)/)
    expect(candidates.find((c) => c.startsWith('cpu:'))).toMatch(/not measured — .*fallback/)
    expect(candidates.find((c) => c.startsWith('webgl:'))).toMatch(/not measured — /)
    expect(page.workers().some((w) => w.url().includes('training.worker'))).toBe(true)
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks)
    expect(longTasks).toEqual([])

    const [result, longer] = await page.evaluate(() => (window as any).agentMesh.trainingResults())
    expect(result.samples).toBeGreaterThan(500)
    expect(longer.samples).toBeGreaterThan(3000)
    expect(result.validationAccuracy).toBeGreaterThan(0.5)
    expect(result.loss).toBeGreaterThan(0)
  })

  it('starts a training clicked while another part of the page is preparing the worker', async () => {
    const fresh = await openDevice(browser, relay.info!.url)
    try {
      const { page } = fresh
      // The task worker prepares the training worker once the node has a role; this does the same at a known time.
      const stateAtStart = await page.evaluate(() => {
        void (window as any).agentMesh.prepareTraining()
        return document.querySelector('[data-training-state]')?.getAttribute('data-training-state')
      })
      expect(['idle', 'preparing']).toContain(stateAtStart)
      await page.waitForSelector('[data-training-state="preparing"]')
      // Forced: no waiting for the button to be enabled, so a button disabled while preparing loses the click.
      await page.locator('[data-testid="training"] button').first().click({ force: true })
      expect(await page.locator('[data-training-state]').first().getAttribute('data-training-state')).toBe('preparing')
      await page.waitForSelector('[data-testid="train-result"]', { timeout: 120_000 })
      expect(await page.locator('[data-training-state]').first().getAttribute('data-training-state')).toBe('ready')
    } finally {
      await fresh.context.close()
    }
  })

  it('leaks no tensors across rounds and can be cancelled', async () => {
    const { page } = device
    const counts: number[] = []
    for (let round = 0; round < 3; round++) {
      const result = await page.evaluate(() =>
        (window as any).agentMesh.train({ epochs: 1, batchSize: 32, clientIndex: 1, clients: 10, seed: 3 }),
      )
      counts.push(result.numTensors)
    }
    expect(new Set(counts).size).toBe(1)

    const cancelled = await page.evaluate(async () => {
      const mesh = (window as any).agentMesh
      const running = mesh.train({ epochs: 50, batchSize: 8, clientIndex: 2, clients: 10, seed: 4 })
      await new Promise((r) => setTimeout(r, 500))
      document.querySelector<HTMLButtonElement>('[data-testid="training"] button:nth-of-type(2)')?.click()
      return running
    })
    expect(cancelled).toBeUndefined()
    await page.waitForSelector('[data-training-state="cancelled"]')
    const after = await page.evaluate(() =>
      (window as any).agentMesh.train({ epochs: 1, batchSize: 32, clientIndex: 1, clients: 10, seed: 3 }),
    )
    expect(after.numTensors).toBe(counts[0])
  })

  it('trains the model the task describes, and refuses a spec it cannot build', async () => {
    const { page } = device
    const model = {
      inputShape: [784],
      layers: [
        { type: 'dense', units: 32, activation: 'relu' },
        { type: 'dense', units: 10 },
      ],
      classes: 10,
    }
    const result = await page.evaluate(
      (m) => (window as any).agentMesh.train({ epochs: 1, batchSize: 32, clientIndex: 0, clients: 10, seed: 5, model: m }),
      model,
    )
    expect(result.parameters).toBe(784 * 32 + 32 + 32 * 10 + 10)
    expect(result.validationAccuracy).toBeGreaterThan(0.3)

    const refused = await page.evaluate(async () => {
      try {
        await (window as any).agentMesh.train({
          epochs: 1,
          batchSize: 32,
          clientIndex: 0,
          clients: 10,
          seed: 5,
          model: { inputShape: [784], layers: [{ type: 'conv2d', filters: 4, kernelSize: 3 }], classes: 10 },
        })
        return 'trained'
      } catch (error) {
        return String(error)
      }
    })
    expect(refused).toMatch(/model spec was refused: layers\[0\]: conv2d needs \[h, w, c\] input/)
    await page.waitForSelector('[data-training-state="failed"]')
  })
})

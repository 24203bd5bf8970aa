import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { join } from 'node:path'
import { RelayProcess } from './harness/relay-process'
import { launchChromium, openDevice, waitForRelay, type Device } from './harness/browser'

const root = join(import.meta.dirname, '../..')
const TRAINERS = 3
const ROUNDS = 2

interface FlState {
  joined: boolean
  error: string
  taskId: string | null
  status: { round: number; phase: string; cohort: string[] } | null
  rounds: { round: number; modelHash: string; accuracy: number | null; verified: boolean; adopted: boolean; signers: number }[]
}

const flState = (d: Device): Promise<FlState> => d.page.evaluate(() => (window as any).agentMesh.flState())

// The federated round in the product: a relay (aggregator and its own one-member validator
// set) and three browsers pressing Join. Each trains on its own shard in the training worker,
// submits a sealed update on a direct stream, and adopts each model only after checking the
// certificate. Correctness only: no timing assertions.
describe('federated training over the mesh', () => {
  let relay: RelayProcess
  let browser: Browser
  const devices: Device[] = []

  beforeAll(async () => {
    relay = await RelayProcess.create({ fl: true })
    // A short task, created with the relay CLI before the relay starts (it then makes no default task).
    const { stdout } = await promisify(execFile)(
      join(root, 'node_modules/.bin/tsx'),
      [
        'relay/cli.ts',
        'fl',
        'create',
        '--name',
        'e2e digits',
        '--rounds',
        String(ROUNDS),
        '--quorum',
        String(TRAINERS),
        '--steps',
        '15',
        '--lr',
        '0.1',
        '--rule',
        'fedavg',
        '--deadline-ms',
        '60000',
        '--validate-ms',
        '60000',
        '--data-dir',
        relay.dataDir,
      ],
      { cwd: root },
    )
    expect(stdout).toMatch(/[0-9a-f]{64}/)
    await relay.start()
    browser = await launchChromium()
    for (let i = 0; i < TRAINERS; i++) devices.push(await openDevice(browser, relay.info!.url))
    await Promise.all(devices.map((d) => waitForRelay(d.page)))
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await relay?.stop()
  })

  it('trains, aggregates, certifies and adopts every round in every browser; accuracy rises; all end on one model', async () => {
    // Two join through the button, one through the page's API.
    await devices[0].page.getByTestId('fl-join').click()
    await devices[1].page.getByTestId('fl-join').click()
    await devices[2].page.evaluate(() => (window as any).agentMesh.flJoin())

    try {
      for (const d of devices)
        await expect
          .poll(async () => (await flState(d)).rounds.filter((r) => r.verified && r.adopted).length, {
            timeout: Number(process.env.FL_E2E_WAIT_MS ?? 400_000),
            interval: 2_000,
          })
          .toBeGreaterThanOrEqual(ROUNDS)
    } catch (error) {
      for (const [i, d] of devices.entries()) {
        console.log(`browser ${i}:`, JSON.stringify(await flState(d)))
        console.log(
          d.logs
            .filter((l) => /fl|round|error|warn/i.test(l))
            .slice(-40)
            .join('\n'),
        )
      }
      console.log('relay:', relay.output.slice(-60).join('\n'))
      throw error
    }

    const states = await Promise.all(devices.map(flState))
    for (const s of states) expect(s.error).toBe('')
    const finalHashes = states.map((s) => s.rounds.find((r) => r.round === ROUNDS)!.modelHash)
    expect(new Set(finalHashes).size).toBe(1)
    const accuracy = states[0].rounds.map((r) => r.accuracy ?? 0)
    // The untrained model guesses (about 10 %); two rounds of three trainers reach well above it.
    expect(accuracy[0]).toBeGreaterThan(0.3)
    expect(accuracy[ROUNDS - 1]).toBeGreaterThan(accuracy[0] - 0.05)
    for (const r of states[0].rounds) expect(r.signers).toBe(1)

    // Every browser wrote a model.adopt audit entry per round.
    for (const d of devices) {
      const entries = await d.page.evaluate(() => (window as any).agentMesh.auditEntries())
      expect(entries.filter((e: { event: string }) => e.event === 'model.adopt').length).toBeGreaterThanOrEqual(ROUNDS)
    }
    // The task is done on the relay and the dashboard says so after a reload, from IndexedDB and the relay.
    await devices[0].page.reload()
    await expect.poll(async () => (await flState(devices[0])).rounds.filter((r) => r.adopted).length, { timeout: 60_000 }).toBe(ROUNDS)
    await expect.poll(async () => (await flState(devices[0])).joined, { timeout: 60_000 }).toBe(true)
  }, 600_000)
})

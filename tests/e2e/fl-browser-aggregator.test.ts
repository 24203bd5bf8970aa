import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { join } from 'node:path'
import { RelayProcess } from './harness/relay-process'
import { launchChromium, openDevice, waitForRelay, type Device } from './harness/browser'
import { adoptedRounds, createFlTask, expectOneModel, flState, printBrowserFlState } from './harness/fl'
import { fromBase64, type TaskFeed } from '../../workers/fl/mesh/task-feed'
import { decodeDescriptor } from '../../workers/fl/round/codec'
import { secureSubmissionTicket } from '../../workers/fl/round/secure-reexecute'
import type { ProposalDescriptor } from '../../workers/fl/round/types'

const root = join(import.meta.dirname, '../..')
const ROUNDS = 2
const WAIT_MS = Number(process.env.FL_E2E_WAIT_MS ?? 300_000)

// A browser as a federated aggregator (README, "Federated round"): an admin names it in a task,
// it takes its turns in the rotation with the relay (its own one-member validator set), opens
// the trainers' sealed updates, aggregates and proposes; the relay re-executes the browser's
// candidate before it votes, and every browser adopts only certified models.
describe('a browser that aggregates', () => {
  let relay: RelayProcess
  let browser: Browser
  const devices: Device[] = []

  beforeAll(async () => {
    relay = await RelayProcess.create({ fl: true })
    await relay.start()
    browser = await launchChromium()
    for (let i = 0; i < 4; i++) devices.push(await openDevice(browser, relay.info!.url))
    await Promise.all(devices.map((d) => waitForRelay(d.page)))
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await relay?.stop()
  })

  let aggregatorId = ''

  /** Runs a task naming the first device as an aggregator to its end; returns each committed round's descriptor. */
  async function runTask(name: string, options: Record<string, string | number>): Promise<ProposalDescriptor[]> {
    const [aggregator] = devices
    // Created with the relay running, as an operator would: the relay picks it up from its store.
    const taskId = await createFlTask(relay.dataDir, {
      name,
      rounds: ROUNDS,
      quorum: 3,
      steps: 15,
      lr: 0.1,
      'deadline-ms': 30_000,
      'validate-ms': 60_000,
      aggregators: aggregatorId,
      ...options,
    })
    const served = async () =>
      ((await (await fetch(new URL('/api/fl/tasks', relay.info!.url))).json()) as TaskFeed).tasks.map((t) => t.taskId)
    await expect.poll(served, { timeout: 30_000 }).toContain(taskId)
    for (const d of devices) {
      // A node takes part in one task at a time: the one before is left through the card's button.
      if ((await flState(d)).joined) await d.page.getByTestId('fl-leave').click()
      await d.page.evaluate((id) => (window as any).agentMesh.flJoin(id), taskId)
    }
    // The card says the browser aggregates in turn.
    await expect.poll(() => aggregator.page.getByTestId('fl-aggregators').textContent()).toContain('this browser among them')

    try {
      for (const d of devices)
        await expect.poll(() => adoptedRounds(d), { timeout: WAIT_MS, interval: 1_000 }).toBeGreaterThanOrEqual(ROUNDS)
    } catch (error) {
      await printBrowserFlState(devices)
      console.log('relay:', relay.output.slice(-60).join('\n'))
      throw error
    }

    const states = await expectOneModel(devices, ROUNDS, name)
    for (const s of states) expect(s.taskId).toBe(taskId)
    for (const r of states[0].rounds) expect([r.verified, r.signers]).toEqual([true, 1])
    const feed = (await (await fetch(new URL('/api/fl/tasks', relay.info!.url))).json()) as TaskFeed
    return feed.tasks
      .find((t) => t.taskId === taskId)!
      .committed.map((c) => {
        const d = decodeDescriptor(fromBase64(c.descriptor))
        if (!d.ok) throw new Error(d.reason)
        // A browser does not train in a round it aggregates.
        if (d.value.aggregator === aggregatorId) expect(d.value.inputs.map((i) => i.trainer)).not.toContain(aggregatorId)
        return d.value
      })
  }

  it('takes its turns in a robust task that names it, and the relay certifies the rounds it aggregated', async () => {
    const [aggregator, ...trainers] = devices
    aggregatorId = await aggregator.page.evaluate(() => (window as any).agentMesh.peerId())
    await promisify(execFile)(
      join(root, 'node_modules/.bin/tsx'),
      ['relay/cli.ts', 'grant', '--peer', aggregatorId, '--role', 'aggregator', '--days', '1', '--data-dir', relay.dataDir],
      { cwd: root },
    )
    // The others' gates let its announcements and proposals through once they hold its new credential.
    for (const d of trainers)
      await expect
        .poll(() => d.page.evaluate((id) => (window as any).agentMesh.knownRoles(id), aggregatorId), { timeout: 60_000 })
        .toContain('aggregator')

    // The rotation over [relay, browser] gave the browser a round, and the relay certified the candidate it proposed.
    const aggregators = (await runTask('browser-aggregated digits', { rule: 'median' })).map((d) => d.aggregator)
    expect(aggregators).toContain(aggregatorId)
    expect(aggregators).toContain(relay.info!.peerId)
  }, 600_000)

  it('runs secure aggregation with the trainers in its turns; the relay replays its transcript', async () => {
    expect(aggregatorId, 'the robust case grants the role').not.toBe('')
    const committed = await runTask('browser-aggregated secure digits', { rule: 'fedavg', privacy: 'secure', 'bucket-size': 3 })
    const byBrowser = committed.filter((d) => d.aggregator === aggregatorId)
    expect(byBrowser.length).toBeGreaterThan(0)
    // Its rounds name the transcript the relay replayed, and signed tickets rather than updates.
    for (const d of byBrowser) {
      expect(d.transcript).toMatch(/^[0-9a-f]{64}$/)
      for (const input of d.inputs) expect(input.update).toBe(secureSubmissionTicket(d.taskId, d.round, input.trainer))
    }
  }, 600_000)
})

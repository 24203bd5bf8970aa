import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { RelayProcess } from './harness/relay-process'
import { launchChromium, openDevice, waitForRelay, type Device } from './harness/browser'
import { adoptedRounds, createFlTask, flState } from './harness/fl'
import { fromBase64, type TaskFeed } from '../../workers/fl/mesh/task-feed'
import { decodeDescriptor } from '../../workers/fl/round/codec'
import { secureSubmissionTicket } from '../../workers/fl/round/secure-reexecute'

const TRAINERS = 4
const ROUNDS = 2
const WAIT_MS = Number(process.env.FL_E2E_WAIT_MS ?? 400_000)

// Secure mode over the mesh: a relay (aggregator and its own one-member validator set) and four
// browsers pressing Join. Each trains in its worker and takes part in its bucket's secure
// aggregation with the relay over direct streams; the relay sees only the bucket sum, publishes
// the transcript, replays it as validator, and every browser adopts each model only after
// checking its certificate. Correctness only: no timing assertions.
describe('federated training over the mesh in secure mode', () => {
  let relay: RelayProcess
  let browser: Browser
  const devices: Device[] = []

  const diagnose = async () => {
    for (const [i, d] of devices.entries()) {
      console.log(`browser ${i}:`, JSON.stringify(await flState(d).catch((e) => String(e))))
      console.log(
        d.logs
          .filter((l) => /fl|round|secure|error|warn/i.test(l))
          .slice(-30)
          .join('\n'),
      )
    }
    console.log('relay:', relay.output.slice(-80).join('\n'))
  }

  beforeAll(async () => {
    relay = await RelayProcess.create({ fl: true })
    await createFlTask(relay.dataDir, {
      name: 'e2e secure digits',
      rounds: ROUNDS,
      quorum: 3,
      rule: 'fedavg',
      privacy: 'secure',
      'bucket-size': 3,
      steps: 15,
      lr: 0.1,
      'deadline-ms': 30_000,
      'validate-ms': 60_000,
    })
    await relay.start()
    browser = await launchChromium()
    for (let i = 0; i < TRAINERS; i++) devices.push(await openDevice(browser, relay.info!.url))
    await Promise.all(devices.map((d) => waitForRelay(d.page)))
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await relay?.stop()
  })

  it('commits two secure rounds; every browser verifies, adopts and ends on one model, and accuracy rises', async () => {
    for (const d of devices) await d.page.getByTestId('fl-join').click()
    try {
      for (const d of devices)
        await expect.poll(() => adoptedRounds(d), { timeout: WAIT_MS, interval: 1_000 }).toBeGreaterThanOrEqual(ROUNDS)
    } catch (error) {
      await diagnose()
      throw error
    }
    const states = await Promise.all(devices.map(flState))
    for (const s of states) expect(s.error).toBe('')
    const finals = states.map((s) => s.rounds.find((r) => r.round === ROUNDS)!.modelHash)
    expect(new Set(finals).size).toBe(1)
    expect(states[0].rounds.map((r) => r.round)).toEqual([1, 2])
    const accuracy = states[0].rounds.map((r) => r.accuracy ?? 0)
    console.log(`secure mode, accuracy by round: ${accuracy.map((x) => (x * 100).toFixed(1)).join(' % → ')} %`)
    expect(accuracy[0]).toBeGreaterThan(0.3)
    expect(accuracy[ROUNDS - 1]).toBeGreaterThan(accuracy[0])
    // Each committed round came from secure aggregation: its descriptor names a transcript, and its inputs are
    // signed tickets (no update blob) of at least the quorum's trainers.
    const feed = (await (await fetch(new URL('/api/fl/tasks', relay.info!.url))).json()) as TaskFeed
    const committed = feed.tasks[0].committed
    expect(committed).toHaveLength(ROUNDS)
    for (const c of committed) {
      const d = decodeDescriptor(fromBase64(c.descriptor))
      expect(d.ok).toBe(true)
      if (!d.ok) continue
      expect(d.value.transcript).toMatch(/^[0-9a-f]{64}$/)
      expect(d.value.inputs.length).toBeGreaterThanOrEqual(3)
      for (const input of d.value.inputs) expect(input.update).toBe(secureSubmissionTicket(d.value.taskId, d.value.round, input.trainer))
    }
    expect(relay.output.some((l) => /secure-aggregation bucket aborted/.test(l))).toBe(false)
  }, 900_000)
})

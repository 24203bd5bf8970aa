import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { spawnSync } from 'node:child_process'
import { taskFromFeed, type TaskFeed } from '../../workers/fl/mesh/task-feed'
import { join } from 'node:path'
import type { RelayProcess } from './harness/relay-process'
import type { Device } from './harness/browser'
import {
  adoptedRounds,
  committedRoundsInStore,
  expectOneModel,
  expectSecureCommits,
  flState,
  printBrowserFlState,
  startFlMesh,
  type FlMesh,
} from './harness/fl'

const root = join(import.meta.dirname, '../..')
const TRAINERS = 4
const ROUNDS = 4
const WAIT_MS = Number(process.env.FL_E2E_WAIT_MS ?? 300_000)

// The federated round in the product: a relay (aggregator and its own one-member validator
// set) and four browsers pressing Join, one of them Byzantine (it submits sign-flipped
// updates stretched to the clipping bound). Each trains on its own shard in the training
// worker, submits a sealed update on a direct stream, and adopts each model only after
// checking its certificate. Mid-task one browser closes and the relay restarts. Correctness
// only: no timing assertions.
describe('federated training over the mesh', () => {
  let relay: RelayProcess
  let browser: Browser
  let devices: Device[] = []

  const diagnose = async (devicesNow: Device[]) => {
    await printBrowserFlState(devicesNow)
    console.log('relay:', relay.output.slice(-60).join('\n'))
  }
  const waitForRounds = async (devicesNow: Device[], rounds: number) => {
    try {
      for (const d of devicesNow)
        await expect.poll(() => adoptedRounds(d), { timeout: WAIT_MS, interval: 1_000 }).toBeGreaterThanOrEqual(rounds)
    } catch (error) {
      await diagnose(devicesNow)
      throw error
    }
  }

  beforeAll(async () => {
    ;({ relay, browser, devices } = await startFlMesh(
      {
        name: 'e2e digits',
        rounds: ROUNDS,
        quorum: 3,
        rule: 'trimmed-mean',
        trim: 1,
        steps: 15,
        lr: 0.1,
        'deadline-ms': 30_000,
        'validate-ms': 60_000,
      },
      TRAINERS,
    ))
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await relay?.stop()
  })

  it('commits every round with a Byzantine trainer, a trainer leaving and a relay restart; every browser verifies, adopts and ends on one model', async () => {
    const [a, b, leaver, byzantine] = devices
    await byzantine.page.evaluate(() => (window as any).agentMesh.flAttack())
    // Three join through the button, one through the page's API.
    for (const d of [a, b, leaver]) await d.page.getByTestId('fl-join').click()
    await byzantine.page.evaluate(() => (window as any).agentMesh.flJoin())
    // The card states the validators' gate and the task's retry step (the CLI's default).
    expect(await a.page.getByTestId('fl-gate').textContent()).toMatch(
      /more than 5 points below the last; a refused round retries with 0\.5 × the step/,
    )

    await waitForRounds(devices, 1)
    // A trainer leaves while round 2 runs: the round completes without it (after its collect deadline at worst).
    await leaver.context.close()
    const staying = [a, b, byzantine]
    await waitForRounds(staying, 2)

    // The relay restarts mid-task: nothing committed is lost and the task goes on.
    await relay.stop()
    // Rounds go fast; what the relay had committed when it stopped decides what it still runs after the restart.
    const committedBeforeRestart = await committedRoundsInStore(relay.dataDir)
    expect(committedBeforeRestart, 'the task ended before the relay restarted; the restart tested nothing').toBeLessThan(ROUNDS)
    await relay.start()
    await waitForRounds(staying, ROUNDS)

    const states = await expectOneModel(staying, ROUNDS, 'robust')
    // Every round is committed once, in order, and certified by the one validator.
    expect(states[0].rounds.map((r) => r.round)).toEqual(Array.from({ length: ROUNDS }, (_, i) => i + 1))
    for (const r of states[0].rounds) expect(r.signers).toBe(1)
    // The untrained model guesses (about 10 %); the Byzantine trainer is held by the trimmed mean.
    const accuracy = states[0].rounds.map((r) => r.accuracy ?? 0)
    expect(accuracy[0]).toBeGreaterThan(0.3)
    expect(accuracy[ROUNDS - 1]).toBeGreaterThan(0.6)
    expect(accuracy[ROUNDS - 1]).toBeGreaterThan(accuracy[0])
    // The same evaluation per digit reaches the dashboard: ten figures whose spread brackets the
    // overall accuracy, and the card names the digit with the lowest.
    for (const r of states[0].rounds) {
      const perDigit = r.classAccuracy?.map((x) => x ?? NaN) ?? []
      expect(perDigit).toHaveLength(10)
      expect(Math.min(...perDigit)).toBeLessThanOrEqual(r.accuracy!)
      expect(Math.max(...perDigit)).toBeGreaterThanOrEqual(r.accuracy!)
    }
    const newest = states[0].rounds[ROUNDS - 1].classAccuracy!.map((x) => x ?? Infinity)
    await expect.poll(() => a.page.getByTestId('fl-weakest').getAttribute('data-digit')).toBe(String(newest.indexOf(Math.min(...newest))))
    await expect.poll(() => a.page.getByTestId('fl-class-chart').isVisible()).toBe(true)

    // Every browser wrote a model.adopt audit entry per round it adopted.
    for (const d of staying) {
      const entries = await d.page.evaluate(() => (window as any).agentMesh.auditEntries())
      expect(entries.filter((e: { event: string }) => e.event === 'model.adopt').length).toBeGreaterThanOrEqual(ROUNDS)
    }
    // The relay's /metrics counts the rounds it ran since its restart: phases with durations, inputs used.
    const text = await (await fetch(new URL('/metrics', relay.info!.url))).text()
    const value = (pattern: RegExp) =>
      Number(
        text
          .split('\n')
          .find((l) => pattern.test(l))
          ?.split(' ')
          .at(-1) ?? NaN,
      )
    const roundsAfterRestart = ROUNDS - committedBeforeRestart
    expect(value(/^mesh_fl_round_phases_total\{phase="aggregate"\}/)).toBeGreaterThanOrEqual(roundsAfterRestart)
    expect(value(/^mesh_fl_round_phase_seconds_count\{phase="aggregate"\}/)).toBeGreaterThanOrEqual(roundsAfterRestart)
    expect(value(/^mesh_fl_submissions_total\{outcome="accepted"\}/)).toBeGreaterThanOrEqual(3 * roundsAfterRestart)

    // After a reload the dashboard comes back from IndexedDB and the relay, still joined.
    await a.page.reload()
    await expect.poll(async () => (await flState(a)).rounds.filter((r) => r.adopted).length, { timeout: 60_000 }).toBe(ROUNDS)
    expect((await flState(a)).joined).toBe(true)
  }, 900_000)

  it('lets an admin create a task from the PWA, which the relay then runs', async () => {
    const [a] = devices
    const peerId: string = await a.page.evaluate(() => (window as any).agentMesh.peerId())
    const granted = spawnSync(
      join(root, 'node_modules/.bin/tsx'),
      ['relay/cli.ts', 'grant', '--peer', peerId, '--role', 'admin', '--days', '1', '--data-dir', relay.dataDir],
      {
        cwd: root,
        encoding: 'utf8',
      },
    )
    expect(granted.status, `${granted.stdout}${granted.stderr}`).toBe(0)
    await expect
      .poll(async () => (await a.page.evaluate(() => (window as any).agentMesh.credential())).roles, { timeout: 30_000 })
      .toContain('admin')

    await a.page.getByText('Create a task (admin)').click()
    const form = a.page.getByTestId('fl-create')
    await form.locator('input[name="name"]').fill('made in the PWA')
    await form.locator('input[name="rounds"]').fill('2')
    await form.locator('input[name="quorum"]').fill('3')
    await form.locator('input[name="retry-step"]').fill('0.25')
    // The form opens on the default rule (FLTrust, no parameter); trimmed mean shows how a bad parameter is refused.
    await form.locator('select[name="rule"]').selectOption('trimmed-mean')
    await form.locator('input[name="rule-parameter"]').fill('2')
    await a.page.getByTestId('fl-create-submit').click()
    // The same checks every node applies refuse a bad task before it is published, with the reason.
    await expect.poll(() => a.page.getByTestId('fl-create-error').textContent(), { timeout: 10_000 }).toContain('2 × trim < quorum')
    await form.locator('input[name="rule-parameter"]').fill('1')
    await a.page.getByTestId('fl-create-submit').click()
    await a.page.getByTestId('fl-created').waitFor({ timeout: 10_000 })

    const named = async () => {
      const feed = (await (await fetch(new URL('/api/fl/tasks', relay.info!.url))).json()) as TaskFeed
      return feed.tasks.flatMap((entry) => {
        const task = taskFromFeed(entry)
        return task.ok && task.task.name === 'made in the PWA'
          ? [{ running: entry.current !== null, rounds: task.task.rounds, creator: task.task.creator, retryStep: task.task.retryStep }]
          : []
      })
    }
    await expect.poll(named, { timeout: 30_000 }).toEqual([{ running: true, rounds: 2, creator: peerId, retryStep: 0.25 }])
  }, 120_000)
})

// Secure aggregation over the real mesh (README, "Federated round"): one relay aggregates and
// validates (its own one-member validator set), four browsers form one bucket and answer the
// five Bonawitz phases on direct streams. Every committed round names a transcript and only
// signed tickets, never an update. The four-validator case with a SIGKILL is
// tests/e2e/federated-validators.test.ts.
describe('secure aggregation over the mesh', () => {
  let mesh: FlMesh | undefined
  const SECURE_ROUNDS = 2

  beforeAll(async () => {
    mesh = await startFlMesh(
      {
        name: 'e2e secure digits',
        rounds: SECURE_ROUNDS,
        quorum: 3,
        rule: 'fedavg',
        privacy: 'secure',
        'bucket-size': 3,
        steps: 15,
        lr: 0.1,
        'deadline-ms': 30_000,
        'validate-ms': 40_000,
      },
      TRAINERS,
    )
  }, 180_000)

  afterAll(async () => {
    await mesh?.browser.close()
    await mesh?.relay.stop()
  })

  it('commits every round from masked updates; every browser verifies and adopts one model', async () => {
    const { relay, devices } = mesh!
    for (const d of devices) await d.page.evaluate(() => (window as any).agentMesh.flJoin())
    for (const d of devices)
      await expect.poll(() => adoptedRounds(d), { timeout: WAIT_MS, interval: 1_000 }).toBeGreaterThanOrEqual(SECURE_ROUNDS)
    const states = await expectOneModel(devices, SECURE_ROUNDS, 'secure')
    expect(states[0].rounds[SECURE_ROUNDS - 1].accuracy).toBeGreaterThan(0.6)
    await expectSecureCommits(relay.info!.url, SECURE_ROUNDS, 3)
  }, 600_000)
})

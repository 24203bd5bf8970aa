import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs'
import { CA_CERT_FILE, CA_KEY_FILE, loadOrCreateAuthority } from '../../relay/ca-files'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RelayProcess } from './harness/relay-process'
import { launchChromium, openDevice, waitForRelay, type Device } from './harness/browser'
import { adoptedRounds, createFlTask, expectOneModel, expectSecureCommits, printBrowserFlState } from './harness/fl'

const VALIDATORS = 4
const TRAINERS = 4
const ROUNDS = 3
const WAIT_MS = Number(process.env.FL_E2E_WAIT_MS ?? 300_000)

/** The two privacy modes (README, "Federated round"): robust rules on sealed updates, and secure aggregation in buckets. */
const MODES = {
  robust: { rule: 'trimmed-mean', trim: 1 },
  // Four trainers make one bucket (no bucket under 3), so the rule across buckets is FedAvg.
  // Secure aggregation takes five round trips between the aggregator and every member, each phase
  // waiting up to a quarter of the validate window: a longer window than robust mode needs.
  secure: { rule: 'fedavg', privacy: 'secure', 'bucket-size': 3, 'validate-ms': 40_000 },
} as const

// The federated round with four validator relays, each with its own data dir, sharing one CA and
// named in one validator-set file: an admin creates the task on the first relay, which spreads it to the
// others; the four aggregate in rotation and vote on the task's chain. Four browsers on the first
// relay train, one of them Byzantine. One validator is SIGKILLed after round 1 and the task goes
// on with the other three (a BFT quorum of four). Once in each privacy mode. Correctness only: no
// timing assertions.
// Each relay's event-loop stalls are printed per run.
const modes = Object.keys(MODES) as (keyof typeof MODES)[]

describe.each(modes)('federated training with four validator relays, %s mode', (mode) => {
  let relays: RelayProcess[] = []
  let browser: Browser
  const devices: Device[] = []

  const diagnose = async () => {
    await printBrowserFlState(devices, 20)
    // Everything, for reading afterwards: each browser's console and each relay's output, named by PeerId.
    const dir = mkdtempSync(join(tmpdir(), `mesh-fl-validators-${mode}-logs-`))
    for (const [i, d] of devices.entries()) {
      writeFileSync(join(dir, `browser-${i}.log`), d.logs.join('\n'))
      const closes = await d.page.evaluate(() => (window as any).agentMesh.connectionCloses()).catch((e) => String(e))
      writeFileSync(join(dir, `browser-${i}-connection-closes.json`), JSON.stringify(closes, null, 1))
    }
    for (const [i, r] of relays.entries()) writeFileSync(join(dir, `relay-${i}-${r.info?.peerId ?? 'unknown'}.log`), r.output.join(''))
    console.log(`full logs in ${dir}`)
    for (const [i, r] of relays.entries())
      console.log(
        `relay ${i} (${r.info?.peerId}):`,
        r.output
          .filter((l) => !/trainer.ready/.test(l))
          .slice(-25)
          .join('\n'),
      )
  }

  beforeAll(async () => {
    const setFile = join(mkdtempSync(join(tmpdir(), 'mesh-fl-validators-')), 'validators.json')
    relays = await Promise.all(
      Array.from({ length: VALIDATORS }, () => RelayProcess.create({ fl: true, extraArgs: ['--validator-set', setFile] })),
    )
    // The validator relays of one mesh share one CA (README, "Federated round"): a trainer's
    // credential from the relay it joined is then good at every validator.
    await loadOrCreateAuthority(relays[0].dataDir)
    for (const r of relays.slice(1))
      for (const file of [CA_KEY_FILE, CA_CERT_FILE]) copyFileSync(join(relays[0].dataDir, file), join(r.dataDir, file))
    const entries = await Promise.all(relays.map((r) => r.validatorEntry()))
    writeFileSync(setFile, JSON.stringify({ chainId: 'e2e-fl-validators', validators: entries }, null, 2))
    await createFlTask(relays[0].dataDir, {
      name: `e2e four validators, ${mode}`,
      rounds: ROUNDS,
      quorum: 3,
      steps: 15,
      lr: 0.1,
      // A killed aggregator's attempt lapses after these two (then the next one takes over).
      'deadline-ms': 20_000,
      'validate-ms': 20_000,
      ...MODES[mode],
    })
    await Promise.all(relays.map((r) => r.start()))
    browser = await launchChromium()
    for (let i = 0; i < TRAINERS; i++) devices.push(await openDevice(browser, relays[0].info!.url))
    await Promise.all(devices.map((d) => waitForRelay(d.page)))
  }, 240_000)

  afterAll(async () => {
    // Each relay warns when its event loop was blocked for a second or more (relay/stall-watch.ts): shown for every run, failed or not.
    for (const [i, r] of relays.entries()) {
      const stalls = r.output.flatMap((chunk) => chunk.split('\n')).filter((l) => l.includes('event loop was blocked'))
      if (stalls.length) console.log(`relay ${i}: ${stalls.length} event-loop stalls\n${stalls.join('\n')}`)
    }
    await browser?.close()
    await Promise.all(relays.map((r) => r.stop()))
  })

  it('commits every round certified by a BFT quorum of the four, through a validator SIGKILL; every browser verifies and adopts one model', async () => {
    // Four trainers make one secure bucket, whose sum FedAvg cannot leave a Byzantine update out of: the attack runs in robust mode.
    if (mode === 'robust') await devices[TRAINERS - 1].page.evaluate(() => (window as any).agentMesh.flAttack())
    for (const d of devices) await d.page.evaluate(() => (window as any).agentMesh.flJoin())
    try {
      for (const d of devices) await expect.poll(() => adoptedRounds(d), { timeout: WAIT_MS, interval: 1_000 }).toBeGreaterThanOrEqual(1)
      relays[VALIDATORS - 1].kill()
      for (const d of devices)
        await expect.poll(() => adoptedRounds(d), { timeout: WAIT_MS, interval: 1_000 }).toBeGreaterThanOrEqual(ROUNDS)
    } catch (error) {
      await diagnose()
      throw error
    }
    const states = await expectOneModel(devices, ROUNDS, `${mode} mode`)
    // A commit needs 3 of the 4 validators' BLS shares.
    for (const r of states[0].rounds) expect(r.signers).toBeGreaterThanOrEqual(3)
    const accuracy = states[0].rounds.map((r) => r.accuracy ?? 0)
    // Each round's accuracy is the first relay's evaluation, also of rounds it did not judge itself.
    expect(accuracy[0]).toBeGreaterThan(0.3)
    expect(accuracy[ROUNDS - 1]).toBeGreaterThan(0.6)
    // Every committed round came from secure aggregation, over at least the quorum's trainers.
    if (mode === 'secure') await expectSecureCommits(relays[0].info!.url, ROUNDS, 3)
  }, 900_000)
})

import { execFile } from 'node:child_process'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Browser } from 'playwright-core'
import { RelayProcess } from '../e2e/harness/relay-process'
import { launchChromium, mesh, openDevice, waitForDirectPeerCount, waitForRelay, type Device } from '../e2e/harness/browser'
import { MAX_DIRECT_PEERS } from '../../workers/net/direct-peers'
import type { TaskFeed } from '../../workers/fl/mesh/task-feed'
import { flRoundPhases } from '../../workers/telemetry/phases'
import { writeBenchResult, type Metrics } from './results'
import { flagValue, hasFlag, percentile, round, summarizeRuns } from './stats'

const HELP = `npm run bench -- round [--browsers 8] [--rounds 3] [--steps 20] [--quorum N] [--deadline-s 120]
                       [--repeat 1] [--propagation-peers 16] [--seed-only-first] [--timeout-s 900]

The federated round over the real mesh: one relay process (--fl on, its own one-member
validator set: it aggregates, re-executes, evaluates and certifies) and --browsers headless
Chromium trainers on a short task created with the relay CLI (--rounds rounds, --quorum
updates, default every browser, IID shards, --steps local batches of 32, trimmed mean, a
--deadline-s collect deadline per attempt). Per round it measures:
  fetch_model  a trainer's announcement received -> its training starts (base model fetched
               over the transfer protocol, hash checked, handed to the worker); median of trainers
  train        the training call in the worker; median of trainers
  submit       the last trainer's training ends -> the relay stops collecting (sealing,
               signing, the direct stream; the relay's collect end from its /metrics, +-50 ms)
  aggregate    the relay's aggregate phase (fetching the sealed updates, the robust rule),
               exact, from mesh_fl_round_phase_seconds
  validate     aggregate end -> the relay's BFT decision (re-execution, evaluation on
               held-out digits, and the votes, which with one validator are local)
  consensus    decision -> the relay has the certified round stored and served (committedMs)
  adopt        decision -> the last browser has verified the certificate, fetched and stored
               the model (IndexedDB)
and the round time (first announcement seen -> adopted on every node), the time from the last
submission to adoption on every node, and the relay's own phase means (its /metrics). Every
phase is also given as a ratio to the baseline: the same training (task, shard size, steps)
run alone in one browser after the task, in the same run (baseline_concurrent_train_p50_ms:
the same training in every browser at once, outside any round: the cost of sharing the CPU).
Phases overlap: a trainer's fetch_model of round r+1 waits for its adoption of round r.
Model propagation: a 1 MiB blob, held by one browser, fetched at once by --propagation-peers
browsers over the transfer protocol (extra browsers are opened; 0 skips it); time until all
have it, retries included (seed target < 30 s, ours < 5 s). First cold, just after the extra
browsers opened, while their direct links still form (propagation_cold_ms); then, once every
page holds its direct links (propagation_links_formed_ms later), as a round's trainers fetch
a model: from the holder or any linked peer that already has it (propagation_ms), and with
another blob from the holder alone (propagation_seed_only_ms, the same run's baseline; the
ratio is propagation_over_seed_only; --seed-only-first swaps these two). propagation_hop_p50_ms:
how long the one transfer that delivered the blob took (median over fetchers), what a single
1 MiB hop costs at that load.
Each fetch slower than 5 s is described in the notes
from both ends (where it came from, or its wait for a direct link and resumed attempts; the
links each side holds and the seed's closed ones).
A run still going after --timeout-s keeps the figures of the rounds committed by then
(rounds_committed; runs_completed counts only runs with every round).
--repeat runs everything again from a fresh relay and browsers; figures are medians across
runs with [min, max]. Writes tests/bench/results/round.json (--browsers 8) or
round-N-browsers.json.`

/** It drives Chromium through window.agentMesh, which only the test build has (run.ts builds it). */
export const needsTestBuild = true

const root = join(import.meta.dirname, '../..')
const METRICS_POLL_MS = 100
const BLOB_BYTES = 1024 * 1024

interface Settings {
  readonly browsers: number
  readonly rounds: number
  readonly steps: number
  readonly propagationPeers: number
  /** Measure the seed-only baseline before the swarm (links are warmer for whichever goes second). */
  readonly seedOnlyFirst: boolean
  readonly timeoutMs: number
  readonly quorum: number
  readonly deadlineMs: number
}

interface Timeline {
  readonly phases: [number, number, string][]
  readonly trainings: [number, number][]
  readonly adopted: [number, number][]
}

/** One poll of /metrics that found mesh_fl_round_phase_seconds{phase} observed again. */
interface PhaseObservation {
  readonly phase: string
  /** The previous poll and this one: the phase ended in between. */
  readonly after: number
  readonly before: number
  readonly seconds: number
}

type PhaseName = 'fetch_model' | 'train' | 'submit' | 'aggregate' | 'validate' | 'consensus' | 'adopt'
const PHASES: readonly PhaseName[] = ['fetch_model', 'train', 'submit', 'aggregate', 'validate', 'consensus', 'adopt']

interface RoundFigures {
  readonly round: number
  readonly round_ms: number
  readonly last_submission_to_all_adopted_ms: number
  readonly accuracy: number | null
  readonly phase_ms: Record<PhaseName, number>
}

interface RunOutcome {
  readonly flat: Record<string, number>
  readonly rounds: RoundFigures[]
  readonly accuracyByRound: (number | null)[]
  readonly notes: string[]
}

export async function main(args: string[]): Promise<void> {
  if (hasFlag(args, 'help')) return void console.log(HELP)
  let settings: Settings
  let repeat: number
  try {
    settings = {
      browsers: flagValue(args, 'browsers', 8),
      rounds: flagValue(args, 'rounds', 3),
      steps: flagValue(args, 'steps', 20),
      propagationPeers: flagValue(args, 'propagation-peers', 16),
      seedOnlyFirst: hasFlag(args, 'seed-only-first'),
      timeoutMs: flagValue(args, 'timeout-s', 900) * 1000,
      quorum: flagValue(args, 'quorum', flagValue(args, 'browsers', 8)),
      deadlineMs: flagValue(args, 'deadline-s', 120) * 1000,
    }
    repeat = flagValue(args, 'repeat', 1)
    if (!Number.isInteger(settings.browsers) || settings.browsers < 1) throw new Error('--browsers must be a whole number of at least 1')
  } catch (error) {
    console.error(`round: ${(error as Error).message}\n\n${HELP}`)
    process.exitCode = 1
    return
  }
  const loadAtStart = round(loadavg()[0])
  const runs: RunOutcome[] = []
  const runErrors: string[] = []
  for (let run = 1; run <= repeat; run++) {
    try {
      const outcome = await runOnce(settings)
      console.log(`run ${run}/${repeat}: ${JSON.stringify(outcome.flat)}`)
      runs.push(outcome)
      if (outcome.flat.rounds_committed < settings.rounds)
        runErrors.push(
          `run ${run}: ${outcome.flat.rounds_committed} of ${settings.rounds} rounds within --timeout-s (figures are for those)`,
        )
    } catch (error) {
      const message = `run ${run}: ${(error as Error).message.split('\n').slice(0, 3).join(' | ')}`
      console.error(message)
      runErrors.push(message)
    }
  }
  const { median, spread } = summarizeRuns(runs.map((r) => r.flat))
  const pick = (prefix: string) =>
    Object.fromEntries(PHASES.filter((p) => median[`${prefix}${p}`] !== undefined).map((p) => [p, median[`${prefix}${p}`]]))
  const metrics: Metrics = {
    browsers: settings.browsers,
    quorum: settings.quorum,
    rounds: settings.rounds,
    local_steps: settings.steps,
    runs_completed: runs.filter((r) => r.flat.rounds_committed === settings.rounds).length,
    runs_attempted: repeat,
    load_average_start: loadAtStart,
    load_average_end: round(loadavg()[0]),
    round_p50_ms: median.round_p50_ms ?? null,
    phase_ms: pick('phase_ms.'),
    phase_over_baseline_train: pick('ratio.'),
    baseline_train_ms: median.baseline_train_ms ?? null,
    baseline_concurrent_train_p50_ms: median.baseline_concurrent_train_p50_ms ?? null,
    last_submission_to_all_adopted_ms: median.last_submission_to_all_adopted_p50_ms ?? null,
    relay_phase_mean_ms: Object.fromEntries(
      flRoundPhases.filter((p) => median[`relay_phase_ms.${p}`] !== undefined).map((p) => [p, median[`relay_phase_ms.${p}`]]),
    ),
    [`propagation_1mb_${settings.propagationPeers}_peers_ms`]: median.propagation_ms ?? null,
    propagation_per_peer_p50_ms: median.propagation_per_peer_p50_ms ?? null,
    propagation_seed_only_ms: median.propagation_seed_only_ms ?? null,
    propagation_over_seed_only: median.propagation_over_seed_only ?? null,
    [`propagation_cold_1mb_${settings.propagationPeers}_peers_ms`]: median.propagation_cold_ms ?? null,
    propagation_links_formed_ms: median.propagation_links_formed_ms ?? null,
    propagation_hop_p50_ms: median.propagation_hop_p50_ms ?? null,
    propagation_seed_target_ms: 30_000,
    propagation_target_ms: 5_000,
    accuracy_by_round: (runs.at(-1)?.accuracyByRound ?? []).map((a) => (a === null ? NaN : round(a, 4))),
    spread,
    runs: runs.map((r) => ({ ...r.flat, rounds: r.rounds as never, notes: r.notes })) as never,
    run_errors: runErrors,
  }
  printSummary(metrics, spread)
  writeBenchResult(settings.browsers === 8 ? 'round' : `round-${settings.browsers}-browsers`, metrics)
  if (runErrors.length > 0) process.exitCode = 1
}

function printSummary(metrics: Metrics, spread: Record<string, [number, number]>): void {
  const phases = metrics.phase_ms as Record<string, number>
  const ratios = metrics.phase_over_baseline_train as Record<string, number>
  console.log(`\n${metrics.browsers} browsers, ${metrics.rounds} rounds, load ${metrics.load_average_start} -> ${metrics.load_average_end}`)
  console.table(
    Object.fromEntries(
      Object.entries(phases).map(([p, ms]) => [
        p,
        { ms, 'x baseline train': ratios[p], 'min..max ms': spread[`phase_ms.${p}`]?.join('..') },
      ]),
    ),
  )
  console.log(
    `round p50 ${metrics.round_p50_ms} ms; baseline train ${metrics.baseline_train_ms} ms; last submission -> adopted everywhere ${metrics.last_submission_to_all_adopted_ms} ms`,
  )
}

async function runOnce(settings: Settings): Promise<RunOutcome> {
  const { browsers, rounds, steps, propagationPeers, seedOnlyFirst, timeoutMs, quorum, deadlineMs } = settings
  const notes: string[] = []
  // Info level: the relay logs each FL consensus decision with its time.
  const relay = await RelayProcess.create({ fl: true, logLevel: 'info' })
  const { stdout } = await promisify(execFile)(
    join(root, 'node_modules/.bin/tsx'),
    [
      'relay/cli.ts',
      'fl',
      'create',
      ...['--name', `round bench ${browsers}`, '--rounds', String(rounds), '--quorum', String(quorum)],
      ...['--partition', 'iid', '--steps', String(steps), '--lr', '0.1'],
      ...['--rule', browsers >= 3 ? 'trimmed-mean' : 'fedavg', '--deadline-ms', String(deadlineMs), '--validate-ms', String(deadlineMs)],
      ...['--data-dir', relay.dataDir],
    ],
    { cwd: root },
  )
  const taskId = stdout.match(/[0-9a-f]{64}/)?.[0]
  if (!taskId) throw new Error(`the relay CLI created no task: ${stdout}`)
  let browser: Browser | undefined
  const poller = new MetricsPoller(relay)
  try {
    await relay.start()
    browser = await launchChromium()
    const devices: Device[] = []
    for (let i = 0; i < browsers; i++) devices.push(await openDevice(browser, relay.info!.url))
    await Promise.all(devices.map((d) => waitForRelay(d.page, 180_000)))
    // Data and backend first, so round 1 does not time them.
    const backends = await Promise.all(
      devices.map((d) => d.page.evaluate(() => (window as any).agentMesh.prepareTraining() as Promise<string>)),
    )
    notes.push(`backends: ${[...new Set(backends)].join(', ')}`)
    poller.start()
    for (const d of devices)
      await d.page.evaluate(async () => {
        ;(window as any).agentMesh.flRecordTimeline()
        await (window as any).agentMesh.flJoin()
      })
    console.log(`${browsers} browsers joined task ${taskId.slice(0, 12)}…; waiting for ${rounds} rounds`)

    const deadline = Date.now() + timeoutMs
    let feed: TaskFeed['tasks'][number] | undefined
    let timelines: Timeline[] = []
    let reported = 0
    let timedOut: string | null = null
    for (;;) {
      if (!relay.running) throw new Error(`the relay exited: ${relay.output.slice(-5).join('')}`)
      // One slow answer from a loaded relay is no reason to give up the run.
      feed = (await fetchFeed(relay).catch(() => null))?.tasks.find((t) => t.taskId === taskId) ?? feed
      timelines = await Promise.all(devices.map((d) => d.page.evaluate(() => (window as any).agentMesh.flTimeline() as Timeline)))
      const committed = feed?.committed.length ?? 0
      for (; reported < committed; reported++) console.log(`round ${reported + 1} committed (${new Date().toISOString()})`)
      if (committed >= rounds && timelines.every((t) => new Set(t.adopted.map(([, r]) => r)).size >= rounds)) break
      if (Date.now() > deadline) {
        // Where each browser stands: its last phase, and how many times it trained.
        const relayStates = await Promise.all(
          devices.map((d) => d.page.evaluate(() => String((window as any).agentMesh.relayState())).catch(() => 'unknown')),
        )
        const where = timelines.map((t, i) => {
          const [, r, phase] = t.phases.at(-1) ?? [0, 0, 'none']
          return `browser ${i}: relay ${relayStates[i]}, round ${r} ${phase}, trained ${t.trainings.length}x, adopted ${t.adopted.length}`
        })
        // The rounds committed so far are still measured; the run counts as not completed.
        timedOut = `timed out after ${timeoutMs / 1000} s: ${committed} of ${rounds} rounds committed; relay round ${feed?.current?.round} attempt ${feed?.current?.attempt} ${feed?.current?.phase}; ${where.join('; ')}`
        console.error(timedOut)
        notes.push(timedOut)
        if (committed === 0) throw new Error(timedOut)
        break
      }
      await sleep(1_000)
    }
    await poller.stop()
    const decisions = decisionTimes(relay.output.join(''))

    console.log('rounds done; baseline training')
    // The baseline: the same training alone, in one browser, now that the task is over.
    const baselineRuns: number[] = []
    for (let i = 0; i < 3; i++) {
      const outcome = await devices[0].page.evaluate(
        ([n]) => (window as any).agentMesh.flBaselineTrain(0, n) as Promise<{ ms: number; samples: number }>,
        [browsers] as const,
      )
      baselineRuns.push(outcome.ms)
    }
    const baselineTrainMs = percentile(baselineRuns, 50)
    // The same training in every browser at once, outside any round: what sharing the CPU costs.
    const concurrent = await Promise.all(
      devices.map((d, i) =>
        d.page.evaluate(([index, n]) => (window as any).agentMesh.flBaselineTrain(index, n) as Promise<{ ms: number; samples: number }>, [
          i,
          browsers,
        ] as const),
      ),
    )

    const roundsCommitted = Math.min(rounds, feed!.committed.length)
    const perRound = roundFigures(roundsCommitted, timelines, poller.observations, decisions, feed!, notes)
    const flat: Record<string, number> = {
      browsers,
      rounds_committed: roundsCommitted,
      round_p50_ms: percentile(
        perRound.map((r) => r.round_ms),
        50,
      ),
      baseline_train_ms: baselineTrainMs,
      baseline_concurrent_train_p50_ms: percentile(
        concurrent.map((c) => c.ms),
        50,
      ),
      last_submission_to_all_adopted_p50_ms: percentile(
        perRound.map((r) => r.last_submission_to_all_adopted_ms),
        50,
      ),
    }
    for (const p of PHASES) {
      const values = perRound.map((r) => r.phase_ms[p]).filter(Number.isFinite)
      if (values.length === 0) continue
      flat[`phase_ms.${p}`] = round(percentile(values, 50), 1)
      flat[`ratio.${p}`] = round(percentile(values, 50) / baselineTrainMs, 3)
    }
    for (const [phase, ms] of Object.entries(poller.meansMs())) flat[`relay_phase_ms.${phase}`] = round(ms, 1)

    if (propagationPeers > 0) Object.assign(flat, await propagation(browser, relay, devices, propagationPeers, seedOnlyFirst, notes))
    return { flat, rounds: perRound, accuracyByRound: feed!.committed.map((c) => c.accuracy), notes }
  } finally {
    await poller.stop()
    await browser?.close().catch(() => {})
    await relay.stop().catch(() => {})
  }
}

/** Per round: the phases from the browsers' timelines, the relay's /metrics and its decision log. */
function roundFigures(
  rounds: number,
  timelines: readonly Timeline[],
  observations: readonly PhaseObservation[],
  decisions: ReadonlyMap<number, number>,
  feed: TaskFeed['tasks'][number],
  notes: string[],
): RoundFigures[] {
  const aggregations = observations.filter((o) => o.phase === 'aggregate')
  if (aggregations.length !== rounds) notes.push(`${aggregations.length} aggregations for ${rounds} rounds (retried attempts?)`)
  const out: RoundFigures[] = []
  for (let r = 1; r <= rounds; r++) {
    const nodes = timelines.map((t) => {
      const announced = t.phases.find(([, round_, phase]) => round_ === r && phase === 'training')?.[0] ?? NaN
      const training = t.trainings.find(([start]) => start >= announced)
      const adopted = t.adopted.find(([, round_]) => round_ === r)?.[0] ?? NaN
      return { announced, trainStart: training?.[0] ?? NaN, trainEnd: training?.[1] ?? NaN, adopted }
    })
    const decided = decisions.get(r) ?? NaN
    const committedMs = feed.committed.find((c) => c.round === r)?.committedMs ?? NaN
    // The round's committed attempt: the last aggregation that ended after the previous round's
    // decision and not after this one's (an attempt retried for want of quorum adds one before it).
    const previousDecided = decisions.get(r - 1) ?? -Infinity
    const aggregation = aggregations.filter((a) => a.before > previousDecided && a.after <= decided).at(-1)
    // The aggregate phase ended between two polls of /metrics, and before the decision.
    const aggregateEnd = aggregation ? Math.min((aggregation.after + aggregation.before) / 2, decided) : NaN
    const aggregateMs = aggregation ? aggregation.seconds * 1000 : NaN
    const collectEnd = aggregateEnd - aggregateMs
    const lastTrainEnd = Math.max(...nodes.map((n) => n.trainEnd))
    const allAdopted = Math.max(...nodes.map((n) => n.adopted))
    const firstAnnounced = Math.min(...nodes.map((n) => n.announced))
    out.push({
      round: r,
      round_ms: allAdopted - firstAnnounced,
      last_submission_to_all_adopted_ms: round(allAdopted - collectEnd),
      accuracy: feed.committed.find((c) => c.round === r)?.accuracy ?? null,
      phase_ms: {
        fetch_model: percentile(
          nodes.map((n) => n.trainStart - n.announced),
          50,
        ),
        train: percentile(
          nodes.map((n) => n.trainEnd - n.trainStart),
          50,
        ),
        submit: round(Math.max(0, collectEnd - lastTrainEnd)),
        aggregate: round(aggregateMs),
        validate: round(decided - aggregateEnd),
        consensus: committedMs - decided,
        adopt: allAdopted - decided,
      },
    })
  }
  return out
}

/** Epoch ms of each FL consensus decision (height = round) in the relay's pino log. */
function decisionTimes(log: string): Map<number, number> {
  const out = new Map<number, number>()
  for (const line of log.split('\n')) {
    if (!line.includes('consensus decision') || !line.includes('fl-consensus')) continue
    try {
      const entry = JSON.parse(line) as { time: number; height: number; msg: string }
      if (entry.msg === 'consensus decision' && !out.has(entry.height)) out.set(entry.height, entry.time)
    } catch {
      // not a JSON line
    }
  }
  return out
}

/**
 * Polls the relay's /metrics and notes when mesh_fl_round_phase_seconds{phase} gained an
 * observation (the phase ended between two polls) and how long it lasted (exact).
 */
class MetricsPoller {
  readonly observations: PhaseObservation[] = []
  private last = new Map<string, { sum: number; count: number }>()
  private lastAt = 0
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> = Promise.resolve()

  constructor(private readonly relay: RelayProcess) {}

  start(): void {
    this.lastAt = Date.now()
    const tick = () => {
      this.running = this.poll().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, METRICS_POLL_MS)
      })
    }
    this.timer = setTimeout(tick, 0)
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    await this.running
  }

  meansMs(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const [phase, { sum, count }] of this.last) if (count > 0) out[phase] = (sum / count) * 1000
    return out
  }

  private async poll(): Promise<void> {
    let text: string
    try {
      text = await this.relay.metrics()
    } catch {
      return
    }
    const now = Date.now()
    const current = phaseHistogram(text)
    for (const [phase, { sum, count }] of current) {
      const before = this.last.get(phase) ?? { sum: 0, count: 0 }
      const added = count - before.count
      for (let i = 0; i < added; i++)
        this.observations.push({ phase, after: this.lastAt, before: now, seconds: (sum - before.sum) / added })
    }
    this.last = current
    this.lastAt = now
  }
}

function phaseHistogram(text: string): Map<string, { sum: number; count: number }> {
  const out = new Map<string, { sum: number; count: number }>()
  for (const line of text.split('\n')) {
    const match = line.match(/^mesh_fl_round_phase_seconds_(sum|count)\{phase="([a-z_]+)"\} ([0-9.e+-]+)$/)
    if (!match) continue
    const entry = out.get(match[2]) ?? { sum: 0, count: 0 }
    entry[match[1] as 'sum' | 'count'] = Number(match[3])
    out.set(match[2], entry)
  }
  return out
}

/**
 * A 1 MiB blob from one browser to `peers` others at once, over the transfer protocol: first as
 * a federated round fetches a model (from the holder or any linked peer that has it already,
 * MeshRuntime.fetchFromHolders), then, with another blob, from the holder alone (the baseline).
 */
async function propagation(
  browser: Browser,
  relay: RelayProcess,
  devices: Device[],
  peers: number,
  seedOnlyFirst: boolean,
  notes: string[],
): Promise<Record<string, number>> {
  try {
    const extra: Device[] = []
    console.log(`propagation: opening ${Math.max(0, peers + 1 - devices.length)} more browsers`)
    for (let i = devices.length; i < peers + 1; i++) extra.push(await openDevice(browser, relay.info!.url))
    await Promise.all(extra.map((d) => waitForRelay(d.page, 180_000)))
    const all = [...devices, ...extra].slice(0, peers + 1)
    const [seed, ...fetchers] = all
    console.log(`propagation: ${fetchers.length} browsers fetch from one`)
    const seedId = await mesh(seed.page).peerId()
    // Fetchers that have not yet admitted the seed's signed presence (its credential and
    // addresses) cannot dial it; give them up to 60 s, then fetch anyway, retrying until each
    // has the blob: the figure includes discovery when it was not done yet.
    const known = await Promise.all(
      fetchers.map((d) =>
        d.page
          .waitForFunction((id) => (window as any).agentMesh.knownRoles(id) !== null, seedId, { timeout: 60_000, polling: 250 })
          .then(() => true)
          .catch(() => false),
      ),
    )
    notes.push(`propagation: ${known.filter(Boolean).length} of ${fetchers.length} fetchers knew the seed at the start`)
    const viaSwarm = (blobSeed: number, label: string) =>
      spread(seed, fetchers, blobSeed, label, notes, async (d, hash) => {
        const outcome = await mesh(d.page).fetchFromHolders([seedId], hash)
        const delivered = outcome.attempts.map((a) => / (\d+)-(\d+) delivered$/.exec(a)).find(Boolean)
        return {
          sha256: outcome.sha256,
          hopMs: delivered ? Number(delivered[2]) - Number(delivered[1]) : NaN,
          detail: `from ${outcome.fromHolder ? 'the seed' : `neighbour ${outcome.from.slice(-8)}`} in pass ${outcome.pass}, ${Math.round(outcome.ms)} ms in the page (fetch, store, hash); sources tried: ${outcome.attempts.join(', ')}`,
        }
      })
    const seedOnly = () =>
      spread(seed, fetchers, 8, 'seed only', notes, async (d, hash) => {
        const outcome = await mesh(d.page).fetchBlob(seedId, hash)
        return {
          sha256: outcome.sha256,
          hopMs: outcome.ms,
          detail: `direct-link wait ${Math.round(outcome.directWaitMs)} ms, fetch ${Math.round(outcome.ms)} ms, ${outcome.retries.length} resumed [${outcome.retries.join(' | ')}]; ${outcome.links}`,
        }
      })
    // Cold: most fetchers opened seconds ago and their direct links are still forming.
    const cold = await viaSwarm(6, 'swarm, cold')
    // Warm, as a round's trainers are: once every page holds its direct links.
    const linksMs = await settleDirectLinks(all, notes)
    notes.push(`propagation, warm: ${seedOnlyFirst ? 'seed only, then swarm' : 'swarm, then seed only'}`)
    const direct = seedOnlyFirst ? await seedOnly() : undefined
    const swarm = await viaSwarm(7, 'swarm')
    const seedOnlyResult = direct ?? (await seedOnly())
    return {
      propagation_ms: swarm.lastMs,
      propagation_per_peer_p50_ms: swarm.p50Ms,
      propagation_hop_p50_ms: swarm.hopP50Ms,
      propagation_failed: swarm.failed,
      propagation_fetch_retries: swarm.retries,
      propagation_from_neighbours: swarm.fromNeighbours,
      propagation_seed_only_ms: seedOnlyResult.lastMs,
      propagation_seed_only_per_peer_p50_ms: seedOnlyResult.p50Ms,
      propagation_seed_only_hop_p50_ms: seedOnlyResult.hopP50Ms,
      propagation_seed_only_failed: seedOnlyResult.failed,
      propagation_over_seed_only: round(swarm.lastMs / seedOnlyResult.lastMs, 3),
      propagation_cold_ms: cold.lastMs,
      propagation_cold_per_peer_p50_ms: cold.p50Ms,
      propagation_cold_failed: cold.failed,
      propagation_links_formed_ms: linksMs,
    }
  } catch (error) {
    notes.push(`propagation not measured: ${(error as Error).message.split('\n')[0]}`)
    return {}
  }
}

/**
 * Waits (up to 120 s) until every page holds as many direct links as the mesh keeps
 * (MAX_DIRECT_PEERS, or every other page); how long that took from now, or NaN if it did not.
 */
async function settleDirectLinks(devices: Device[], notes: string[]): Promise<number> {
  const wanted = Math.min(devices.length - 1, MAX_DIRECT_PEERS)
  const started = Date.now()
  try {
    await Promise.all(devices.map((d) => waitForDirectPeerCount(d.page, wanted, 120_000)))
    notes.push(`propagation: every page had ${wanted} direct links ${Date.now() - started} ms after the cold fetch`)
    return Date.now() - started
  } catch {
    const counts = await Promise.all(devices.map(async (d) => (await mesh(d.page).directPeers()).length))
    notes.push(`propagation: direct links per page after 120 s: ${counts.join(', ')} (wanted ${wanted}); measured anyway`)
    return NaN
  }
}

/** Every fetcher fetches a fresh 1 MiB blob the seed holds, at once, retrying for up to 120 s; the time until the last has it. */
async function spread(
  seed: Device,
  fetchers: Device[],
  blobSeed: number,
  label: string,
  notes: string[],
  fetchOne: (d: Device, hash: string) => Promise<{ sha256: string; hopMs: number; detail: string }>,
): Promise<{ lastMs: number; p50Ms: number; hopP50Ms: number; failed: number; retries: number; fromNeighbours: number }> {
  const hash = await mesh(seed.page).addBlob(BLOB_BYTES, blobSeed)
  const started = Date.now()
  let retries = 0
  let fromNeighbours = 0
  // How long the one transfer that delivered took (not the wait for a source before it).
  const hops: number[] = []
  // How the slowest fetches went, from both ends.
  const slow: string[] = []
  const results = await Promise.allSettled(
    fetchers.map(async (d) => {
      for (;;) {
        try {
          const outcome = await fetchOne(d, hash)
          if (outcome.sha256 !== hash) throw new Error('the blob arrived corrupted')
          if (outcome.detail.includes('neighbour')) fromNeighbours++
          if (Number.isFinite(outcome.hopMs)) hops.push(outcome.hopMs)
          const total = Date.now() - started
          if (total > 5_000) {
            const peerId = await mesh(d.page).peerId()
            slow.push(`${peerId.slice(-8)} after ${total} ms: ${outcome.detail}; seed's side: ${await seedView(seed, peerId)}`)
          }
          return total
        } catch (error) {
          if (Date.now() - started > 120_000) {
            const peerId = await mesh(d.page).peerId()
            slow.push(`failed ${peerId.slice(-8)}: seed's side: ${await seedView(seed, peerId)}`)
            throw error
          }
          if (retries++ < 5)
            notes.push(`propagation (${label}) retry after ${Date.now() - started} ms: ${String(error).split('\n')[0].slice(0, 400)}`)
          await sleep(1_000)
        }
      }
    }),
  )
  const times = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
  const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[]
  for (const f of failed.slice(0, 3)) notes.push(`propagation (${label}) fetch failed: ${String(f.reason).split('\n')[0]}`)
  for (const s of slow) notes.push(`propagation (${label}) slow fetch: ${s}`)
  notes.push(`propagation (${label}): each peer had the blob after (ms) ${[...times].sort((a, b) => a - b).join(', ')}`)
  const lastMs = failed.length === 0 ? Math.max(...times) : NaN
  console.log(
    `1 MiB to ${fetchers.length} peers (${label}): ${times.length} fetched, last after ${Math.max(...times)} ms, ${failed.length} failed${label === 'swarm' ? `, ${fromNeighbours} from a neighbour` : ''}`,
  )
  return { lastMs, p50Ms: percentile(times, 50), hopP50Ms: percentile(hops, 50), failed: failed.length, retries, fromNeighbours }
}

async function fetchFeed(relay: RelayProcess): Promise<TaskFeed> {
  const response = await fetch(new URL('/api/fl/tasks', relay.info!.url), { signal: AbortSignal.timeout(10_000) })
  if (!response.ok) throw new Error(`the relay answered ${response.status} for /api/fl/tasks`)
  return (await response.json()) as TaskFeed
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/** The seed page's connections to a fetcher now and every one it saw close (diagnostics of slow fetches). */
async function seedView(seed: Device, peerId: string): Promise<string> {
  type Link = { peer: string; kind: string; direction: string; status: string; openedAt: number; streams: string[] }
  const links = (await seed.page.evaluate(() => (window as any).agentMesh.connections())) as Link[]
  const open = links.filter((c) => c.peer === peerId)
  const closes = (await mesh(seed.page).connectionCloses()).filter((c) => c.peer === peerId)
  return `open ${JSON.stringify(open.map((c) => `${c.kind} ${c.direction} ${c.status} ${Date.now() - c.openedAt} ms [${c.streams.join(' ')}]`))}, closed ${JSON.stringify(closes)}`
}

/**
 * How the training worker's backend calibration behaves when many pages calibrate at once on a
 * loaded machine (README, "Local training": backend choice): each page measures every backend
 * that qualifies three times, interleaved, and keeps each one's best run. This reports, per
 * page, what it chose, every run, and what one run per backend (the first pass alone, the
 * calibration before 2026-12-01) would have chosen from the same figures.
 */
import type { Browser } from 'playwright-core'
import { loadavg } from 'node:os'
import { RelayProcess } from '../e2e/harness/relay-process'
import { launchChromium, openDevice, waitForRelay, type Device } from '../e2e/harness/browser'
import type { BackendChoice } from '../../workers/fl-worker-api'
import { writeBenchResult } from './results'
import { flagValue, hasFlag, round } from './stats'

const HELP = `npm run bench -- calibration [--pages 16] [--repeat 1]

Opens --pages headless Chromium pages against a relay and has all of them pick their tfjs
backend at once (the training worker's calibration: three interleaved runs per qualifying
backend, each at its best). Prints each page's choice and runs, and how many pages one run per
backend (the first pass alone) would have sent to a slower backend. --repeat N does it N times,
each with fresh pages. Needs Chromium; builds the test build (dist-test/) when it is stale.`

/** It drives Chromium through window.agentMesh, which only the test build has (run.ts builds it). */
export const needsTestBuild = true

interface PageOutcome {
  readonly chosen: string
  /** What comparing each backend's first run alone picks. */
  readonly firstPassChoice: string | null
  readonly runs: Record<string, number[]>
}

export async function main(args: string[]): Promise<void> {
  if (hasFlag(args, 'help')) return void console.log(HELP)
  const pages = flagValue(args, 'pages', 16)
  const repeat = flagValue(args, 'repeat', 1)
  const loadStart = round(loadavg()[0], 1)
  const outcomes: PageOutcome[] = []
  for (let r = 0; r < repeat; r++) outcomes.push(...(await calibrateAtOnce(pages)))

  const chosen = count(outcomes.map((o) => o.chosen))
  const firstPass = count(outcomes.map((o) => o.firstPassChoice ?? 'none'))
  const differs = outcomes.filter((o) => o.firstPassChoice !== null && o.firstPassChoice !== o.chosen).length
  // Spread of one backend's runs within a page: how far a single run can be from that page's best.
  const worstRunOverBest = (name: string) =>
    outcomes.flatMap((o) => (o.runs[name]?.length ? [Math.min(...o.runs[name]) / Math.max(...o.runs[name])] : []))
  const spread = Object.fromEntries(
    ['wasm', 'cpu'].map((name) => {
      const ratios = worstRunOverBest(name).sort((a, b) => a - b)
      return [name, ratios.length ? { min: round(ratios[0], 2), median: round(ratios[Math.floor(ratios.length / 2)], 2) } : null]
    }),
  )
  for (const [i, o] of outcomes.entries())
    console.log(
      `page ${i + 1}: chose ${o.chosen}, one run each would choose ${o.firstPassChoice}; runs ${Object.entries(o.runs)
        .map(([n, rs]) => `${n} ${rs.map((x) => Math.round(x)).join('/')}`)
        .join(', ')}`,
    )
  writeBenchResult('calibration', {
    pages,
    repeat,
    load_average_start: loadStart,
    load_average_end: round(loadavg()[0], 1),
    chosen,
    first_pass_choice: firstPass,
    pages_first_pass_would_differ: differs,
    /** Per backend: slowest run / best run within a page, min and median over pages. */
    slowest_run_over_best: spread,
  })
}

async function calibrateAtOnce(pages: number): Promise<PageOutcome[]> {
  const relay = await RelayProcess.create()
  let browser: Browser | undefined
  try {
    const info = await relay.start()
    browser = await launchChromium()
    const devices: Device[] = []
    for (let i = 0; i < pages; i++) devices.push(await openDevice(browser, info.url))
    await Promise.all(devices.map((d) => waitForRelay(d.page, 180_000)))
    const choices = await Promise.all(
      devices.map((d) => d.page.evaluate(() => (window as any).agentMesh.trainingBackendChoice() as Promise<BackendChoice>)),
    )
    return choices.map((choice) => {
      const measured = choice.candidates.filter((c) => c.runs.length > 0)
      const first = measured.reduce<{ name: string; speed: number } | null>(
        (best, c) => (!best || c.runs[0] > best.speed ? { name: c.name, speed: c.runs[0] } : best),
        null,
      )
      return {
        chosen: choice.backend,
        firstPassChoice: measured.length > 1 ? (first?.name ?? null) : null,
        runs: Object.fromEntries(measured.map((c) => [c.name, [...c.runs]])),
      }
    })
  } finally {
    await browser?.close().catch(() => {})
    await relay.stop()
  }
}

function count(values: string[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const v of values) out[v] = (out[v] ?? 0) + 1
  return out
}

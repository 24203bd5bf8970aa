// `npm run demo -- --peers 8`: headless Chromium nodes join the running relay's federated task
// (the relay `npm start` runs, or --url), and the accuracy of each committed round is printed.
import { parseArgs } from 'node:util'
import type { Browser, Page } from 'playwright-core'
import { launchHeadlessChromium } from './chromium'
import { proofFromFeed, type TaskFeed, type TaskFeedEntry } from '../workers/fl/mesh/task-feed'

const usage = `npm run demo -- [options]

Opens headless Chromium nodes against a running relay (start one with 'npm start' in another
terminal), presses Join in each, and prints the accuracy of every committed round of the
relay's federated task until it finishes (Ctrl+C stops earlier).

  --peers N          nodes to launch [4]; a round starts once the task's quorum is present
  --url URL          the relay [http://127.0.0.1:8080/]
  --screenshot FILE  save the first node's dashboard as PNG when the task finishes (or on Ctrl+C)
  --help             this text`

function fail(message: string): never {
  console.error(`demo: ${message}`)
  process.exit(1)
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        peers: { type: 'string', default: '4' },
        url: { type: 'string', default: 'http://127.0.0.1:8080/' },
        screenshot: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    })
  } catch (error) {
    fail(`${(error as Error).message}\n\n${usage}`)
  }
})()
if (values.help) {
  console.log(usage)
  process.exit(0)
}
const peers = Number(values.peers)
if (!Number.isInteger(peers) || peers < 1 || peers > 64) fail(`--peers must be a whole number from 1 to 64, got '${values.peers}'`)
const base = new URL(values.url!)

async function feed(): Promise<TaskFeed> {
  const response = await fetch(new URL('/api/fl/tasks', base), { signal: AbortSignal.timeout(10_000) })
  if (!response.ok) throw new Error(`the relay answered ${response.status} for /api/fl/tasks`)
  return (await response.json()) as TaskFeed
}

async function running(): Promise<TaskFeedEntry> {
  let tasks: TaskFeed
  try {
    tasks = await feed()
  } catch (error) {
    fail(`no relay answers at ${base.href} (${(error as Error).message}); start one with 'npm start' in another terminal, or pass --url`)
  }
  const task = tasks.tasks.find((t) => t.state === 'pending' || t.state === 'running')
  if (!task)
    fail(
      tasks.tasks.length === 0
        ? 'the relay runs no federated task (was it started with --fl off?)'
        : "the relay's tasks are all finished; create one with 'npm run relay -- fl create'",
    )
  return task
}

/** Presses Join until the node has joined (the button waits for the node's relay connection). */
async function join(page: Page, index: number): Promise<void> {
  for (let attempt = 0; attempt < 60; attempt++) {
    if ((await page.getByTestId('federated').getAttribute('data-joined')) === 'true') return
    const button = page.getByTestId('fl-join')
    if (await button.isEnabled().catch(() => false)) await button.click().catch(() => {})
    await page.waitForTimeout(1_000)
  }
  const error = await page
    .getByTestId('fl-error')
    .textContent({ timeout: 1_000 })
    .catch(() => null)
  throw new Error(`node ${index + 1} could not join${error ? `: ${error}` : ''}`)
}

const task = await running()
console.log(`task ${task.taskId.slice(0, 12)}…: ${task.committed.length} round(s) committed so far; launching ${peers} node(s)`)
let browser: Browser | undefined
let firstPage: Page | undefined
const finish = async (code: number) => {
  if (values.screenshot && firstPage) {
    await firstPage
      .getByTestId('federated')
      .screenshot({ path: values.screenshot })
      .catch(() => {})
    console.log(`dashboard saved to ${values.screenshot}`)
  }
  await browser?.close().catch(() => {})
  process.exit(code)
}
process.on('SIGINT', () => void finish(130))

try {
  browser = await launchHeadlessChromium()
  const pages: Page[] = []
  for (let i = 0; i < peers; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await page.goto(base.href)
    pages.push(page)
  }
  firstPage = pages[0]
  await Promise.all(pages.map((page, i) => join(page, i)))
  console.log(`${peers} node(s) joined; a round starts once the task's quorum of trainers is present`)
  let printed = task.committed.length
  for (;;) {
    const now = (await feed()).tasks.find((t) => t.taskId === task.taskId)
    if (!now) fail('the task disappeared from the relay')
    for (const round of now.committed.slice(printed)) {
      const proof = proofFromFeed(round)
      const inputs = proof?.descriptor.inputs.length ?? 0
      const accuracy = round.accuracy === null ? 'n/a' : `${(round.accuracy * 100).toFixed(1)} %`
      console.log(
        `round ${round.round}: accuracy ${accuracy}, loss ${round.loss?.toFixed(3) ?? 'n/a'}, ${inputs} updates, model ${round.modelHash.slice(0, 12)}…`,
      )
    }
    printed = now.committed.length
    if (now.state === 'done') {
      console.log('task finished')
      await finish(0)
    }
    await new Promise((r) => setTimeout(r, 2_000))
  }
} catch (error) {
  console.error(`demo: ${(error as Error).message}`)
  await finish(1)
}

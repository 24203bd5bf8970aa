import { RelayProcess } from '../e2e/harness/relay-process'
import { launchChromium, openDevice } from '../e2e/harness/browser'
import { loadMnistNode } from '../../workers/fl/node/mnist-data'
import { gatherSamples, splitHoldout } from '../../workers/fl/data/split'
import { selectBackend } from '../../workers/fl/model/backend'
import { nodeBackendOptions } from '../../workers/fl/node/backend'
import { MNIST_MLP } from '../../workers/fl/model/spec'
import { createTrainer } from '../../workers/fl/model/trainer'
import { initialWeights } from '../../workers/fl/model/weights'
import type { BackendName } from '../../workers/fl-worker-api'
import { writeBenchResult, type Metrics } from './results'
import { flagValue, hasFlag, round } from './stats'

const HELP = `npm run bench -- training [--samples 2000] [--epochs 2]

Local-training throughput (samples/s; MLP 784-64-10, batch 32, real MNIST) on every tfjs
backend available here:
  in Node (the relay and the benchmarks): wasm and cpu;
  in headless Chromium, in the training worker, one page per backend (?backend=NAME);
  WebGPU/WebGL are listed with the reason they were skipped when there is no hardware adapter.
The baseline is Node's wasm backend; every figure is also given as a ratio to it.
Needs Chromium; builds the test build (dist-test/) when it is stale.`

const BROWSER_BACKENDS: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu']

/** It drives Chromium through window.agentMesh, which only the test build has (run.ts builds it). */
export const needsTestBuild = true

export async function main(args: string[]): Promise<void> {
  if (hasFlag(args, 'help')) return void console.log(HELP)
  const samples = flagValue(args, 'samples', 2000)
  const epochs = flagValue(args, 'epochs', 2)

  const node: Record<string, number> = {}
  for (const name of ['wasm', 'cpu'] as const) node[name] = await nodeThroughput(name, samples, epochs)
  console.log('node', node)

  const relay = await RelayProcess.create()
  const info = await relay.start()
  const browser = await launchChromium()
  const chromium: Record<string, number | string> = {}
  try {
    for (const name of BROWSER_BACKENDS) {
      const device = await openDevice(browser, `${info.url}?backend=${name}`)
      try {
        // One shard of `samples` digits: clients = training set / samples.
        const clients = Math.max(1, Math.floor(8000 / samples))
        const outcome = await device.page.evaluate(
          async ([clientCount, epochCount]) => {
            const mesh = (window as any).agentMesh
            try {
              await mesh.train({ epochs: 1, batchSize: 32, clientIndex: 1, clients: clientCount, seed: 1 }) // warm-up
              const result = await mesh.train({ epochs: epochCount, batchSize: 32, clientIndex: 0, clients: clientCount, seed: 1 })
              return { ok: true as const, samplesPerSecond: (result.samples / result.ms) * 1000, backend: mesh.backend() }
            } catch (error) {
              return { ok: false as const, reason: String(error), backend: mesh.backend() }
            }
          },
          [clients, epochs] as const,
        )
        chromium[name] =
          outcome.ok && outcome.backend?.backend === name ? Math.round(outcome.samplesPerSecond) : skippedReason(outcome, name)
        console.log('chromium', name, chromium[name])
      } finally {
        await device.context.close()
      }
    }
  } finally {
    await browser.close()
    await relay.stop()
  }

  const ratio = (value: number | string): number | string => (typeof value === 'number' ? round(value / node.wasm) : value)
  const metrics: Metrics = {
    model: 'MLP 784-64-10, batch 32',
    samplesPerSecond: { node, chromium },
    ratioToNodeWasm: {
      node: Object.fromEntries(Object.entries(node).map(([k, v]) => [k, ratio(v)])),
      chromium: Object.fromEntries(Object.entries(chromium).map(([k, v]) => [k, ratio(v)])),
    },
  }
  console.table({
    ...Object.fromEntries(Object.entries(node).map(([k, v]) => [`node ${k}`, { samplesPerSecond: v }])),
    ...Object.fromEntries(Object.entries(chromium).map(([k, v]) => [`chromium ${k}`, { samplesPerSecond: v }])),
  })
  writeBenchResult('training', metrics)
}

function skippedReason(
  outcome: { ok: boolean; reason?: string; backend?: { backend: string; candidates: { name: string; note: string }[] } | null },
  name: BackendName,
): string {
  const note = outcome.backend?.candidates.find((c) => c.name === name)?.note
  return `skipped: ${note ?? outcome.reason?.replace(/^Error: /, '') ?? `fell back to ${outcome.backend?.backend}`}`
}

async function nodeThroughput(name: 'wasm' | 'cpu', samples: number, epochs: number): Promise<number> {
  await selectBackend(nodeBackendOptions({ candidates: [name], calibrate: false }))
  const dataset = loadMnistNode()
  const data = gatherSamples(dataset, splitHoldout(dataset.count, { seed: 1, validation: 0, test: 0 }).train.slice(0, samples))
  const trainer = createTrainer(MNIST_MLP)
  const weights = initialWeights(MNIST_MLP, 1)
  try {
    await trainer.train({ weights, data, hyper: { epochs: 1, batchSize: 32, learningRate: 0.01, seed: 1, maxBatchesPerEpoch: 4 } })
    const started = performance.now()
    const outcome = await trainer.train({ weights, data, hyper: { epochs, batchSize: 32, learningRate: 0.01, seed: 1 } })
    return Math.round(outcome.metrics.samples / ((performance.now() - started) / 1000))
  } finally {
    trainer.dispose()
  }
}

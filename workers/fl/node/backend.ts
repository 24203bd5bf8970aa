/** Node-only: where the tfjs wasm binaries live in node_modules (setWasmPaths wants a folder with a trailing slash). */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { BackendOptions } from '../model/backend'

export function nodeWasmPaths(): string {
  const require = createRequire(import.meta.url)
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/'
}

/** Backend options for Node: wasm (SIMD) or cpu; no GPU backends exist here. */
export function nodeBackendOptions(overrides: BackendOptions = {}): BackendOptions {
  return { candidates: ['wasm', 'cpu'], wasmPaths: nodeWasmPaths(), ...overrides }
}

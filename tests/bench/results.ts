import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export type MetricValue = number | string | boolean | null | number[] | string[] | Metrics | Metrics[]
export interface Metrics {
  [name: string]: MetricValue
}

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results')

/** Writes tests/bench/results/NAME.json in the shape every benchmark shares, and prints it. */
export function writeBenchResult(name: string, metrics: Metrics): string {
  mkdirSync(resultsDir, { recursive: true })
  const file = join(resultsDir, `${name}.json`)
  const body = { name, date: new Date().toISOString(), metrics }
  writeFileSync(file, JSON.stringify(body, null, 2) + '\n')
  console.log(JSON.stringify(body, null, 2))
  console.log(`wrote ${file}`)
  return file
}

/** Percentile by nearest rank over a copy of the values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

export function hasFlag(args: readonly string[], name: string): boolean {
  return args.includes(`--${name}`)
}

export function flagValue(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`)
  if (i < 0) return fallback
  const value = Number(args[i + 1])
  if (!Number.isFinite(value)) throw new Error(`--${name} needs a number`)
  return value
}

export interface RunSummary {
  /** Per metric, the median over the runs that completed. */
  readonly median: Record<string, number>
  /** Per metric, [min, max] over the same runs. */
  readonly spread: Record<string, [number, number]>
}

/** Medians and ranges across repeated runs of a benchmark (each run a flat record of numbers). */
export function summarizeRuns(runs: readonly Record<string, number>[]): RunSummary {
  const median: Record<string, number> = {}
  const spread: Record<string, [number, number]> = {}
  const names = [...new Set(runs.flatMap((r) => Object.keys(r)))]
  for (const name of names) {
    const values = runs.map((r) => r[name]).filter((v) => Number.isFinite(v))
    if (values.length === 0) continue
    const sorted = [...values].sort((a, b) => a - b)
    const mid = sorted.length >> 1
    median[name] = round(sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2, 3)
    spread[name] = [round(sorted[0], 3), round(sorted[sorted.length - 1], 3)]
  }
  return { median, spread }
}

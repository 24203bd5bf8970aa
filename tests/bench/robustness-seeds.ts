/**
 * The robustness figures across seeds. One seed draws one split, one set of shards, one initial
 * model, one attacker and one bucket plan; the backdoor's success in particular swings between
 * seeds (secure FLTrust at the sorted split: 2.9, 7.3 and 95.2 % for seeds 1–3), so a rule is
 * judged by its worst seed, with every seed's figure beside it.
 */
import type { Metrics } from './results'
import { round } from './stats'

export interface SplitResult {
  attackFree: number
  attackFreeTargetSuccess: number
  accuracy: Record<string, Record<string, number>>
  targetSuccess: Record<string, number>
  /** With --validator-gate: per rule and attack, candidates the validators refused and the round a run stalled at (null: none). */
  gate?: Record<string, Record<string, { refused: number; stalledAtRound: number | null }>>
}

/** One run of the benchmark (one seed), as `metrics.raw` of its result file. */
export interface Collected {
  setting: string
  backend: string
  rounds: number
  /** Absent in files written before --seed existed, which all ran seed 1. */
  seed?: number
  /** Simulation time, summed over the child processes that ran parts of it. */
  minutes: number
  /** Wall time, where the parts ran at once in child processes (absent in earlier files). */
  wallMinutes?: number
  splits: Record<string, SplitResult>
}

/** Worst accuracy loss (fraction) to attack-free FedAvg over the untargeted attacks; null if none was run. */
export function worstGap(split: SplitResult, rule: string): number | null {
  const row = split.accuracy[rule]
  const values = row
    ? Object.entries(row)
        .filter(([attack]) => attack !== 'targeted')
        .map(([, v]) => v)
    : []
  return values.length ? Math.max(...values.map((v) => split.attackFree - v)) : null
}

/** The backdoor's success above its attack-free rate (fraction); null if not run. */
export function targetedExcess(split: SplitResult, rule: string): number | null {
  const success = split.targetSuccess[rule]
  return success === undefined ? null : success - split.attackFreeTargetSuccess
}

/** A fraction as rounded percentage points; null stays null. */
export const points = (x: number | null): number | null => (x === null || Number.isNaN(x) ? null : round(x * 100))
const worstOf = (xs: (number | null)[]): number | null => {
  const known = xs.filter((x): x is number => x !== null)
  return known.length ? Math.max(...known) : null
}

/** Per rule and split, each seed's worst gap and backdoor success, and the worst over seeds. */
export function summariseSeeds(
  runs: readonly Collected[],
  defaultLabels: Readonly<Record<'robust' | 'secure', string>>,
): { metrics: Metrics; markdown: string } {
  const seeds = runs.map((r) => r.seed ?? 1)
  if (new Set(seeds).size !== seeds.length) throw new Error(`each seed once, got ${seeds.join(', ')}`)
  if (new Set(runs.map((r) => r.rounds)).size > 1) throw new Error('cannot summarise runs of different round counts')
  const splitNames = [...new Set(runs.flatMap((r) => Object.keys(r.splits)))]
  const rules = [...new Set(runs.flatMap((r) => Object.values(r.splits).flatMap((s) => Object.keys(s.accuracy))))]
  const table = (f: (s: SplitResult, rule: string) => number | null) =>
    Object.fromEntries(
      rules.map((rule) => [
        rule,
        Object.fromEntries(
          splitNames.map((split) => {
            const perSeed = runs.map((r) => (r.splits[split] ? points(f(r.splits[split], rule)) : null))
            return [split, { worst: worstOf(perSeed), perSeed }]
          }),
        ),
      ]),
    )
  const gaps = table(worstGap)
  const success = table((s, rule) => s.targetSuccess[rule] ?? null)
  const excess = table(targetedExcess)
  const only = (t: typeof gaps) =>
    Object.fromEntries(
      Object.entries(t).map(([rule, bySplit]) => [rule, Object.fromEntries(Object.entries(bySplit).map(([s, v]) => [s, v.worst]))]),
    )
  const metrics: Metrics = {
    setting: runs[0].setting.replace(/, seed \d+/, ''),
    rounds: runs[0].rounds,
    seeds,
    defaultLabels,
    /** Worst over the seeds of each seed's worst accuracy loss (points). */
    worstGapPoints: only(gaps) as Metrics,
    /** Highest backdoor success (%) over the seeds. */
    targetedSuccess: only(success) as Metrics,
    targetedExcessPoints: only(excess) as Metrics,
    perSeed: { worstGapPoints: gaps, targetedSuccess: success } as unknown as Metrics,
    attackFreeAccuracy: Object.fromEntries(
      splitNames.map((s) => [s, runs.map((r) => (r.splits[s] ? round(r.splits[s].attackFree * 100) : null))]),
    ) as Metrics,
    defaultsWithin2Points: Object.fromEntries(
      Object.entries(defaultLabels).map(([mode, label]) => [
        mode,
        splitNames.every((s) => {
          const gap = gaps[label]?.[s]?.worst
          const over = excess[label]?.[s]?.worst
          return gap !== null && gap !== undefined && gap <= 2 && (over ?? 0) <= 2
        }),
      ]),
    ),
  }
  const cell = (v: number | null) => (v === null ? '–' : v.toFixed(1))
  const lines = [
    '# Robustness across seeds',
    '',
    `${metrics.setting as string}; seeds ${seeds.join(', ')}. Per seed: the worst accuracy loss (points) to attack-free FedAvg over the untargeted attacks, and the backdoor's success (%, 7 → 1); the rule is judged by its worst seed.`,
    '',
  ]
  for (const split of splitNames) {
    const heads = seeds.map((s) => `seed ${s}`)
    lines.push(
      `## ${split}`,
      '',
      `Attack-free FedAvg: ${runs.map((r) => (r.splits[split] ? `${(r.splits[split].attackFree * 100).toFixed(1)} %` : '–')).join(' / ')}.`,
      '',
      `| rule | worst gap: ${heads.join(' | ')} | worst | backdoor: ${heads.join(' | ')} | worst excess |`,
      `|---|${seeds.map(() => '---:').join('|')}|---:|${seeds.map(() => '---:').join('|')}|---:|`,
    )
    for (const rule of rules) {
      const g = gaps[rule][split]
      const t = success[rule][split]
      if (g.perSeed.every((x) => x === null) && t.perSeed.every((x) => x === null)) continue
      lines.push(
        `| ${rule} | ${g.perSeed.map(cell).join(' | ')} | **${cell(g.worst)}** | ${t.perSeed.map(cell).join(' | ')} | **${cell(excess[rule][split].worst)}** |`,
      )
    }
    lines.push('')
  }
  return { metrics, markdown: lines.join('\n') }
}

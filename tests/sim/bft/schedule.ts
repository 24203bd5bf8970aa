/**
 * Rng fault schedules for BFT consensus, each fully determined by its seed: validator
 * count, Byzantine validators (at most f) and their behaviours, network delays, loss,
 * duplication, partitions and crash/restart of honest validators until a global
 * stabilisation time (GST); after it the network heals (loss stops, delays are bounded),
 * crashed validators restart, and every height must be decided within a bound.
 */
import { createRng, type Rng } from '../../../workers/common/random'
import { Simulation, type NetworkConditions } from '../simulator'
import { BEHAVIOURS, byzantineFactory, type Behaviour } from './byzantine'
import { BftWorld, type Packet, type SchemeKind, type WorldOptions } from './world'

export interface ScheduleOptions {
  readonly seed: number
  readonly validators: number
  readonly heights: number
  readonly byzantine: readonly { readonly index: number; readonly behaviour: Behaviour }[]
  readonly scheme: SchemeKind
  readonly wire: boolean
  readonly gstMs: number
  readonly beforeGst: NetworkConditions
  readonly afterGst: NetworkConditions
  readonly partitions: readonly { readonly at: number; readonly groups: readonly (readonly number[])[] }[]
  readonly crashes: readonly { readonly index: number; readonly at: number; readonly restartAt: number }[]
  /** Every height must be decided by every honest validator within this long after GST. */
  readonly livenessBoundMs: number
  /** A validator-set change decided by consensus during the run (validators = all identities, members = the pinned set). */
  readonly membership?: WorldOptions['membership']
  /** An identity that runs a core on the pinned set forever: removed, it keeps voting (not checked as honest). */
  readonly zombie?: number
  /** Negative control: the checker verifies every certificate against the pinned set, not following changes. */
  readonly checkerIgnoresChanges?: boolean
}

export interface ScheduleReport {
  readonly options: ScheduleOptions
  readonly violations: readonly string[]
  /** Every honest validator decided every height within the bound. */
  readonly live: boolean
  /** Virtual time when the last honest decision came (or the run ended). */
  readonly endedAt: number
  readonly decisions: number
  readonly delivered: number
  /** With a set change: the height it was decided at and the first height the new set decided, as the observer followed them. */
  readonly setChange?: { readonly decidedAt: number; readonly from: number } | null
}

export interface ScheduleShape {
  readonly scheme?: SchemeKind
  readonly wire?: boolean
  readonly validators?: readonly number[]
  readonly heights?: readonly number[]
  /** Byzantine validators: at most this many (never more than f). */
  readonly maxByzantine?: number
}

/** Draws a schedule from the seed; `shape` narrows the space (e.g. real crypto, fewer heights). */
export function randomSchedule(seed: number, shape: ScheduleShape = {}): ScheduleOptions {
  const random = createRng(seed)
  const validators = random.pick(shape.validators ?? [4, 4, 4, 7])
  const f = Math.floor((validators - 1) / 3)
  const byzantineCount = random.intBetween(0, Math.min(f, shape.maxByzantine ?? f))
  const byzantineIndices = random.shuffle(Array.from({ length: validators }, (_, i) => i)).slice(0, byzantineCount)
  const honest = Array.from({ length: validators }, (_, i) => i).filter((i) => !byzantineIndices.includes(i))
  const gstMs = random.pick([0, 500, 1500, 3000, 5000])
  const beforeGst: NetworkConditions = {
    delayMs: [1, random.pick([20, 50, 150, 400])],
    dropRate: random.pick([0, 0, 0.05, 0.2, 0.4]),
    duplicateRate: random.pick([0, 0.05, 0.2]),
  }
  const partitions: { at: number; groups: number[][] }[] = []
  if (gstMs > 0 && random.chance(0.4)) {
    for (let i = random.intBetween(1, 3); i > 0; i--) {
      const groupCount = random.intBetween(2, 3)
      const groups: number[][] = Array.from({ length: groupCount }, () => [])
      for (let v = 0; v < validators; v++) groups[random.intBetween(0, groupCount - 1)].push(v)
      partitions.push({ at: random.intBetween(0, gstMs), groups })
    }
  }
  const crashes: { index: number; at: number; restartAt: number }[] = []
  if (gstMs > 0 && random.chance(0.4)) {
    for (let i = random.intBetween(1, validators); i > 0; i--) {
      const at = random.intBetween(0, gstMs)
      crashes.push({ index: random.pick(honest), at, restartAt: random.intBetween(at, gstMs) })
    }
  }
  return {
    seed,
    validators,
    heights: random.pick(shape.heights ?? [2, 3]),
    byzantine: byzantineIndices.map((index) => ({ index, behaviour: random.pick(BEHAVIOURS) })),
    scheme: shape.scheme ?? 'sim',
    wire: shape.wire ?? random.chance(0.1),
    gstMs,
    beforeGst,
    afterGst: { delayMs: [1, 50], dropRate: 0, duplicateRate: random.pick([0, 0.05]) },
    partitions: partitions.sort((a, b) => a.at - b.at),
    crashes,
    livenessBoundMs: 30_000,
  }
}

export function describeSchedule(o: ScheduleOptions): string {
  const byz = o.byzantine.map((b) => `${b.index}:${b.behaviour}`).join(',') || 'none'
  const change = o.membership
    ? ` members=${o.membership.members} change=${o.membership.change.kind}:${o.membership.change.target}@${o.membership.fromHeight}${o.zombie !== undefined ? ` zombie=${o.zombie}` : ''}`
    : ''
  return `n=${o.validators}${change} heights=${o.heights} byzantine=[${byz}] scheme=${o.scheme} wire=${o.wire} gst=${o.gstMs} drop=${o.beforeGst.dropRate} dup=${o.beforeGst.duplicateRate} delay<=${o.beforeGst.delayMs[1]} partitions=${o.partitions.length} crashes=${o.crashes.length}`
}

/** `trace` receives every honest validator's status each `traceEveryMs` of virtual time (for replaying one seed). */
export function runSchedule(options: ScheduleOptions, trace?: (line: string) => void, traceEveryMs = 500): ScheduleReport {
  const random: Rng = createRng(options.seed ^ 0x5eed)
  const world = new BftWorld({
    validators: options.validators,
    scheme: options.scheme,
    wire: options.wire,
    random,
    membership: options.membership,
  })
  if (options.checkerIgnoresChanges) world.checker.ignoreChanges()
  const sim = new Simulation<Packet>(options.seed, { ...options.beforeGst })
  const behaviourOf = new Map(options.byzantine.map((b) => [b.index, b.behaviour]))
  world.ids.forEach((id, i) => {
    const behaviour = behaviourOf.get(i)
    sim.add(id, behaviour ? byzantineFactory(world, i, behaviour) : i === options.zombie ? world.zombieFactory(i) : world.honestFactory(i))
  })
  const target = world.honest.size * options.heights
  const done = () => world.checker.decisionCount >= target
  const controls: { at: number; apply: () => void }[] = [
    ...options.partitions.map((p) => ({ at: p.at, apply: () => sim.partition(p.groups.map((g) => g.map((i) => world.ids[i]))) })),
    ...options.crashes.flatMap((c) => [
      { at: c.at, apply: () => sim.crash(world.ids[c.index]) },
      { at: c.restartAt, apply: () => sim.restart(world.ids[c.index]) },
    ]),
  ]
  const end = options.gstMs + options.livenessBoundMs
  const traces: { at: number; apply: () => void }[] = []
  if (trace) {
    for (let at = 0; at <= end; at += traceEveryMs) {
      traces.push({
        at,
        apply: () => {
          const statuses = [...world.cores].map(([i, core]) =>
            sim.isUp(world.ids[i]) ? `${i}@${core.status().height}/${core.status().round}/${core.status().step}` : `${i}:down`,
          )
          trace(`t=${at} ${statuses.join(' ')} decisions=${world.checker.decisionCount} ${sim.partitioned ? 'partitioned' : ''}`)
        },
      })
    }
  }
  // Faults end at GST: only what comes before it is applied.
  const beforeGst = [...controls.filter((c) => c.at < options.gstMs), ...traces.filter((c) => c.at < options.gstMs)].sort(
    (a, b) => a.at - b.at,
  )
  const afterGst = traces.filter((c) => c.at >= options.gstMs)
  for (const control of beforeGst) {
    sim.run(control.at, done)
    if (done()) break
    control.apply()
  }
  if (!done()) {
    sim.run(options.gstMs, done)
    sim.heal()
    sim.conditions = { ...options.afterGst }
    for (const id of world.ids) sim.restart(id)
    for (const control of afterGst) {
      sim.run(control.at, done)
      if (done()) break
      control.apply()
    }
    sim.run(end, done)
  }
  return {
    options,
    violations: world.checker.violations,
    live: done(),
    endedAt: sim.now,
    decisions: world.checker.decisionCount,
    delivered: sim.stats.delivered,
    setChange: world.checker.chain?.lastChange() ?? null,
  }
}

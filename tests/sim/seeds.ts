/**
 * Seed sweeps for simulation tests. A sweep runs seeds first … first + count − 1. With
 * SIM_SEED=<n> set, every sweep runs seed n alone instead, whether or not n lies in its own
 * range: a seed printed by any file (or a new one) can be replayed or explored in any seeded
 * suite, and a sweep never passes having run nothing. A failing seed's error message starts
 * with the seed and the command that replays it.
 */

/** The seed SIM_SEED asks to replay, or undefined for a full sweep. */
export function replaySeed(): number | undefined {
  const only = process.env.SIM_SEED
  if (only === undefined || only === '') return undefined
  const seed = Number(only)
  if (!Number.isSafeInteger(seed)) throw new Error(`SIM_SEED must be an integer, got ${JSON.stringify(only)}`)
  return seed
}

/** The seeds a sweep of `count` seeds from `first` runs: all of them, or SIM_SEED alone. */
export function simSeeds(first: number, count: number): number[] {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(count) || count < 1)
    throw new RangeError(`a seed sweep needs a first seed and a count ≥ 1, got ${first}, ${count}`)
  const only = replaySeed()
  if (only !== undefined) {
    console.log(`SIM_SEED=${only}: running seed ${only} only (this sweep's seeds are ${first}-${first + count - 1})`)
    return [only]
  }
  return Array.from({ length: count }, (_, i) => first + i)
}

/** How many seeds a sweep of `count` must have run: tests assert this, so a sweep cut short fails. */
export function expectedRuns(count: number): number {
  return replaySeed() === undefined ? count : 1
}

export function replayHint(seed: number, testFile: string): string {
  return `seed ${seed} failed; replay with: SIM_SEED=${seed} npx vitest run --project unit ${testFile}`
}

/** Runs `run` for each seed of the sweep and returns how many ran; a failure names its seed (see replayHint). */
export function forEachSeed(first: number, count: number, testFile: string, run: (seed: number) => void): number {
  const seeds = simSeeds(first, count)
  for (const seed of seeds) {
    try {
      run(seed)
    } catch (error) {
      throw namingSeed(error, seed, testFile)
    }
  }
  return seeds.length
}

/** forEachSeed for asynchronous runs, one seed at a time. */
export async function forEachSeedAsync(
  first: number,
  count: number,
  testFile: string,
  run: (seed: number) => Promise<void>,
): Promise<number> {
  const seeds = simSeeds(first, count)
  for (const seed of seeds) {
    try {
      await run(seed)
    } catch (error) {
      throw namingSeed(error, seed, testFile)
    }
  }
  return seeds.length
}

/** The same error (an assertion keeps its expected/actual diff), its message prefixed with the replay hint. */
function namingSeed(error: unknown, seed: number, testFile: string): Error {
  const hint = replayHint(seed, testFile)
  if (!(error instanceof Error)) return new Error(`${hint}\n${String(error)}`)
  error.message = `${hint}\n${error.message}`
  if (typeof error.stack === 'string') error.stack = `${hint}\n${error.stack}`
  return error
}

/**
 * Seeds for simulation tests. SIM_SEED=<n> replays that one seed (in any test using this),
 * and every failure message names the seed that failed.
 */
export function simSeeds(first: number, count: number): number[] {
  const only = process.env.SIM_SEED
  if (only !== undefined && only !== '') {
    const seed = Number(only)
    if (!Number.isSafeInteger(seed)) throw new Error(`SIM_SEED must be an integer, got ${only}`)
    return seed >= first && seed < first + count ? [seed] : []
  }
  return Array.from({ length: count }, (_, i) => first + i)
}

export function replayHint(seed: number, testFile: string): string {
  return `seed ${seed} failed; replay with: SIM_SEED=${seed} npx vitest run --project unit ${testFile}`
}

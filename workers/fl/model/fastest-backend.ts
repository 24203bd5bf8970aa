/**
 * Which of several backends is fastest, from noisy measurements. Load only ever slows a
 * measurement down, so each backend's best run is the closest to its real speed; and the runs
 * are interleaved, the order rotated every pass, so that a spell of load does not fall on one
 * backend alone. Within one page a backend's slowest run was down to 0.14× its best with 16
 * pages calibrating at once on two cores (`npm run bench -- calibration`), where one run each,
 * back to back, is the suspected reason one page of a 16-browser round run trained on cpu.
 */

export interface FastestOutcome<N extends string> {
  /** The backend with the highest best speed; null when every one failed. */
  readonly best: { readonly name: N; readonly samplesPerSecond: number } | null
  /** Every run (samples per second) of each backend that never failed, in order; its best is its speed. */
  readonly runs: ReadonlyMap<N, readonly number[]>
  /** Backends left out after a failed measurement, with why. */
  readonly failures: ReadonlyMap<N, Error>
}

export async function fastestOf<N extends string>(
  names: readonly N[],
  measure: (name: N) => Promise<number>,
  passes: number,
): Promise<FastestOutcome<N>> {
  const runs = new Map<N, number[]>()
  const failures = new Map<N, Error>()
  for (let pass = 0; pass < Math.max(1, passes); pass++) {
    const live = names.filter((n) => !failures.has(n))
    // Repeats only serve a comparison: one backend left, once measured, has nothing to beat.
    if (live.length === 0 || (live.length === 1 && runs.has(live[0]))) break
    const rotated = live.map((_, i) => live[(i + pass) % live.length])
    for (const name of rotated) {
      try {
        const speed = await measure(name)
        if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`measured ${speed} samples/s`)
        runs.set(name, [...(runs.get(name) ?? []), speed])
      } catch (error) {
        failures.set(name, error as Error)
        runs.delete(name)
      }
    }
  }
  let best: FastestOutcome<N>['best'] = null
  // Ties go to the earlier name: the caller's order of preference.
  for (const name of names) {
    const measured = runs.get(name)
    const speed = measured ? Math.max(...measured) : undefined
    if (speed !== undefined && (!best || speed > best.samplesPerSecond)) best = { name, samplesPerSecond: speed }
  }
  return { best, runs, failures }
}

/**
 * fastestOf over the preferred backends; the fallbacks are measured only when none of those
 * works. A fallback that is always 2.5–3× slower (tfjs's plain-JS cpu backend: 0.32× wasm in
 * Chromium, 0.38× in Node, `npm run bench -- training`) has nothing to win in a race, and under
 * load its best run can still beat a loaded wasm run: racing it only risks a wrong pick.
 */
export async function fastestWithFallback<N extends string>(
  preferred: readonly N[],
  fallbacks: readonly N[],
  measure: (name: N) => Promise<number>,
  passes: number,
): Promise<FastestOutcome<N>> {
  const first = await fastestOf(preferred, measure, passes)
  if (first.best || fallbacks.length === 0) return first
  const second = await fastestOf(fallbacks, measure, passes)
  return {
    best: second.best,
    runs: new Map([...first.runs, ...second.runs]),
    failures: new Map([...first.failures, ...second.failures]),
  }
}

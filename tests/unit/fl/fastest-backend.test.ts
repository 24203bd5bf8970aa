import { describe, expect, it } from 'vitest'
import { fastestOf } from '../../../workers/fl/model/fastest-backend'

/** A measure function replaying scripted speeds per backend, recording the order it was asked in. */
function scripted(speeds: Record<string, (number | Error)[]>) {
  const calls: string[] = []
  const measure = async (name: string) => {
    calls.push(name)
    const next = speeds[name].shift()
    if (next === undefined) throw new Error(`no more speeds scripted for ${name}`)
    if (next instanceof Error) throw next
    return next
  }
  return { calls, measure }
}

describe('fastestOf', () => {
  it('takes each backend at its best run, so one run slowed by load does not decide', async () => {
    const loadedFirstRun = { wasm: [50, 400, 380], cpu: [100, 90, 95] }
    const { measure } = scripted(structuredClone(loadedFirstRun))
    const outcome = await fastestOf(['wasm', 'cpu'], measure, 3)
    expect(outcome.best).toEqual({ name: 'wasm', samplesPerSecond: 400 })
    expect(Object.fromEntries(outcome.runs)).toEqual({ wasm: [50, 400, 380], cpu: [100, 90, 95] })
    // Negative control: one run each picks the backend that happened to run unloaded.
    const single = await fastestOf(['wasm', 'cpu'], scripted(structuredClone(loadedFirstRun)).measure, 1)
    expect(single.best?.name).toBe('cpu')
  })

  it('interleaves the runs and rotates who goes first', async () => {
    const { calls, measure } = scripted({ a: [1, 1, 1], b: [1, 1, 1], c: [1, 1, 1] })
    await fastestOf(['a', 'b', 'c'], measure, 3)
    expect(calls).toEqual(['a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b'])
  })

  it('leaves out a backend whose run fails, or measures nothing usable, and keeps measuring the rest', async () => {
    const { calls, measure } = scripted({
      webgl: [300, new Error('context lost')],
      wasm: [200, 210, 190],
      cpu: [Number.NaN],
    })
    const outcome = await fastestOf(['webgl', 'wasm', 'cpu'], measure, 3)
    expect(outcome.best).toEqual({ name: 'wasm', samplesPerSecond: 210 })
    expect(outcome.runs.has('webgl')).toBe(false)
    expect(outcome.failures.get('webgl')?.message).toBe('context lost')
    expect(outcome.failures.get('cpu')?.message).toMatch(/NaN/)
    expect(calls.filter((c) => c === 'webgl')).toHaveLength(2)
    expect(calls.filter((c) => c === 'cpu')).toHaveLength(1)
  })

  it('stops once one backend is left, reports no best when every one fails, and breaks ties by the order of preference', async () => {
    const { calls, measure } = scripted({ webgl: [new Error('lost')], wasm: [200, 210] })
    expect((await fastestOf(['webgl', 'wasm'], measure, 3)).best?.name).toBe('wasm')
    expect(calls).toEqual(['webgl', 'wasm']) // the survivor is not measured again: nothing left to compare
    const failed = await fastestOf(['wasm'], scripted({ wasm: [new Error('no wasm')] }).measure, 3)
    expect(failed.best).toBeNull()
    const tie = await fastestOf(['wasm', 'cpu'], scripted({ wasm: [100, 100], cpu: [100, 100] }).measure, 2)
    expect(tie.best?.name).toBe('wasm')
  })
})

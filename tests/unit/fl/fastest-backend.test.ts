import { describe, expect, it } from 'vitest'
import { fastestOf, fastestWithFallback } from '../../../workers/fl/model/fastest-backend'

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

describe('fastestWithFallback', () => {
  it('never races the fallback while a preferred backend works, however fast its run would be', async () => {
    const { calls, measure } = scripted({ wasm: [50, 60, 55], cpu: [1000, 1000, 1000] })
    const outcome = await fastestWithFallback(['wasm'], ['cpu'], measure, 3)
    expect(outcome.best).toEqual({ name: 'wasm', samplesPerSecond: 50 })
    expect(calls).toEqual(['wasm'])
    // Negative control: raced, the fallback's unloaded run wins.
    const raced = await fastestOf(['wasm', 'cpu'], scripted({ wasm: [50, 60, 55], cpu: [1000, 1000, 1000] }).measure, 3)
    expect(raced.best?.name).toBe('cpu')
  })

  it('measures the fallback once every preferred backend failed, keeping why each failed', async () => {
    const { calls, measure } = scripted({ webgl: [new Error('context lost')], wasm: [new Error('conv unsupported')], cpu: [300] })
    const outcome = await fastestWithFallback(['webgl', 'wasm'], ['cpu'], measure, 3)
    expect(outcome.best).toEqual({ name: 'cpu', samplesPerSecond: 300 })
    expect(calls).toEqual(['webgl', 'wasm', 'cpu'])
    expect([...outcome.failures.keys()]).toEqual(['webgl', 'wasm'])
    expect(Object.fromEntries(outcome.runs)).toEqual({ cpu: [300] })
  })

  it('measures the fallback when it is the only backend, and reports no best when it fails too', async () => {
    expect((await fastestWithFallback([], ['cpu'], scripted({ cpu: [120] }).measure, 3)).best).toEqual({
      name: 'cpu',
      samplesPerSecond: 120,
    })
    const none = await fastestWithFallback(['wasm'], ['cpu'], scripted({ wasm: [new Error('a')], cpu: [new Error('b')] }).measure, 3)
    expect(none.best).toBeNull()
    expect([...none.failures.keys()]).toEqual(['wasm', 'cpu'])
  })
})

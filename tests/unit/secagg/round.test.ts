import { describe, expect, it } from 'vitest'
import { runLocalRound, PHASES, type Phase } from '../../../workers/secagg/local-round'
import { nodePrimitives } from '../../../workers/secagg/node/primitives'
import { neighbourLists, suggestHararyGraph } from '../../../workers/secagg/params'
import { createRng } from '../../../workers/common/random'
import { expectedRuns, forEachSeedAsync } from '../../sim/seeds'
import { clientRandom, doneResult, makeCohort, makeInputs, makeParams, maxSumError } from './fixtures'

const FILE = 'tests/unit/secagg/round.test.ts'
const n = 7
const t = 4
const cohort = makeCohort(n)
const inputs = makeInputs(n, 48, 'inputs')
const params = makeParams(cohort, { threshold: t })

async function run(dropBefore: Map<number, Phase> = new Map(), p = params, ins = inputs) {
  return runLocalRound({
    params: p,
    identitySecretKeys: cohort.secretKeys.slice(0, p.cohort.length),
    inputs: ins,
    random: clientRandom('round'),
    dropBefore,
  })
}

describe('secure aggregation, all pairs (Bonawitz et al. 2017)', () => {
  it('equals the plain sum of the inputs, within the quantization bound', async () => {
    const report = await run()
    expect(report.refusals).toEqual([])
    const result = doneResult(report.outcome)
    expect(result.included).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect(maxSumError(result, inputs)).toBeLessThanOrEqual(result.errorBound)
    // The bound is tight enough to matter: far below the inputs' own scale.
    expect(result.errorBound).toBeLessThan(1e-7)
  })

  it('equals the plain sum on random inputs, sizes, thresholds and dropout schedules (seeded)', async () => {
    const ran = await forEachSeedAsync(1, 6, FILE, async (trial) => {
      const rng = createRng(`random-rounds/${trial}`)
      const draw = (below: number) => rng.int(below)
      const size = 3 + draw(n - 2)
      const threshold = Math.floor(size / 2) + 1 + draw(size - Math.floor(size / 2))
      const length = 1 + draw(700)
      const bound = [0.01, 1, 50][draw(3)]
      const trialInputs = makeInputs(size, length, `random-inputs-${trial}`, bound * 1.1)
      // Up to n − t clients drop, each before a random phase.
      const gone = [...Array(size).keys()].filter(() => draw(2) === 1).slice(0, size - threshold)
      const drops = new Map(gone.map((c): [number, Phase] => [c, PHASES[draw(PHASES.length)]]))
      const p = makeParams(
        { secretKeys: cohort.secretKeys.slice(0, size), publicKeys: cohort.publicKeys.slice(0, size) },
        { threshold, vectorLength: length, bound },
      )
      const report = await run(drops, p, trialInputs)
      const label = `trial ${trial}: n=${size} t=${threshold} d=${length} drops=${JSON.stringify([...drops])}`
      expect(report.refusals, label).toEqual([])
      const result = doneResult(report.outcome, label)
      const inSum = [...Array(size).keys()].filter((c) => !drops.has(c) || PHASES.indexOf(drops.get(c)!) > PHASES.indexOf('mask'))
      expect(result.included, label).toEqual(inSum)
      let worst = 0
      for (let j = 0; j < length; j++) {
        let plain = 0
        for (const i of inSum) plain += Math.max(-bound, Math.min(bound, trialInputs[i][j]))
        worst = Math.max(worst, Math.abs(plain - result.sum[j]))
      }
      expect(worst, label).toBeLessThanOrEqual(result.errorBound)
    })
    expect(ran).toBe(expectedRuns(6))
  })

  for (const phase of PHASES) {
    it(`completes when n − t clients drop before the ${phase} phase`, async () => {
      const dropped = [1, 3, 6]
      const report = await run(new Map(dropped.map((c) => [c, phase])))
      expect(report.refusals).toEqual([])
      const result = doneResult(report.outcome)
      // Clients that sent their masked input are in the sum even if they vanish afterwards.
      const inSum = PHASES.indexOf(phase) > PHASES.indexOf('mask')
      expect(result.included).toEqual(inSum ? [0, 1, 2, 3, 4, 5, 6] : [0, 2, 4, 5])
      expect(maxSumError(result, inputs)).toBeLessThanOrEqual(result.errorBound)
    })

    it(`aborts with a reason when n − t + 1 clients drop before the ${phase} phase`, async () => {
      const report = await run(new Map([0, 2, 4, 6].map((c) => [c, phase])))
      expect(report.outcome).toEqual({ kind: 'aborted', reason: expect.stringMatching(/^only 3 .*need 4$/) })
    })
  }

  it('completes when drops are spread over every phase, down to exactly t clients', async () => {
    const report = await run(
      new Map<number, Phase>([
        [0, 'share'],
        [2, 'mask'],
        [5, 'consistency'],
      ]),
    )
    const result = doneResult(report.outcome)
    expect(result.included).toEqual([1, 3, 4, 5, 6])
    expect(maxSumError(result, inputs)).toBeLessThanOrEqual(result.errorBound)
  })

  it('aborts at the threshold boundary when the unmasking phase has t − 1 answers', async () => {
    const report = await run(
      new Map<number, Phase>([
        [0, 'mask'],
        [2, 'unmask'],
        [4, 'unmask'],
        [6, 'consistency'],
      ]),
    )
    expect(report.outcome).toEqual({ kind: 'aborted', reason: 'only 3 survivors revealed shares; need 4' })
  })

  it('respects a minClients above the threshold', async () => {
    const report = await run(
      new Map<number, Phase>([
        [0, 'mask'],
        [2, 'mask'],
      ]),
      { ...params, minClients: 6 },
    )
    expect(report.outcome).toEqual({ kind: 'aborted', reason: 'only 5 clients sent masked input; need 6' })
  })

  it('clamps coordinates outside the bound, and still sums exactly what it clamped', async () => {
    const loud = makeInputs(n, 48, 'loud', 3)
    const report = await run(new Map(), params, loud)
    const result = doneResult(report.outcome)
    expect(maxSumError(result, loud)).toBeLessThanOrEqual(result.errorBound)
  })
})

describe('SecAgg+ (Bell et al. 2020): a random Harary graph instead of all pairs', () => {
  const big = 30
  const bigCohort = makeCohort(big, 'big')
  const bigInputs = makeInputs(big, 32, 'big-inputs')
  const shape = suggestHararyGraph(big)!
  const plus = makeParams(
    bigCohort,
    { threshold: shape.threshold, vectorLength: 32, minClients: 20 },
    { kind: 'harary', degree: shape.degree, seed: new TextEncoder().encode('beacon-42') },
  )
  // OpenSSL primitives keep these 30-client rounds fast; primitives.test.ts shows they match noble byte for byte.
  const runPlus = (dropBefore: Map<number, Phase>) =>
    runLocalRound({
      params: plus,
      identitySecretKeys: bigCohort.secretKeys,
      inputs: bigInputs,
      random: clientRandom('plus'),
      dropBefore,
      primitives: nodePrimitives,
    })

  it('builds a k-regular graph from the public seed, relabelled by it', () => {
    const lists = neighbourLists(plus)
    expect(shape.degree).toBeLessThan(big - 1)
    for (const [i, list] of lists.entries()) {
      expect(list).toHaveLength(shape.degree)
      for (const j of list) expect(lists[j]).toContain(i)
    }
    const other = neighbourLists({ ...plus, graph: { kind: 'harary', degree: shape.degree, seed: new TextEncoder().encode('beacon-43') } })
    expect(other).not.toEqual(lists)
    // Relabelled: not simply the ring of consecutive indices.
    expect(lists[0]).not.toEqual(
      [1, 2, 3, 4, 5, 6, big - 6, big - 5, big - 4, big - 3, big - 2, big - 1].slice(0, shape.degree).sort((a, b) => a - b),
    )
  })

  it('equals the plain sum, with clients dropping at every phase', async () => {
    const report = await runPlus(
      new Map<number, Phase>([
        [3, 'share'],
        [8, 'mask'],
        [17, 'mask'],
        [21, 'consistency'],
        [25, 'unmask'],
      ]),
    )
    expect(report.refusals).toEqual([])
    const result = doneResult(report.outcome)
    expect(result.included).toHaveLength(big - 3)
    expect(maxSumError(result, bigInputs)).toBeLessThanOrEqual(result.errorBound)
    // Each client sent shares only to its neighbours: far fewer bytes than all pairs would need.
    const allPairs = await runLocalRound({
      params: { ...plus, graph: { kind: 'complete' }, threshold: 16 },
      identitySecretKeys: bigCohort.secretKeys,
      inputs: bigInputs,
      random: clientRandom('plus'),
      primitives: nodePrimitives,
    })
    expect(allPairs.outcome.kind).toBe('done')
    expect(report.bytesSent[0]).toBeLessThan(allPairs.bytesSent[0] / 1.5)
  })

  it('aborts naming the client whose neighbourhood kept fewer than t share holders', async () => {
    // Drop client 0 after it shared, and enough of its neighbours that its mask key cannot be rebuilt.
    const around = neighbourLists(plus)[0]
    const drops = new Map<number, Phase>([
      [0, 'mask'],
      ...around.slice(0, shape.degree + 2 - shape.threshold).map((c): [number, Phase] => [c, 'unmask']),
    ])
    const report = await runPlus(drops)
    expect(report.outcome).toEqual({
      kind: 'aborted',
      reason: expect.stringMatching(
        new RegExp(`^cannot rebuild the (self-mask seed of|mask key of dropped) client \\d+: \\d+ shares, threshold ${shape.threshold}$`),
      ),
    })
  })
})

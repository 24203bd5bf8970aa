import { ed25519 } from '@noble/curves/ed25519.js'
import { seededBytes } from '../../../workers/common/random'
import type { GraphSpec, RoundParams } from '../../../workers/secagg/params'
import type { AggregatorStep, SecAggResult } from '../../../workers/secagg/aggregator'

export interface Cohort {
  readonly secretKeys: Uint8Array[]
  readonly publicKeys: Uint8Array[]
}

export function makeCohort(n: number, label = 'cohort'): Cohort {
  const secretKeys = Array.from({ length: n }, (_, i) => seededBytes(`${label}/identity/${i}`)(32).slice())
  return { secretKeys, publicKeys: secretKeys.map((s) => ed25519.getPublicKey(s)) }
}

/** Uniform in [−scale, scale) from a seeded stream. */
export function makeInputs(n: number, length: number, seed: string, scale = 1): Float32Array[] {
  const random = seededBytes(seed)
  return Array.from({ length: n }, () => {
    const words = new Uint32Array(random(4 * length).slice().buffer)
    return Float32Array.from(words, (w) => ((w / 2 ** 32) * 2 - 1) * scale)
  })
}

export function makeParams(
  cohort: Cohort,
  overrides: Partial<RoundParams> & { threshold: number },
  graph: GraphSpec = { kind: 'complete' },
): RoundParams {
  return { roundId: new TextEncoder().encode('round-7'), cohort: cohort.publicKeys, vectorLength: 48, bound: 1, graph, ...overrides }
}

export const clientRandom = (label: string) => (client: number) => seededBytes(`${label}/client/${client}`)

/** The largest per-coordinate gap between the secure sum and the plain float sum of the included inputs. */
export function maxSumError(result: SecAggResult, inputs: readonly Float32Array[]): number {
  let worst = 0
  for (let j = 0; j < result.sum.length; j++) {
    let plain = 0
    for (const i of result.included) plain += Math.max(-1, Math.min(1, inputs[i][j]))
    worst = Math.max(worst, Math.abs(plain - result.sum[j]))
  }
  return worst
}

/** The result of a round that must have completed; fails the test with the abort reason (or the step it ended on) otherwise. */
export function doneResult(outcome: AggregatorStep, label?: string): SecAggResult {
  if (outcome.kind !== 'done')
    throw new Error(
      `${label ? `${label}: ` : ''}round ended ${outcome.kind === 'aborted' ? `aborted: ${outcome.reason}` : `on ${outcome.kind}`}`,
    )
  return outcome.result
}

/**
 * Why bucketing (Karimireddy, He & Jaggi, ICLR 2022) does not help centered clipping here:
 * for each bucket size, the share of honest-only inputs (buckets) CC clips, their mean distance
 * to the center, how many inputs per round hold a Byzantine update, and the bound on the
 * Byzantine part of each step (Σ over Byzantine-holding buckets of min(distance, τ) / buckets),
 * with test accuracy every 25 rounds.
 */
import type { AttackName } from '../../workers/fl/attacks/attacks'
import { assignBuckets } from '../../workers/fl/aggregation/aggregate'
import { loadMnistNode } from '../../workers/fl/node/mnist-data'
import { selectBackend } from '../../workers/fl/model/backend'
import { nodeBackendOptions } from '../../workers/fl/node/backend'
import { MNIST_MLP } from '../../workers/fl/model/spec'
import { prepareData, runSimulation } from './fl-sim'
import { writeBenchResult, type Metrics } from './results'
import { flagValue, hasFlag, round } from './stats'

const HELP = `usage: npm run bench -- bucketing [--rounds 100] [--tau 0.15] [--sizes 1,2,3] [--attack sign-flip] [--sorted]
CC with each bucket size at n = 25, f = 5 (Dirichlet(1), or the sorted split with --sorted): clip
rates, distances, Byzantine share and accuracy every 25 rounds. About 3 CPU-minutes per size.`

export async function main(args: string[]): Promise<void> {
  if (hasFlag(args, 'help')) return void console.log(HELP)
  const list = (name: string, fallback: string): string => {
    const i = args.indexOf(`--${name}`)
    return i >= 0 ? args[i + 1] : fallback
  }
  const rounds = flagValue(args, 'rounds', 100)
  const tau = flagValue(args, 'tau', 0.15)
  const sizes = list('sizes', '1,2,3').split(',').map(Number)
  const attack = list('attack', 'sign-flip') as AttackName
  const sorted = hasFlag(args, 'sorted')
  await selectBackend(nodeBackendOptions({ calibrate: false }))
  const base = {
    dataset: loadMnistNode(),
    spec: MNIST_MLP,
    rounds,
    hyper: { epochs: 1, batchSize: 32, learningRate: 0.3, maxBatchesPerEpoch: 1 },
    clientMomentum: 0.9,
    signFlipScale: 4,
    scheme: sorted ? ({ kind: 'sorted' } as const) : ({ kind: 'dirichlet', alpha: 1 } as const),
    seed: 1,
    byzantineData: 'shards' as const,
    evalEvery: 25,
    clients: 25,
    byzantine: 5,
  }
  const data = prepareData(base)
  const bySize: Metrics = {}
  for (const s of sizes) {
    let honestClipped = 0
    let honestCount = 0
    let honestDistance = 0
    let byzantineInputs = 0
    let byzantineBound = 0
    const result = await runSimulation(
      {
        ...base,
        attack,
        rule: { rule: 'centered-clipping', tau, iterations: 1 },
        bucketSize: s,
        onAggregate: (r, inputs, honest, center) => {
          const ids = inputs.map((_, i) => `client-${String(i).padStart(4, '0')}`)
          const buckets =
            s > 1
              ? assignBuckets(ids, { size: s, seed: new Uint8Array([r & 0xff, (r >> 8) & 0xff, base.seed & 0xff]) })
              : ids.map((id) => [id])
          for (const members of buckets) {
            const index = members.map((id) => Number(id.slice('client-'.length)))
            const mean = new Float64Array(inputs[0].length)
            for (const i of index) inputs[i].forEach((x, j) => (mean[j] += x / index.length))
            let d = 0
            for (let j = 0; j < mean.length; j++) d += (mean[j] - (center ? center[j] : 0)) ** 2
            d = Math.sqrt(d)
            if (index.every((i) => i < honest)) {
              honestCount++
              honestDistance += d
              if (d > tau) honestClipped++
            } else {
              byzantineInputs++
              byzantineBound += Math.min(d, tau) / buckets.length
            }
          }
        },
      },
      data,
    )
    const row = {
      accuracyEvery25Rounds: result.accuracy.filter((a): a is number => a !== null).map((a) => round(a * 100, 1)),
      honestInputsClippedPercent: round((100 * honestClipped) / honestCount, 1),
      honestDistanceToCenter: round(honestDistance / honestCount, 3),
      byzantineInputsPerRound: round(byzantineInputs / rounds, 2),
      byzantineStepBoundPerRound: round(byzantineBound / rounds, 4),
    }
    console.log(`s=${s}`, row)
    bySize[`s${s}`] = row
  }
  writeBenchResult('bucketing', {
    setting: `CC τ=${tau}, ${attack}, ${sorted ? 'sorted' : 'Dirichlet(1)'}, n=25, f=5, ${rounds} rounds, worker momentum 0.9`,
    bySize,
  })
}

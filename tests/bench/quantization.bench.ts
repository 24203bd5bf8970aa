import { loadMnistNode } from '../../workers/fl/node/mnist-data'
import { selectBackend } from '../../workers/fl/model/backend'
import { nodeBackendOptions } from '../../workers/fl/node/backend'
import { MNIST_MLP } from '../../workers/fl/model/spec'
import type { Encoding } from '../../workers/fl/update/codec'
import { l2Norm, subtract } from '../../workers/fl/update/delta'
import { prepareData, runSimulation, type SimulationConfig } from './fl-sim'
import { writeBenchResult, type Metrics } from './results'
import { flagValue, hasFlag, round } from './stats'

const HELP = `npm run bench -- quantization [--rounds 80] [--clients 20] [--alpha 1]

The accuracy cost of the compact update encodings: the same federated run (FedAvg, no attack,
Dirichlet(alpha) MNIST shards, MLP 784-64-10, worker momentum 0.9) with every client update
sent as float32 (the baseline), float16 and int8 (per-layer scale), through the real
encoder and decoder each round. Reports final test accuracy (1,500 test digits) and its cost in
points against float32, the mean relative error each encoding puts on an update, how far the
final model ends from the float32 run's, and the encoded size as a ratio to float32.`

const ENCODINGS: readonly Encoding[] = ['float32', 'float16', 'int8']

export async function main(args: string[]): Promise<void> {
  if (hasFlag(args, 'help')) return void console.log(HELP)
  const rounds = flagValue(args, 'rounds', 80)
  const clients = flagValue(args, 'clients', 20)
  const alpha = flagValue(args, 'alpha', 1)
  await selectBackend(nodeBackendOptions({ calibrate: false }))
  const base: SimulationConfig = {
    dataset: loadMnistNode(),
    spec: MNIST_MLP,
    clients,
    byzantine: 0,
    attack: 'none',
    rule: { rule: 'fedavg' },
    rounds,
    hyper: { epochs: 1, batchSize: 32, learningRate: 0.3, maxBatchesPerEpoch: 1 },
    clientMomentum: 0.9,
    scheme: { kind: 'dirichlet', alpha },
    seed: 1,
    evalEvery: rounds,
  }
  const data = prepareData(base)
  const results: Record<string, { accuracy: number; bytes: number; updateError: number; weights: Float32Array }> = {}
  for (const encoding of ENCODINGS) {
    const outcome = await runSimulation({ ...base, updateEncoding: encoding }, data)
    results[encoding] = {
      accuracy: outcome.finalAccuracy,
      bytes: outcome.updateBytes,
      updateError: outcome.updateRelativeError,
      weights: outcome.finalWeights,
    }
    console.log(
      `${encoding.padEnd(8)} ${(outcome.finalAccuracy * 100).toFixed(2)} %  ${outcome.updateBytes} bytes per update, relative error per update ${outcome.updateRelativeError.toExponential(2)}`,
    )
  }
  const float32 = results.float32
  const metrics: Metrics = {
    setting: `FedAvg, ${clients} clients, Dirichlet α=${alpha}, ${rounds} rounds, MLP 784-64-10 (${MNIST_MLP.layers.length} layers)`,
    ...Object.fromEntries(
      ENCODINGS.map((e) => [
        e,
        {
          accuracyPercent: round(results[e].accuracy * 100),
          accuracyCostPoints: round((float32.accuracy - results[e].accuracy) * 100),
          bytesPerUpdate: results[e].bytes,
          sizeRatioToFloat32: round(results[e].bytes / float32.bytes, 3),
          updateRelativeError: Number(results[e].updateError.toExponential(2)),
          // How far the final model drifted from the float32 run's: the cost below the accuracy's resolution.
          finalModelRelativeDifference: Number(
            (l2Norm(subtract(results[e].weights, float32.weights)) / l2Norm(float32.weights)).toExponential(2),
          ),
        },
      ]),
    ),
  }
  writeBenchResult('quantization', metrics)
}

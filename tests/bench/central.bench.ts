/**
 * The ceiling for the federated robustness runs: the same 784-64-10 MLP trained centrally on
 * the same 7,500 training digits (SGD with momentum 0.9, batch 32), test accuracy every 5
 * epochs on the same 1,500 test digits. The sorted-split gap analysis in the README uses it.
 */
import { loadMnistNode } from '../../workers/fl/node/mnist-data'
import { gatherSamples, splitHoldout } from '../../workers/fl/data/split'
import { selectBackend } from '../../workers/fl/model/backend'
import { nodeBackendOptions } from '../../workers/fl/node/backend'
import { MNIST_MLP } from '../../workers/fl/model/spec'
import { createTrainer } from '../../workers/fl/model/trainer'
import { initialWeights } from '../../workers/fl/model/weights'
import { writeBenchResult } from './results'
import { flagValue, hasFlag, round } from './stats'

export async function main(args: string[]): Promise<void> {
  if (hasFlag(args, 'help'))
    return void console.log(
      "usage: npm run bench -- central [--epochs 20] [--lr 0.1]\nCentral training of the robustness benchmark's MLP on its 7,500 training digits (about 2 CPU-minutes).",
    )
  const epochs = flagValue(args, 'epochs', 20)
  const learningRate = flagValue(args, 'lr', 0.1)
  await selectBackend(nodeBackendOptions({ calibrate: false }))
  const dataset = loadMnistNode()
  const split = splitHoldout(dataset.count, { seed: 1, validation: 1000, test: 1500 })
  const train = gatherSamples(dataset, split.train)
  const test = gatherSamples(dataset, split.test)
  const trainer = createTrainer(MNIST_MLP)
  const accuracy: number[] = []
  try {
    let weights = initialWeights(MNIST_MLP, 1)
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const out = await trainer.train({
        weights,
        data: train,
        hyper: { epochs: 1, batchSize: 32, learningRate, optimizer: 'momentum', momentum: 0.9, seed: epoch },
        yieldEvery: 1_000_000,
      })
      weights = out.weights
      if (epoch % 5 === 0 || epoch === epochs) {
        accuracy.push(round((await trainer.evaluate(weights, test)).accuracy * 100))
        console.log(`epoch ${epoch}: ${accuracy[accuracy.length - 1]} %`)
      }
    }
  } finally {
    trainer.dispose()
  }
  writeBenchResult('central', {
    setting: `MLP 784-64-10, ${train.count} training digits, batch 32, lr ${learningRate}, momentum 0.9`,
    accuracyEvery5Epochs: accuracy,
    best: Math.max(...accuracy),
  })
}

import { describe, expect, it } from 'vitest'
import { encodeMnistBinary, parseMnistBinary } from '../../../workers/fl/data/mnist-format'
import { loadMnistNode } from '../../../workers/fl/node/mnist-data'
import { classCounts, gatherSamples, shardClients, splitHoldout } from '../../../workers/fl/data/split'

const mnist = loadMnistNode()

describe('MNIST binary', () => {
  it('holds the 10,000 real digits with every class present', () => {
    expect(mnist.count).toBe(10_000)
    expect([mnist.rows, mnist.cols]).toEqual([28, 28])
    const counts = classCounts(
      mnist.labels,
      Array.from({ length: mnist.count }, (_, i) => i),
    )
    expect(counts.every((c) => c > 800)).toBe(true)
  })

  it('round-trips and refuses corrupt, truncated or foreign files', () => {
    const bytes = encodeMnistBinary(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), new Uint8Array([3, 9]), 2, 2)
    const parsed = parseMnistBinary(bytes)
    expect(parsed.ok && Array.from(parsed.dataset.labels)).toEqual([3, 9])
    const flipped = Uint8Array.from(bytes)
    flipped[50] ^= 1
    expect(parseMnistBinary(flipped)).toMatchObject({ ok: false, reason: expect.stringMatching(/SHA-256/) })
    expect(parseMnistBinary(bytes.subarray(0, bytes.length - 1))).toMatchObject({ ok: false })
    expect(parseMnistBinary(new TextEncoder().encode('not a dataset at all, definitely not one'.repeat(2)))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/magic/),
    })
    expect(parseMnistBinary(encodeMnistBinary(new Uint8Array(4), new Uint8Array([10]), 2, 2))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/label/),
    })
  })
})

describe('deterministic splits', () => {
  const split = splitHoldout(mnist.count, { seed: 5, validation: 1000, test: 1500 })

  it('hold-out sets are disjoint, cover everything, and depend only on the seed', () => {
    const all = [...split.train, ...split.validation, ...split.test].sort((a, b) => a - b)
    expect(all).toEqual(Array.from({ length: mnist.count }, (_, i) => i))
    expect(splitHoldout(mnist.count, { seed: 5, validation: 1000, test: 1500 })).toEqual(split)
    expect(splitHoldout(mnist.count, { seed: 6, validation: 1000, test: 1500 }).test).not.toEqual(split.test)
  })

  for (const scheme of [
    { kind: 'iid' },
    { kind: 'dirichlet', alpha: 0.3 },
    { kind: 'sorted' },
    { kind: 'sorted', shardsPerClient: 2 },
  ] as const) {
    it(`${JSON.stringify(scheme)} shards partition the training set and are reproducible`, () => {
      const shards = shardClients(mnist.labels, split.train, { clients: 20, seed: 1, scheme })
      expect(shards.length).toBe(20)
      expect(shards.flatMap((s) => Array.from(s)).sort((a, b) => a - b)).toEqual(Array.from(split.train).sort((a, b) => a - b))
      expect(shardClients(mnist.labels, split.train, { clients: 20, seed: 1, scheme })).toEqual(shards)
    })
  }

  it('heterogeneity: iid shards see every class, sorted shards one or two, dirichlet(0.1) is skewed', () => {
    const classesPer = (scheme: Parameters<typeof shardClients>[2]['scheme']): number[] =>
      shardClients(mnist.labels, split.train, { clients: 20, seed: 1, scheme }).map(
        (s) => classCounts(mnist.labels, s).filter((c) => c > 0).length,
      )
    expect(Math.min(...classesPer({ kind: 'iid' }))).toBe(10)
    expect(Math.max(...classesPer({ kind: 'sorted' }))).toBeLessThanOrEqual(2)
    const dominantShare = (scheme: Parameters<typeof shardClients>[2]['scheme']): number => {
      const shards = shardClients(mnist.labels, split.train, { clients: 20, seed: 1, scheme }).filter((s) => s.length > 0)
      return shards.reduce((sum, s) => sum + Math.max(...classCounts(mnist.labels, s)) / s.length, 0) / shards.length
    }
    expect(dominantShare({ kind: 'iid' })).toBeLessThan(0.2)
    expect(dominantShare({ kind: 'dirichlet', alpha: 0.1 })).toBeGreaterThan(0.5)
  })

  it('gathers normalised pixels and labels', () => {
    const samples = gatherSamples(mnist, [0, 9999])
    expect(samples.count).toBe(2)
    expect(samples.x.length).toBe(2 * 784)
    expect(Math.max(...samples.x)).toBeLessThanOrEqual(1)
    expect(Math.max(...samples.x)).toBeGreaterThan(0.9)
    expect(Array.from(samples.labels)).toEqual([mnist.labels[0], mnist.labels[9999]])
  })
})

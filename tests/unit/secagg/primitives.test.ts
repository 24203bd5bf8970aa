import { describe, expect, it } from 'vitest'
import { chacha20 } from '@noble/ciphers/chacha.js'
import { ed25519 } from '@noble/curves/ed25519.js'
import { SecAggAggregator, type AggregatorStep } from '../../../workers/secagg/aggregator'
import { SecAggClient } from '../../../workers/secagg/client'
import { nodePrimitives } from '../../../workers/secagg/node/primitives'
import { applyMask } from '../../../workers/secagg/prg'
import { noblePrimitives, type SecAggPrimitives } from '../../../workers/secagg/primitives'
import { seededBytes } from '../../../workers/common/random'
import type { MaskedInput } from '../../../workers/secagg/secagg.pb'
import { clientRandom, doneResult, makeCohort, makeInputs, makeParams, maxSumError } from './fixtures'

const suites: readonly SecAggPrimitives[] = [noblePrimitives, nodePrimitives]
const random = seededBytes('primitives')
const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'))

describe('OpenSSL (node:crypto) and @noble primitives are interchangeable', () => {
  it('produce the same ChaCha20 keystream, read in chunks of any whole-block size', () => {
    const key = random(32).slice()
    const reference = chacha20(key, new Uint8Array(12), new Uint8Array(3 * 65_536))
    for (const suite of suites) {
      const next = suite.keystream(key)
      const got = new Uint8Array(reference.length)
      let offset = 0
      for (const size of [64, 640, 65_536, 128, 65_536, 65_536 - 640 - 128 - 64]) {
        got.set(next(size), offset)
        offset += size
      }
      expect(offset).toBe(reference.length)
      expect(Buffer.from(got).equals(Buffer.from(reference)), suite.name).toBe(true)
    }
  })

  it('expand the same mask over chunk boundaries and an odd tail', () => {
    const seed = random(32).slice()
    const [a, b] = suites.map((suite) => {
      const acc = new Uint32Array(40_003).fill(7)
      applyMask(acc, seed, 1, suite)
      applyMask(acc, random(32).slice().fill(1), -1, suite)
      return acc
    })
    expect(a).toEqual(b)
    expect(a.filter((w) => w === 7).length).toBeLessThan(5)
  })

  it('agree on X25519 keys and shared secrets, and both refuse low-order peer keys', () => {
    for (let trial = 0; trial < 4; trial++) {
      const [secretA, secretB] = [random(32).slice(), random(32).slice()]
      const [publicA, publicB] = suites.map((s) => s.x25519PublicKey(secretA))
      expect(publicA).toEqual(publicB)
      const peer = noblePrimitives.x25519PublicKey(secretB)
      const [sharedA, sharedB] = suites.map((s) => s.x25519Agreement(secretA)(peer))
      expect(sharedA).not.toBeNull()
      expect(sharedA).toEqual(sharedB)
      expect(nodePrimitives.x25519Agreement(secretB)(publicA)).toEqual(sharedA)
    }
    const lowOrder = [
      '0000000000000000000000000000000000000000000000000000000000000000',
      '0100000000000000000000000000000000000000000000000000000000000000',
      'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    ]
    for (const point of lowOrder) {
      for (const suite of suites) expect(suite.x25519Agreement(random(32).slice())(hex(point)), `${suite.name} ${point}`).toBeNull()
    }
    for (const suite of suites) expect(suite.x25519Agreement(random(32).slice())(new Uint8Array(31))).toBeNull()
  })

  it('sign identically and accept and refuse the same Ed25519 signatures', () => {
    const secret = random(32).slice()
    const message = new TextEncoder().encode('survivors 0,1,2')
    const [sigA, sigB] = suites.map((s) => s.ed25519Sign(message, secret))
    expect(sigA).toEqual(sigB)
    const publicKey = ed25519.getPublicKey(secret)
    // S + L: the same point equation, but a non-canonical scalar that RFC 8032 refuses.
    const L = 2n ** 252n + 27742317777372353535851937790883648493n
    let s = 0n
    for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sigA[i])
    const malleable = sigA.slice()
    let t = s + L
    for (let i = 32; i < 64; i++) {
      malleable[i] = Number(t & 0xffn)
      t >>= 8n
    }
    const cases: [string, Uint8Array, Uint8Array, Uint8Array, boolean][] = [
      ['valid', sigA, message, publicKey, true],
      ['other message', sigA, new TextEncoder().encode('survivors 0,1'), publicKey, false],
      ['flipped bit', Uint8Array.from(sigA, (b, i) => (i === 10 ? b ^ 4 : b)), message, publicKey, false],
      ['S + L', malleable, message, publicKey, false],
      ['short signature', sigA.subarray(0, 63), message, publicKey, false],
      ['other key', sigA, message, ed25519.getPublicKey(random(32).slice()), false],
      ['key not on the curve', sigA, message, hex('02' + '00'.repeat(30) + '80'), false],
    ]
    for (const [name, sig, msg, key, expected] of cases) {
      for (const suite of suites) expect(suite.ed25519Verify(sig, msg, key), `${suite.name}: ${name}`).toBe(expected)
    }
  })

  it('a client gets the same masked input bytes from either suite, and mixed parties finish the round', async () => {
    const n = 5
    const cohort = makeCohort(n, 'mixed')
    const inputs = makeInputs(n, 300, 'mixed-inputs')
    const params = makeParams(cohort, { threshold: 3, vectorLength: 300 })
    /** Clients alternate suites, the aggregator uses `aggregatorSuite`; returns masked inputs and the result. */
    async function round(pick: (i: number) => SecAggPrimitives, aggregatorSuite: SecAggPrimitives) {
      const rnd = clientRandom('mixed')
      const clients = cohort.secretKeys.map(
        (identitySecretKey, index) =>
          new SecAggClient({ params, index, identitySecretKey, input: inputs[index], random: rnd(index), primitives: pick(index) }),
      )
      const aggregator = new SecAggAggregator(params, { primitives: aggregatorSuite })
      const ok = <T>(step: { ok: true; message: T } | { ok: false; reason: string }): T => {
        if (!step.ok) throw new Error(step.reason)
        return step.message
      }
      clients.forEach((c, i) => expect(aggregator.receiveAdvertisement(i, ok(c.start())).ok).toBe(true))
      const roster = (await aggregator.closePhase()) as Extract<AggregatorStep, { kind: 'broadcast-roster' }>
      for (const [i, c] of clients.entries()) expect(aggregator.receiveShareKeys(i, ok(await c.handleRoster(roster.message))).ok).toBe(true)
      const deliveries = ((await aggregator.closePhase()) as Extract<AggregatorStep, { kind: 'deliver-shares' }>).deliveries
      const masked: MaskedInput[] = deliveries.map((d) => ok(clients[d.recipient].handleShares(d)))
      masked.forEach((m, i) => expect(aggregator.receiveMaskedInput(i, m).ok).toBe(true))
      const survivors = (await aggregator.closePhase()) as Extract<AggregatorStep, { kind: 'broadcast-survivors' }>
      clients.forEach((c, i) => expect(aggregator.receiveConsistencySignature(i, ok(c.handleSurvivors(survivors.message))).ok).toBe(true))
      const request = (await aggregator.closePhase()) as Extract<AggregatorStep, { kind: 'request-unmask' }>
      clients.forEach((c, i) => expect(aggregator.receiveUnmaskResponse(i, ok(c.handleUnmaskRequest(request.message))).ok).toBe(true))
      return { masked, outcome: await aggregator.closePhase() }
    }
    const allNoble = await round(() => noblePrimitives, noblePrimitives)
    const mixed = await round((i) => suites[i % 2], nodePrimitives)
    for (let i = 0; i < n; i++) expect(Buffer.from(mixed.masked[i].masked).equals(Buffer.from(allNoble.masked[i].masked))).toBe(true)
    for (const { outcome } of [allNoble, mixed]) {
      const result = doneResult(outcome)
      expect(maxSumError(result, inputs)).toBeLessThanOrEqual(result.errorBound)
    }
  })
})

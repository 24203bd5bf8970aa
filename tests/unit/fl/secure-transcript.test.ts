import { describe, expect, it } from 'vitest'
import { aggregateBucketSums } from '../../../workers/fl/aggregation/aggregate'
import { RecordingAggregator, replayTranscript, type TranscriptEntry } from '../../../workers/fl/round/secure-transcript'
import { combineBuckets, planBuckets } from '../../../workers/secagg/bucketed'
import { runLocalRound, type Phase } from '../../../workers/secagg/local-round'
import { MaskedInput } from '../../../workers/secagg/secagg.pb'
import { clientRandom, makeCohort, makeInputs } from '../secagg/fixtures'

// Secure mode: validators replay the aggregator's transcript to the same bucket sums and apply
// the same robust rule, never seeing one client's update.
describe('secure-aggregation transcript replay', () => {
  const n = 9
  const d = 40
  const cohort = makeCohort(n, 'transcript')
  const inputs = makeInputs(n, d, 'transcript-inputs', 0.5)
  const plan = planBuckets({
    roundId: new TextEncoder().encode('task/round-1'),
    cohort: cohort.publicKeys,
    seed: new TextEncoder().encode('base-model-hash'),
    bucketSize: 3,
    threshold: () => 2,
    vectorLength: d,
    bound: 4,
  })
  const rule = (b: readonly { sum: Float64Array; count: number }[]) => aggregateBucketSums(b, { rule: 'median' })

  async function runBuckets() {
    const transcripts: TranscriptEntry[][] = []
    const results = []
    for (const [b, bucket] of plan.entries()) {
      const aggregator = new RecordingAggregator(bucket.params)
      // One client of the second bucket drops before masking: the transcript still replays.
      const dropBefore = new Map<number, Phase>(b === 1 ? [[0, 'mask']] : [])
      const report = await runLocalRound({
        params: bucket.params,
        identitySecretKeys: bucket.members.map((m) => cohort.secretKeys[m]),
        inputs: bucket.members.map((m) => inputs[m]),
        random: clientRandom(`t-${b}`),
        dropBefore,
        aggregator,
      })
      expect(report.outcome.kind).toBe('done')
      results.push(report.outcome.kind === 'done' ? report.outcome.result : null)
      transcripts.push(aggregator.transcript)
    }
    return { transcripts, results }
  }

  it('replays every bucket to the aggregator’s sums, so the robust rule gives the same model', async () => {
    const { transcripts, results } = await runBuckets()
    const replayed = []
    for (const [b, bucket] of plan.entries()) {
      const replay = await replayTranscript(bucket.params, transcripts[b])
      expect(replay.ok).toBe(true)
      if (!replay.ok) return
      expect(Array.from(replay.result.sum)).toEqual(Array.from(results[b]!.sum))
      expect(replay.result.included).toEqual(results[b]!.included)
      replayed.push(replay.result)
    }
    const proposed = combineBuckets(results, rule)
    const reexecuted = combineBuckets(replayed, rule)
    expect(proposed.ok && reexecuted.ok).toBe(true)
    if (proposed.ok && reexecuted.ok) expect(Array.from(reexecuted.vector)).toEqual(Array.from(proposed.vector))
  })

  it('a transcript with an altered masked input, a missing phase end or an unsigned entry does not replay to the proposed sums', async () => {
    const { transcripts, results } = await runBuckets()
    const params = plan[0].params
    const original = transcripts[0]
    const maskIndex = original.findIndex((e) => e.kind === 'mask')
    const entry = original[maskIndex] as { kind: 'mask'; from: number; message: Uint8Array }
    const masked = MaskedInput.decode(entry.message)
    const tamperedVector = Uint8Array.from(masked.masked)
    tamperedVector[0] ^= 0x40
    const altered = original.map((e, i) =>
      i === maskIndex ? { ...entry, message: MaskedInput.encode({ ...masked, masked: tamperedVector }) } : e,
    )
    const replay = await replayTranscript(params, altered)
    expect(replay.ok && Array.from(replay.result.sum)).not.toEqual(Array.from(results[0]!.sum))
    expect(await replayTranscript(params, original.slice(0, -1))).toMatchObject({
      ok: false,
      reason: 'the transcript does not finish the round',
    })
    expect(await replayTranscript(params, original, { verifyEntry: (_, i) => i !== maskIndex })).toEqual({
      ok: false,
      reason: `entry ${maskIndex} is not signed by its sender`,
    })
    expect(
      await replayTranscript(params, [...original.slice(0, 2), { kind: 'mask', from: 0, message: new Uint8Array([0xff, 0xff]) }]),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('does not decode') })
  })
})

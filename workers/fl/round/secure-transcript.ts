/**
 * Secure mode's re-execution (README, "Federated round"): the aggregator records every client
 * message it was given, in order, and where it closed each phase; a validator replays that
 * transcript through a fresh aggregator machine and must reach the same bucket sums, without
 * ever seeing an individual update. Each entry keeps the client's message bytes and its
 * sender's cohort index; on the mesh each also keeps the signed envelope it came in, which the
 * validator checks (`verifyEntry`) so an aggregator cannot alter or invent a client's message.
 */
import { SecAggAggregator, type AggregatorStep, type SecAggResult } from '../../secagg/aggregator'
import type { RoundParams as SecAggParams } from '../../secagg/params'
import type { SecAggPrimitives } from '../../secagg/primitives'
import { AdvertiseKeys, ConsistencySignature, MaskedInput, ShareKeys, UnmaskResponse } from '../../secagg/secagg.pb'
import { decodeExact } from '../../protocol/exact-decode'

export type TranscriptEntry =
  | { readonly kind: 'advertise' | 'share' | 'mask' | 'consistency' | 'unmask'; readonly from: number; readonly message: Uint8Array }
  | { readonly kind: 'close' }

/** An aggregator that writes down what it is fed; it behaves exactly like SecAggAggregator. */
export class RecordingAggregator extends SecAggAggregator {
  readonly transcript: TranscriptEntry[] = []

  override receiveAdvertisement(from: number, message: AdvertiseKeys) {
    this.transcript.push({ kind: 'advertise', from, message: AdvertiseKeys.encode(message) })
    return super.receiveAdvertisement(from, message)
  }

  override receiveShareKeys(from: number, message: ShareKeys) {
    this.transcript.push({ kind: 'share', from, message: ShareKeys.encode(message) })
    return super.receiveShareKeys(from, message)
  }

  override receiveMaskedInput(from: number, message: MaskedInput) {
    this.transcript.push({ kind: 'mask', from, message: MaskedInput.encode(message) })
    return super.receiveMaskedInput(from, message)
  }

  override receiveConsistencySignature(from: number, message: ConsistencySignature) {
    this.transcript.push({ kind: 'consistency', from, message: ConsistencySignature.encode(message) })
    return super.receiveConsistencySignature(from, message)
  }

  override receiveUnmaskResponse(from: number, message: UnmaskResponse) {
    this.transcript.push({ kind: 'unmask', from, message: UnmaskResponse.encode(message) })
    return super.receiveUnmaskResponse(from, message)
  }

  override async closePhase(): Promise<AggregatorStep> {
    this.transcript.push({ kind: 'close' })
    return super.closePhase()
  }
}

export type ReplayResult = { readonly ok: true; readonly result: SecAggResult } | { readonly ok: false; readonly reason: string }

/** Entries a transcript may hold: five messages per client and five phase ends. */
export function maxTranscriptEntries(params: SecAggParams): number {
  return params.cohort.length * 5 + 5
}

/**
 * Replays one bucket's transcript. Refused messages are replayed too (the machine refuses them
 * again), so the outcome is a pure function of the transcript.
 */
export async function replayTranscript(
  params: SecAggParams,
  transcript: readonly TranscriptEntry[],
  options: { readonly primitives?: SecAggPrimitives; readonly verifyEntry?: (entry: TranscriptEntry, index: number) => boolean } = {},
): Promise<ReplayResult> {
  if (transcript.length > maxTranscriptEntries(params)) return { ok: false, reason: 'transcript is longer than any round can be' }
  const machine = new SecAggAggregator(params, { primitives: options.primitives })
  let last: AggregatorStep | null = null
  for (const [index, entry] of transcript.entries()) {
    if (options.verifyEntry && !options.verifyEntry(entry, index))
      return { ok: false, reason: `entry ${index} is not signed by its sender` }
    try {
      switch (entry.kind) {
        case 'close':
          last = await machine.closePhase()
          break
        case 'advertise':
          machine.receiveAdvertisement(entry.from, decodeExact(entry.message, AdvertiseKeys.codec()))
          break
        case 'share':
          machine.receiveShareKeys(entry.from, decodeExact(entry.message, ShareKeys.codec()))
          break
        case 'mask':
          machine.receiveMaskedInput(entry.from, decodeExact(entry.message, MaskedInput.codec()))
          break
        case 'consistency':
          machine.receiveConsistencySignature(entry.from, decodeExact(entry.message, ConsistencySignature.codec()))
          break
        case 'unmask':
          machine.receiveUnmaskResponse(entry.from, decodeExact(entry.message, UnmaskResponse.codec()))
          break
      }
    } catch (error) {
      return { ok: false, reason: `entry ${index} does not decode: ${(error as Error).message}` }
    }
  }
  if (last?.kind === 'done') return { ok: true, result: last.result }
  return {
    ok: false,
    reason: last?.kind === 'aborted' ? `the replayed round aborted: ${last.reason}` : 'the transcript does not finish the round',
  }
}

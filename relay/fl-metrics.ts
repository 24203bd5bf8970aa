import type { RoundStatus } from '../workers/fl/round'
import type { FlRoundPhase } from '../workers/telemetry/phases'
import type { RelayMetrics } from './metrics'

/** The round core's phases as the metric's closed set of phase names (workers/telemetry/phases.ts). */
const phaseName: Record<RoundStatus['phase'], FlRoundPhase> = {
  waiting: 'announce',
  training: 'train',
  submitted: 'submit',
  collecting: 'submit',
  aggregating: 'aggregate',
  proposed: 'validate',
  validating: 'consensus',
  done: 'adopt',
}

/** Feeds the federated-round families of /metrics from a relay's FlDuty: phases with their durations, inputs, dropouts. */
export function flRoundMetrics(flRound: RelayMetrics['flRound'], now: () => number = () => performance.now()) {
  let current: { phase: FlRoundPhase; since: number } | null = null
  return {
    phase(phase: RoundStatus['phase']): void {
      const name = phaseName[phase]
      const at = now()
      flRound.phase(name, current ? { phase: current.phase, seconds: (at - current.since) / 1000 } : undefined)
      current = { phase: name, since: at }
    },
    committed(inputs: number, dropouts: number): void {
      for (let i = 0; i < inputs; i++) flRound.submission('accepted')
      for (let i = 0; i < dropouts; i++) flRound.dropout()
    },
    refused(count: number): void {
      for (let i = 0; i < count; i++) flRound.submission('rejected')
    },
    /** A secure-aggregation bucket aborted, with SecAggAggregator's reason. */
    secaggAbort(reason: string): void {
      flRound.secaggAbort(secaggAbortReason(reason))
    },
  }
}

/** SecAggAggregator's abort reasons as the metric's closed label set. */
export function secaggAbortReason(reason: string): 'too-few-survivors' | 'bad-share' | 'timeout' | 'other' {
  if (/^only \d+ (clients|survivors)/.test(reason)) return 'too-few-survivors'
  if (/cannot rebuild|unusable mask key/.test(reason)) return 'bad-share'
  if (/unfinished|timed out/.test(reason)) return 'timeout'
  return 'other'
}

import type { Tracer } from '@opentelemetry/api'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import type { BftMessage } from '../consensus/bft'
import type { ConsensusObserver } from '../consensus/adapter/types'
import { bftPhases, type BftPhase } from './phases'
import { WorkTracer } from './work-trace'

export interface HeightFinal {
  readonly height: number
  readonly round: number
  readonly signers: number
  /** From the first proposal or vote this node saw for the height to its decision. */
  readonly finalitySeconds: number
  readonly traceId: string | undefined
}

/** Every validator derives the same trace id for a height, so its spans meet in one trace even when a timeout makes it act before the proposal arrives. */
export function heightTraceId(chainId: string, height: number): string {
  return bytesToHex(sha256(utf8ToBytes(`agent-mesh/trace/bft.height/${chainId}/${height}`))).slice(0, 32)
}

function heightOf(message: BftMessage): number {
  return message.kind === 'commit' ? message.certificate.height : message.height
}

function phaseOf(message: BftMessage): BftPhase {
  if (message.kind === 'proposal') return 'propose'
  if (message.kind === 'commit') return 'commit'
  return message.type
}

/**
 * Follows each BFT height through propose, prevote, precommit and commit as the messages this
 * validator sends and receives show it: one `bft.height` span per height (continued from the
 * proposer's when its envelope carried a traceparent) with a child span per phase, and the
 * traceparent of that height for every outgoing message. Also the clock of finality.
 */
export class ConsensusTracing implements ConsensusObserver {
  private readonly heights: WorkTracer<'bft.height'>

  constructor(options: { tracer: Tracer; chainId: string; validator: string; now?: () => number; onFinal?: (final: HeightFinal) => void }) {
    this.heights = new WorkTracer({
      tracer: options.tracer,
      kind: 'bft.height',
      phases: bftPhases,
      attributes: { 'mesh.chain': options.chainId, 'mesh.validator': options.validator },
      now: options.now,
      maxOpen: 16,
      traceIdFor: (height) => heightTraceId(options.chainId, Number(height)),
    })
    this.onFinal = options.onFinal
  }

  private readonly onFinal?: (final: HeightFinal) => void
  /** Messages about heights already decided (late votes, re-sent commits) open no new trace. */
  private decidedUpTo = 0

  received(message: BftMessage, traceparent: string | undefined): void {
    const height = heightOf(message)
    if (height <= this.decidedUpTo) return
    this.heights.work(String(height), { 'bft.height': height }, traceparent).phase(phaseOf(message))
  }

  sending(message: BftMessage): string | undefined {
    const height = heightOf(message)
    if (height <= this.decidedUpTo) return undefined
    const work = this.heights.work(String(height), { 'bft.height': height })
    work.phase(phaseOf(message))
    return work.traceparent
  }

  decided(decision: { height: number; round: number; signers: number }): void {
    const work = this.heights.work(String(decision.height), { 'bft.height': decision.height })
    work.phase('commit')
    const finalitySeconds = work.elapsedSeconds()
    this.heights.finish(String(decision.height), { 'bft.round': decision.round, 'bft.signers': decision.signers })
    this.decidedUpTo = Math.max(this.decidedUpTo, decision.height)
    this.onFinal?.({ ...decision, finalitySeconds, traceId: work.traceId })
  }

  /** The trace id of a height still open (for log correlation). */
  traceIdOf(height: number): string | undefined {
    return this.heights.find(String(height))?.traceId
  }

  close(): void {
    this.heights.close()
  }
}

import type { AuditFields } from '../audit/entry'

/**
 * Audit entries the consensus and FL layers write through a node's audit log (browser:
 * BrowserSecurity.record, relay: RelaySecurity.audit.append). One shape everywhere, so an
 * exported log reads the same whichever node wrote it.
 */
export interface AuditedDecision {
  readonly chainId: string
  /** The height decided (one FL round or one critical operation). */
  readonly height: number | bigint
  /** The BFT round within the height that decided it. */
  readonly round: number
  /** Hex SHA-256 of the decided value (for an FL round: of the model it adopts). */
  readonly valueHash: string
  /** Hex SHA-256 of the encoded commit certificate. */
  readonly certificateHash: string
  readonly signers: number
}

export function consensusDecisionEntry(actor: string, decision: AuditedDecision): AuditFields {
  return {
    event: 'consensus.decision',
    actor,
    subject: `${decision.chainId} height ${decision.height}`,
    details: { ...decision, height: String(decision.height) },
  }
}

export function modelAdoptionEntry(
  actor: string,
  adoption: { round: number | bigint; modelHash: string; certificateHash?: string },
): AuditFields {
  return { event: 'model.adopt', actor, subject: adoption.modelHash, details: { ...adoption, round: String(adoption.round) } }
}

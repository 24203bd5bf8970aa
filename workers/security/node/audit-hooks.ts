import type { AuditFields } from '../audit/entry'

/**
 * Audit entries the consensus and FL layers write through a node's audit log (browser:
 * BrowserSecurity.record, relay: RelaySecurity.audit.append). One shape everywhere, so an
 * exported log reads the same whichever node wrote it.
 */
export function consensusDecisionEntry(actor: string, decision: { round: number | bigint; modelHash: string; certificateHash?: string; validators?: readonly string[] }): AuditFields {
  return { event: 'consensus.decision', actor, subject: `round ${decision.round}`, details: { ...decision, round: String(decision.round) } }
}

export function modelAdoptionEntry(actor: string, adoption: { round: number | bigint; modelHash: string; certificateHash?: string }): AuditFields {
  return { event: 'model.adopt', actor, subject: adoption.modelHash, details: { ...adoption, round: String(adoption.round) } }
}

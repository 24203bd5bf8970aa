import { MAX_ROUND, VALUE_ID_BYTES } from '../certificate/certificate'
import type { BftMessage, Proposal, Vote } from './types'

/** Bounds on what one message may carry, so a small message cannot make a node hold much. */
export const BFT_LIMITS = {
  /** Values are meant to be digests and small descriptors (a model hash with its inputs' hashes), not payloads. */
  valueBytes: 64 * 1024,
  justificationVotes: 1024,
  signatureBytes: 256,
  validatorIndex: 1023,
}

function isHeight(h: unknown): boolean {
  return Number.isSafeInteger(h) && (h as number) >= 1
}

function isRound(r: unknown): boolean {
  return Number.isSafeInteger(r) && (r as number) >= 0 && (r as number) <= MAX_ROUND
}

function isBytes(b: unknown, max: number): b is Uint8Array {
  return b instanceof Uint8Array && b.length <= max
}

export function voteProblem(vote: Vote): string | null {
  if (!isHeight(vote.height)) return `bad height ${vote.height}`
  if (!isRound(vote.round)) return `bad round ${vote.round}`
  if (vote.type !== 'prevote' && vote.type !== 'precommit') return `bad vote type ${String(vote.type)}`
  if (vote.valueId !== null && !(vote.valueId instanceof Uint8Array && vote.valueId.length === VALUE_ID_BYTES))
    return 'value id is not 32 bytes'
  if (!Number.isInteger(vote.validator) || vote.validator < 0 || vote.validator > BFT_LIMITS.validatorIndex)
    return `bad validator index ${vote.validator}`
  if (!isBytes(vote.signature, BFT_LIMITS.signatureBytes) || vote.signature.length === 0) return 'bad signature field'
  if (!isBytes(vote.commitSignature, BFT_LIMITS.signatureBytes)) return 'bad commit signature field'
  const wantsCommitSignature = vote.type === 'precommit' && vote.valueId !== null
  if (wantsCommitSignature !== vote.commitSignature.length > 0)
    return wantsCommitSignature ? 'precommit for a value lacks its commit signature' : 'commit signature on a vote that cannot carry one'
  return null
}

export function proposalProblem(proposal: Proposal): string | null {
  if (!isHeight(proposal.height)) return `bad height ${proposal.height}`
  if (!isRound(proposal.round)) return `bad round ${proposal.round}`
  if (!isBytes(proposal.value, BFT_LIMITS.valueBytes)) return 'value missing or too large'
  if (!Number.isInteger(proposal.validRound) || proposal.validRound < -1 || proposal.validRound >= proposal.round)
    return `valid round ${proposal.validRound} is not below round ${proposal.round}`
  if (!Number.isInteger(proposal.proposer) || proposal.proposer < 0 || proposal.proposer > BFT_LIMITS.validatorIndex)
    return `bad proposer index ${proposal.proposer}`
  if (!isBytes(proposal.signature, BFT_LIMITS.signatureBytes) || proposal.signature.length === 0) return 'bad signature field'
  if (!Array.isArray(proposal.justification) || proposal.justification.length > BFT_LIMITS.justificationVotes) return 'bad justification'
  if (proposal.validRound === -1 && proposal.justification.length > 0) return 'justification without a valid round'
  for (const vote of proposal.justification) {
    const problem = vote?.kind === 'vote' ? voteProblem(vote) : 'not a vote'
    if (problem) return `justification: ${problem}`
    if (vote.type !== 'prevote' || vote.height !== proposal.height || vote.round !== proposal.validRound)
      return 'justification vote is not a prevote at the valid round'
  }
  return null
}

/** Structural checks only (shapes and ranges); signatures and membership are the core's business. */
export function messageProblem(message: BftMessage): string | null {
  switch (message?.kind) {
    case 'vote':
      return voteProblem(message)
    case 'proposal':
      return proposalProblem(message)
    case 'commit':
      if (!isBytes(message.value, BFT_LIMITS.valueBytes)) return 'commit value missing or too large'
      if (typeof message.certificate !== 'object' || message.certificate === null) return 'commit without certificate'
      return null
    default:
      return 'unknown message kind'
  }
}

import { encodeMessage } from 'protons-runtime'
import { BftProposalSignBytes, BftVoteSignBytes } from './wire.pb'
import { VOTE_TYPE_TO_WIRE } from './codec'
import type { Vote } from './types'
import { signingDomains } from '../../common/domains'

const EMPTY = new Uint8Array(0)

/** What the validator's identity key signs for a vote; covers the commit signature too, so a relay cannot swap it. */
export function voteSignBytes(chainId: string, vote: Omit<Vote, 'signature' | 'kind'>): Uint8Array {
  const body = {
    domain: signingDomains.bftVote,
    chainId,
    height: BigInt(vote.height),
    round: vote.round,
    type: VOTE_TYPE_TO_WIRE[vote.type],
    valueId: vote.valueId ?? EMPTY,
    validator: vote.validator,
    commitSignature: vote.commitSignature,
  }
  return encodeMessage(body as BftVoteSignBytes, BftVoteSignBytes.codec())
}

/** What the proposer's identity key signs: the value by its hash, so the bytes stay small. */
export function proposalSignBytes(
  chainId: string,
  proposal: { height: number; round: number; valueId: Uint8Array; validRound: number; proposer: number },
): Uint8Array {
  const body = {
    domain: signingDomains.bftProposal,
    chainId,
    height: BigInt(proposal.height),
    round: proposal.round,
    valueId: proposal.valueId,
    validRound: proposal.validRound,
    proposer: proposal.proposer,
  }
  return encodeMessage(body as BftProposalSignBytes, BftProposalSignBytes.codec())
}

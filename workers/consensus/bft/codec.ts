import { encodeMessage } from 'protons-runtime'
import { decodeExact } from '../../protocol/exact-decode'
import { BftMessage as WireMessage, type BftVote as WireVote } from './wire.pb'
import { decodeCertificate, encodeCertificate } from '../certificate/certificate'
import { BFT_LIMITS, messageProblem } from './validate'
import type { BftMessage, Vote, VoteType } from './types'

export const VOTE_TYPE_TO_WIRE: Record<VoteType, number> = { prevote: 1, precommit: 2 }
const WIRE_TO_VOTE_TYPE: Record<number, VoteType | undefined> = { 1: 'prevote', 2: 'precommit' }
const EMPTY = new Uint8Array(0)

export function encodeBftMessage(message: BftMessage): Uint8Array {
  return encodeMessage(toWire(message) as WireMessage, WireMessage.codec())
}

export type BftDecodeResult = { readonly ok: true; readonly message: BftMessage } | { readonly ok: false; readonly reason: string }

/** Decodes and structurally validates a payload; never throws. */
export function decodeBftMessage(bytes: Uint8Array): BftDecodeResult {
  let wire: WireMessage
  try {
    wire = decodeExact(bytes, WireMessage.codec(), { limits: { proposal: { justification: BFT_LIMITS.justificationVotes } } })
  } catch (error) {
    return { ok: false, reason: `undecodable: ${(error as Error).message}` }
  }
  const converted = fromWire(wire)
  if (typeof converted === 'string') return { ok: false, reason: converted }
  const problem = messageProblem(converted)
  return problem ? { ok: false, reason: problem } : { ok: true, message: converted }
}

function voteToWire(vote: Vote) {
  return {
    height: BigInt(vote.height),
    round: vote.round,
    type: VOTE_TYPE_TO_WIRE[vote.type],
    valueId: vote.valueId ?? EMPTY,
    validator: vote.validator,
    commitSignature: vote.commitSignature,
    signature: vote.signature,
  }
}

function toWire(message: BftMessage) {
  switch (message.kind) {
    case 'vote':
      return { vote: voteToWire(message) }
    case 'proposal':
      return {
        proposal: {
          height: BigInt(message.height),
          round: message.round,
          value: message.value,
          validRound: message.validRound,
          proposer: message.proposer,
          justification: message.justification.map(voteToWire),
          signature: message.signature,
        },
      }
    case 'commit':
      return { commit: { certificate: encodeCertificate(message.certificate), value: message.value } }
  }
}

function heightFromWire(height: bigint): number | string {
  return height > BigInt(Number.MAX_SAFE_INTEGER) ? 'height out of range' : Number(height)
}

function voteFromWire(wire: WireVote): Vote | string {
  const height = heightFromWire(wire.height)
  if (typeof height === 'string') return height
  const type = WIRE_TO_VOTE_TYPE[wire.type]
  if (!type) return `unknown vote type ${wire.type}`
  return {
    kind: 'vote',
    height,
    round: wire.round,
    type,
    valueId: wire.valueId.length === 0 ? null : wire.valueId,
    validator: wire.validator,
    commitSignature: wire.commitSignature,
    signature: wire.signature,
  }
}

function fromWire(wire: WireMessage): BftMessage | string {
  const set = [wire.proposal, wire.vote, wire.commit].filter((x) => x !== undefined).length
  if (set !== 1) return `expected exactly one body, got ${set}`
  if (wire.vote) return voteFromWire(wire.vote)
  if (wire.proposal) {
    const p = wire.proposal
    const height = heightFromWire(p.height)
    if (typeof height === 'string') return height
    const justification: Vote[] = []
    for (const w of p.justification) {
      const vote = voteFromWire(w)
      if (typeof vote === 'string') return `justification: ${vote}`
      justification.push(vote)
    }
    return {
      kind: 'proposal',
      height,
      round: p.round,
      value: p.value,
      validRound: p.validRound,
      proposer: p.proposer,
      justification,
      signature: p.signature,
    }
  }
  const commit = wire.commit!
  const decoded = decodeCertificate(commit.certificate)
  if (!decoded.ok) return decoded.reason
  return { kind: 'commit', certificate: decoded.certificate, value: commit.value }
}

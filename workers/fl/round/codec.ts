/**
 * The round's messages between the core's types (hex hashes) and protobuf (raw 32-byte
 * hashes). Decoding checks what protobuf cannot: versions, hash lengths, counts; a malformed
 * message yields a reason, never a throw.
 */
import { encodeMessage } from 'protons-runtime'
import { bytesToHex } from '@noble/hashes/utils.js'
import { hashToBytes, isHash } from './identity'
import { MAX_ROUND_INPUTS } from './node'
import * as wire from './wire.pb'
import type { Announce, CommitProof, Committed, ProposalDescriptor, Propose, Submit, SubmissionRef } from './types'
import { decodeExact } from '../../protocol/exact-decode'

export const ROUND_WIRE_VERSION = 1
const SUBMISSION_DOMAIN = 'agent-mesh/fl/submission/v1'

/** Bounds on repeated fields while decoding, shared with the kinds' limits. */
export const ROUND_LIMITS = { inputs: MAX_ROUND_INPUTS, cohort: MAX_ROUND_INPUTS } as const

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string }

const bytes32 = (hash: string): Uint8Array<ArrayBuffer> => hashToBytes(hash) as Uint8Array<ArrayBuffer>

function hexHash(bytes: Uint8Array, what: string): string {
  if (bytes.length !== 32) throw new Error(`${what} is not a 32-byte hash`)
  return bytesToHex(bytes)
}

function checkHash(hash: string, what: string): void {
  if (!isHash(hash)) throw new Error(`${what} is not a hex SHA-256`)
}

export function submissionSignBytes(taskId: string, round: number, update: string, samples: number): Uint8Array {
  checkHash(update, 'update')
  return encodeMessage({ domain: SUBMISSION_DOMAIN, taskId, round, update: bytes32(update), samples }, wire.SubmissionSignBytes.codec())
}

function submissionToWire(s: SubmissionRef): wire.SubmissionRef {
  return { trainer: s.trainer, update: bytes32(s.update), samples: s.samples, signature: s.signature as Uint8Array<ArrayBuffer> }
}

function submissionFromWire(s: wire.SubmissionRef | undefined): SubmissionRef {
  if (!s) throw new Error('missing submission')
  if (s.trainer === '') throw new Error('submission names no trainer')
  return { trainer: s.trainer, update: hexHash(s.update, 'update'), samples: s.samples, signature: s.signature }
}

function descriptorToWire(d: ProposalDescriptor): wire.ProposalDescriptor {
  return {
    version: ROUND_WIRE_VERSION,
    taskId: d.taskId,
    round: d.round,
    attempt: d.attempt,
    aggregator: d.aggregator,
    baseModel: bytes32(d.baseModel),
    inputs: d.inputs.map(submissionToWire),
    candidate: bytes32(d.candidate),
    transcript: d.transcript ? bytes32(d.transcript) : new Uint8Array(0),
  }
}

function descriptorFromWire(d: wire.ProposalDescriptor | undefined): ProposalDescriptor {
  if (!d) throw new Error('missing descriptor')
  if (d.version !== ROUND_WIRE_VERSION) throw new Error(`descriptor version ${d.version}, expected ${ROUND_WIRE_VERSION}`)
  if (d.round < 1) throw new Error('round must be at least 1')
  return {
    taskId: d.taskId,
    round: d.round,
    attempt: d.attempt,
    aggregator: d.aggregator,
    baseModel: hexHash(d.baseModel, 'base model'),
    inputs: d.inputs.map(submissionFromWire),
    candidate: hexHash(d.candidate, 'candidate'),
    ...(d.transcript.length > 0 ? { transcript: hexHash(d.transcript, 'transcript') } : {}),
  }
}

function proofToWire(p: CommitProof): wire.CommitProof {
  return { descriptor: descriptorToWire(p.descriptor), certificate: p.certificate as Uint8Array<ArrayBuffer> }
}

function proofFromWire(p: wire.CommitProof | undefined): CommitProof {
  if (!p) throw new Error('missing commit proof')
  if (p.certificate.length === 0) throw new Error('commit without a certificate')
  return { descriptor: descriptorFromWire(p.descriptor), certificate: p.certificate }
}

function attempt<T>(decode: () => T): Decoded<T> {
  try {
    return { ok: true, value: decode() }
  } catch (error) {
    return { ok: false, reason: (error as Error).message }
  }
}

/** The BFT value of a round: the descriptor's bytes. */
export function encodeDescriptor(d: ProposalDescriptor): Uint8Array {
  return encodeMessage(descriptorToWire(d), wire.ProposalDescriptor.codec())
}

export function decodeDescriptor(bytes: Uint8Array): Decoded<ProposalDescriptor> {
  return attempt(() => descriptorFromWire(decodeExact(bytes, wire.ProposalDescriptor.codec(), { limits: { inputs: ROUND_LIMITS.inputs } })))
}

export function encodeCommitProof(p: CommitProof): Uint8Array {
  return encodeMessage(proofToWire(p), wire.CommitProof.codec())
}

export function decodeCommitProof(bytes: Uint8Array): Decoded<CommitProof> {
  return attempt(() =>
    proofFromWire(decodeExact(bytes, wire.CommitProof.codec(), { limits: { descriptor: { inputs: ROUND_LIMITS.inputs } } })),
  )
}

// Payload conversions for the envelope kinds (the inbound gate decodes the protobuf; these check and convert).

export function announceToWire(a: Announce): wire.RoundAnnounce {
  return {
    version: ROUND_WIRE_VERSION,
    taskId: a.taskId,
    round: a.round,
    attempt: a.attempt,
    baseModel: bytes32(a.baseModel),
    cohort: [...a.cohort],
    previous: a.previous ? proofToWire(a.previous) : undefined,
  }
}

export function announceFromWire(a: wire.RoundAnnounce): Decoded<Announce> {
  return attempt(() => {
    if (a.version !== ROUND_WIRE_VERSION) throw new Error(`announce version ${a.version}`)
    return {
      kind: 'announce',
      taskId: a.taskId,
      round: a.round,
      attempt: a.attempt,
      baseModel: hexHash(a.baseModel, 'base model'),
      cohort: a.cohort,
      previous: a.previous ? proofFromWire(a.previous) : null,
    }
  })
}

export function submitToWire(s: Submit): wire.RoundSubmit {
  return { version: ROUND_WIRE_VERSION, taskId: s.taskId, round: s.round, attempt: s.attempt, submission: submissionToWire(s.submission) }
}

export function submitFromWire(s: wire.RoundSubmit): Decoded<Submit> {
  return attempt(() => {
    if (s.version !== ROUND_WIRE_VERSION) throw new Error(`submit version ${s.version}`)
    return { kind: 'submit', taskId: s.taskId, round: s.round, attempt: s.attempt, submission: submissionFromWire(s.submission) }
  })
}

export function proposeToWire(p: Propose): wire.RoundPropose {
  return { descriptor: descriptorToWire(p.descriptor) }
}

export function proposeFromWire(p: wire.RoundPropose): Decoded<Propose> {
  return attempt(() => ({ kind: 'propose', descriptor: descriptorFromWire(p.descriptor) }))
}

export function committedToWire(c: Committed): wire.RoundCommitted {
  return { proof: proofToWire(c.proof) }
}

export function committedFromWire(c: wire.RoundCommitted): Decoded<Committed> {
  return attempt(() => ({ kind: 'committed', proof: proofFromWire(c.proof) }))
}

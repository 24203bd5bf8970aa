import { decodeMessage, encodeMessage } from 'protons-runtime'
import { decodeBftMessage, encodeBftMessage, type Commit, type PersistedBftState, type Proposal, type Step, type Vote } from '../bft'
import { PersistedBftStateRecord, type PersistedSlot } from './state.pb'

const STEP_TO_WIRE: Record<Step, number> = { propose: 1, prevote: 2, precommit: 3 }
const WIRE_TO_STEP: Record<number, Step | undefined> = { 1: 'propose', 2: 'prevote', 3: 'precommit' }
const EMPTY = new Uint8Array(0)

export function encodePersistedState(state: PersistedBftState): Uint8Array {
  const record: PersistedBftStateRecord = {
    height: BigInt(state.height),
    round: state.round,
    step: STEP_TO_WIRE[state.step],
    locked: state.locked
      ? { round: state.locked.round, value: state.locked.value as Uint8Array<ArrayBuffer>, justification: [] }
      : undefined,
    valid: state.valid
      ? {
          round: state.valid.round,
          value: state.valid.value as Uint8Array<ArrayBuffer>,
          justification: state.valid.justification.map((v) => encodeBftMessage(v) as Uint8Array<ArrayBuffer>),
        }
      : undefined,
    signed: state.signed.map((m) => encodeBftMessage(m) as Uint8Array<ArrayBuffer>),
    lastCommit: (state.lastCommit ? encodeBftMessage(state.lastCommit) : EMPTY) as Uint8Array<ArrayBuffer>,
  }
  return encodeMessage(record, PersistedBftStateRecord.codec())
}

export type PersistedStateDecodeResult =
  { readonly ok: true; readonly state: PersistedBftState } | { readonly ok: false; readonly reason: string }

/** The inverse of encodePersistedState; a damaged record is reported, never half-restored. */
export function decodePersistedState(bytes: Uint8Array): PersistedStateDecodeResult {
  let record: PersistedBftStateRecord
  try {
    record = decodeMessage(bytes, PersistedBftStateRecord.codec())
  } catch (error) {
    return { ok: false, reason: `undecodable state: ${(error as Error).message}` }
  }
  const step = WIRE_TO_STEP[record.step]
  if (!step) return { ok: false, reason: `unknown step ${record.step}` }
  if (record.height < 1n || record.height > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: 'height out of range' }
  const messages = (list: readonly Uint8Array[], what: string): (Proposal | Vote | Commit)[] | string => {
    const out: (Proposal | Vote | Commit)[] = []
    for (const bytes of list) {
      const decoded = decodeBftMessage(bytes)
      if (!decoded.ok) return `${what}: ${decoded.reason}`
      out.push(decoded.message)
    }
    return out
  }
  const signed = messages(record.signed, 'signed message')
  if (typeof signed === 'string') return { ok: false, reason: signed }
  if (signed.some((m) => m.kind === 'commit')) return { ok: false, reason: 'a commit among the signed messages' }
  const slot = (wire: PersistedSlot | undefined, what: string) => {
    if (!wire) return null
    const justification = messages(wire.justification, `${what} justification`)
    if (typeof justification === 'string') return justification
    if (justification.some((m) => m.kind !== 'vote')) return `${what} justification holds a non-vote`
    return { round: wire.round, value: wire.value, justification: justification as Vote[] }
  }
  const locked = slot(record.locked, 'locked')
  const valid = slot(record.valid, 'valid')
  if (typeof locked === 'string') return { ok: false, reason: locked }
  if (typeof valid === 'string') return { ok: false, reason: valid }
  let lastCommit: Commit | null = null
  if (record.lastCommit.length > 0) {
    const decoded = decodeBftMessage(record.lastCommit)
    if (!decoded.ok || decoded.message.kind !== 'commit')
      return { ok: false, reason: `last commit: ${decoded.ok ? 'not a commit' : decoded.reason}` }
    lastCommit = decoded.message
  }
  return {
    ok: true,
    state: {
      height: Number(record.height),
      round: record.round,
      step,
      locked: locked ? { round: locked.round, value: locked.value } : null,
      valid,
      signed: signed as (Proposal | Vote)[],
      lastCommit,
    },
  }
}

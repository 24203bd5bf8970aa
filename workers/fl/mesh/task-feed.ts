/**
 * What a relay serves at `/api/fl/tasks` and a browser reads to take part (README, "Federated
 * round"): the validator set it vouches for, and each task's signed-by-content spec (its id
 * is the spec's hash), the relay's view of the current round, and every committed round with
 * its certificate. Nothing here is taken on trust by the browser: it recomputes task ids,
 * takes the set only as its CA signed it (pinned at first join, followed when that CA signs a
 * newer one) and checks every certificate before adopting a model.
 */
import { decodeTask, encodeTask, taskIdOf, type FlTask } from '../task/spec'
import type { Validator } from '../../consensus/certificate'
import { decodeDescriptor } from '../round/codec'
import type { CommitProof, Phase } from '../round/types'

export interface TaskFeed {
  readonly validators: readonly ValidatorJson[]
  /** base64 of the CA-signed FlValidatorSetStatement of the same set (validator-statement.ts); null from a relay without FL duty. */
  readonly validatorSetStatement: string | null
  readonly tasks: readonly TaskFeedEntry[]
}

export interface ValidatorJson {
  readonly id: string
  readonly identityKey: string
  readonly voteKey: string
  readonly possession: string
  /** Where the validator relay is reached (from the validator-set file), so trainers can submit to it when it aggregates. */
  readonly addresses?: readonly string[]
}

export interface TaskFeedEntry {
  readonly taskId: string
  /** base64 of encodeTask(task). */
  readonly spec: string
  readonly state: string
  /** The relay's round status, when it runs the task. */
  readonly current: { readonly round: number; readonly attempt: number; readonly phase: Phase; readonly aggregator: string } | null
  readonly committed: readonly CommittedJson[]
}

export interface CommittedJson {
  readonly round: number
  /** base64 of the encoded descriptor and of the certificate. */
  readonly descriptor: string
  readonly certificate: string
  readonly modelHash: string
  /** The serving validator's evaluation on its held-out digits. */
  readonly accuracy: number | null
  readonly loss: number | null
  /** The same evaluation per class (index = digit; null where its held-out data has none); null from relays that did not record it. */
  readonly classAccuracy?: readonly (number | null)[] | null
  readonly committedMs: number
}

/** The class a model recognises worst (lowest accuracy among the classes evaluated), or null without per-class figures. */
export function weakestClass(
  classAccuracy: readonly (number | null)[] | null | undefined,
): { readonly label: number; readonly accuracy: number } | null {
  let weakest: { label: number; accuracy: number } | null = null
  classAccuracy?.forEach((accuracy, label) => {
    if (accuracy !== null && Number.isFinite(accuracy) && (weakest === null || accuracy < weakest.accuracy)) weakest = { label, accuracy }
  })
  return weakest
}

export function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text)
  const out = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
  return out
}

export function validatorToJson(v: Validator, addresses: readonly string[] = []): ValidatorJson {
  return { id: v.id, identityKey: toBase64(v.identityKey), voteKey: toBase64(v.voteKey), possession: toBase64(v.possession), addresses }
}

export function validatorFromJson(v: ValidatorJson): Validator {
  return { id: String(v.id), identityKey: fromBase64(v.identityKey), voteKey: fromBase64(v.voteKey), possession: fromBase64(v.possession) }
}

export function taskSpecToFeed(task: FlTask): string {
  return toBase64(encodeTask(task))
}

/** The task in an entry, refused when it does not decode, does not pass checkTask, or is not the task its id names. */
export function taskFromFeed(entry: TaskFeedEntry): { ok: true; task: FlTask } | { ok: false; reason: string } {
  let bytes: Uint8Array
  try {
    bytes = fromBase64(entry.spec)
  } catch {
    return { ok: false, reason: 'the task spec is not base64' }
  }
  const decoded = decodeTask(bytes)
  if (!decoded.ok) return decoded
  if (taskIdOf(decoded.task) !== entry.taskId)
    return { ok: false, reason: `the spec served for ${entry.taskId.slice(0, 12)}… is another task` }
  return decoded
}

/** A committed round as a proof to check (the certificate is not checked here). */
export function proofFromFeed(round: CommittedJson): CommitProof | null {
  try {
    const descriptor = decodeDescriptor(fromBase64(round.descriptor))
    return descriptor.ok ? { descriptor: descriptor.value, certificate: fromBase64(round.certificate) } : null
  } catch {
    return null
  }
}

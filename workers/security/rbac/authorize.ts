import { rbacTable, type Senders } from './table'
import type { Role } from '../roles'

export type Authorization = { readonly ok: true } | { readonly ok: false; readonly reason: string }

const MAX_KIND_LENGTH = 128
/** Dot-separated lowercase segments ("fl.update.submit"); no wildcards, no empty segments. */
const KIND_SYNTAX = /^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/

/** The table entry that governs `kind`, or undefined when none does. */
export function sendersOf(kind: string, table: Readonly<Record<string, Senders>> = rbacTable): Senders | undefined {
  if (kind.length > MAX_KIND_LENGTH || !KIND_SYNTAX.test(kind)) return undefined
  if (Object.hasOwn(table, kind)) return table[kind]
  let best: string | undefined
  for (const key of Object.keys(table)) {
    if (!key.endsWith('.*')) continue
    const prefix = key.slice(0, -1)
    if (kind.length > prefix.length && kind.startsWith(prefix) && (!best || key.length > best.length)) best = key
  }
  return best === undefined ? undefined : table[best]
}

/** True when the kind can be sent without any credential. */
export function isPublicKind(kind: string): boolean {
  return sendersOf(kind) === 'anyone'
}

/**
 * Whether a sender holding `credentialRoles` may send `kind`. Pass undefined for a sender
 * with no valid credential (an empty list is a credential with no roles).
 */
export function authorize(kind: string, credentialRoles: readonly Role[] | undefined, table: Readonly<Record<string, Senders>> = rbacTable): Authorization {
  const senders = sendersOf(kind, table)
  if (senders === undefined) return { ok: false, reason: `unknown message kind '${kind.slice(0, MAX_KIND_LENGTH)}'` }
  if (senders === 'anyone') return { ok: true }
  if (credentialRoles === undefined) return { ok: false, reason: `${kind} needs a credential` }
  if (senders === 'any-role') return credentialRoles.length > 0 ? { ok: true } : { ok: false, reason: `${kind} needs a credential with a role` }
  if (credentialRoles.some((role) => senders.includes(role))) return { ok: true }
  return { ok: false, reason: `${kind} may be sent by ${senders.join(' or ')}; sender holds ${credentialRoles.join(', ') || 'no role'}` }
}

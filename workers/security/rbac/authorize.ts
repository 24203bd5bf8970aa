import type { Senders } from '../../protocol/kind-spec'
import type { Role } from '../../protocol/roles'

export type Authorization = { readonly ok: true } | { readonly ok: false; readonly reason: string }

/**
 * Whether a sender holding `credentialRoles` may send `kind`, whose declared senders are
 * `senders` (from its KindSpec). Pass undefined for a sender with no valid credential (an
 * empty list is a credential with no roles).
 */
export function authorize(kind: string, senders: Senders, credentialRoles: readonly Role[] | undefined): Authorization {
  if (senders === 'anyone') return { ok: true }
  if (credentialRoles === undefined) return { ok: false, reason: `${kind} needs a credential` }
  if (senders === 'any-role')
    return credentialRoles.length > 0 ? { ok: true } : { ok: false, reason: `${kind} needs a credential with a role` }
  if (credentialRoles.some((role) => senders.includes(role))) return { ok: true }
  return { ok: false, reason: `${kind} may be sent by ${senders.join(' or ')}; sender holds ${credentialRoles.join(', ') || 'no role'}` }
}

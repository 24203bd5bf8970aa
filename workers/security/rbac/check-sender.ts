import { authorize } from './authorize'
import type { Senders } from '../../protocol/kind-spec'
import { isVerifiedCredential, type Credential, type RevocationLookup } from '../credentials/credential'
import { equalBytes } from '../../common/bytes'

export type SenderProblem =
  'no-credential' | 'unverified-credential' | 'sender-mismatch' | 'not-yet-valid' | 'expired' | 'revoked' | 'wrong-role'

export type SenderCheck = { readonly ok: true } | { readonly ok: false; readonly problem: SenderProblem; readonly reason: string }

const OK: SenderCheck = { ok: true }

/**
 * The one decision the envelope validation path asks for: may the holder of `sender`'s
 * signature, presenting `credential`, send `kind` (whose KindSpec declares `senders`) at
 * `nowMs`? The credential must come
 * from `verifyCredential` (its CA signature was checked); here its binding to the sender,
 * validity window, revocation and roles are checked. Synchronous
 * and allocation-light: it runs for every inbound message.
 */
export function checkSender(
  kind: string,
  senders: Senders,
  sender: Uint8Array,
  credential: Credential | undefined,
  nowMs: number,
  revocations: RevocationLookup,
): SenderCheck {
  if (senders === 'anyone') return OK
  if (!credential) return { ok: false, problem: 'no-credential', reason: `${kind} needs a credential and the sender presented none` }
  if (!isVerifiedCredential(credential))
    return { ok: false, problem: 'unverified-credential', reason: 'the credential was not checked against the CA' }
  if (!equalBytes(credential.identityPublicKey, sender))
    return {
      ok: false,
      problem: 'sender-mismatch',
      reason: `credential ${credential.serial} belongs to ${credential.peerId}, not to the sender`,
    }
  if (nowMs < credential.notBeforeMs)
    return { ok: false, problem: 'not-yet-valid', reason: `credential ${credential.serial} is not valid yet` }
  if (nowMs > credential.notAfterMs) return { ok: false, problem: 'expired', reason: `credential ${credential.serial} expired` }
  if (revocations.isRevoked(credential.serial))
    return { ok: false, problem: 'revoked', reason: `credential ${credential.serial} was revoked` }
  const verdict = authorize(kind, senders, credential.roles)
  return verdict.ok ? OK : { ok: false, problem: 'wrong-role', reason: verdict.reason }
}

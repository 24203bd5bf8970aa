import type { RelayDatabase } from './db'
import type { CertificateAuthority } from '../workers/security/credentials/ca'
import type { FlValidatorKeys } from './validator'
import { signValidatorSetStatement, verifyValidatorSetStatement } from '../workers/fl/mesh/validator-statement'
import { equalBytes, hex } from '../workers/common/bytes'
import type { AuditFields } from '../workers/security/audit/entry'
import type { Logger } from '../workers/log'

const META_KEY = 'fl_validator_statement'

/**
 * The CA-signed statement of this relay's federated validator set, served at /api/fl/tasks.
 * Signed once per set and kept in the `meta` table, so a restart with the same set serves the
 * same statement (same issue time) and only a changed set gets a newer one: browsers follow a
 * newer statement and never go back to an older one (workers/fl/mesh/validator-statement.ts).
 */
export async function flValidatorStatement(
  db: RelayDatabase,
  ca: CertificateAuthority,
  validators: FlValidatorKeys,
  nowMs: number,
): Promise<{ statement: Uint8Array; issuedAtMs: number; signedNow: boolean }> {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(META_KEY) as { value: string } | undefined
  if (row) {
    const stored = verifyValidatorSetStatement(new Uint8Array(Buffer.from(row.value, 'base64')), ca.anchor.publicKey, validators.scheme)
    if (stored.ok && equalBytes(stored.statement.set.hash, validators.set.hash))
      return { statement: stored.statement.bytes, issuedAtMs: stored.statement.issuedAtMs, signedNow: false }
  }
  const statement = await signValidatorSetStatement(ca, validators.set, nowMs)
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
    META_KEY,
    Buffer.from(statement).toString('base64'),
  )
  return { statement, issuedAtMs: Math.floor(nowMs), signedNow: true }
}

/** flValidatorStatement for the running relay: a newly signed set is logged and audited (`validator.change`). */
export async function signedFlValidatorSet(
  db: RelayDatabase,
  security: { readonly ca: CertificateAuthority; readonly audit: { append(fields: AuditFields): Promise<unknown> } },
  validators: FlValidatorKeys,
  peerId: string,
  log: Logger,
): Promise<Uint8Array> {
  const { statement, issuedAtMs, signedNow } = await flValidatorStatement(db, security.ca, validators, Date.now())
  const members = validators.set.validators.map((v) => v.id)
  if (signedNow) {
    log.info(
      { validators: members.length, issuedAtMs },
      'signed the federated validator set with the CA; browsers that pinned an older set follow it',
    )
    await security.audit.append({
      event: 'validator.change',
      actor: peerId,
      subject: `fl-validator-set:${hex(validators.set.hash)}`,
      details: { signedBy: 'ca', issuedAtMs, validators: members },
    })
  }
  return statement
}

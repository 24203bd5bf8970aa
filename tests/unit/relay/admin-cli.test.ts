import { describe, expect, it } from 'vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../../relay/db'
import { loadOrCreateAuthority } from '../../../relay/ca-files'
import { loadOrCreateRelayKey } from '../../../relay/identity'
import { CredentialStore } from '../../../relay/credential-store'
import { runAdmin } from '../../../relay/admin-cli'
import { issueCredential, verifyCredential } from '../../../workers/security/credentials/credential'
import { AuditLog } from '../../../workers/security/audit/log'
import { SqliteAuditStore } from '../../../workers/security/node/sqlite-audit-store'
import { identityFromSeed } from '../../../workers/identity/ed25519'
import { deriveNodeKeys, peerIdOf } from '../../../workers/security/keys/derive'

async function dataDirWithMember() {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-admin-'))
  const { ca } = await loadOrCreateAuthority(dir)
  const again = await loadOrCreateAuthority(dir)
  expect(again.created).toBe(false)
  expect(again.ca.anchor.der).toEqual(ca.anchor.der)
  const keys = deriveNodeKeys(new Uint8Array(32).fill(7))
  const now = Date.now()
  const joined = await issueCredential(
    ca,
    { identityPublicKey: keys.identity.publicKey, blsPublicKey: keys.voting.publicKey, agreementPublicKey: keys.agreement.publicKey },
    { roles: ['trainer', 'worker'], notBeforeMs: now - 60_000, notAfterMs: now + 86_400_000 },
  )
  const db = openDatabase(dir)
  new CredentialStore(db).addCredential(joined, 'join', now, true)
  db.close()
  return { dir, ca, peerId: peerIdOf(keys.identity.publicKey), joined }
}

function capture() {
  const lines: string[] = []
  return { lines, out: (line: string) => lines.push(line) }
}

describe('relay admin commands on the data dir', () => {
  it('grants a role on top of the roles held, leaving it for the running relay to announce', async () => {
    const { dir, ca, peerId } = await dataDirWithMember()
    const { lines, out } = capture()
    expect(await runAdmin(['grant', '--peer', peerId, '--role', 'validator', '--days', '3', '--data-dir', dir], {}, out)).toBe(0)
    expect(lines[0]).toMatch(/granted trainer, worker, validator/)
    const db = openDatabase(dir)
    const store = new CredentialStore(db)
    const [pending] = store.unannouncedCredentials()
    expect(pending.roles).toEqual(['trainer', 'worker', 'validator'])
    const verdict = await verifyCredential(pending.der, ca.anchor, Date.now())
    expect(verdict.ok && verdict.credential.notAfterMs - Date.now()).toBeGreaterThan(2.9 * 86_400_000)
    db.close()
    // Clear errors for bad input.
    expect(await runAdmin(['grant', '--peer', peerId, '--role', 'emperor', '--data-dir', dir], {}, out)).toBe(2)
    expect(
      await runAdmin(
        ['grant', '--peer', '12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf', '--role', 'admin', '--data-dir', dir],
        {},
        out,
      ),
    ).toBe(1)
    expect(await runAdmin(['grant', '--peer', 'nonsense', '--role', 'admin', '--data-dir', dir], {}, out)).toBe(2)
  })

  it('revokes every live credential of a peer with a CA-signed record and bans it', async () => {
    const { dir, peerId, joined } = await dataDirWithMember()
    const { lines, out } = capture()
    expect(await runAdmin(['revoke', '--peer', peerId, '--ban', '--data-dir', dir], {}, out)).toBe(0)
    expect(lines.join('\n')).toContain(`revoked ${joined.serial}`)
    const db = openDatabase(dir)
    const store = new CredentialStore(db)
    expect(store.unannouncedRevocations().map((r) => r.serial)).toEqual([joined.serial])
    expect(store.bans().map((b) => b.peerId)).toEqual([peerId])
    expect(store.current(Date.now())).toEqual([])
    db.close()
    expect(await runAdmin(['revoke', '--data-dir', dir], {}, out)).toBe(2)
  })

  it('verifies the audit log chain and reports a tampered entry', async () => {
    const { dir } = await dataDirWithMember()
    const { key } = await loadOrCreateRelayKey(dir)
    const db = openDatabase(dir)
    const log = await AuditLog.open(new SqliteAuditStore(db), identityFromSeed(key.raw.subarray(0, 32)))
    for (let i = 0; i < 5; i++) await log.append({ event: 'join', actor: `peer-${i}`, subject: `peer-${i}`, details: { i } })
    const { lines, out } = capture()
    expect(await runAdmin(['audit', '--verify', '--data-dir', dir], {}, out)).toBe(0)
    expect(lines.at(-1)).toMatch(/audit log OK: 5 entries/)
    db.prepare("UPDATE audit_log SET subject = 'someone else' WHERE seq = 3").run()
    expect(await runAdmin(['audit', '--verify', '--data-dir', dir], {}, out)).toBe(3)
    expect(lines.at(-1)).toMatch(/BROKEN at entry 3/)
    const file = join(dir, 'audit.jsonl')
    expect(await runAdmin(['audit', '--export', '--out', file, '--data-dir', dir], {}, out)).toBe(0)
    expect(lines.at(-1)).toBe(`wrote 5 entries to ${file}`)
    db.close()
  })
})

import { beforeAll, describe, expect, it } from 'vitest'
import { authorize, sendersOf } from '../../../workers/security/rbac/authorize'
import { rbacTable } from '../../../workers/security/rbac/table'
import { checkSender, type SenderProblem } from '../../../workers/security/rbac/check-sender'
import { roles, type Role } from '../../../workers/security/roles'
import { createRevocation, RevocationList } from '../../../workers/security/credentials/revocation'
import type { CertificateAuthority } from '../../../workers/security/credentials/ca'
import type { Credential } from '../../../workers/security/credentials/credential'
import { DAY, HOUR, T0, credentialFor, makeAuthority, nodeKeys } from './fixtures'

type Expected = 'anyone' | 'any-role' | readonly Role[]

// Written from the list, independently of rbac/table.ts, so a wrong table entry fails here.
const expectations: Record<string, Expected> = {
  'mesh.presence': 'anyone',
  'mesh.ping': 'anyone',
  'cred.request': 'anyone',
  'mesh.chat': 'any-role',
  'mesh.test': 'any-role',
  'transfer.request': 'any-role',
  'transfer.manifest': 'any-role',
  'fl.round.announce': ['aggregator', 'coordinator'],
  'fl.update.submit': ['trainer'],
  'fl.aggregate.propose': ['aggregator'],
  'bft.message': ['validator'],
  'bft.prevote': ['validator'],
  'raft.request-vote': ['coordinator'],
  'raft.append-entries': ['coordinator'],
  'task.announce': ['coordinator', 'admin'],
  'task.result': ['worker'],
  'secagg.client.advertise-keys': ['trainer'],
  'secagg.client.masked-input': ['trainer'],
  'secagg.server.roster': ['aggregator'],
  'secagg.server.unmask-request': ['aggregator'],
  'cred.grant': ['admin', 'bootstrap'],
  'cred.revoke': ['admin', 'bootstrap'],
}
const privilegedKinds = Object.entries(expectations).filter(([, e]) => Array.isArray(e)) as [string, readonly Role[]][]
const unknownKinds = ['', 'raft', 'Raft.vote', 'raft..vote', 'raft.vote ',  'raft.', 'secagg.advertise', 'secagg.client', 'fl.update', 'fl.update.submit.x', 'bft', 'bft.', 'constructor', '__proto__', 'toString', 'raft.*', 'x'.repeat(500)]

describe('RBAC table', () => {
  it.each(Object.entries(expectations))('%s: every role, and no credential', (kind, expected) => {
    for (const role of roles) {
      const allowed = expected === 'anyone' || expected === 'any-role' || expected.includes(role)
      expect(authorize(kind, [role]).ok, `${role} → ${kind}`).toBe(allowed)
    }
    expect(authorize(kind, undefined).ok).toBe(expected === 'anyone')
    expect(authorize(kind, []).ok).toBe(expected === 'anyone')
  })

  it('covers exactly the kinds listed, no more', () => {
    const patterns = Object.keys(rbacTable)
    expect(patterns.length).toBeGreaterThan(0)
    for (const pattern of patterns) {
      const sample = pattern.endsWith('.*') ? Object.keys(expectations).find((k) => k.startsWith(pattern.slice(0, -1))) : pattern
      expect(sample, `table entry ${pattern} has no expectation`).toBeDefined()
    }
  })

  it.each(unknownKinds)('rejects unknown kind %j', (kind) => {
    expect(sendersOf(kind)).toBeUndefined()
    for (const role of roles) expect(authorize(kind, [role]).ok).toBe(false)
    expect(authorize(kind, [...roles])).toMatchObject({ ok: false, reason: expect.stringMatching(/unknown/) })
  })

  it('lets an exact entry override a wildcard and a longer wildcard beat a shorter one', () => {
    const table = { 'a.*': ['admin'], 'a.b.*': ['worker'], 'a.b.c': 'anyone' } as const
    expect(authorize('a.x', ['admin'], table).ok).toBe(true)
    expect(authorize('a.b.x', ['admin'], table).ok).toBe(false)
    expect(authorize('a.b.x', ['worker'], table).ok).toBe(true)
    expect(authorize('a.b.c', undefined, table).ok).toBe(true)
  })
})

describe('checkSender', () => {
  let ca: CertificateAuthority
  let revocations: RevocationList
  const single = new Map<Role, Credential>()
  let expired: Credential
  let early: Credential
  let revoked: Credential
  let everything: Credential
  const key = nodeKeys(20).identity.publicKey

  beforeAll(async () => {
    ca = await makeAuthority()
    revocations = new RevocationList(ca.anchor)
    const keys = nodeKeys(20)
    for (const role of roles) single.set(role, await credentialFor(ca, keys, [role]))
    everything = await credentialFor(ca, keys, roles)
    expired = await credentialFor(ca, keys, roles, { notBeforeMs: T0 - DAY, notAfterMs: T0 - 1000 })
    early = await credentialFor(ca, keys, roles, { notBeforeMs: T0 + HOUR, notAfterMs: T0 + DAY })
    revoked = await credentialFor(ca, keys, roles)
    revocations.add(await createRevocation(ca, { serial: revoked.serial, revokedAtMs: T0, reason: 'test' }))
  })

  const problem = (kind: string, credential: Credential | undefined, sender = key): SenderProblem | 'ok' => {
    const verdict = checkSender(kind, sender, credential, T0, revocations)
    return verdict.ok ? 'ok' : verdict.problem
  }

  it.each(privilegedKinds)('%s: refuses no credential, expired, not yet valid, revoked, wrong role, someone else’s, forged', (kind, allowed) => {
    expect(problem(kind, undefined)).toBe('no-credential')
    expect(problem(kind, expired)).toBe('expired')
    expect(problem(kind, early)).toBe('not-yet-valid')
    expect(problem(kind, revoked)).toBe('revoked')
    for (const role of roles) expect(problem(kind, single.get(role)), `${role} → ${kind}`).toBe(allowed.includes(role) ? 'ok' : 'wrong-role')
    expect(problem(kind, everything)).toBe('ok')
    expect(problem(kind, everything, nodeKeys(21).identity.publicKey)).toBe('sender-mismatch')
    expect(problem(kind, { ...everything })).toBe('unverified-credential')
  })

  it('lets anyone send public kinds and any valid credential send any-role kinds', () => {
    expect(problem('mesh.presence', undefined)).toBe('ok')
    expect(problem('cred.request', expired)).toBe('ok')
    expect(problem('mesh.chat', undefined)).toBe('no-credential')
    expect(problem('mesh.chat', expired)).toBe('expired')
    expect(problem('transfer.request', single.get('worker'))).toBe('ok')
    expect(problem('nope', everything)).toBe('unknown-kind')
  })

  it('stops at the exact expiry instant', () => {
    const c = expired
    expect(checkSender('bft.prevote', key, c, c.notAfterMs, revocations).ok).toBe(true)
    expect(checkSender('bft.prevote', key, c, c.notAfterMs + 1, revocations).ok).toBe(false)
  })
})

import { beforeAll, describe, expect, it } from 'vitest'
import { authorize } from '../../../workers/security/rbac/authorize'
import { checkSender, type SenderProblem } from '../../../workers/security/rbac/check-sender'
import { roles, type Role } from '../../../workers/protocol/roles'
import { defineKinds, isMessageKind, type MessageKind } from '../../../workers/protocol/kind-spec'
import { messageKinds } from '../../../workers/kinds'
import { Chat } from '../../../workers/protocol/wire.pb'
import { createRevocation, RevocationList } from '../../../workers/security/credentials/revocation'
import type { CertificateAuthority } from '../../../workers/security/credentials/ca'
import type { Credential } from '../../../workers/security/credentials/credential'
import { DAY, HOUR, T0, credentialFor, makeAuthority, nodeKeys, sendersOf } from './fixtures'

type Expected = 'anyone' | 'any-role' | readonly Role[]

// Written from the README's list, independently of the kinds files, so a wrong sender list fails here.
const expectations: Record<MessageKind, Expected> = {
  'mesh.presence': 'anyone',
  'cred.request': 'anyone',
  'mesh.chat': 'any-role',
  'transfer.request': 'any-role',
  'transfer.manifest': 'any-role',
  'bft.message': ['validator'],
  'bft.catchup': ['validator'],
  'bft.setchange.request': ['admin'],
  'cred.grant': ['admin', 'bootstrap'],
  'cred.revoke': ['admin', 'bootstrap'],
  'audit.read': ['admin'],
  'raft.message': ['coordinator'],
  'raft.message.direct': ['coordinator'],
  'task.announce': ['admin', 'coordinator'],
  'task.pull': ['worker'],
  'task.assign': ['coordinator'],
  'task.assign.direct': ['coordinator'],
  'task.result': ['worker'],
  'task.result.direct': ['worker'],
  'task.status': ['coordinator'],
  'ops.report': 'any-role',
  'fl.round.announce': ['aggregator'],
  'fl.round.propose': ['aggregator'],
  'fl.round.submit': ['trainer'],
  'fl.round.committed': ['validator'],
  'fl.trainer.ready': ['trainer'],
  'fl.secagg.server': ['aggregator'],
  'fl.secagg.client': ['trainer'],
  'fl.consensus': ['validator'],
  'fl.task.create': ['admin', 'validator'],
}
const privilegedKinds = Object.entries(expectations).filter(([, e]) => Array.isArray(e)) as [MessageKind, readonly Role[]][]
const unknownKinds = [
  '',
  'raft',
  'Raft.vote',
  'raft..vote',
  'raft.vote ',
  'raft.',
  'secagg.advertise',
  'fl.update.submit',
  'bft',
  'bft.',
  'bft.message.x',
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'bft.*',
  'x'.repeat(500),
]

describe('message-kind registry: senders', () => {
  it.each(Object.entries(expectations) as [MessageKind, Expected][])('%s: every role, and no credential', (kind, expected) => {
    expect(messageKinds[kind].senders).toEqual(expected)
    for (const role of roles) {
      const allowed = expected === 'anyone' || expected === 'any-role' || expected.includes(role)
      expect(authorize(kind, sendersOf(kind), [role]).ok, `${role} → ${kind}`).toBe(allowed)
    }
    expect(authorize(kind, sendersOf(kind), undefined).ok).toBe(expected === 'anyone')
    expect(authorize(kind, sendersOf(kind), []).ok).toBe(expected === 'anyone')
  })

  it('registers exactly the kinds listed, no more', () => {
    expect(Object.keys(messageKinds).sort()).toEqual(Object.keys(expectations).sort())
  })

  it.each(unknownKinds)('does not know kind %j', (kind) => {
    expect(isMessageKind(messageKinds, kind)).toBe(false)
  })

  it('refuses to define a kind whose name is malformed', () => {
    for (const name of ['', 'chat', 'Mesh.chat', 'mesh..chat', 'mesh.*', 'mesh.chat '])
      expect(() => defineKinds({ [name]: { codec: Chat.codec(), carrier: 'gossip', maxEnvelopeBytes: 1024, senders: 'anyone' } })).toThrow(
        /not a valid kind name/,
      )
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

  const problem = (kind: MessageKind, credential: Credential | undefined, sender = key): SenderProblem | 'ok' => {
    const verdict = checkSender(kind, sendersOf(kind), sender, credential, T0, revocations)
    return verdict.ok ? 'ok' : verdict.problem
  }

  it.each(privilegedKinds)(
    '%s: refuses no credential, expired, not yet valid, revoked, wrong role, someone else’s, forged',
    (kind, allowed) => {
      expect(problem(kind, undefined)).toBe('no-credential')
      expect(problem(kind, expired)).toBe('expired')
      expect(problem(kind, early)).toBe('not-yet-valid')
      expect(problem(kind, revoked)).toBe('revoked')
      for (const role of roles)
        expect(problem(kind, single.get(role)), `${role} → ${kind}`).toBe(allowed.includes(role) ? 'ok' : 'wrong-role')
      expect(problem(kind, everything)).toBe('ok')
      expect(problem(kind, everything, nodeKeys(21).identity.publicKey)).toBe('sender-mismatch')
      expect(problem(kind, { ...everything })).toBe('unverified-credential')
    },
  )

  it('lets anyone send public kinds and any valid credential send any-role kinds', () => {
    expect(problem('mesh.presence', undefined)).toBe('ok')
    expect(problem('cred.request', expired)).toBe('ok')
    expect(problem('mesh.chat', undefined)).toBe('no-credential')
    expect(problem('mesh.chat', expired)).toBe('expired')
    expect(problem('transfer.request', single.get('worker'))).toBe('ok')
  })

  it('stops at the exact expiry instant', () => {
    const c = expired
    expect(checkSender('bft.message', sendersOf('bft.message'), key, c, c.notAfterMs, revocations).ok).toBe(true)
    expect(checkSender('bft.message', sendersOf('bft.message'), key, c, c.notAfterMs + 1, revocations).ok).toBe(false)
  })
})

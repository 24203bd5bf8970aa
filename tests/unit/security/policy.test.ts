import { beforeAll, describe, expect, it } from 'vitest'
import { bytesToHex } from '@noble/hashes/utils.js'
import { DAY, HOUR, T0, credentialFor, makeAuthority, nodeKeys } from './fixtures'
import { seededBytes } from '../../../workers/common/random'
import { IssuancePolicy } from '../../../workers/security/credentials/policy'
import { perWindow } from '../../../workers/common/rate-limit'
import { CredentialAuthority } from '../../../workers/security/credentials/authority'
import { RevocationList } from '../../../workers/security/credentials/revocation'
import { createGrantRequest, createJoinRequest, decodeJoinRequest } from '../../../workers/security/credentials/requests'
import { verifyCredential, type Credential } from '../../../workers/security/credentials/credential'
import { JoinRequest } from '../../../workers/security/credentials/credentials.pb'
import { signingIdentityOf } from '../../../workers/security/keys/derive'
import type { CertificateAuthority } from '../../../workers/security/credentials/ca'

let ca: CertificateAuthority
beforeAll(async () => {
  ca = await makeAuthority()
})

function join(n: number, roles?: Parameters<typeof createJoinRequest>[1]): JoinRequest {
  const decoded = decodeJoinRequest(createJoinRequest(nodeKeys(n), roles))
  if (!decoded.ok) throw new Error(decoded.reason)
  return decoded.request
}

describe('self-service issuance on join', () => {
  it('issues trainer and worker for a week to a node that proves its keys', () => {
    const policy = new IssuancePolicy()
    const decision = policy.decideJoin(join(30), nodeKeys(30).identity.publicKey, '10.0.0.1', T0)
    expect(decision).toMatchObject({ ok: true, roles: ['trainer', 'worker'], notAfterMs: T0 + 7 * DAY })
  })

  it('sends anyone asking for more to an admin', () => {
    const policy = new IssuancePolicy()
    for (const role of ['validator', 'aggregator', 'coordinator', 'bootstrap', 'admin'] as const) {
      expect(policy.decideJoin(join(31, ['trainer', role]), nodeKeys(31).identity.publicKey, 'a', T0)).toMatchObject({
        ok: false,
        problem: 'needs-admin',
      })
    }
  })

  it('refuses a request for someone else’s identity, a wrong proof of possession, and bad keys', () => {
    const policy = new IssuancePolicy()
    expect(policy.decideJoin(join(32), nodeKeys(33).identity.publicKey, 'a', T0)).toMatchObject({ ok: false, problem: 'bad-request' })
    const stolenProof = { ...join(32), blsProofOfPossession: join(33).blsProofOfPossession }
    expect(policy.decideJoin(stolenProof, nodeKeys(32).identity.publicKey, 'a', T0)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/proof of possession/),
    })
    const claimedKey = { ...join(33), identityPublicKey: join(32).identityPublicKey, agreementPublicKey: join(32).agreementPublicKey }
    expect(policy.decideJoin(claimedKey, nodeKeys(32).identity.publicKey, 'd', T0)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/proof of possession/),
    })
    const borrowedKey = { ...join(32), blsPublicKey: join(33).blsPublicKey }
    expect(policy.decideJoin(borrowedKey, nodeKeys(32).identity.publicKey, 'b', T0)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/proof of possession/),
    })
    expect(
      policy.decideJoin({ ...join(32), agreementPublicKey: new Uint8Array(31) }, nodeKeys(32).identity.publicKey, 'c', T0),
    ).toMatchObject({ ok: false })
    expect(policy.decideJoin({ ...join(32), roles: ['root'] }, nodeKeys(32).identity.publicKey, 'c', T0)).toMatchObject({ ok: false })
  })

  it('limits requests per identity, and forgets them after the window', () => {
    const policy = new IssuancePolicy({ perPeer: perWindow(3, HOUR), perAddress: perWindow(100, HOUR) })
    const sender = nodeKeys(34).identity.publicKey
    const outcomes = [0, 1, 2, 3, 4].map((i) => policy.decideJoin(join(34), sender, `addr-${i}`, T0 + i * 1000).ok)
    expect(outcomes).toEqual([true, true, true, false, false])
    expect(policy.decideJoin(join(34), sender, 'x', T0 + HOUR + 1000).ok).toBe(true)
  })

  it('limits requests per address across identities', () => {
    const policy = new IssuancePolicy({ perPeer: perWindow(100, HOUR), perAddress: perWindow(2, HOUR) })
    const outcomes = [35, 36, 37].map((n) => policy.decideJoin(join(n), nodeKeys(n).identity.publicKey, '192.0.2.7', T0))
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false])
    expect(outcomes[2]).toMatchObject({ problem: 'rate-limited' })
    expect(policy.decideJoin(join(37), nodeKeys(37).identity.publicKey, '192.0.2.8', T0).ok).toBe(true)
  })

  it('refuses banned identities until the ban ends', () => {
    const policy = new IssuancePolicy()
    const sender = nodeKeys(38).identity.publicKey
    policy.ban(bytesToHex(sender), T0 + HOUR)
    expect(policy.decideJoin(join(38), sender, 'a', T0)).toMatchObject({ ok: false, problem: 'banned' })
    expect(policy.decideJoin(join(38), sender, 'a', T0 + HOUR).ok).toBe(true)
  })
})

describe('credential authority', () => {
  let authority: CredentialAuthority
  let admin: Credential
  let subject: Credential
  const adminKeys = nodeKeys(40)
  const subjectKeys = nodeKeys(41)
  const nonces = seededBytes(7)

  beforeAll(async () => {
    authority = new CredentialAuthority(ca, new IssuancePolicy(), new RevocationList(ca.anchor), seededBytes(3))
    admin = await credentialFor(ca, adminKeys, ['admin'])
    const joined = await authority.handleJoin(createJoinRequest(subjectKeys), subjectKeys.identity.publicKey, '10.1.1.1', T0)
    if (!joined.ok) throw new Error(joined.reason)
    subject = joined.credential
  })

  const grant = (over: Partial<Parameters<typeof createGrantRequest>[0]> = {}) =>
    createGrantRequest({
      adminCertificate: admin.der,
      admin: signingIdentityOf(adminKeys),
      subjectCertificate: subject.der,
      roles: ['trainer', 'validator'],
      notAfterMs: T0 + 30 * DAY,
      requestedAtMs: T0,
      nonce: nonces(16),
      ...over,
    })

  it('issues a join credential that verifies and carries the node’s keys', async () => {
    const verdict = await verifyCredential(subject.der, ca.anchor, T0)
    expect(verdict.ok && verdict.credential.roles).toEqual(['trainer', 'worker'])
    expect(verdict.ok && bytesToHex(verdict.credential.blsPublicKey)).toBe(bytesToHex(subjectKeys.voting.publicKey))
  })

  it('grants higher roles on an admin-signed request, once', async () => {
    const request = grant()
    const result = await authority.handleGrant(request, T0 + 1000)
    expect(result).toMatchObject({
      ok: true,
      credential: { roles: ['trainer', 'validator'], notAfterMs: T0 + 30 * DAY, peerId: subject.peerId },
    })
    expect(await authority.handleGrant(request, T0 + 2000)).toMatchObject({ ok: false, problem: 'replay' })
  })

  it('refuses grants from non-admins, forged or stale requests, and over-long lifetimes', async () => {
    const worker = await credentialFor(ca, nodeKeys(42), ['worker', 'coordinator', 'validator', 'bootstrap'])
    expect(await authority.handleGrant(grant({ adminCertificate: worker.der, admin: signingIdentityOf(nodeKeys(42)) }), T0)).toMatchObject({
      ok: false,
      problem: 'not-admin',
    })
    expect(await authority.handleGrant(grant({ admin: signingIdentityOf(nodeKeys(43)) }), T0)).toMatchObject({
      ok: false,
      problem: 'bad-signature',
    })
    expect(await authority.handleGrant(grant({ requestedAtMs: T0 - HOUR }), T0)).toMatchObject({ ok: false, problem: 'stale' })
    expect(await authority.handleGrant(grant({ notAfterMs: T0 + 365 * DAY }), T0)).toMatchObject({ ok: false, problem: 'bad-request' })
    expect(await authority.handleGrant(grant({ roles: [] }), T0)).toMatchObject({ ok: false, problem: 'bad-request' })
    const tampered = grant()
    tampered[tampered.length - 70] ^= 1
    expect((await authority.handleGrant(tampered, T0)).ok).toBe(false)
    expect(await authority.handleGrant(new Uint8Array([9, 9, 9]), T0)).toMatchObject({ ok: false, problem: 'bad-request' })
  })

  it('refuses grants by an expired or revoked admin, and bans a revoked subject from rejoining', async () => {
    const stale = await credentialFor(ca, adminKeys, ['admin'], { notBeforeMs: T0 - DAY, notAfterMs: T0 - HOUR })
    expect(await authority.handleGrant(grant({ adminCertificate: stale.der }), T0)).toMatchObject({ ok: false, problem: 'bad-credential' })
    const doomed = await credentialFor(ca, adminKeys, ['admin'])
    await authority.revoke(doomed, 'left the project', T0)
    expect(await authority.handleGrant(grant({ adminCertificate: doomed.der }), T0)).toMatchObject({
      ok: false,
      problem: 'bad-credential',
      reason: expect.stringMatching(/revoked/),
    })

    const rogue = nodeKeys(44)
    const joined = await authority.handleJoin(createJoinRequest(rogue), rogue.identity.publicKey, '10.9.9.9', T0)
    if (!joined.ok) throw new Error(joined.reason)
    await authority.revoke(joined.credential, 'sent poisoned updates', T0, true)
    expect(authority.revocations.isRevoked(joined.credential.serial)).toBe(true)
    expect(await authority.handleJoin(createJoinRequest(rogue), rogue.identity.publicKey, '10.9.9.10', T0 + DAY)).toMatchObject({
      ok: false,
      problem: 'banned',
    })
  })
})

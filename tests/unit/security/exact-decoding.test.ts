import { beforeAll, describe, expect, it } from 'vitest'
import { DAY, T0, credentialFor, makeAuthority, nodeKeys } from './fixtures'
import { seededBytes as seededRandom } from '../../../workers/common/random'
import { IssuancePolicy } from '../../../workers/security/credentials/policy'
import { CredentialAuthority } from '../../../workers/security/credentials/authority'
import { RevocationList, createRevocation, verifyRevocation } from '../../../workers/security/credentials/revocation'
import {
  createGrantRequest,
  createJoinRequest,
  decodeGrantRequest,
  decodeJoinRequest,
} from '../../../workers/security/credentials/requests'
import { credentialFromPem, credentialToPem, verifyCredential, type Credential } from '../../../workers/security/credentials/credential'
import { signingIdentityOf } from '../../../workers/security/keys/derive'
import type { CertificateAuthority } from '../../../workers/security/credentials/ca'

// Issue 15, defect 3: a valid certificate followed by 1-3,000 bytes of padding passed
// verifyCredential, the padded bytes were stored, and /api/grant answered 200. Every decoder
// of untrusted credential bytes must consume its input exactly or refuse it.
const paddings = [1, 2, 17, 512, 3000]

describe('credential decoders consume their input exactly', () => {
  let ca: CertificateAuthority
  let admin: Credential
  let subject: Credential
  const pad = (bytes: Uint8Array, n: number) => Uint8Array.from([...bytes, ...seededRandom(n)(n)])

  beforeAll(async () => {
    ca = await makeAuthority()
    admin = await credentialFor(ca, nodeKeys(60), ['admin'])
    subject = await credentialFor(ca, nodeKeys(61), ['trainer'])
  })

  it.each(paddings)('refuses a valid certificate followed by %i padding bytes', async (n) => {
    expect((await verifyCredential(subject.der, ca.anchor, T0)).ok).toBe(true)
    const verdict = await verifyCredential(pad(subject.der, n), ca.anchor, T0)
    expect(verdict).toMatchObject({ ok: false, problem: 'malformed' })
    expect(!verdict.ok && verdict.reason).toMatch(/trailing|padded/)
  })

  it('refuses a certificate whose outer length is written in a longer form than DER allows', async () => {
    const der = subject.der
    // 30 82 LL LL → 30 83 00 LL LL: the same length, one byte longer; BER accepts it, DER does not.
    expect(der[0]).toBe(0x30)
    expect(der[1]).toBe(0x82)
    const padded = Uint8Array.from([0x30, 0x83, 0x00, ...der.subarray(2)])
    expect(await verifyCredential(padded, ca.anchor, T0)).toMatchObject({ ok: false, problem: 'malformed' })
  })

  it('answers a grant whose subject certificate is padded with a refusal, not a credential', async () => {
    const authority = new CredentialAuthority(ca, new IssuancePolicy(), new RevocationList(ca.anchor), seededRandom(5))
    const request = (subjectCertificate: Uint8Array, nonceSeed: number) =>
      createGrantRequest({
        adminCertificate: admin.der,
        admin: signingIdentityOf(nodeKeys(60)),
        subjectCertificate,
        roles: ['trainer', 'validator'],
        notAfterMs: T0 + 30 * DAY,
        requestedAtMs: T0,
        nonce: seededRandom(nonceSeed)(16),
      })
    for (const n of paddings) {
      expect(await authority.handleGrant(request(pad(subject.der, n), 100 + n), T0)).toMatchObject({ ok: false, problem: 'bad-credential' })
    }
    expect(await authority.handleGrant(request(pad(admin.der, 0), 99), T0)).toMatchObject({ ok: true })
  })

  it('refuses join and grant requests and revocations with bytes appended', async () => {
    const join = createJoinRequest(nodeKeys(62))
    expect(decodeJoinRequest(join).ok).toBe(true)
    expect(decodeJoinRequest(pad(join, 3))).toMatchObject({ ok: false })
    // An unknown field appended parses cleanly as protobuf; it must still be refused.
    expect(decodeJoinRequest(Uint8Array.from([...join, 0x50, 0x01]))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/canonical/),
    })
    const grant = createGrantRequest({
      adminCertificate: admin.der,
      admin: signingIdentityOf(nodeKeys(60)),
      subjectCertificate: subject.der,
      roles: ['trainer'],
      notAfterMs: T0 + DAY,
      requestedAtMs: T0,
      nonce: seededRandom(9)(16),
    })
    expect(decodeGrantRequest(grant).ok).toBe(true)
    expect(decodeGrantRequest(Uint8Array.from([...grant, 0x50, 0x01]))).toMatchObject({ ok: false })
    const revocation = await createRevocation(ca, { serial: subject.serial, revokedAtMs: T0, reason: 'test' })
    expect(verifyRevocation(revocation, ca.anchor).ok).toBe(true)
    expect(verifyRevocation(Uint8Array.from([...revocation, 0x50, 0x01]), ca.anchor)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/canonical/),
    })
  })

  it('reads exactly one PEM certificate and nothing else', () => {
    const pem = credentialToPem(subject.der)
    expect(credentialFromPem(pem)).toEqual(subject.der)
    expect(credentialFromPem(`\n${pem}\n\n`)).toEqual(subject.der)
    for (const bad of [
      `${pem}trailing text\n`,
      `preamble\n${pem}`,
      `${pem}${pem}`,
      pem.replace('MII', 'M*II'),
      pem.replace(/-----END/, 'AAAA\n-----END'),
    ]) {
      expect(() => credentialFromPem(bad)).toThrow()
    }
  })
})

import { beforeAll, describe, expect, it } from 'vitest'
import { bytesToHex } from '@noble/hashes/utils.js'
import { HOUR, DAY, T0, credentialFor, makeAuthority, nodeKeys } from './fixtures'
import { seededBytes } from '../../../workers/common/random'
import {
  type CertificateAuthority,
  exportCertificateAuthority,
  importCertificateAuthority,
  trustAnchorFromCertificate,
} from '../../../workers/security/credentials/ca'
import {
  issueCredential,
  verifyCredential,
  isVerifiedCredential,
  credentialToPem,
  credentialFromPem,
} from '../../../workers/security/credentials/credential'
import { URI, bindingUris, parseBindingUris } from '../../../workers/security/credentials/binding'
import { importEd25519PublicKey } from '../../../workers/security/credentials/x509'
import { createRevocation, RevocationList, verifyRevocation } from '../../../workers/security/credentials/revocation'
import { CredentialRegistry } from '../../../workers/security/credentials/registry'
import { x509 } from '../../../workers/security/credentials/x509'
import { peerIdOf } from '../../../workers/security/keys/derive'
import { sendersOf } from './fixtures'

let ca: CertificateAuthority
let otherCa: CertificateAuthority
let sameNameCa: CertificateAuthority
beforeAll(async () => {
  ca = await makeAuthority('Test CA')
  otherCa = await makeAuthority('Other CA')
  sameNameCa = await makeAuthority('Test CA')
})

describe('issuing and verifying a credential', () => {
  it('binds PeerId, identity, BLS and X25519 keys and roles, readable by any X.509 parser', async () => {
    const keys = nodeKeys(1)
    const issued = await credentialFor(ca, keys, ['validator', 'trainer'])
    expect(isVerifiedCredential(issued)).toBe(true)
    const verdict = await verifyCredential(issued.der, ca.anchor, T0)
    if (!verdict.ok) throw new Error(`credential refused: ${verdict.problem}`)
    const c = verdict.credential
    expect(c.peerId).toBe(peerIdOf(keys.identity.publicKey))
    expect(bytesToHex(c.identityPublicKey)).toBe(bytesToHex(keys.identity.publicKey))
    expect(bytesToHex(c.blsPublicKey)).toBe(bytesToHex(keys.voting.publicKey))
    expect(bytesToHex(c.agreementPublicKey)).toBe(bytesToHex(keys.agreement.publicKey))
    expect(c.roles).toEqual(['trainer', 'validator'])
    expect(c.serial).toBe(issued.serial)
    expect(c.notBeforeMs).toBe(T0 - HOUR)
    expect(c.notAfterMs).toBe(T0 + DAY)

    const parsed = new x509.X509Certificate(c.der as Uint8Array<ArrayBuffer>)
    expect(parsed.subject).toBe(`CN=${c.peerId}`)
    expect(parsed.issuer).toBe('CN=Test CA')
    const uris = parsed.getExtension(x509.SubjectAlternativeNameExtension)!.names.items.map((name) => name.value)
    expect(uris).toEqual([
      `urn:agent-mesh:peer:${c.peerId}`,
      `urn:agent-mesh:bls12-381-g1:${bytesToHex(keys.voting.publicKey)}`,
      `urn:agent-mesh:x25519:${bytesToHex(keys.agreement.publicKey)}`,
      'urn:agent-mesh:roles:trainer,validator',
    ])
    expect(await parsed.verify({ publicKey: ca.anchor.certificate.publicKey, signatureOnly: true })).toBe(true)
    const pem = credentialToPem(c.der)
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----/)
    expect(bytesToHex(credentialFromPem(pem))).toBe(bytesToHex(c.der))
    expect(() => credentialFromPem('nothing here')).toThrow()
  })

  it('honours the validity window at its edges', async () => {
    const c = await credentialFor(ca, nodeKeys(2), ['trainer'], { notBeforeMs: T0, notAfterMs: T0 + HOUR })
    expect((await verifyCredential(c.der, ca.anchor, T0 - 1)).ok).toBe(false)
    expect(await verifyCredential(c.der, ca.anchor, T0 - 1)).toMatchObject({ problem: 'not-yet-valid' })
    expect((await verifyCredential(c.der, ca.anchor, T0)).ok).toBe(true)
    expect((await verifyCredential(c.der, ca.anchor, T0 + HOUR)).ok).toBe(true)
    expect(await verifyCredential(c.der, ca.anchor, T0 + HOUR + 1)).toMatchObject({ problem: 'expired' })
  })

  it('refuses a certificate from another CA, even one with the same name', async () => {
    const foreign = await credentialFor(otherCa, nodeKeys(3), ['admin'])
    expect(await verifyCredential(foreign.der, ca.anchor, T0)).toMatchObject({ ok: false, problem: 'wrong-issuer' })
    const impostor = await credentialFor(sameNameCa, nodeKeys(3), ['admin'])
    expect(await verifyCredential(impostor.der, ca.anchor, T0)).toMatchObject({ ok: false, problem: 'bad-signature' })
  })

  it('refuses every single-byte change to the certificate', async () => {
    const c = await credentialFor(ca, nodeKeys(4), ['trainer'])
    const random = seededBytes(5)
    let accepted = 0
    for (let i = 0; i < 120; i++) {
      const tampered = new Uint8Array(c.der)
      const at = i < 60 ? Math.floor((i / 60) * tampered.length) : random(2).reduce((a, b) => a * 256 + b, 0) % tampered.length
      tampered[at] ^= 1 << (i % 8)
      if ((await verifyCredential(tampered, ca.anchor, T0)).ok) accepted++
    }
    expect(accepted).toBe(0)
    expect(await verifyCredential(new Uint8Array(5000), ca.anchor, T0)).toMatchObject({ problem: 'malformed' })
    expect(await verifyCredential(new Uint8Array([1, 2, 3]), ca.anchor, T0)).toMatchObject({ problem: 'malformed' })
  })

  it('reads the binding strictly', () => {
    const keys = nodeKeys(1)
    const good = [
      `${URI.peer}p`,
      URI.bls + bytesToHex(keys.voting.publicKey),
      URI.agreement + bytesToHex(keys.agreement.publicKey),
      `${URI.roles}trainer`,
    ]
    expect(parseBindingUris(good).ok).toBe(true)
    expect(parseBindingUris([...good, `${URI.roles}admin`]).ok).toBe(false)
    expect(parseBindingUris(good.slice(1)).ok).toBe(false)
    expect(parseBindingUris([...good.slice(0, 3), `${URI.roles}trainer,root`]).ok).toBe(false)
    expect(parseBindingUris([good[0], `${URI.bls}00`, good[2], good[3]]).ok).toBe(false)
    expect(parseBindingUris([good[0], good[1], URI.agreement + 'A'.repeat(64), good[3]]).ok).toBe(false)
  })

  it('refuses CA-signed certificates whose binding is inconsistent', async () => {
    const keys = nodeKeys(10)
    const craft = async (uris: string[] | undefined, publicKey?: CryptoKey) =>
      new Uint8Array(
        (
          await x509.X509CertificateGenerator.create({
            serialNumber: '4a01',
            subject: 'CN=x',
            issuer: ca.anchor.subject,
            notBefore: new Date(T0 - HOUR),
            notAfter: new Date(T0 + HOUR),
            publicKey: publicKey ?? (await importEd25519PublicKey(keys.identity.publicKey)),
            signingKey: ca.keys.privateKey,
            signingAlgorithm: { name: 'Ed25519' },
            extensions: uris ? [new x509.SubjectAlternativeNameExtension(uris.map((value) => ({ type: 'url' as const, value })))] : [],
          })
        ).rawData,
      )
    const binding = {
      peerId: peerIdOf(keys.identity.publicKey),
      blsPublicKey: keys.voting.publicKey,
      agreementPublicKey: keys.agreement.publicKey,
      roles: ['admin'] as const,
    }
    expect((await verifyCredential(await craft(bindingUris(binding)), ca.anchor, T0)).ok).toBe(true)
    expect(
      await verifyCredential(await craft(bindingUris({ ...binding, peerId: peerIdOf(nodeKeys(11).identity.publicKey) })), ca.anchor, T0),
    ).toMatchObject({ problem: 'bad-binding' })
    expect(await verifyCredential(await craft(undefined), ca.anchor, T0)).toMatchObject({ problem: 'bad-binding' })
    expect(
      await verifyCredential(await craft(bindingUris({ ...binding, blsPublicKey: new Uint8Array(48).fill(1) })), ca.anchor, T0),
    ).toMatchObject({ problem: 'bad-binding' })
    const p256 = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair
    expect(await verifyCredential(await craft(bindingUris(binding), p256.publicKey), ca.anchor, T0)).toMatchObject({ problem: 'bad-key' })
  })

  it('will not issue nonsense', async () => {
    const keys = nodeKeys(5)
    const subject = {
      identityPublicKey: keys.identity.publicKey,
      blsPublicKey: keys.voting.publicKey,
      agreementPublicKey: keys.agreement.publicKey,
    }
    const window = { notBeforeMs: T0, notAfterMs: T0 + HOUR }
    await expect(issueCredential(ca, subject, { ...window, roles: [] })).rejects.toThrow(/no roles/)
    await expect(issueCredential(ca, subject, { ...window, roles: ['root' as never] })).rejects.toThrow(/unknown role/)
    await expect(
      issueCredential(ca, { ...subject, blsPublicKey: new Uint8Array(48).fill(3) }, { ...window, roles: ['trainer'] }),
    ).rejects.toThrow(/BLS/)
    await expect(issueCredential(ca, subject, { roles: ['trainer'], notBeforeMs: T0, notAfterMs: T0 })).rejects.toThrow(/notAfter/)
  })

  it('survives export and import of the CA, and refuses a key that is not the certificate’s', async () => {
    const exported = await exportCertificateAuthority(ca)
    const restored = await importCertificateAuthority(exported)
    const c = await credentialFor(restored, nodeKeys(6), ['worker'])
    expect((await verifyCredential(c.der, trustAnchorFromCertificate(exported.certificateDer), T0)).ok).toBe(true)
    const wrong = await exportCertificateAuthority(otherCa)
    await expect(
      importCertificateAuthority({ privateKeyPkcs8: wrong.privateKeyPkcs8, certificateDer: exported.certificateDer }),
    ).rejects.toThrow(/does not belong/)
    const leaf = await credentialFor(ca, nodeKeys(6), ['worker'])
    expect(() => trustAnchorFromCertificate(leaf.der)).toThrow(/not a CA/)
  })
})

describe('revocation', () => {
  it('is signed by the CA, verifiable by anyone, and stops the credential verifying', async () => {
    const c = await credentialFor(ca, nodeKeys(7), ['validator'])
    const list = new RevocationList(ca.anchor)
    expect((await verifyCredential(c.der, ca.anchor, T0, list)).ok).toBe(true)
    const record = await createRevocation(ca, { serial: c.serial, revokedAtMs: T0, reason: 'key compromised' })
    expect(verifyRevocation(record, ca.anchor)).toEqual({
      ok: true,
      record: { serial: c.serial, revokedAtMs: T0, reason: 'key compromised' },
    })
    expect(list.add(record)).toMatchObject({ ok: true, added: true })
    expect(list.add(record)).toMatchObject({ ok: true, added: false })
    expect(list.isRevoked(c.serial)).toBe(true)
    expect(await verifyCredential(c.der, ca.anchor, T0, list)).toMatchObject({ ok: false, problem: 'revoked' })

    const fresh = new RevocationList(ca.anchor)
    for (const bytes of list.signedRecords()) fresh.add(bytes)
    expect(fresh.isRevoked(c.serial)).toBe(true)
  })

  it('refuses records from another CA and tampered records', async () => {
    const c = await credentialFor(ca, nodeKeys(8), ['validator'])
    const list = new RevocationList(ca.anchor)
    const forged = await createRevocation(otherCa, { serial: c.serial, revokedAtMs: T0, reason: 'x' })
    expect(list.add(forged)).toMatchObject({ ok: false, reason: 'not signed by this CA' })
    const genuine = await createRevocation(ca, { serial: 'aa', revokedAtMs: T0, reason: 'x' })
    const retargeted = new Uint8Array(genuine)
    retargeted[retargeted.indexOf(0x61)] = 0x62 // 'aa' → 'ba': point a genuine record at another serial
    expect(list.add(retargeted).ok).toBe(false)
    expect(list.add(new Uint8Array([0xff, 0xff])).ok).toBe(false)
    expect(list.size).toBe(0)
    await expect(createRevocation(ca, { serial: 'XYZ', revokedAtMs: T0, reason: '' })).rejects.toThrow()
  })
})

describe('credential registry', () => {
  it('admits verified credentials, lets a later issuance replace an earlier one, and authorizes per message', async () => {
    const keys = nodeKeys(9)
    const revocations = new RevocationList(ca.anchor)
    const registry = new CredentialRegistry(ca.anchor, revocations)
    const authorize = registry.authorizer(() => T0)
    expect(authorize('mesh.chat', sendersOf('mesh.chat'), keys.identity.publicKey)).toMatch(/^no-credential/)
    const trainer = await credentialFor(ca, keys, ['trainer'], { notBeforeMs: T0 - 2 * HOUR })
    expect((await registry.admit(trainer.der, T0)).ok).toBe(true)
    expect(authorize('mesh.chat', sendersOf('mesh.chat'), keys.identity.publicKey)).toBeNull()
    expect(authorize('bft.message', sendersOf('bft.message'), keys.identity.publicKey)).toMatch(/^wrong-role/)
    const validator = await credentialFor(ca, keys, ['trainer', 'validator'], { notBeforeMs: T0 - HOUR })
    await registry.admit(validator.der, T0)
    expect(authorize('bft.message', sendersOf('bft.message'), keys.identity.publicKey)).toBeNull()
    await registry.admit(trainer.der, T0)
    expect(registry.get(keys.identity.publicKey)?.serial).toBe(validator.serial)
    revocations.add(await createRevocation(ca, { serial: validator.serial, revokedAtMs: T0, reason: 'demoted' }))
    expect(authorize('bft.message', sendersOf('bft.message'), keys.identity.publicKey)).toMatch(/^revoked/)
    expect(await registry.admit(new Uint8Array(10), T0)).toMatchObject({ ok: false })
    expect(registry.size).toBe(1)
  })

  it('remembers refusals the bytes alone decide, and never one that time or a revocation decided', async () => {
    const registry = new CredentialRegistry(ca.anchor, new RevocationList(ca.anchor))
    const foreign = await credentialFor(otherCa, nodeKeys(11), ['admin'])
    const impostor = await credentialFor(sameNameCa, nodeKeys(11), ['admin'])
    for (let i = 0; i < 3; i++) {
      expect(await registry.admit(foreign.der, T0)).toMatchObject({ ok: false, problem: 'wrong-issuer' })
      expect(await registry.admit(impostor.der, T0)).toMatchObject({ ok: false, problem: 'bad-signature' })
      expect(await registry.admit(new Uint8Array([1, 2, 3]), T0)).toMatchObject({ ok: false, problem: 'malformed' })
    }
    expect(registry.refusalsRemembered).toBe(3)
    // Not yet valid now, valid later: checked again each time, and admitted once it is due.
    const early = await credentialFor(ca, nodeKeys(12), ['trainer'], { notBeforeMs: T0 + HOUR, notAfterMs: T0 + DAY })
    expect(await registry.admit(early.der, T0)).toMatchObject({ ok: false, problem: 'not-yet-valid' })
    expect(registry.refusalsRemembered).toBe(3)
    expect((await registry.admit(early.der, T0 + HOUR)).ok).toBe(true)
    // A good certificate is never remembered as refused, and a remembered refusal admits nobody.
    expect(registry.size).toBe(1)
    expect(registry.get(nodeKeys(11).identity.publicKey)).toBeUndefined()
  })

  it('lets roles pinned by local configuration through the same RBAC check, and only those roles', async () => {
    const pinnedKeys = nodeKeys(10)
    const strangerKeys = nodeKeys(11)
    const registry = new CredentialRegistry(ca.anchor, new RevocationList(ca.anchor))
    const authorize = registry.authorizer(() => T0)
    registry.pinRoles(pinnedKeys.identity.publicKey, ['validator'])
    expect(authorize('bft.message', sendersOf('bft.message'), pinnedKeys.identity.publicKey)).toBeNull()
    expect(authorize('cred.grant', sendersOf('cred.grant'), pinnedKeys.identity.publicKey)).toMatch(/^no-credential/)
    expect(authorize('bft.message', sendersOf('bft.message'), strangerKeys.identity.publicKey)).toMatch(/^no-credential/)
    // A CA credential with other roles does not hide the pinned ones, nor extend them.
    await registry.admit((await credentialFor(ca, pinnedKeys, ['trainer'], { notBeforeMs: T0 - HOUR })).der, T0)
    expect(authorize('mesh.chat', sendersOf('mesh.chat'), pinnedKeys.identity.publicKey)).toBeNull()
    expect(authorize('bft.message', sendersOf('bft.message'), pinnedKeys.identity.publicKey)).toBeNull()
    expect(authorize('cred.revoke', sendersOf('cred.revoke'), pinnedKeys.identity.publicKey)).toMatch(/^wrong-role/)
  })

  it('adds pins up: a relay pinned as validator and then as task coordinator keeps both roles', () => {
    const keys = nodeKeys(12)
    const registry = new CredentialRegistry(ca.anchor, new RevocationList(ca.anchor))
    const authorize = registry.authorizer(() => T0)
    registry.pinRoles(keys.identity.publicKey, ['validator'])
    registry.pinRoles(keys.identity.publicKey, ['coordinator'])
    expect(authorize('bft.message', sendersOf('bft.message'), keys.identity.publicKey)).toBeNull()
    expect(authorize('raft.message', sendersOf('raft.message'), keys.identity.publicKey)).toBeNull()
    expect(authorize('task.result', sendersOf('task.result'), keys.identity.publicKey)).toMatch(/^no-credential|^wrong-role/)
  })
})

import { describe, expect, it } from 'vitest'
import Dexie from 'dexie'
import { IDBKeyRange, indexedDB } from 'fake-indexeddb'
import { RejectAuditor } from '../../../workers/security/wiring/reject-auditor'
import { PeerCredentials } from '../../../workers/security/wiring/peer-credentials'
import { createRevocation } from '../../../workers/security/credentials/revocation'
import { peerIdOf } from '../../../workers/security/keys/derive'
import { MeshDatabase } from '../../../app/storage/db'
import { backupPhrase, loadOrCreateIdentity, restoreIdentity } from '../../../app/mesh/identity'
import { credentialFor, makeAuthority, nodeKeys, DAY, T0 } from './fixtures'
import { sendersOf } from './fixtures'

describe('RejectAuditor', () => {
  it('groups rejections by reason, kind and sender and bounds the entries per period', () => {
    const auditor = new RejectAuditor({ maxGroups: 3 })
    for (let i = 0; i < 1000; i++) auditor.note('unauthorized', 'mesh.chat', 'aa', 'gossip', 'no credential', T0 + i)
    auditor.note('bad-signature', 'mesh.chat', 'aa', 'gossip', 'x', T0)
    auditor.note('unauthorized', 'cred.grant', 'bb', 'gossip', 'x', T0)
    for (let i = 0; i < 50; i++) auditor.note('replay', 'mesh.chat', `sender-${i}`, 'gossip', 'x', T0)
    const entries = auditor.drain('me')
    expect(entries).toHaveLength(4)
    expect(entries[0]).toMatchObject({
      event: 'reject',
      subject: 'aa',
      details: { reason: 'unauthorized', kind: 'mesh.chat', count: 1000, firstMs: T0, lastMs: T0 + 999 },
    })
    expect(entries[3].details).toMatchObject({ overflow: 50 })
    expect(auditor.drain('me')).toEqual([])
  })
})

describe('PeerCredentials (the registry every node feeds its inbound gate from)', () => {
  it('authorises by the RBAC table with the presented, CA-checked credential', async () => {
    const ca = await makeAuthority()
    const now = T0
    const peers = new PeerCredentials(ca.anchor, {}, () => now)
    const trainer = nodeKeys(11)
    const stranger = nodeKeys(12)
    const admin = nodeKeys(13)
    expect(peers.authorize('mesh.presence', sendersOf('mesh.presence'), stranger.identity.publicKey)).toBeNull()
    expect(peers.authorize('mesh.chat', sendersOf('mesh.chat'), trainer.identity.publicKey)).toMatch(/^no-credential/)
    const credential = await credentialFor(ca, trainer, ['trainer', 'worker'])
    const verdict = await peers.present(credential.der, 'test', trainer.identity.publicKey)
    expect(verdict?.ok).toBe(true)
    expect(peers.authorize('mesh.chat', sendersOf('mesh.chat'), trainer.identity.publicKey)).toBeNull()
    expect(peers.authorize('transfer.request', sendersOf('transfer.request'), trainer.identity.publicKey)).toBeNull()
    expect(peers.authorize('cred.grant', sendersOf('cred.grant'), trainer.identity.publicKey)).toMatch(/^wrong-role/)
    expect(peers.authorize('cred.revoke', sendersOf('cred.revoke'), trainer.identity.publicKey)).toMatch(/^wrong-role/)
    // Someone else's certificate does not authorise the presenter.
    await peers.present(credential.der, 'test', stranger.identity.publicKey)
    expect(peers.authorize('mesh.chat', sendersOf('mesh.chat'), stranger.identity.publicKey)).toMatch(/^no-credential/)
    await peers.present((await credentialFor(ca, admin, ['admin'])).der, 'test')
    expect(peers.authorize('cred.revoke', sendersOf('cred.revoke'), admin.identity.publicKey)).toBeNull()
  })

  it('refuses expired, foreign and revoked credentials, and applies only CA-signed revocations', async () => {
    const ca = await makeAuthority()
    const other = await makeAuthority('Other CA')
    const refused: string[] = []
    const revoked: string[] = []
    const peers = new PeerCredentials(
      ca.anchor,
      { onRefused: (v) => refused.push(v.problem), onRevoked: (r) => revoked.push(r.serial) },
      () => T0,
    )
    const keys = nodeKeys(21)
    expect(
      (await peers.present((await credentialFor(ca, keys, ['trainer'], { notBeforeMs: T0 - 2 * DAY, notAfterMs: T0 - DAY })).der, 'x'))?.ok,
    ).toBe(false)
    expect((await peers.present((await credentialFor(other, keys, ['trainer'])).der, 'x'))?.ok).toBe(false)
    expect(refused).toEqual(['expired', 'wrong-issuer'])
    const good = await credentialFor(ca, keys, ['trainer'])
    await peers.present(good.der, 'x')
    expect(peers.authorize('mesh.chat', sendersOf('mesh.chat'), keys.identity.publicKey)).toBeNull()
    expect(peers.revoke(await createRevocation(other, { serial: good.serial, revokedAtMs: T0, reason: 'forged' }), 'x').ok).toBe(false)
    expect(peers.authorize('mesh.chat', sendersOf('mesh.chat'), keys.identity.publicKey)).toBeNull()
    expect(peers.revoke(await createRevocation(ca, { serial: good.serial, revokedAtMs: T0, reason: 'test' }), 'x').ok).toBe(true)
    expect(peers.authorize('mesh.chat', sendersOf('mesh.chat'), keys.identity.publicKey)).toMatch(/^revoked/)
    expect(revoked).toEqual([good.serial])
    // A revoked certificate presented again is refused outright.
    expect((await peers.present(good.der, 'x'))?.ok).toBe(false)
  })
})

describe('browser identity in IndexedDB', () => {
  const open = (name: string) => new MeshDatabase(name, { indexedDB, IDBKeyRange })

  it('creates keys from a phrase once, keeps them, and restores the same identity from the phrase elsewhere', async () => {
    const first = open('identity-a')
    const created = await loadOrCreateIdentity(first)
    const again = await loadOrCreateIdentity(first)
    expect(again.keys.identity.publicKey).toEqual(created.keys.identity.publicKey)
    const phrase = await backupPhrase(first)
    expect(phrase.split(' ')).toHaveLength(24)

    const second = open('identity-b')
    const other = await loadOrCreateIdentity(second)
    expect(peerIdOf(other.keys.identity.publicKey)).not.toBe(peerIdOf(created.keys.identity.publicKey))
    await second.credential.put({ id: 'self', der: new Uint8Array([1]), caDer: new Uint8Array([2]), receivedAtMs: 0 })
    const restored = await restoreIdentity(second, `  ${phrase.toUpperCase()} `)
    expect(peerIdOf(restored.keys.identity.publicKey)).toBe(peerIdOf(created.keys.identity.publicKey))
    expect(restored.keys.voting.publicKey).toEqual(created.keys.voting.publicKey)
    expect(restored.keys.agreement.publicKey).toEqual(created.keys.agreement.publicKey)
    expect(await second.credential.count()).toBe(0)
    expect((await loadOrCreateIdentity(second)).keys.identity.secretKey).toEqual(created.keys.identity.secretKey)
    await expect(restoreIdentity(second, 'abandon '.repeat(24).trim())).rejects.toThrow(/not a valid backup phrase/)
  })

  it('replaces a version-1 identity (a bare seed with no phrase) on upgrade', async () => {
    const legacy = new Dexie('identity-legacy', { indexedDB, IDBKeyRange })
    legacy.version(1).stores({ identity: 'id' })
    await legacy.table('identity').put({ id: 'self', seed: new Uint8Array(32).fill(1), createdAtMs: 0 })
    legacy.close()
    const upgraded = open('identity-legacy')
    expect(await upgraded.identity.count()).toBe(0)
    const identity = await loadOrCreateIdentity(upgraded)
    expect(identity.keys.identity.publicKey).toHaveLength(32)
  })
})

describe('audit hooks for consensus and model adoption', async () => {
  const { consensusDecisionEntry, modelAdoptionEntry } = await import('../../../workers/security/wiring/audit-hooks')
  it('builds entries of the audited event kinds', () => {
    expect(
      consensusDecisionEntry('me', { chainId: 'c', height: 3n, round: 1, valueHash: 'ab', certificateHash: 'cd', signers: 3 }),
    ).toMatchObject({
      event: 'consensus.decision',
      subject: 'c height 3',
      details: { height: '3', round: 1, valueHash: 'ab', certificateHash: 'cd', signers: 3 },
    })
    expect(modelAdoptionEntry('me', { round: 4, modelHash: 'cd' })).toMatchObject({ event: 'model.adopt', subject: 'cd' })
  })
})

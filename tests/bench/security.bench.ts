import Database from 'better-sqlite3'
import { chacha20poly1305 } from '@noble/ciphers/chacha.js'
import { ed25519 } from '@noble/curves/ed25519.js'
import { writeBenchResult } from './results'
import { flagValue, hasFlag, round } from './stats'
import { seededBytes } from '../../workers/common/random'
import { credentialFor, makeAuthority, nodeKeys, T0 } from '../unit/security/fixtures'
import { verifyCredential } from '../../workers/security/credentials/credential'
import { RevocationList } from '../../workers/security/credentials/revocation'
import { checkSender } from '../../workers/security/rbac/check-sender'
import { messageKinds } from '../../workers/kinds'
import { openSealed, sealForRecipient } from '../../workers/security/e2e/seal'
import { AuditLog } from '../../workers/security/audit/log'
import { SqliteAuditStore, auditLogMigration } from '../../workers/security/node/sqlite-audit-store'
import { readAll } from '../../workers/security/audit/store'
import { verifyAuditChain } from '../../workers/security/audit/verify'
import { verifyEd25519Batch } from '../../workers/protocol/verify'
import { deriveNodeKeys, signingIdentityOf } from '../../workers/security/keys/derive'
import { mnemonicFromEntropy, seedFromMnemonic } from '../../workers/security/keys/mnemonic'

const HELP = `npm run bench -- security [--checks 200000] [--credentials 500] [--megabytes 8] [--audit 5000]

Costs of the security layer, each against a baseline measured in the same run:
  checkSender (RBAC + credential checks per message) vs one WebCrypto Ed25519 signature
  verification (what the envelope path already pays per message);
  verifyCredential (X.509 parse + CA signature) vs a bare WebCrypto Ed25519 verification;
  seal/open of an --megabytes payload vs one-shot ChaCha20-Poly1305 over the same bytes;
  audit append (SQLite in memory, signed, hash-chained) and chain verification vs bare
  Ed25519 signing; and the time from a BIP-39 phrase to the three node keys.`

async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const start = performance.now()
  const value = await fn()
  return { ms: performance.now() - start, value }
}

export async function main(args: string[]): Promise<void> {
  if (hasFlag(args, '--help')) {
    console.log(HELP)
    return
  }
  const checks = flagValue(args, '--checks', 200_000)
  const credentials = flagValue(args, '--credentials', 500)
  const megabytes = flagValue(args, '--megabytes', 8)
  const auditEntries = flagValue(args, '--audit', 5000)

  const ca = await makeAuthority()
  const revocations = new RevocationList(ca.anchor)
  const keys = nodeKeys(80)
  const credential = await credentialFor(ca, keys, ['validator'])

  // checkSender vs signature verification, per message
  const kinds = ['bft.message', 'cred.grant', 'audit.read', 'mesh.presence', 'mesh.chat'] as const
  const check = await timed(() => {
    let ok = 0
    for (let i = 0; i < checks; i++)
      if (
        checkSender(
          kinds[i % kinds.length],
          messageKinds[kinds[i % kinds.length]].senders,
          keys.identity.publicKey,
          credential,
          T0,
          revocations,
        ).ok
      )
        ok++
    return ok
  })
  const message = new Uint8Array(200).fill(1)
  const signature = ed25519.sign(message, keys.identity.secretKey)
  const sigChecks = Math.min(checks, 20_000)
  const sig = await timed(() =>
    verifyEd25519Batch(Array.from({ length: sigChecks }, () => ({ publicKey: keys.identity.publicKey, message, signature }))),
  )
  const checkPerSec = checks / (check.ms / 1000)
  const sigPerSec = sigChecks / (sig.ms / 1000)

  // verifyCredential vs a bare WebCrypto verification
  const der = credential.der
  const verifyCred = await timed(async () => {
    for (let i = 0; i < credentials; i++)
      if (!(await verifyCredential(der, ca.anchor, T0, revocations)).ok) throw new Error('credential failed')
  })
  const bare = await timed(() =>
    verifyEd25519Batch(Array.from({ length: credentials }, () => ({ publicKey: keys.identity.publicKey, message, signature }))),
  )

  // sealing vs raw AEAD
  const recipient = nodeKeys(81)
  const payload = new Uint8Array(megabytes * 1024 * 1024)
  const random = seededBytes(3)
  for (let at = 0; at < payload.length; at += 4096) payload.set(random(4096), at)
  const context = { purpose: 'fl.update', round: 1, sender: keys.identity.publicKey }
  const seal = await timed(() => sealForRecipient(payload, recipient.agreement.publicKey, context))
  const open = await timed(() => openSealed(seal.value, recipient.agreement.secretKey, context))
  if (!open.value.ok) throw new Error('open failed')
  const raw = await timed(() => chacha20poly1305(new Uint8Array(32), new Uint8Array(12)).encrypt(payload))
  const mib = payload.length / 1024 / 1024

  // audit log
  const db = new Database(':memory:')
  db.exec(auditLogMigration)
  const store = new SqliteAuditStore(db)
  const writer = signingIdentityOf(keys)
  const log = await AuditLog.open(store, writer, () => T0)
  const append = await timed(async () => {
    for (let i = 0; i < auditEntries; i++)
      await log.append({ event: 'reject', actor: `peer-${i % 50}`, subject: 'bft.prevote', details: { reason: 'wrong-role', i } })
  })
  const verifyChain = await timed(() => verifyAuditChain(readAll(store), { writer: writer.publicKey, verify: verifyEd25519Batch }))
  if (!verifyChain.value.ok) throw new Error('chain failed')
  const signOnly = await timed(() => {
    for (let i = 0; i < auditEntries; i++) writer.sign(message)
  })

  const phrase = mnemonicFromEntropy(new Uint8Array(32).fill(3))
  const derive = await timed(async () => deriveNodeKeys(await seedFromMnemonic(phrase)))

  const metrics = {
    checkSenderPerSec: round(checkPerSec, 0),
    ed25519VerifyPerSec: round(sigPerSec, 0),
    checkSenderVsSignatureRatio: round(checkPerSec / sigPerSec, 1),
    verifyCredentialPerSec: round(credentials / (verifyCred.ms / 1000), 0),
    verifyCredentialVsBareVerifyRatio: round(verifyCred.ms / bare.ms, 2),
    sealMiBPerSec: round(mib / (seal.ms / 1000), 1),
    openMiBPerSec: round(mib / (open.ms / 1000), 1),
    rawAeadMiBPerSec: round(mib / (raw.ms / 1000), 1),
    sealVsRawAeadRatio: round(seal.ms / raw.ms, 2),
    auditAppendPerSec: round(auditEntries / (append.ms / 1000), 0),
    auditVerifyPerSec: round(auditEntries / (verifyChain.ms / 1000), 0),
    auditAppendVsBareSignRatio: round(append.ms / signOnly.ms, 2),
    phraseToKeysMs: round(derive.ms, 1),
    payloadMiB: mib,
  }
  writeBenchResult('security', metrics)
}

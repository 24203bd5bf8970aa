import { deriveNodeKeys, type NodeKeys } from '../../workers/security/keys/derive'
import {
  generateMnemonic,
  mnemonicFromEntropy,
  entropyFromMnemonic,
  seedFromMnemonic,
  isValidMnemonic,
} from '../../workers/security/keys/mnemonic'
import type { IdentityRow, MeshDatabase } from '../storage/db'

export interface StoredIdentity {
  readonly keys: NodeKeys
  readonly createdAtMs: number
  readonly restored: boolean
}

/** Loads this browser's keys, growing them from a fresh BIP-39 phrase on first run. */
export async function loadOrCreateIdentity(db: MeshDatabase): Promise<StoredIdentity> {
  const existing = await db.identity.get('self')
  if (existing) return fromRow(existing)
  const phrase = generateMnemonic()
  const row = await rowFromPhrase(phrase, false)
  // Two tabs may start at once: the first identity written wins and both use it.
  return db.transaction('rw', db.identity, async () => {
    const raced = await db.identity.get('self')
    if (raced) return fromRow(raced)
    await db.identity.put(row)
    return fromRow(row)
  })
}

/** Replaces this browser's identity with the one a backup phrase describes; its credential goes too. */
export async function restoreIdentity(db: MeshDatabase, phrase: string): Promise<StoredIdentity> {
  if (!isValidMnemonic(phrase)) throw new Error('not a valid backup phrase: a word is misspelt or the checksum fails')
  const row = await rowFromPhrase(phrase, true)
  await db.transaction('rw', db.identity, db.credential, async () => {
    await db.identity.put(row)
    await db.credential.clear()
  })
  return fromRow(row)
}

/** The backup phrase, recomputed from the stored entropy (the phrase itself is never stored). */
export async function backupPhrase(db: MeshDatabase): Promise<string> {
  const row = await db.identity.get('self')
  if (!row) throw new Error('this browser has no identity yet')
  return mnemonicFromEntropy(new Uint8Array(row.entropy))
}

async function rowFromPhrase(phrase: string, restored: boolean): Promise<IdentityRow> {
  const keys = deriveNodeKeys(await seedFromMnemonic(phrase))
  return {
    id: 'self',
    entropy: entropyFromMnemonic(phrase),
    identitySecret: keys.identity.secretKey,
    identityPublic: keys.identity.publicKey,
    votingSecret: keys.voting.secretKey,
    votingPublic: keys.voting.publicKey,
    agreementSecret: keys.agreement.secretKey,
    agreementPublic: keys.agreement.publicKey,
    createdAtMs: Date.now(),
    restored,
  }
}

function fromRow(row: IdentityRow): StoredIdentity {
  const pair = (secretKey: Uint8Array, publicKey: Uint8Array) => ({
    secretKey: new Uint8Array(secretKey),
    publicKey: new Uint8Array(publicKey),
  })
  return {
    keys: {
      identity: pair(row.identitySecret, row.identityPublic),
      voting: pair(row.votingSecret, row.votingPublic),
      agreement: pair(row.agreementSecret, row.agreementPublic),
    },
    createdAtMs: row.createdAtMs,
    restored: row.restored,
  }
}

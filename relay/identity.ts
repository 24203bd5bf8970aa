import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** The relay's PeerId must survive restarts: browsers and the bootstrap list name it. */
export async function loadOrCreateRelayKey(dataDir: string): Promise<{ key: PrivateKey; created: boolean }> {
  mkdirSync(dataDir, { recursive: true })
  const file = join(dataDir, 'relay-identity.key')
  if (existsSync(file)) {
    try {
      return { key: privateKeyFromProtobuf(readFileSync(file)), created: false }
    } catch (err) {
      throw new Error(
        `cannot read the relay identity in ${file} (${(err as Error).message}); restore it from a backup or delete it to make a new PeerId`,
      )
    }
  }
  const key = await generateKeyPair('Ed25519')
  writeFileSync(file, privateKeyToProtobuf(key), { mode: 0o600 })
  return { key, created: true }
}

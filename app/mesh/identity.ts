import { randomIdentitySeed } from '../../workers/identity/ed25519'
import type { MeshDatabase } from '../storage/db'

/** Loads this browser's identity seed, creating and persisting one on first run. */
export async function loadOrCreateSeed(db: MeshDatabase): Promise<Uint8Array> {
  return db.transaction('rw', db.identity, async () => {
    const row = await db.identity.get('self')
    if (row) return new Uint8Array(row.seed)
    const seed = randomIdentitySeed()
    await db.identity.put({ id: 'self', seed, createdAtMs: Date.now() })
    return seed
  })
}

import Dexie, { type Table } from 'dexie'

export interface IdentityRow {
  /** Always 'self': one identity per browser profile. */
  id: 'self'
  /** 32-byte Ed25519 seed; the PeerId derives from it. */
  seed: Uint8Array
  createdAtMs: number
}

/** The browser node's IndexedDB, versioned through Dexie's schema upgrades. */
export class MeshDatabase extends Dexie {
  identity!: Table<IdentityRow, string>

  constructor(name = 'agent-mesh') {
    super(name)
    this.version(1).stores({ identity: 'id' })
  }
}

export const db = new MeshDatabase()

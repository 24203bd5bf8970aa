import Dexie, { type DexieOptions, type Table } from 'dexie'
import { dexieAuditSchema, type AuditRow } from '../../workers/security/audit/dexie-store'

export interface IdentityRow {
  /** Always 'self': one identity per browser profile. */
  id: 'self'
  /** 32 bytes of BIP-39 entropy: the backup phrase, from which every key below derives. */
  entropy: Uint8Array
  /** Ed25519 identity (the PeerId): 32-byte seed-form secret and public key. */
  identitySecret: Uint8Array
  identityPublic: Uint8Array
  /** BLS12-381 voting key. */
  votingSecret: Uint8Array
  votingPublic: Uint8Array
  /** X25519 agreement key (end-to-end encrypted updates). */
  agreementSecret: Uint8Array
  agreementPublic: Uint8Array
  createdAtMs: number
  /** True when the phrase came from the person (restore) rather than from this browser. */
  restored: boolean
}

export interface CredentialRow {
  /** Always 'self'. */
  id: 'self'
  /** DER of this node's current role credential. */
  der: Uint8Array
  /** DER of the CA certificate that issued it, so a relay with a new CA is noticed. */
  caDer: Uint8Array
  receivedAtMs: number
}

/** One structured log line (pino's object), kept so a person can export what their node did. */
export interface LogRow {
  id?: number
  time: number
  level: number
  msg: string
  /** The whole line as JSON, correlation ids included. */
  line: string
}

/** A federated task this node knows (README, "Federated round"). */
export interface FlTaskRow {
  /** Hex SHA-256 of the encoded task. */
  taskId: string
  /** The encoded TaskSpec (workers/fl/task/wire.proto), re-checked on load. */
  spec: Uint8Array
  receivedAtMs: number
}

/** A round this node adopted: the decided descriptor and its commit certificate, verified before it was stored. */
export interface FlRoundRow {
  taskId: string
  round: number
  /** encodeDescriptor(...) */
  descriptor: Uint8Array
  /** encodeCertificate(...) */
  certificate: Uint8Array
  modelHash: string
  /** Validators' held-out evaluation, when this node has it. */
  accuracy: number | null
  loss: number | null
  committedAtMs: number
}

/** A committed model's weights (float32 little-endian), by hash. */
export interface FlModelRow {
  hash: string
  weights: Uint8Array
}

/** The validator set pinned at first join (README, "Which validators a browser trusts"). */
export interface PinnedValidatorsRow {
  /** Always 'self'. */
  id: 'self'
  /** The validators as JSON (ValidatorJson[]): the pinned set itself for a row pinned before sets were signed. */
  set: Uint8Array
  /** Unused (always empty): the CA's signature is inside `statement`. */
  signature: Uint8Array
  pinnedAtMs: number
  /** The CA pinned at the first join (raw Ed25519 key) and its certificate's subject. */
  caPublicKey?: Uint8Array
  caSubject?: string
  /** The CA-signed FlValidatorSetStatement in force (workers/fl/mesh/validator-statement.ts). */
  statement?: Uint8Array
  /** The statements it replaced, oldest first: certificates of rounds committed under them still verify. */
  earlier?: Uint8Array[]
  followedAtMs?: number
}

/** The browser node's IndexedDB, versioned through Dexie's schema upgrades. */
export class MeshDatabase extends Dexie {
  identity!: Table<IdentityRow, string>
  credential!: Table<CredentialRow, string>
  audit!: Table<AuditRow, number>
  log!: Table<LogRow, number>
  flTasks!: Table<FlTaskRow, string>
  flRounds!: Table<FlRoundRow, [string, number]>
  flModels!: Table<FlModelRow, string>
  pinnedValidators!: Table<PinnedValidatorsRow, string>

  constructor(name = 'agent-mesh', options?: DexieOptions) {
    super(name, options)
    this.version(1).stores({ identity: 'id' })
    // Version 2: identities grow from a BIP-39 phrase. A version-1 identity was a bare random
    // Ed25519 seed with no phrase to back it up, so it is replaced (the PeerId changes once).
    this.version(2)
      .stores({ identity: 'id', credential: 'id', audit: dexieAuditSchema })
      .upgrade((tx) => tx.table('identity').clear())
    // Version 3: the node's recent log (issue 13), exportable from the UI.
    this.version(3).stores({ log: '++id, time' })
    // Version 4: federated tasks, adopted rounds with their certificates, committed models, and the pinned validator set.
    this.version(4).stores({ flTasks: 'taskId', flRounds: '[taskId+round], taskId', flModels: 'hash', pinnedValidators: 'id' })
  }
}

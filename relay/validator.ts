import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { RelayConfig } from './config'
import { loadOrCreateRelayKey } from './identity'
import { listenAddress } from './node'
import { openConsensusDatabase, SqliteConsensusStore } from './consensus-store'
import { SetChangeDesk } from './validator-set-changes'
import { loadAuthority } from './ca-files'
import { signAsAuthority } from '../workers/security/credentials/ca'
import type { AuditFields } from '../workers/security/audit/entry'
import { nativeEd25519Signer, nativeVerifyEd25519 } from '../workers/protocol/node/ed25519'
import type { ConsensusObserver } from '../workers/consensus/adapter/types'
import {
  ConsensusAdapter,
  beaconSetChangeOf,
  createBeaconApplication,
  gossipBftTransport,
  parseValidatorSetFile,
  validatorEntry,
  type ChangeOrderSummary,
  type ValidatorEntryJson,
} from '../workers/consensus/adapter'
import {
  createRealScheme,
  createRealSigner,
  loadWasmBls,
  loadRealScheme,
  createValidatorSet,
  type BlsVoteBackend,
  type SignatureScheme,
  type ValidatorSet,
  type ValidatorSigner,
} from '../workers/consensus/certificate'
import { DEFAULT_BFT_TIMEOUTS } from '../workers/consensus/bft'
import type { MeshRuntime } from '../workers/net/runtime'
import type { Logger } from '../workers/log'

const VOTE_SEED_FILE = 'validator-vote.key'

/** The BLS vote key's seed: made once, kept beside the identity key, never regenerated (it is in the set file). */
export function loadOrCreateVoteSeed(dataDir: string): Uint8Array {
  mkdirSync(dataDir, { recursive: true })
  const file = join(dataDir, VOTE_SEED_FILE)
  if (existsSync(file)) {
    const seed = new Uint8Array(readFileSync(file))
    if (seed.length !== 48) throw new Error(`${file} is ${seed.length} bytes, expected 48; restore it from a backup`)
    return seed
  }
  const seed = new Uint8Array(randomBytes(48))
  writeFileSync(file, seed, { mode: 0o600 })
  return seed
}

async function relaySigner(dataDir: string, bls?: BlsVoteBackend): Promise<{ signer: ValidatorSigner; peerId: string }> {
  const { key } = await loadOrCreateRelayKey(dataDir)
  const identitySeed = key.raw.subarray(0, 32)
  const signer = createRealSigner(
    { identitySeed, voteSeed: loadOrCreateVoteSeed(dataDir) },
    { bls, signEd25519: nativeEd25519Signer(identitySeed) },
  )
  return { signer, peerId: peerIdFromPrivateKey(key).toString() }
}

/** What `--validator-entry` prints: this relay's line for the validator-set file. */
export async function relayValidatorEntry(config: RelayConfig): Promise<ValidatorEntryJson> {
  const { signer, peerId } = await relaySigner(config.dataDir)
  const reachable =
    config.announce.length > 0
      ? [...config.announce]
      : config.host !== '0.0.0.0' && config.wsPort !== 0
        ? [listenAddress(config.host, config.wsPort)]
        : []
  return validatorEntry(
    peerId,
    signer,
    reachable.map((a) => (a.includes('/p2p/') ? a : `${a}/p2p/${peerId}`)),
  )
}

/**
 * A relay without a validator-set file is its own one-member set for federated tasks (`npm
 * start`): its certificates are checkable, but trust rests on this one relay; README,
 * "Which validators a browser trusts".
 */
export async function soloValidatorKeys(dataDir: string): Promise<FlValidatorKeys> {
  const { scheme, bls } = await loadRealScheme({ verifyEd25519: nativeVerifyEd25519 })
  const { signer, peerId } = await relaySigner(dataDir, bls)
  const created = createValidatorSet(
    [{ id: peerId, identityKey: signer.identityKey, voteKey: signer.voteKey, possession: signer.proofOfPossession() }],
    scheme,
  )
  if (!created.ok) throw new Error(`cannot make this relay its own validator set: ${created.reason}`)
  return { set: created.set, signer, scheme, addresses: new Map() }
}

/** A validator set as the federated tasks use it: the set, this relay's keys, and where each member is reached. */
export interface FlValidatorKeys {
  readonly set: ValidatorSet
  readonly signer: ValidatorSigner
  readonly scheme: SignatureScheme
  readonly addresses: ReadonlyMap<string, readonly string[]>
}

export interface ValidatorDuty {
  readonly adapter: ConsensusAdapter
  readonly chainId: string
  /** The set, this relay's vote keys and the scheme, for the federated tasks' own chains (relay/fl-duty.ts). */
  readonly keys: FlValidatorKeys
  /** The other validators' addresses from the set file, for the relay to keep connected. */
  readonly peerAddresses: readonly string[]
  /** What `/api/consensus` serves: the chain a browser validator pins at join (README, "Browser validators"). */
  readonly chainInfo: ConsensusChainInfo
  /** What `/api/consensus/orders` serves: this relay's latest validator-set change orders, newest first (no bytes). */
  orders(): ChangeOrderSummary[]
  stop(): Promise<void>
}

/**
 * The chain as the set file defines it: its id, the set deciding height 1, the admins whose
 * signed orders change it, and the beacon interval. A browser pins it once and derives every
 * later set from the committed chain itself, so what a relay serves later cannot change it.
 */
export interface ConsensusChainInfo {
  readonly chainId: string
  readonly validators: readonly ValidatorEntryJson[]
  readonly admins: readonly string[]
  readonly intervalMs: number
}

/**
 * Runs BFT consensus among the relays named in the validator-set file, over the mesh's gossip,
 * on the demo beacon chain, with state and decisions in consensus.sqlite.
 */
export async function startValidatorDuty(deps: {
  config: RelayConfig
  runtime: MeshRuntime
  log: Logger
  /** Made once the chain id is known: sees consensus messages and decisions (tracing, finality metrics). */
  observer?: (chainId: string) => ConsensusObserver & { close?(): void }
  /** Told the set's identity keys before any consensus message is received, so RBAC can let them in. */
  admitValidators(identityKeys: readonly Uint8Array[]): void
  /** The relay's audit log: validator-set change orders and decided changes are written to it. */
  audit?(fields: AuditFields): Promise<unknown>
}): Promise<ValidatorDuty> {
  const { config, runtime, log } = deps
  // Votes through the WebAssembly BLS (same bytes as @noble, ~6x faster); @noble if it cannot load.
  const bls = await loadWasmBls().catch((error) => {
    log.warn({ err: error }, 'WebAssembly BLS unavailable; using @noble (slower votes)')
    return undefined
  })
  const scheme = createRealScheme({ verifyEd25519: nativeVerifyEd25519, bls })
  let text: string
  try {
    text = readFileSync(config.validatorSet!, 'utf8')
  } catch (error) {
    throw new Error(`cannot read the validator set ${config.validatorSet}: ${(error as Error).message}`)
  }
  const loaded = parseValidatorSetFile(text, scheme)
  const { signer, peerId } = await relaySigner(config.dataDir, bls)
  const me = loaded.set.validators.find((v) => v.id === peerId)
  // With admins in the set file the set can change live: a relay outside it follows the chain until an admin adds it.
  const setChanges = loaded.admins.length > 0
  if (!me && !setChanges)
    throw new Error(
      `this relay (${peerId}) is not in the validator set ${config.validatorSet}; add the entry that --validator-entry prints`,
    )
  if (me && Buffer.compare(Buffer.from(me.voteKey), Buffer.from(signer.voteKey)) !== 0) {
    throw new Error(
      `the set file's vote key for ${peerId} is not the one in ${join(config.dataDir, VOTE_SEED_FILE)}; print the entry again with --validator-entry`,
    )
  }
  deps.admitValidators(loaded.set.validators.map((v) => v.identityKey))
  const db = openConsensusDatabase(config.dataDir)
  const store = new SqliteConsensusStore(db, loaded.chainId)
  // The relay's CA key orders an admin's changes from the PWA when the set file lists it under admins.
  const ca = setChanges ? await loadAuthority(config.dataDir).catch(() => null) : null
  const desk = setChanges
    ? new SetChangeDesk({
        authority: ca ? { publicKey: ca.anchor.publicKey, sign: (message) => signAsAuthority(ca, message) } : undefined,
        store,
        chainId: loaded.chainId,
        admins: loaded.admins,
        peerId,
        log,
        audit: deps.audit ?? (async () => {}),
        admitValidators: deps.admitValidators,
      })
    : null
  const observer = deps.observer?.(loaded.chainId)
  const adapter = await ConsensusAdapter.start({
    observer,
    chainId: loaded.chainId,
    validators: loaded.set,
    selfId: peerId,
    membership: desk ? { setChangeOf: beaconSetChangeOf } : undefined,
    signer,
    scheme,
    transport: gossipBftTransport(runtime.gossip, loaded.chainId),
    store,
    application: createBeaconApplication({
      selfId: peerId,
      validators: loaded.set,
      intervalMs: config.bftIntervalMs,
      setChanges: desk ? { chainId: loaded.chainId, admins: loaded.admins, pendingOrder: () => desk.pendingOrder() } : undefined,
    }),
    log,
    // The proposer deliberately waits bftIntervalMs before proposing: the others wait that much longer for it.
    timeouts: { proposeMs: DEFAULT_BFT_TIMEOUTS.proposeMs + config.bftIntervalMs },
  })
  let stopRequests = () => {}
  if (desk) {
    // Validators added by changes already decided (replayed from the store) may send too.
    deps.admitValidators(adapter.knownValidatorKeys())
    desk.start(adapter)
    runtime.gossip.join(['bft.setchange.request'])
    stopRequests = runtime.gossip.on('bft.setchange.request', (message, from) => {
      desk
        .request(message.payload, from.toString())
        .catch((error) => log.error({ err: (error as Error).message }, "an admin's validator-set change request failed"))
    })
  }
  const peerAddresses = [...loaded.multiaddrs].filter(([id]) => id !== peerId).flatMap(([, addrs]) => addrs)
  log.info(
    { chainId: loaded.chainId, validators: adapter.stats().validators, member: adapter.stats().member, setChanges },
    'validator duty started',
  )
  const file = JSON.parse(text) as { validators: ValidatorEntryJson[]; admins?: string[] }
  return {
    adapter,
    chainId: loaded.chainId,
    chainInfo: { chainId: loaded.chainId, validators: file.validators, admins: file.admins ?? [], intervalMs: config.bftIntervalMs },
    keys: { set: loaded.set, signer, scheme, addresses: loaded.multiaddrs },
    peerAddresses,
    orders: () =>
      store.orders(10).map((o) => ({
        id: o.id,
        change: o.summary,
        state: o.state,
        reason: o.reason,
        createdMs: o.createdMs,
        resolvedHeight: o.resolvedHeight,
      })),
    async stop() {
      stopRequests()
      desk?.stop()
      await adapter.stop()
      observer?.close?.()
      db.close()
    },
  }
}

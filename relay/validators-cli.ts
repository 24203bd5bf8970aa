import { parseArgs } from 'node:util'
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import type Database from 'better-sqlite3'
import { bytesToHex } from '@noble/hashes/utils.js'
import { optionSpecs } from './config'
import { loadAuthority, loadOrCreateAuthority } from './ca-files'
import { openConsensusDatabase, SqliteConsensusStore } from './consensus-store'
import { signAsAuthority } from '../workers/security/credentials/ca'
import { queueSetChangeOrder } from './validator-set-changes'
import {
  beaconSetChangeOf,
  describeChange,
  parseValidatorEntry,
  parseValidatorSetFile,
  replayValidatorChain,
  type LoadedValidatorSet,
} from '../workers/consensus/adapter'
import { createRealScheme, type SetChange, type ValidatorChain } from '../workers/consensus/certificate'
import { equalBytes } from '../workers/common/bytes'

export const validatorsUsage = `Validator-set changes, decided by consensus (README, "Validators"). They work on a
validator relay's data dir; the running relay proposes the change when it is next proposer.

  npm run relay -- validators list
      the set deciding the next height, the last change, the admins and recent orders.
  npm run relay -- validators add --entry FILE
      order adding the validator whose entry FILE holds (what --validator-entry prints on it).
  npm run relay -- validators remove --peer PEERID
      order removing a validator.
  npm run relay -- validators cancel
      withdraw the order still waiting.
  npm run relay -- validators admin-key
      print this relay's admin key (its CA's Ed25519 key) for the set file's "admins" list;
      creates the CA if the relay never ran.

One change at a time: a change decided at height h takes effect from h + 2, and no order is taken
while one waits or takes effect. An order is signed with this relay's CA key, which must be listed
under "admins" in the validator-set file every validator was started with. A page holding the
admin role can ask for the same changes from its Validator duty panel; every relay whose CA key
is an admin then orders them through these checks.

  --data-dir DIR         the relay's data dir (env MESH_DATA_DIR, default ${optionSpecs.dataDir.defaultValue})
  --validator-set FILE   the validator-set file the relay runs with (env MESH_VALIDATOR_SET)`

class UsageError extends Error {}

interface Context {
  readonly dataDir: string
  readonly setFile: string
  readonly loaded: LoadedValidatorSet
  readonly db: Database.Database
  readonly store: SqliteConsensusStore
  readonly chain: ValidatorChain
}

/** Runs one `validators` command; returns the process exit code. */
export async function runValidatorsCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  out = (line: string) => console.log(line),
  err = (line: string) => console.error(line),
): Promise<number> {
  const [command, ...rest] = argv
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: rest,
      options: {
        help: { type: 'boolean', short: 'h' },
        'data-dir': { type: 'string' },
        'validator-set': { type: 'string' },
        entry: { type: 'string' },
        peer: { type: 'string' },
      },
      allowPositionals: false,
    }).values
  } catch (error) {
    err(`error: ${(error as Error).message}\n\n${validatorsUsage}`)
    return 2
  }
  if (values.help || command === undefined || command === 'help' || command === '--help' || command === '-h') {
    out(validatorsUsage)
    return command === undefined ? 2 : 0
  }
  const dataDir = resolve((values['data-dir'] as string | undefined) ?? env.MESH_DATA_DIR ?? optionSpecs.dataDir.defaultValue)
  try {
    if (command === 'admin-key') {
      const { ca } = await loadOrCreateAuthority(dataDir)
      out(bytesToHex(ca.anchor.publicKey))
      return 0
    }
    if (!['list', 'add', 'remove', 'cancel'].includes(command)) throw new UsageError(`unknown command '${command}'`)
    const context = await open(dataDir, (values['validator-set'] as string | undefined) ?? env.MESH_VALIDATOR_SET)
    try {
      switch (command) {
        case 'list':
          return list(context, out)
        case 'cancel':
          return cancel(context, out)
        default:
          return await order(context, command === 'add' ? addChange(values) : removeChange(values), out)
      }
    } finally {
      context.db.close()
    }
  } catch (error) {
    if (error instanceof UsageError) {
      err(`error: ${error.message}\n\n${validatorsUsage}`)
      return 2
    }
    err(`error: ${(error as Error).message}`)
    return 1
  }
}

async function open(dataDir: string, setFile: string | undefined): Promise<Context> {
  if (!setFile) throw new UsageError('--validator-set FILE is required (the file the relay runs with; or set MESH_VALIDATOR_SET)')
  let text: string
  try {
    text = readFileSync(resolve(setFile), 'utf8')
  } catch (error) {
    throw new Error(`cannot read the validator set ${setFile}: ${(error as Error).message}`)
  }
  const loaded = parseValidatorSetFile(text, createRealScheme())
  if (!existsSync(join(dataDir, 'consensus.sqlite')))
    throw new Error(`${dataDir} holds no consensus state: give the data dir of a validator relay that has run (--data-dir)`)
  const db = openConsensusDatabase(dataDir)
  const store = new SqliteConsensusStore(db, loaded.chainId)
  try {
    const last = await store.lastDecision()
    const chain = await replayValidatorChain(
      { validators: loaded.set, scheme: createRealScheme(), store, setChangeOf: beaconSetChangeOf },
      last?.height ?? 0,
    )
    return { dataDir, setFile, loaded, db, store, chain }
  } catch (error) {
    db.close()
    throw error
  }
}

function addChange(values: Record<string, unknown>): SetChange {
  if (typeof values.entry !== 'string')
    throw new UsageError('--entry FILE is required (the JSON that --validator-entry prints on the new validator)')
  let json: unknown
  try {
    json = JSON.parse(readFileSync(values.entry, 'utf8'))
  } catch (error) {
    throw new Error(`cannot read the entry ${values.entry}: ${(error as Error).message}`)
  }
  return { kind: 'add', validator: parseValidatorEntry(json, values.entry).validator }
}

function removeChange(values: Record<string, unknown>): SetChange {
  if (typeof values.peer !== 'string') throw new UsageError('--peer PEERID is required')
  try {
    peerIdFromString(values.peer)
  } catch {
    throw new UsageError(`'${values.peer}' is not a PeerId`)
  }
  return { kind: 'remove', id: values.peer }
}

async function order(context: Context, change: SetChange, out: (line: string) => void): Promise<number> {
  const { loaded, chain, store, dataDir } = context
  if (loaded.admins.length === 0)
    throw new Error(
      `${context.setFile} names no admins, so its set is fixed: add "admins": ["${await adminKeyHint(dataDir)}"] to every validator's copy and restart them`,
    )
  const ca = await loadAuthority(dataDir)
  if (!loaded.admins.some((key) => equalBytes(key, ca.anchor.publicKey)))
    throw new Error(
      `this relay's admin key ${bytesToHex(ca.anchor.publicKey)} is not among the admins of ${context.setFile}; run the command on an admin's relay, or list the key there`,
    )
  const { id } = await queueSetChangeOrder({
    store,
    chainId: loaded.chainId,
    chain,
    selfId: peerIdOfDataDir(dataDir),
    authority: { publicKey: ca.anchor.publicKey, sign: (message) => signAsAuthority(ca, message) },
    change,
    nowMs: Date.now(),
  })
  out(
    `order ${id}: ${describeChange(change)} on ${loaded.chainId}, signed at height ${chain.height}. The running relay proposes it when it is next proposer; it takes effect 2 heights after it is decided (watch: validators list).`,
  )
  return 0
}

function cancel(context: Context, out: (line: string) => void): number {
  const waiting = context.store.pendingOrder()
  if (!waiting) {
    out('no order is waiting')
    return 0
  }
  context.store.resolveOrder(waiting.id, 'cancelled', null, 'cancelled by an admin')
  out(`cancelled order ${waiting.id} (${waiting.summary}); if it was already proposed it may still be decided`)
  return 0
}

function list(context: Context, out: (line: string) => void): number {
  const { chain, loaded, store } = context
  const next = chain.height + 1
  const set = chain.setAt(next)!
  out(`chain ${loaded.chainId}: decided up to height ${chain.height}`)
  out(`validators deciding height ${next} (${set.validators.length}, quorum ${set.quorum}, tolerates ${set.maxFaulty} faulty):`)
  for (const v of set.validators) out(`  ${v.id}`)
  const last = chain.lastChange()
  out(
    last
      ? `last change: ${describeChange(last.change)}, decided at height ${last.decidedAt}, in force from ${last.from}`
      : 'last change: none',
  )
  out(loaded.admins.length > 0 ? `admins: ${loaded.admins.map((k) => bytesToHex(k)).join(', ')}` : 'admins: none (the set is fixed)')
  const orders = store.orders(10)
  if (orders.length > 0) out('orders (newest first):')
  for (const o of orders)
    out(
      `  ${o.id}  ${o.summary}  ${o.state}${o.resolvedHeight !== null ? ` at height ${o.resolvedHeight}` : ''}${o.reason ? `: ${o.reason}` : ''}`,
    )
  return 0
}

function peerIdOfDataDir(dataDir: string): string {
  return peerIdFromPrivateKey(privateKeyFromProtobuf(readFileSync(join(dataDir, 'relay-identity.key')))).toString()
}

async function adminKeyHint(dataDir: string): Promise<string> {
  try {
    return bytesToHex((await loadAuthority(dataDir)).anchor.publicKey)
  } catch {
    return 'output of: npm run relay -- validators admin-key'
  }
}

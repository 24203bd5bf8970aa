import { parseArgs } from 'node:util'
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { bytesToHex } from '@noble/hashes/utils.js'
import { openDatabase } from './db'
import { optionSpecs } from './config'
import { loadAuthority } from './ca-files'
import { CredentialStore } from './credential-store'
import { identityHexOfPeerId } from './security'
import { issueCredential, verifyCredential, credentialToPem, canonicalRoles } from '../workers/security/credentials/credential'
import { createRevocation } from '../workers/security/credentials/revocation'
import { isRole, roles as allRoles, type Role } from '../workers/protocol/roles'
import { SqliteAuditStore } from '../workers/security/node/sqlite-audit-store'
import { readAll } from '../workers/security/audit/store'
import { verifyAuditChain } from '../workers/security/audit/verify'
import { exportAuditLog } from '../workers/security/audit/jsonl'
import { nativeVerifyEd25519Batch } from '../workers/protocol/node/ed25519'

export const adminCommands = ['grant', 'revoke', 'audit', 'credentials'] as const

const DAY_MS = 24 * 3600_000
const MAX_GRANT_DAYS = 365

const usage = `Relay admin commands (they work on the relay's data dir; a running relay picks changes up within a second):

  npm run relay -- grant --peer PEERID --role ROLE[,ROLE…] [--days N]
      issue a credential holding ROLE(s) plus the roles the peer already holds (default 30 days).
      The peer must have joined once (its keys come from its last credential).
  npm run relay -- revoke (--peer PEERID | --serial HEX) [--reason TEXT] [--ban]
      revoke every live credential of PEERID (or one serial), gossiped to every node;
      --ban also refuses the peer new self-service credentials.
  npm run relay -- audit --verify | --export [--out FILE]
      check the audit log's hash chain and signatures, or write it as JSON lines.
  npm run relay -- credentials [--peer PEERID]
      list issued credentials.

  --data-dir DIR   the relay's data dir (env MESH_DATA_DIR, default ${optionSpecs.dataDir.defaultValue})
roles: ${allRoles.join(', ')}`

class UsageError extends Error {}

/** Runs one admin command; returns the process exit code. */
export async function runAdmin(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  out = (line: string) => console.log(line),
): Promise<number> {
  const [command, ...rest] = argv
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: rest,
      options: {
        help: { type: 'boolean', short: 'h' },
        'data-dir': { type: 'string' },
        peer: { type: 'string' },
        role: { type: 'string' },
        days: { type: 'string' },
        serial: { type: 'string' },
        reason: { type: 'string' },
        ban: { type: 'boolean' },
        verify: { type: 'boolean' },
        export: { type: 'boolean' },
        out: { type: 'string' },
      },
      allowPositionals: false,
    }).values
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${usage}`)
    return 2
  }
  if (values.help) {
    out(usage)
    return 0
  }
  const dataDir = resolve((values['data-dir'] as string | undefined) ?? env.MESH_DATA_DIR ?? optionSpecs.dataDir.defaultValue)
  try {
    switch (command) {
      case 'grant':
        return await grant(dataDir, values, out)
      case 'revoke':
        return await revoke(dataDir, values, out)
      case 'audit':
        return await audit(dataDir, values, out)
      case 'credentials':
        return listCredentials(dataDir, values, out)
      default:
        throw new UsageError(`unknown command '${command}'`)
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}\n\n${usage}`)
      return 2
    }
    console.error(`error: ${(err as Error).message}`)
    return 1
  }
}

function peerArg(values: Record<string, unknown>): string {
  const peer = values.peer
  if (typeof peer !== 'string') throw new UsageError('--peer PEERID is required')
  try {
    peerIdFromString(peer)
  } catch {
    throw new UsageError(`'${peer}' is not a PeerId`)
  }
  return peer
}

async function grant(dataDir: string, values: Record<string, unknown>, out: (line: string) => void): Promise<number> {
  const peer = peerArg(values)
  const requested = String(values.role ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean)
  if (requested.length === 0) throw new UsageError('--role is required')
  const unknown = requested.find((r) => !isRole(r))
  if (unknown) throw new UsageError(`unknown role '${unknown}' (roles: ${allRoles.join(', ')})`)
  const days = values.days === undefined ? 30 : Number(values.days)
  if (!Number.isFinite(days) || days <= 0 || days > MAX_GRANT_DAYS)
    throw new UsageError(`--days must be a number from 1 to ${MAX_GRANT_DAYS}`)
  const ca = await loadAuthority(dataDir)
  const db = openDatabase(dataDir)
  try {
    const store = new CredentialStore(db)
    const now = Date.now()
    const last = store.latestFor(peer)
    if (!last) throw new Error(`${peer} has never joined this relay: open the app on that device first, so the relay knows its keys`)
    const verdict = await verifyCredential(last.der, ca.anchor, last.notBeforeMs + 1)
    if (!verdict.ok) throw new Error(`the stored credential of ${peer} does not verify: ${verdict.reason}`)
    const held = store.isRevoked(last.serial) || last.notAfterMs < now ? [] : verdict.credential.roles
    const roles = canonicalRoles([...new Set([...held, ...(requested as Role[])])])
    const credential = await issueCredential(ca, verdict.credential, { roles, notBeforeMs: now - 60_000, notAfterMs: now + days * DAY_MS })
    store.addCredential(credential, 'cli', now, false)
    out(`granted ${roles.join(', ')} to ${peer} until ${new Date(credential.notAfterMs).toISOString()} (serial ${credential.serial})`)
    out(credentialToPem(credential.der).trim())
    return 0
  } finally {
    db.close()
  }
}

async function revoke(dataDir: string, values: Record<string, unknown>, out: (line: string) => void): Promise<number> {
  const serial = typeof values.serial === 'string' ? values.serial.toLowerCase() : undefined
  const peer = values.peer === undefined ? undefined : peerArg(values)
  if (!serial === !peer) throw new UsageError('give exactly one of --peer or --serial')
  const reason = typeof values.reason === 'string' ? values.reason : 'revoked by an admin'
  const ca = await loadAuthority(dataDir)
  const db = openDatabase(dataDir)
  try {
    const store = new CredentialStore(db)
    const now = Date.now()
    const targets = serial
      ? [store.credential(serial)].filter((c) => c !== undefined)
      : store.credentialsOf(peer!).filter((c) => c.notAfterMs > now)
    if (serial && targets.length === 0) throw new Error(`no credential with serial ${serial} was issued here`)
    let count = 0
    for (const target of targets) {
      if (store.isRevoked(target.serial)) continue
      const record = await createRevocation(ca, { serial: target.serial, revokedAtMs: now, reason })
      store.addRevocation({ serial: target.serial, peerId: target.peerId, record, revokedAtMs: now, reason, revokedBy: 'cli' }, false)
      count++
      out(`revoked ${target.serial} (${target.peerId}: ${target.roles.join(', ')})`)
    }
    const subject = peer ?? targets[0]?.peerId
    if (values.ban && subject) {
      store.ban(subject, identityHexOfPeerId(subject), reason, now)
      out(`banned ${subject} from self-service credentials`)
    }
    if (count === 0) out('nothing to revoke: no live credential matched')
    return 0
  } finally {
    db.close()
  }
}

async function audit(dataDir: string, values: Record<string, unknown>, out: (line: string) => void): Promise<number> {
  if (!values.verify === !values.export) throw new UsageError('give exactly one of --verify or --export')
  const db = openDatabase(dataDir)
  try {
    const store = new SqliteAuditStore(db)
    if (values.export) {
      const text = await exportAuditLog(store)
      if (typeof values.out === 'string') {
        writeFileSync(values.out, text)
        out(`wrote ${text.split('\n').length - 1} entries to ${values.out}`)
      } else {
        process.stdout.write(text)
      }
      return 0
    }
    const key = privateKeyFromProtobuf(readFileSync(join(dataDir, 'relay-identity.key')))
    const writer = key.publicKey.raw
    const verdict = await verifyAuditChain(readAll(store), { writer, verify: nativeVerifyEd25519Batch })
    if (verdict.ok) {
      out(`audit log OK: ${verdict.count} entries, every link and signature checks (writer ${bytesToHex(writer).slice(0, 16)}…)`)
      return 0
    }
    out(`audit log BROKEN at entry ${verdict.seq}: ${verdict.problem}: ${verdict.reason}`)
    return 3
  } finally {
    db.close()
  }
}

function listCredentials(dataDir: string, values: Record<string, unknown>, out: (line: string) => void): number {
  const db = openDatabase(dataDir)
  try {
    const store = new CredentialStore(db)
    const rows = values.peer === undefined ? store.list() : store.credentialsOf(peerArg(values))
    for (const row of rows) {
      const state = store.isRevoked(row.serial) ? 'revoked' : row.notAfterMs < Date.now() ? 'expired' : 'valid'
      out(
        `${row.serial}  ${row.peerId}  ${row.roles.join(',').padEnd(24)} ${state.padEnd(8)} until ${new Date(row.notAfterMs).toISOString()}  by ${row.issuedBy}`,
      )
    }
    return 0
  } finally {
    db.close()
  }
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { sha256 } from '@noble/hashes/sha2.js'
import { RelayProcess } from './harness/relay-process'
import { waitUntil as waitFor } from './harness/wait'
import { bitmapSigners, createRealScheme, decodeCertificate, loadWasmBls, ValidatorChain } from '../../workers/consensus/certificate'
import { resolveConfig } from '../../relay/config'
import { relayValidatorEntry } from '../../relay/validator'
import { runValidatorsCli } from '../../relay/validators-cli'
import { beaconSetChangeOf, parseValidatorSetFile, type LoadedValidatorSet } from '../../workers/consensus/adapter'
import { SqliteAuditStore } from '../../workers/security/node/sqlite-audit-store'
import { readAll } from '../../workers/security/audit/store'
import { verifyAuditChain } from '../../workers/security/audit/verify'

// Five relay processes share a validator-set file naming four validators and one admin key
// (relay 0's CA). The fifth follows the chain. An admin adds the fifth live through the CLI on
// relay 0's data dir, then removes relay 1; every node's every certificate must verify against
// the set in force at its height, as a node that pinned the file's set derives it from the chain.
const CHAIN = 'e2e-set-changes'

/** The admin's `npm run relay -- validators …`, run in this process (what relay/cli.ts calls) to spare a tsx start per command. */
async function cli(args: string[]): Promise<string> {
  const lines: string[] = []
  const code = await runValidatorsCli(
    args,
    {},
    (line) => lines.push(line),
    (line) => lines.push(line),
  )
  if (code !== 0) throw new Error(`validators ${args[0]} exited with ${code}: ${lines.join('\n')}`)
  return lines.join('\n')
}

interface Consensus {
  lastDecision: { height: number } | null
  member: boolean
  validators: number
  setChange: { kind: string; id: string; decidedAt: number; from: number } | null
  equivocations: number
  catchUpRequests: number
}

async function consensusOf(relay: RelayProcess): Promise<Consensus | null> {
  try {
    return (await relay.health()).consensus as Consensus
  } catch {
    return null
  }
}

const decided = (c: Consensus | null) => c?.lastDecision?.height ?? 0
let watched: RelayProcess[] = []
/** waitUntil that, on a timeout, shows what each relay logged at warn level and above. */
async function waitUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs: number): Promise<T> {
  try {
    return await waitFor(probe, done, what, timeoutMs)
  } catch (error) {
    for (const [i, relay] of watched.entries())
      console.error(`relay ${i} logged:\n${relay.output.join('').split('\n').slice(-15).join('\n')}`)
    throw error
  }
}
/** Wall-clock phases, printed (never asserted) to keep an eye on the test's length. */
const started = Date.now()
const phases: string[] = []
const mark = (what: string) => phases.push(`${what} ${((Date.now() - started) / 1000).toFixed(1)} s`)

describe('validator-set changes among relay processes', () => {
  let scheme: ReturnType<typeof createRealScheme>
  let relays: RelayProcess[] = []
  let loaded: LoadedValidatorSet
  let setFile = ''
  let entryFile = ''

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesh-set-changes-'))
    setFile = join(dir, 'validators.json')
    relays = await Promise.all(
      Array.from({ length: 5 }, () => RelayProcess.create({ extraArgs: ['--validator-set', setFile, '--bft-interval-ms', '200'] })),
    )
    watched = relays
    scheme = createRealScheme({ bls: await loadWasmBls() })
    // What --validator-entry prints for each relay's data dir and port (in process: no tsx start each).
    const entries = await Promise.all(
      relays.map((r) => relayValidatorEntry(resolveConfig({ 'data-dir': r.dataDir, 'ws-port': String(r.wsPort) }, {}))),
    )
    const adminKey = await cli(['admin-key', '--data-dir', relays[0].dataDir])
    const text = JSON.stringify({ chainId: CHAIN, validators: entries.slice(0, 4), admins: [adminKey] }, null, 2)
    writeFileSync(setFile, text)
    entryFile = join(dir, 'fifth.json')
    writeFileSync(entryFile, JSON.stringify(entries[4]))
    loaded = parseValidatorSetFile(text, scheme)
    // The four validators start; the fifth only once they have decided a few heights (below).
    await Promise.all(relays.slice(0, 4).map((r) => r.start()))
    mark('started')
  })

  afterAll(async () => {
    await Promise.all(relays.map((r) => r.stop()))
  })

  it('adds a fifth validator and removes one live; heights keep being decided with certificates that verify against the set of their height', async () => {
    const all = () => Promise.all(relays.map(consensusOf))
    const members = () => Promise.all(relays.slice(0, 4).map(consensusOf))
    await waitUntil(members, (cs) => cs.every((c) => decided(c) >= 5), 'five heights on the four validators', 90_000)
    // The fifth starts behind, with an empty store and no validator role: it follows, and catches up once it is added.
    await relays[4].start()
    expect((await consensusOf(relays[4]))?.member).toBe(false)
    mark('fifth started')

    const fifth = relays[4].info!.peerId
    const adminArgs = ['--data-dir', relays[0].dataDir, '--validator-set', setFile]
    expect(await cli(['add', '--entry', entryFile, ...adminArgs])).toMatch(`add ${fifth}`)
    const afterAdd = await waitUntil(
      all,
      (cs) => cs.every((c) => c?.setChange?.kind === 'add' && decided(c) >= c.setChange.from + 3),
      'the addition decided and three heights under the new set',
      90_000,
    )
    mark('added')
    const added = afterAdd[0]!.setChange!
    expect(added.id).toBe(fifth)
    for (const c of afterAdd) expect(c!.setChange).toEqual(added)
    expect(afterAdd[4]).toMatchObject({ member: true, validators: 5 })
    expect(afterAdd[4]!.catchUpRequests).toBeGreaterThan(0)

    const removedId = relays[1].info!.peerId
    expect(await cli(['remove', '--peer', removedId, ...adminArgs])).toMatch(`remove ${removedId}`)
    const afterRemove = await waitUntil(
      all,
      (cs) => cs.every((c) => c?.setChange?.kind === 'remove' && decided(c) >= c.setChange.from + 3),
      'the removal decided and three heights without the removed validator',
      90_000,
    )
    mark('removed')
    const removed = afterRemove[0]!.setChange!
    expect(removed.id).toBe(removedId)
    expect(afterRemove[1]).toMatchObject({ member: false, validators: 4 })
    for (const c of afterRemove) expect(c!.equivocations).toBe(0)
    const listed = await cli(['list', ...adminArgs])
    expect(listed).toMatch(`last change: remove ${removedId}`)
    expect(listed).toMatch(/\d+ {2}remove \S+ {2}decided at height \d+/)
    await Promise.all(relays.map((r) => r.stop()))

    // A node that pinned the file's set follows the committed chain from height 1 and checks every certificate on every relay.
    const stores = relays.map((r) => readDecisions(r.dataDir))
    const last = Math.min(...stores.map((s) => Math.max(...s.keys())))
    const chain = new ValidatorChain(loaded.set, scheme)
    const signedFrom = new Map<string, number[]>()
    for (let height = 1; height <= last; height++) {
      const value = stores[0].get(height)!.value
      for (const [i, store] of stores.entries()) {
        const record = store.get(height)
        expect(record, `relay ${i} at height ${height}`).toBeDefined()
        expect(record!.value.equals(value), `identical values at height ${height}`).toBe(true)
        const certificate = decodeCertificate(record!.certificate)
        if (!certificate.ok) throw new Error(certificate.reason)
        expect(
          chain.verify(certificate.certificate, { chainId: CHAIN, height, valueId: sha256(value) }),
          `relay ${i} at ${height}`,
        ).toEqual({
          ok: true,
        })
      }
      // Who signed the certificates any relay holds (each holds the quorum it saw first).
      const set = chain.setAt(height)!
      for (const store of stores) {
        const certificate = decodeCertificate(store.get(height)!.certificate)
        if (!certificate.ok) throw new Error(certificate.reason)
        for (const index of bitmapSigners(certificate.certificate.signers, set.validators.length) as number[]) {
          const id = set.validators[index].id
          signedFrom.set(id, [...new Set([...(signedFrom.get(id) ?? []), height])])
        }
      }
      expect(chain.record(height, beaconSetChangeOf(value))).toBeNull()
    }
    expect(chain.lastChange()).toMatchObject({ decidedAt: removed.decidedAt, from: removed.from })
    expect(chain.setAt(added.from - 1)!.validators.length).toBe(4)
    expect(chain.setAt(added.from)!.validators.length).toBe(5)
    expect(chain.setAt(removed.from)!.indexOf(removedId)).toBe(-1)
    // The fifth signs only from the height its set decides; the removed one never after its removal. (Whether the
    // fifth's precommit is among the first quorum a relay sees depends on timing: counted below, not asserted.)
    expect(Math.min(...(signedFrom.get(fifth) ?? [Infinity]))).toBeGreaterThanOrEqual(added.from)
    expect(Math.max(...(signedFrom.get(removedId) ?? [0]))).toBeLessThan(removed.from)

    // The admin's relay audits the requests; every relay audits both decided changes, in logs whose chains verify.
    for (const [i, relay] of relays.entries()) {
      const db = new Database(join(relay.dataDir, 'relay.sqlite'), { readonly: true })
      try {
        const rows = db.prepare("SELECT details FROM audit_log WHERE event = 'validator.change'").all() as { details: string }[]
        const stages = rows.map((r) => (JSON.parse(r.details) as { stage: string }).stage)
        expect(stages.filter((s) => s === 'decided').length, `relay ${i} decided changes`).toBe(2)
        expect(stages.filter((s) => s === 'requested').length).toBe(i === 0 ? 2 : 0)
        expect(await verifyAuditChain(readAll(new SqliteAuditStore(db)))).toMatchObject({ ok: true })
      } finally {
        db.close()
      }
    }
    mark('checked')
    console.log(
      `${phases.join(', ')}; added ${fifth.slice(-6)} at height ${added.decidedAt} (in force from ${added.from}), removed ${removedId.slice(-6)} at ${removed.decidedAt} (from ${removed.from}); ${last} heights verified on all five relays; the fifth signed ${signedFrom.get(fifth)?.length ?? 0} certificates`,
    )
  })
})

function readDecisions(dataDir: string): Map<number, { value: Buffer; certificate: Buffer }> {
  const db = new Database(join(dataDir, 'consensus.sqlite'), { readonly: true })
  try {
    const rows = db.prepare('SELECT height, value, certificate FROM bft_decisions WHERE chain_id = ? ORDER BY height').all(CHAIN) as {
      height: number
      value: Buffer
      certificate: Buffer
    }[]
    return new Map(rows.map((r) => [r.height, r]))
  } finally {
    db.close()
  }
}

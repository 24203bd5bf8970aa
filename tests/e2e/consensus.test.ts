import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { multiaddr } from '@multiformats/multiaddr'
import { sha256 } from '@noble/hashes/sha2.js'
import { RelayProcess } from './harness/relay-process'
import { createNodePeer, type NodePeer } from './harness/node-peer'
import { waitUntil } from './harness/wait'
import { decodeBftMessage, encodeBftMessage, type Proposal } from '../../workers/consensus/bft'
import { bitmapSigners, createRealScheme, decodeCertificate, verifyCertificate } from '../../workers/consensus/certificate'
import { decodeBeacon, parseValidatorSetFile, type LoadedValidatorSet } from '../../workers/consensus/adapter'
import { consensusMigrations } from '../../relay/consensus-store'
import { SqliteAuditStore } from '../../workers/security/node/sqlite-audit-store'
import { readAll } from '../../workers/security/audit/store'
import { verifyAuditChain } from '../../workers/security/audit/verify'

// Four relay processes (the relay CLI, real libp2p over loopback WebSockets, SQLite on disk)
// run BFT consensus on the demo beacon chain. Mid-height, the proposer of that height is
// SIGKILLed right after its proposal goes out; the other three (n = 4 tolerates f = 1) must
// still decide it and the rest. The killed one is then restarted from its data dir and must
// catch up without signing anything that conflicts with what it signed before the crash.
const VALIDATORS = 4
const MIN_HEIGHTS = 20
const CHAIN = 'e2e-consensus'

interface StoredDecision {
  height: number
  round: number
  value: Buffer
  certificate: Buffer
}

function readDecisions(dataDir: string): Map<number, StoredDecision> {
  const db = new Database(join(dataDir, 'consensus.sqlite'))
  try {
    expect(db.pragma('user_version', { simple: true })).toBe(consensusMigrations.length)
    const rows = db
      .prepare('SELECT height, round, value, certificate FROM bft_decisions WHERE chain_id = ? ORDER BY height')
      .all(CHAIN) as StoredDecision[]
    return new Map(rows.map((r) => [r.height, r]))
  } finally {
    db.close()
  }
}

async function decidedHeight(relay: RelayProcess): Promise<number> {
  try {
    return (await relay.health()).consensus?.lastDecision?.height ?? 0
  } catch {
    return 0
  }
}

describe('BFT consensus among four relay processes over libp2p', () => {
  const scheme = createRealScheme()
  let relays: RelayProcess[] = []
  let loaded: LoadedValidatorSet
  let observer: NodePeer | undefined
  const proposals: Proposal[] = []
  const onProposal = new Set<(p: Proposal) => void>()

  beforeAll(async () => {
    // What an operator does: print each relay's entry, assemble the set file, start them all with it.
    const setFile = join(mkdtempSync(join(tmpdir(), 'mesh-validators-')), 'validators.json')
    relays = await Promise.all(
      Array.from({ length: VALIDATORS }, () =>
        RelayProcess.create({ extraArgs: ['--validator-set', setFile, '--bft-interval-ms', '300'] }),
      ),
    )
    const entries = await Promise.all(relays.map((r) => r.validatorEntry()))
    const text = JSON.stringify({ chainId: CHAIN, validators: entries }, null, 2)
    writeFileSync(setFile, text)
    loaded = parseValidatorSetFile(text, scheme)
    await Promise.all(relays.map((r) => r.start()))

    // A plain mesh node that watches the consensus topic, as any node of the mesh may.
    observer = await createNodePeer(new Uint8Array(32).fill(42))
    observer.runtime.gossip.join(['bft.message'])
    observer.runtime.gossip.on('bft.message', (accepted) => {
      const decoded = decodeBftMessage(accepted.envelope.payload)
      if (!decoded.ok || decoded.message.kind !== 'proposal') return
      proposals.push(decoded.message)
      for (const listener of onProposal) listener(decoded.message)
    })
    for (const r of relays) await observer.node.dial(multiaddr(r.info!.multiaddrs[0]))
  })

  afterAll(async () => {
    await observer?.node.stop()
    await Promise.all(relays.map((r) => r.stop()))
  })

  it(`commits ${MIN_HEIGHTS}+ heights with identical values and verifying certificates while the proposer is killed mid-height, and the killed validator catches up after a restart`, async () => {
    const relayOf = (id: string) => relays.find((r) => r.info!.peerId === id)!

    // Pick a height a little ahead of what the observer sees now, and kill its round-0
    // proposer the moment its proposal arrives: before the prevotes and precommits it needs.
    await waitUntil(
      () => proposals.length,
      (n) => n > 0,
      'the observer to see a proposal',
      60_000,
    )
    const killHeight = Math.max(...proposals.map((p) => p.height)) + 3
    const finalHeight = Math.max(MIN_HEIGHTS, killHeight + 6)
    const killed = await new Promise<{ relay: RelayProcess; proposal: Proposal }>((resolveKill, rejectKill) => {
      const timer = setTimeout(() => rejectKill(new Error(`no proposal for height ${killHeight} seen`)), 90_000)
      const listener = (proposal: Proposal) => {
        if (proposal.height !== killHeight || proposal.round !== 0) return
        const relay = relayOf(loaded.set.validators[proposal.proposer].id)
        relay.kill()
        onProposal.delete(listener)
        clearTimeout(timer)
        resolveKill({ relay, proposal })
      }
      onProposal.add(listener)
    })
    const killedIndex = relays.indexOf(killed.relay)
    const survivors = relays.filter((r) => r !== killed.relay)
    // It died mid-height: its store has everything before the height and not the height itself.
    expect(Math.max(0, ...readDecisions(killed.relay.dataDir).keys())).toBe(killHeight - 1)

    await waitUntil(
      () => Promise.all(survivors.map(decidedHeight)),
      (hs) => hs.every((h) => h >= finalHeight),
      `the three survivors to reach height ${finalHeight}`,
      120_000,
    )

    await killed.relay.start()
    const survivorHeight = Math.min(...(await Promise.all(survivors.map(decidedHeight))))
    await waitUntil(
      () => decidedHeight(killed.relay),
      (h) => h >= survivorHeight,
      'the restarted validator to catch up',
      90_000,
    )
    // A mesh node without the validator role re-publishes a genuine proposal under its own
    // signature: each validator's inbound gate drops it as unauthorized (RBAC), so the
    // consensus adapter never sees it (its not-a-validator count below stays 0).
    const before = await Promise.all(survivors.map((r) => r.health()))
    await observer!.runtime.gossip.publishEncoded('bft.message', encodeBftMessage(proposals.at(-1)!))
    await waitUntil(
      () => Promise.all(survivors.map((r) => r.health())),
      (hs) => hs.every((h, i) => h.gate.rejected.unauthorized > before[i].gate.rejected.unauthorized),
      'every validator to refuse a bft.message from a non-validator',
      30_000,
    )
    const health = await Promise.all(relays.map((r) => r.health()))
    for (const h of health) {
      expect(h.consensus.equivocations).toBe(0)
      expect(h.consensus.rejected['not-a-validator']).toBe(0)
    }
    expect(survivors.length).toBe(3)
    await Promise.all(relays.map((r) => r.stop()))

    const stores = relays.map((r) => readDecisions(r.dataDir))
    const killHeightRounds = new Set<number>()
    for (let height = 1; height <= survivorHeight; height++) {
      const records = stores.map((s) => s.get(height))
      records.forEach((record, i) => expect(record, `validator ${i} at height ${height}`).toBeDefined())
      const value = records[0]!.value
      for (const record of records) expect(record!.value.equals(value), `identical values at height ${height}`).toBe(true)
      const beacon = decodeBeacon(value)
      if (typeof beacon === 'string') throw new Error(beacon)
      expect(beacon.height).toBe(height)
      // Height 1 names no previous value; every later one the hash of the value decided before it.
      const previous = height === 1 ? new Uint8Array(0) : sha256(stores[0].get(height - 1)!.value)
      expect(Buffer.from(beacon.previousValueId).equals(Buffer.from(previous)), `height ${height} extends height ${height - 1}`).toBe(true)
      for (const record of records) {
        const certificate = decodeCertificate(record!.certificate)
        if (!certificate.ok) throw new Error(certificate.reason)
        expect(verifyCertificate(certificate.certificate, loaded.set, scheme, { chainId: CHAIN, height, valueId: sha256(value) })).toEqual({
          ok: true,
        })
        const signers = bitmapSigners(certificate.certificate.signers, VALIDATORS) as number[]
        expect(new Set(signers).size).toBeGreaterThanOrEqual(2 * loaded.set.maxFaulty + 1)
        if (height === killHeight) killHeightRounds.add(record!.round)
      }
    }
    // Every validator audits each decision it reaches, in a log whose hash chain still verifies.
    for (const [i, relay] of relays.entries()) {
      const db = new Database(join(relay.dataDir, 'relay.sqlite'), { readonly: true })
      try {
        const audited = db.prepare("SELECT count(*) AS n FROM audit_log WHERE event = 'consensus.decision'").get() as { n: number }
        // Appends trail the decision by a moment: the last one before a stop or the kill may be missing.
        expect(audited.n, `validator ${i} audited decisions`).toBeGreaterThanOrEqual(stores[i].size - (i === killedIndex ? 2 : 1))
        expect(await verifyAuditChain(readAll(new SqliteAuditStore(db)))).toMatchObject({ ok: true })
      } finally {
        db.close()
      }
    }
    console.log(
      `killed validator ${killedIndex} (proposer of height ${killHeight}); that height was decided in round(s) ${[...killHeightRounds].join(', ')}; ${survivorHeight} heights checked on all four`,
    )
  })
})

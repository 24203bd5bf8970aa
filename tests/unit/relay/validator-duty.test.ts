import { describe, expect, it } from 'vitest'
import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveConfig } from '../../../relay/config'
import { openConsensusDatabase, SqliteConsensusStore } from '../../../relay/consensus-store'
import { loadOrCreateVoteSeed, relayValidatorEntry } from '../../../relay/validator'
import { parseValidatorSetFile } from '../../../workers/consensus/adapter'
import { createRealScheme } from '../../../workers/consensus/certificate'

describe('relay validator duty', () => {
  it('takes its options from flags and environment, and refuses peers without a PeerId', () => {
    expect(resolveConfig({}, {})).toMatchObject({ validatorSet: null, peers: [], bftIntervalMs: 1000 })
    const config = resolveConfig(
      { 'validator-set': 'set.json', 'bft-interval-ms': '250' },
      { MESH_PEERS: '/ip4/10.0.0.1/tcp/9090/ws/p2p/12D3KooWabc' },
    )
    expect(config.validatorSet).toMatch(/\/set\.json$/)
    expect(config.peers).toEqual(['/ip4/10.0.0.1/tcp/9090/ws/p2p/12D3KooWabc'])
    expect(config.bftIntervalMs).toBe(250)
    expect(() => resolveConfig({ peers: '/ip4/10.0.0.1/tcp/9090/ws' }, {})).toThrow(/\/p2p\/PEER_ID/)
    expect(() => resolveConfig({ 'bft-interval-ms': '-1' }, {})).toThrow(/bft-interval-ms/)
  })

  it('keeps its BLS vote key across restarts and prints an entry that a set file accepts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mesh-validator-'))
    const seed = loadOrCreateVoteSeed(dataDir)
    expect(loadOrCreateVoteSeed(dataDir)).toEqual(seed)
    expect(statSync(join(dataDir, 'validator-vote.key')).mode & 0o077).toBe(0)
    const config = resolveConfig({ 'data-dir': dataDir, 'ws-port': '9123' }, {})
    const entry = await relayValidatorEntry(config)
    expect(await relayValidatorEntry(config)).toEqual(entry)
    expect(entry.multiaddrs).toEqual([`/ip4/127.0.0.1/tcp/9123/ws/p2p/${entry.peerId}`])
    const loaded = parseValidatorSetFile(JSON.stringify({ chainId: 'one', validators: [entry] }), createRealScheme())
    expect(loaded.set.validators[0].id).toBe(entry.peerId)
  })

  it('stores state and decisions per chain in consensus.sqlite, and serves decisions in height order', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mesh-consensus-db-'))
    const db = openConsensusDatabase(dataDir)
    const store = new SqliteConsensusStore(db, 'a')
    const other = new SqliteConsensusStore(db, 'b')
    expect(await store.loadState()).toBeNull()
    expect(await store.lastDecision()).toBeNull()
    await store.saveState(new Uint8Array([1, 2]))
    await store.saveState(new Uint8Array([3]))
    for (const height of [1, 2, 3])
      await store.saveDecision({ height, round: 0, value: new Uint8Array([height]), certificate: new Uint8Array([9]), decidedAtMs: height })
    await store.saveDecision({ height: 2, round: 5, value: new Uint8Array([99]), certificate: new Uint8Array([9]), decidedAtMs: 0 }) // a decision never changes
    expect(await store.loadState()).toEqual(new Uint8Array([3]))
    expect(await other.loadState()).toBeNull()
    expect((await store.lastDecision())?.height).toBe(3)
    expect((await store.decisionsFrom(2, 16)).map((d) => [d.height, d.value[0]])).toEqual([
      [2, 2],
      [3, 3],
    ])
    expect(await other.decisionsFrom(1, 16)).toEqual([])
    db.close()
    const reopened = new SqliteConsensusStore(openConsensusDatabase(dataDir), 'a')
    expect((await reopened.lastDecision())?.height).toBe(3)
  })
})

import { describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeMessage } from 'protons-runtime'
import { resolveConfig } from '../../../relay/config'
import { relayValidatorEntry } from '../../../relay/validator'
import { runValidatorsCli } from '../../../relay/validators-cli'
import { openConsensusDatabase, SqliteConsensusStore } from '../../../relay/consensus-store'
import { loadAuthority } from '../../../relay/ca-files'
import { signAsAuthority } from '../../../workers/security/credentials/ca'
import { createSetChangeOrder, decodeSetChangeOrder, parseValidatorEntry } from '../../../workers/consensus/adapter'
import { BeaconRecord } from '../../../workers/consensus/adapter/beacon.pb'

const CHAIN = 'cli-chain'

function capture() {
  const lines: string[] = []
  const errors: string[] = []
  return { lines, errors, out: (line: string) => lines.push(line), err: (line: string) => errors.push(line) }
}

/** Five relay data dirs with their keys; the first four form the set, the first one's CA is the admin. */
async function fixture() {
  const dirs = Array.from({ length: 5 }, () => mkdtempSync(join(tmpdir(), 'mesh-validators-cli-')))
  const entries = await Promise.all(dirs.map((dir) => relayValidatorEntry(resolveConfig({ 'data-dir': dir }, {}))))
  const key = capture()
  expect(await runValidatorsCli(['admin-key', '--data-dir', dirs[0]], {}, key.out, key.err)).toBe(0)
  const adminKey = key.lines[0]
  expect(adminKey).toMatch(/^[0-9a-f]{64}$/)
  const setDir = mkdtempSync(join(tmpdir(), 'mesh-validators-set-'))
  const setFile = join(setDir, 'validators.json')
  writeFileSync(setFile, JSON.stringify({ chainId: CHAIN, validators: entries.slice(0, 4), admins: [adminKey] }))
  const fixedFile = join(setDir, 'fixed.json')
  writeFileSync(fixedFile, JSON.stringify({ chainId: CHAIN, validators: entries.slice(0, 4) }))
  const entryFile = join(setDir, 'new.json')
  writeFileSync(entryFile, JSON.stringify(entries[4]))
  openConsensusDatabase(dirs[0]).close()
  return { dirs, entries, setFile, fixedFile, entryFile }
}

async function run(args: string[]) {
  const io = capture()
  const code = await runValidatorsCli(args, {}, io.out, io.err)
  return { code, out: io.lines.join('\n'), err: io.errors.join('\n') }
}

describe('npm run relay -- validators', () => {
  it('explains itself and refuses what cannot work with the fix in the message', async () => {
    const { dirs, setFile, fixedFile, entryFile } = await fixture()
    expect((await run(['--help'])).out).toMatch(/validators add --entry FILE/)
    expect((await run(['add', '--help'])).code).toBe(0)
    expect((await run([])).code).toBe(2)
    expect(await run(['frobnicate', '--data-dir', dirs[0]])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/unknown command 'frobnicate'/),
    })
    expect(await run(['add', '--data-dir', dirs[0], '--entry', entryFile])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--validator-set FILE is required/),
    })
    expect(await run(['add', '--data-dir', dirs[3], '--validator-set', setFile, '--entry', entryFile])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/holds no consensus state/),
    })
    expect(await run(['add', '--data-dir', dirs[0], '--validator-set', fixedFile, '--entry', entryFile])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/names no admins, so its set is fixed: add "admins": \["[0-9a-f]{64}"\]/),
    })
    // Another relay's CA is no admin of this set.
    await runValidatorsCli(['admin-key', '--data-dir', dirs[1]], {}, () => {})
    openConsensusDatabase(dirs[1]).close()
    expect(await run(['add', '--data-dir', dirs[1], '--validator-set', setFile, '--entry', entryFile])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/is not among the admins/),
    })
    expect(await run(['add', '--data-dir', dirs[0], '--validator-set', setFile])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--entry FILE is required/),
    })
    expect(await run(['remove', '--data-dir', dirs[0], '--validator-set', setFile, '--peer', 'nope'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/'nope' is not a PeerId/),
    })
  })

  it('queues one signed order at a time, lists it, cancels it, and refuses impossible changes', async () => {
    const { dirs, entries, setFile, entryFile } = await fixture()
    const base = ['--data-dir', dirs[0], '--validator-set', setFile]
    const added = await run(['add', ...base, '--entry', entryFile])
    expect(added).toMatchObject({ code: 0, out: expect.stringMatching(`order 1: add ${entries[4].peerId}`) })
    const db = openConsensusDatabase(dirs[0])
    const store = new SqliteConsensusStore(db, CHAIN)
    const waiting = store.pendingOrder()!
    const decoded = decodeSetChangeOrder(waiting.order)
    if (!decoded.ok) throw new Error(decoded.reason)
    const ca = await loadAuthority(dirs[0])
    expect(decoded.order).toMatchObject({ chainId: CHAIN, seenHeight: 0, adminKey: ca.anchor.publicKey, change: { kind: 'add' } })
    expect((await run(['list', ...base])).out).toMatch(new RegExp(`1  add ${entries[4].peerId}  pending`))

    expect(await run(['remove', ...base, '--peer', entries[1].peerId])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/another change is waiting \(add .*order 1\)/),
    })
    expect((await run(['cancel', ...base])).out).toMatch(/cancelled order 1/)
    expect(await run(['remove', ...base, '--peer', entries[4].peerId])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/is not a validator/),
    })
    expect(await run(['add', ...base, '--entry', join(dirs[0], 'missing.json')])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/cannot read the entry/),
    })

    // Heights 1-3 decided, height 3 adding the fifth validator (from height 5): no new order before then.
    const order = await createSetChangeOrder(
      { chainId: CHAIN, change: { kind: 'add', validator: parseValidatorEntry(entries[4]).validator }, seenHeight: 2 },
      ca.anchor.publicKey,
      (message) => signAsAuthority(ca, message),
    )
    for (const height of [1, 2, 3]) {
      const value = encodeMessage(
        {
          height: BigInt(height),
          previousValueId: new Uint8Array(0),
          proposer: entries[0].peerId,
          timeMs: 0n,
          setChange: (height === 3 ? order : new Uint8Array(0)) as Uint8Array<ArrayBuffer>,
        },
        BeaconRecord.codec(),
      )
      await store.saveDecision({ height, round: 0, value, certificate: new Uint8Array(0), decidedAtMs: 0 })
    }
    db.close()
    expect(await run(['remove', ...base, '--peer', entries[1].peerId])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/decided at height 3\) takes effect at height 5: one change at a time/),
    })
    const listed = (await run(['list', ...base])).out
    expect(listed).toMatch(/decided up to height 3/)
    expect(listed).toMatch(/validators deciding height 4 \(4, quorum 3/)
    expect(listed).toMatch(new RegExp(`last change: add ${entries[4].peerId}, decided at height 3, in force from 5`))
    expect(listed).toMatch(/1  add .* cancelled: cancelled by an admin/)
  })
})

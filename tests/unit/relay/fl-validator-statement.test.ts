import { describe, expect, it } from 'vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../../relay/db'
import { flValidatorStatement } from '../../../relay/fl-validator-statement'
import type { FlValidatorKeys } from '../../../relay/validator'
import { createRealScheme, createRealSigner, createValidatorSet } from '../../../workers/consensus/certificate'
import { peerIdStringFromPublicKey } from '../../../workers/identity/ed25519'
import { decideTrustedSet, verifyValidatorSetStatement } from '../../../workers/fl/mesh/validator-statement'
import { makeAuthority, T0 } from '../security/fixtures'

const scheme = createRealScheme()
const signers = [1, 2, 3].map((i) => createRealSigner({ identitySeed: new Uint8Array(32).fill(i), voteSeed: new Uint8Array(48).fill(i) }))

function keysOf(count: number): FlValidatorKeys {
  const made = createValidatorSet(
    signers.slice(0, count).map((s) => ({
      id: peerIdStringFromPublicKey(s.identityKey),
      identityKey: s.identityKey,
      voteKey: s.voteKey,
      possession: s.proofOfPossession(),
    })),
    scheme,
  )
  if (!made.ok) throw new Error(made.reason)
  return { set: made.set, signer: signers[0], scheme, addresses: new Map() }
}

describe("the relay's signed federated validator set", () => {
  it('is signed once per set and kept across restarts, so browsers see a newer statement only when the set changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-statement-'))
    const ca = await makeAuthority()
    const db = openDatabase(dir)
    const first = await flValidatorStatement(db, ca, keysOf(1), T0)
    expect(first).toMatchObject({ issuedAtMs: T0, signedNow: true })
    const verdict = verifyValidatorSetStatement(first.statement, ca.anchor.publicKey, scheme)
    expect(verdict.ok && verdict.statement.set.hash).toEqual(keysOf(1).set.hash)
    db.close()

    const reopened = openDatabase(dir)
    const again = await flValidatorStatement(reopened, ca, keysOf(1), T0 + 60_000)
    expect(again).toMatchObject({ issuedAtMs: T0, signedNow: false })
    expect(again.statement).toEqual(first.statement)

    const changed = await flValidatorStatement(reopened, ca, keysOf(3), T0 + 120_000)
    expect(changed).toMatchObject({ issuedAtMs: T0 + 120_000, signedNow: true })
    // A browser that pinned the first statement follows the changed one.
    const decision = decideTrustedSet({
      pinned: { caPublicKey: ca.anchor.publicKey, statement: first.statement, legacySet: null },
      served: changed.statement,
      relayCaPublicKey: ca.anchor.publicKey,
      scheme,
    })
    expect(decision.kind).toBe('follow')

    // A data dir whose CA was replaced signs again under the new CA rather than serving the old CA's statement.
    const otherCa = await makeAuthority('Replacement CA')
    const resigned = await flValidatorStatement(reopened, otherCa, keysOf(3), T0 + 180_000)
    expect(resigned.signedNow).toBe(true)
    expect(verifyValidatorSetStatement(resigned.statement, otherCa.anchor.publicKey, scheme).ok).toBe(true)
    reopened.close()
  })
})

import { describe, expect, it } from 'vitest'
import {
  createRealScheme,
  createRealSigner,
  createValidatorSet,
  type Validator,
  type ValidatorSet,
} from '../../../workers/consensus/certificate'
import { peerIdStringFromPublicKey } from '../../../workers/identity/ed25519'
import {
  decideTrustedSet,
  MAX_STATEMENT_BYTES,
  signValidatorSetStatement,
  verifyValidatorSetStatement,
  type PinnedTrust,
} from '../../../workers/fl/mesh/validator-statement'
import { FlValidatorSetStatement } from '../../../workers/fl/mesh/validator-statement.pb'
import { ValidatorSetBody } from '../../../workers/consensus/certificate/wire.pb'
import { signAsAuthority } from '../../../workers/security/credentials/ca'
import { withDomain } from '../../../workers/common/domains'
import { makeAuthority, T0 } from '../security/fixtures'

const scheme = createRealScheme()
const members: Validator[] = [1, 2, 3, 4, 5].map((i) => {
  const s = createRealSigner({ identitySeed: new Uint8Array(32).fill(i), voteSeed: new Uint8Array(48).fill(i) })
  return { id: peerIdStringFromPublicKey(s.identityKey), identityKey: s.identityKey, voteKey: s.voteKey, possession: s.proofOfPossession() }
})

function setOf(...indices: number[]): ValidatorSet {
  const made = createValidatorSet(
    indices.map((i) => members[i]),
    scheme,
  )
  if (!made.ok) throw new Error(made.reason)
  return made.set
}

const caA = makeAuthority('CA A')
const caB = makeAuthority('CA B')

/** Signs an arbitrary statement body with the CA, as an attacker holding the key (or a buggy relay) could. */
async function signRaw(fields: { version?: number; issuedAtMs?: number; validatorSet: Uint8Array }): Promise<Uint8Array> {
  const unsigned = {
    version: fields.version ?? 1,
    issuedAtMs: BigInt(fields.issuedAtMs ?? T0),
    validatorSet: fields.validatorSet as Uint8Array<ArrayBuffer>,
    signature: new Uint8Array(0),
  }
  const signature = await signAsAuthority(await caA, withDomain('flValidatorSet', FlValidatorSetStatement.encode(unsigned)))
  return FlValidatorSetStatement.encode({ ...unsigned, signature: signature as Uint8Array<ArrayBuffer> })
}

describe('the CA-signed validator set statement', () => {
  it('verifies under the CA that signed it, with the set it was given', async () => {
    const set = setOf(0, 1, 2, 3)
    const bytes = await signValidatorSetStatement(await caA, set, T0)
    const verdict = verifyValidatorSetStatement(bytes, (await caA).anchor.publicKey, scheme)
    expect(verdict.ok).toBe(true)
    if (!verdict.ok) return
    expect(verdict.statement.issuedAtMs).toBe(T0)
    expect(verdict.statement.set.hash).toEqual(set.hash)
    expect(verdict.statement.set.validators.map((v) => v.id)).toEqual(set.validators.map((v) => v.id))
  })

  it('is refused under another CA, with any byte changed, or with bytes appended', async () => {
    const bytes = await signValidatorSetStatement(await caA, setOf(0, 1, 2, 3), T0)
    const key = (await caA).anchor.publicKey
    expect(verifyValidatorSetStatement(bytes, (await caB).anchor.publicKey, scheme)).toEqual({ ok: false, reason: 'not signed by this CA' })
    for (let i = 0; i < bytes.length; i += 7) {
      const altered = Uint8Array.from(bytes)
      altered[i] ^= 0x01
      expect(verifyValidatorSetStatement(altered, key, scheme).ok, `byte ${i} flipped`).toBe(false)
    }
    const appended = new Uint8Array(bytes.length + 2)
    appended.set(bytes)
    appended.set([0x28, 0x01], bytes.length) // field 5, varint 1: unknown to the schema
    expect(verifyValidatorSetStatement(appended, key, scheme)).toMatchObject({ ok: false, reason: /does not decode/ })
    expect(verifyValidatorSetStatement(new Uint8Array(MAX_STATEMENT_BYTES + 1), key, scheme)).toMatchObject({ ok: false, reason: /limit/ })
  })

  it('refuses what the CA signed when it is not a usable, canonical set of this version', async () => {
    const key = (await caA).anchor.publicKey
    const body = (validators: Validator[]) => ValidatorSetBody.encode({ validators: validators as ValidatorSetBody['validators'] })
    const sorted = setOf(0, 1, 2).validators
    expect(verifyValidatorSetStatement(await signRaw({ validatorSet: body([...sorted]) }), key, scheme).ok).toBe(true)
    expect(verifyValidatorSetStatement(await signRaw({ validatorSet: body([...sorted].reverse()) }), key, scheme)).toMatchObject({
      ok: false,
      reason: /canonical order/,
    })
    expect(verifyValidatorSetStatement(await signRaw({ version: 2, validatorSet: body([...sorted]) }), key, scheme)).toMatchObject({
      ok: false,
      reason: /version 2/,
    })
    const stolenPossession = [{ ...sorted[0], possession: sorted[1].possession }, sorted[1], sorted[2]]
    expect(verifyValidatorSetStatement(await signRaw({ validatorSet: body(stolenPossession) }), key, scheme)).toMatchObject({
      ok: false,
      reason: /proof of possession/,
    })
    expect(verifyValidatorSetStatement(await signRaw({ validatorSet: body([]) }), key, scheme)).toMatchObject({
      ok: false,
      reason: /empty/,
    })
  })
})

describe('which set a browser checks certificates against', () => {
  const decide = async (pinned: PinnedTrust | null, served: Uint8Array | null, relayCa = caA) =>
    decideTrustedSet({ pinned, served, relayCaPublicKey: (await relayCa).anchor.publicKey, scheme })

  it('pins the relay CA and its statement at the first join, and refuses a first set the CA did not sign', async () => {
    const statement = await signValidatorSetStatement(await caA, setOf(0), T0)
    const first = await decide(null, statement)
    expect(first.kind).toBe('pin')
    if (first.kind === 'pin') expect(first.caPublicKey).toEqual((await caA).anchor.publicKey)
    expect(await decide(null, statement, caB)).toMatchObject({ kind: 'refuse', reason: /not signed by this CA/ })
    expect(await decide(null, null)).toMatchObject({ kind: 'refuse', reason: /no CA-signed validator set/ })
  })

  it('follows a newer set the pinned CA signed, and keeps the pinned one against anything else', async () => {
    const key = (await caA).anchor.publicKey
    const pinnedBytes = await signValidatorSetStatement(await caA, setOf(0, 1, 2, 3), T0)
    const pinned: PinnedTrust = { caPublicKey: key, statement: pinnedBytes, legacySet: null }

    const same = await decide(pinned, await signValidatorSetStatement(await caA, setOf(0, 1, 2, 3), T0 + 5_000))
    expect(same).toMatchObject({ kind: 'keep', warning: null, issuedAtMs: T0 })

    const newer = await decide(pinned, await signValidatorSetStatement(await caA, setOf(0, 1, 2, 4), T0 + 1))
    expect(newer.kind).toBe('follow')
    if (newer.kind === 'follow') {
      expect(newer.statement.set.hash).toEqual(setOf(0, 1, 2, 4).hash)
      expect(newer.previous.hash).toEqual(setOf(0, 1, 2, 3).hash)
    }

    // A relay that lost its CA, or serves another mesh's set: a new CA that signs a set of its own choosing is not followed,
    // even when that relay is now the page's bootstrap CA.
    const foreign = await decide(pinned, await signValidatorSetStatement(await caB, setOf(4), T0 + 10_000), caB)
    expect(foreign).toMatchObject({ kind: 'keep', warning: /pinned CA did not sign/ })
    if (foreign.kind === 'keep') expect(foreign.set.hash).toEqual(setOf(0, 1, 2, 3).hash)

    const older = await decide(pinned, await signValidatorSetStatement(await caA, setOf(0, 1, 2, 4), T0 - 1))
    expect(older).toMatchObject({ kind: 'keep', warning: /older validator set/ })
    const equalTime = await decide(pinned, await signValidatorSetStatement(await caA, setOf(0, 1, 2, 4), T0))
    expect(equalTime).toMatchObject({ kind: 'keep', warning: /older validator set/ })

    expect(await decide(pinned, null)).toMatchObject({ kind: 'keep', warning: /serves no CA-signed/ })
    expect(await decide(pinned, new Uint8Array([1, 2, 3]))).toMatchObject({ kind: 'keep', warning: /pinned CA did not sign/ })

    const corrupted = Uint8Array.from(pinnedBytes)
    corrupted[corrupted.length - 1] ^= 1
    expect(await decide({ ...pinned, statement: corrupted }, pinnedBytes)).toMatchObject({ kind: 'refuse', reason: /no longer verifies/ })
  })

  it('upgrades a set pinned before sets were signed only when the relay CA signs that same set', async () => {
    const legacy: PinnedTrust = { caPublicKey: null, statement: null, legacySet: setOf(0, 1, 2, 3).validators }
    const sameSet = await decide(legacy, await signValidatorSetStatement(await caA, setOf(0, 1, 2, 3), T0))
    expect(sameSet.kind).toBe('pin')
    const otherSet = await decide(legacy, await signValidatorSetStatement(await caA, setOf(0, 1, 2, 4), T0))
    expect(otherSet).toMatchObject({ kind: 'keep', warning: /pinned before sets were signed/, issuedAtMs: null })
    if (otherSet.kind === 'keep') expect(otherSet.set.hash).toEqual(setOf(0, 1, 2, 3).hash)
    expect(await decide(legacy, null)).toMatchObject({ kind: 'keep' })
  })
})

import { describe, expect, it } from 'vitest'
import { createRealScheme, createRealSigner } from '../../../../workers/consensus/certificate'
import { parseValidatorSetFile, validatorEntry } from '../../../../workers/consensus/adapter'
import { peerIdStringFromPublicKey } from '../../../../workers/identity/ed25519'

const scheme = createRealScheme()
const signers = [1, 2, 3, 4].map((i) =>
  createRealSigner({ identitySeed: new Uint8Array(32).fill(i), voteSeed: new Uint8Array(48).fill(i) }),
)
const entries = signers.map((s) =>
  validatorEntry(peerIdStringFromPublicKey(s.identityKey), s, [
    `/ip4/127.0.0.1/tcp/900${s.identityKey[0] % 10}/ws/p2p/${peerIdStringFromPublicKey(s.identityKey)}`,
  ]),
)
const file = (validators: unknown[], chainId: unknown = 'c1') => JSON.stringify({ chainId, validators })

describe('validator-set file', () => {
  it('loads the entries validators print, ordered by PeerId, with their addresses', () => {
    const loaded = parseValidatorSetFile(file([...entries].reverse()), scheme)
    expect(loaded.chainId).toBe('c1')
    expect(loaded.set.validators.map((v) => v.id)).toEqual(entries.map((e) => e.peerId).sort())
    expect(loaded.set.quorum).toBe(3)
    expect(loaded.multiaddrs.get(entries[0].peerId)).toEqual(entries[0].multiaddrs)
  })

  it('refuses a file that is not what it claims, naming the problem', () => {
    expect(() => parseValidatorSetFile('{', scheme)).toThrow(/not JSON/)
    expect(() => parseValidatorSetFile(file(entries, ''), scheme)).toThrow(/chainId/)
    expect(() => parseValidatorSetFile(JSON.stringify({ chainId: 'c' }), scheme)).toThrow(/validators/)
    expect(() => parseValidatorSetFile(file([{ ...entries[0], voteKey: undefined }]), scheme)).toThrow(/voteKey is missing/)
    expect(() => parseValidatorSetFile(file([{ ...entries[0], identityKey: 'zz' }]), scheme)).toThrow(/not hex/)
    // A PeerId that does not belong to the identity key, and a vote key without its own proof of possession.
    expect(() => parseValidatorSetFile(file([{ ...entries[0], peerId: entries[1].peerId }, entries[2]]), scheme)).toThrow(/does not belong/)
    expect(() => parseValidatorSetFile(file([{ ...entries[0], possession: entries[1].possession }, entries[2]]), scheme)).toThrow(
      /proof of possession/,
    )
    expect(() => parseValidatorSetFile(file([entries[0], entries[0]]), scheme)).toThrow(/duplicate/)
    expect(() => parseValidatorSetFile(file([{ ...entries[0], multiaddrs: ['example.org:1'] }]), scheme)).toThrow(/multiaddrs/)
  })

  it('reads the admins allowed to change the set, and none means a fixed set', () => {
    const key = 'ab'.repeat(32)
    expect(parseValidatorSetFile(file(entries), scheme).admins).toEqual([])
    const withAdmins = parseValidatorSetFile(JSON.stringify({ chainId: 'c1', validators: entries, admins: [key] }), scheme)
    expect(withAdmins.admins).toEqual([new Uint8Array(32).fill(0xab)])
    expect(() => parseValidatorSetFile(JSON.stringify({ chainId: 'c1', validators: entries, admins: key }), scheme)).toThrow(/list of hex/)
    expect(() => parseValidatorSetFile(JSON.stringify({ chainId: 'c1', validators: entries, admins: ['ab'] }), scheme)).toThrow(
      /admins\[0\] is not a 32-byte hex Ed25519 key \(print one with: npm run relay -- validators admin-key\)/,
    )
  })
})

import { describe, expect, it } from 'vitest'
import { hmac } from '@noble/hashes/hmac.js'
import { sha512 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { bytesToNumberBE } from '@noble/curves/utils.js'
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { deriveMaster, deriveChild } from 'micro-key-producer/bls.js'
import { privateKeyFromRaw, generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import {
  entropyFromMnemonic,
  isValidMnemonic,
  mnemonicFromEntropy,
  generateMnemonic,
  seedFromMnemonic,
  seedFromMnemonicSync,
} from '../../../workers/security/keys/mnemonic'
import {
  deriveNodeKeys,
  identityPath,
  libp2pRawPrivateKey,
  peerIdOf,
  signingIdentityOf,
  slip10Ed25519,
} from '../../../workers/security/keys/derive'
import { blsProofOfPossession, verifyBlsProofOfPossession } from '../../../workers/security/keys/bls-pop'

// SLIP-0010, "Test vector 1 for ed25519" (seed 000102…0f): path, chain code, private key, public key.
const slip10Vector1: [string, string, string, string][] = [
  [
    'm',
    '90046a93de5380a72b5e45010748567d5ea02bbf6522f979e05c0d8d8ca9fffb',
    '2b4be7f19ee27bbf30c667b642d5f4aa69fd169872f8fc3059c08ebae2eb19e7',
    '00a4b2856bfec510abab89753fac1ac0e1112364e7d250545963f135f2a33188ed',
  ],
  [
    "m/0'",
    '8b59aa11380b624e81507a27fedda59fea6d0b779a778918a2fd3590e16e9c69',
    '68e0fe46dfb67e368c75379acec591dad19df3cde26e63b93a8e704f1dade7a3',
    '008c8a13df77a28f3445213a0f432fde644acaa215fc72dcdf300d5efaa85d350c',
  ],
  [
    "m/0'/1'",
    'a320425f77d1b5c2505a6b1b27382b37368ee640e3557c315416801243552f14',
    'b1d0bad404bf35da785a64ca1ac54b2617211d2777696fbffaf208f746ae84f2',
    '001932a5270f335bed617d5b935c80aedb1a35bd9fc1e31acafd5372c30f5c1187',
  ],
  [
    "m/0'/1'/2'",
    '2e69929e00b5ab250f49c3fb1c12f252de4fed2c1db88387094a0f8c4c9ccd6c',
    '92a5b23c0b8a99e37d07df3fb9966917f5d06e02ddbd909c7e184371463e9fc9',
    '00ae98736566d30ed0e9d2f4486a64bc95740d89c7db33f52121f8ea8f76ff0fc1',
  ],
  [
    "m/0'/1'/2'/2'",
    '8f6d87f93d750e0efccda017d662a1b31a266e4a6f5993b15f5c1f07f74dd5cc',
    '30d1dc7e5fc04c31219ab25a27ae00b50f6fd66622f6e9c913253d6511d1e662',
    '008abae2d66361c879b900d204ad2cc4984fa2aa344dd7ddc46007329ac76c429c',
  ],
  [
    "m/0'/1'/2'/2'/1000000000'",
    '68789923a0cac2cd5a29172a475fe9e0fb14cd6adb5ad98a3fa70333e7afa230',
    '8f94d394a8e8fd6b1bc2f3f49f5c47e385281d5c17e65324b0f62483e37e8793',
    '003c24da049451555d51a7014a37337aa4e12d41e485abccfa46b47dfb2af54b7a',
  ],
]

/** SLIP-0010 ed25519 written out from the spec, to check the library against. */
function referenceSlip10(seed: Uint8Array, path: string): { chainCode: Uint8Array; key: Uint8Array } {
  let I = hmac(sha512, new TextEncoder().encode('ed25519 seed'), seed)
  for (const part of path.split('/').slice(1)) {
    const index = (Number(part.replace("'", '')) + 0x80000000) >>> 0
    const data = new Uint8Array(37)
    data.set(I.slice(0, 32), 1)
    new DataView(data.buffer).setUint32(33, index)
    I = hmac(sha512, I.slice(32), data)
  }
  return { key: I.slice(0, 32), chainCode: I.slice(32) }
}

const testPhrase = mnemonicFromEntropy(Uint8Array.from({ length: 32 }, (_, i) => i))

describe('BIP-39 phrase', () => {
  it('matches the Trezor reference vectors', () => {
    const twelve = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
    expect(bytesToHex(seedFromMnemonicSync(twelve, 'TREZOR'))).toBe(
      'c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04',
    )
    const twentyFour = mnemonicFromEntropy(new Uint8Array(32))
    expect(twentyFour).toBe(`${'abandon '.repeat(23)}art`)
    expect(bytesToHex(seedFromMnemonicSync(twentyFour, 'TREZOR'))).toBe(
      'bda85446c68413707090a52022edd26a1c9462295029f2e60cd7c4f2bbd3097170af7a4d73245cafa9c3cca8d561a7c3de6f5d4a10be8ed2a5e608d68f92fcc8',
    )
  })

  it('round-trips entropy, tolerates sloppy typing and rejects a wrong checksum', async () => {
    expect(testPhrase.split(' ')).toHaveLength(24)
    expect(bytesToHex(entropyFromMnemonic(testPhrase))).toBe(bytesToHex(Uint8Array.from({ length: 32 }, (_, i) => i)))
    const sloppy = `  ${testPhrase.toUpperCase().split(' ').join('   ')}\n`
    expect(isValidMnemonic(sloppy)).toBe(true)
    expect(bytesToHex(await seedFromMnemonic(sloppy))).toBe(bytesToHex(seedFromMnemonicSync(testPhrase)))
    const words = testPhrase.split(' ')
    const swapped = [words[1], words[0], ...words.slice(2)].join(' ')
    expect(isValidMnemonic(swapped)).toBe(false)
    await expect(seedFromMnemonic(swapped)).rejects.toThrow(/checksum/)
    expect(() => mnemonicFromEntropy(new Uint8Array(16))).toThrow()
  })

  it('draws a fresh phrase from the injected randomness', () => {
    const phrase = generateMnemonic((n) => new Uint8Array(n).fill(7))
    expect(phrase).toBe(mnemonicFromEntropy(new Uint8Array(32).fill(7)))
  })
})

describe('SLIP-0010 ed25519 derivation', () => {
  const seed = hexToBytes('000102030405060708090a0b0c0d0e0f')
  it.each(slip10Vector1)('official test vector 1, %s', (path, chainCode, privateKey, publicKey) => {
    const derived = slip10Ed25519(seed, path)
    expect(bytesToHex(derived.secretKey)).toBe(privateKey)
    expect(`00${bytesToHex(derived.publicKey)}`).toBe(publicKey)
    expect(bytesToHex(referenceSlip10(seed, path).chainCode)).toBe(chainCode)
  })

  it('agrees with a from-the-spec implementation on the node paths', () => {
    const nodeSeed = seedFromMnemonicSync(testPhrase)
    for (const path of [identityPath(0), identityPath(3), "m/16717'/1'/0'"]) {
      expect(bytesToHex(slip10Ed25519(nodeSeed, path).secretKey)).toBe(bytesToHex(referenceSlip10(nodeSeed, path).key))
    }
  })
})

describe('EIP-2333 BLS derivation', () => {
  it('matches EIP-2333 test case 0', () => {
    const seed = seedFromMnemonicSync(
      'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about',
      'TREZOR',
    )
    const master = deriveMaster(seed)
    expect(bytesToNumberBE(master).toString()).toBe('6083874454709270928345386274498605044986640685124978867557563392430687146096')
    expect(bytesToNumberBE(deriveChild(master, 0)).toString()).toBe(
      '20397789859736650942317412262472558107875392172444076792671091975210932703118',
    )
  })
})

describe('node keys', () => {
  const seed = seedFromMnemonicSync(testPhrase)
  const keys = deriveNodeKeys(seed)

  it('are the pinned values for a fixed phrase (restoring on another browser gives the same node)', () => {
    expect(peerIdOf(keys.identity.publicKey)).toBe('12D3KooWCA3s3NJGankdDT6RtSvaYuPN6EuU1ESTc3j1zu98Qs2r')
    expect(bytesToHex(keys.identity.secretKey)).toBe('b78cbcb95aa54b6edb517cfc03d23361bb11829794cc887b873a34544cb93bf2')
    expect(bytesToHex(keys.voting.secretKey)).toBe('4f351f00a16c29fd7da7065b1be2ca125f8691da77fabc7d91b1aa5bba00ebdb')
    expect(bytesToHex(keys.voting.publicKey)).toBe(
      'b935dbd848f4752984add8ed72cda231e9a3e75ed46b51d1950cffcc521b50eaebc39fbb3b4b6a07be88819d60c617d8',
    )
    expect(bytesToHex(keys.agreement.publicKey)).toBe('8a8124bc3290e1039fdbe8384f57a4527e64aa80c0c004671f0c794faa2bb979')
    const again = deriveNodeKeys(seedFromMnemonicSync(entropyPhrase()))
    expect(bytesToHex(again.voting.publicKey)).toBe(bytesToHex(keys.voting.publicKey))
  })

  it('are consistent key pairs, distinct per purpose and per account', () => {
    expect(bytesToHex(ed25519.getPublicKey(keys.identity.secretKey))).toBe(bytesToHex(keys.identity.publicKey))
    expect(bytesToHex(x25519.getPublicKey(keys.agreement.secretKey))).toBe(bytesToHex(keys.agreement.publicKey))
    expect(keys.voting.publicKey).toHaveLength(48)
    expect(bytesToHex(keys.agreement.secretKey)).not.toBe(bytesToHex(keys.identity.secretKey))
    const other = deriveNodeKeys(seed, 1)
    expect(bytesToHex(other.identity.publicKey)).not.toBe(bytesToHex(keys.identity.publicKey))
    expect(bytesToHex(other.voting.publicKey)).not.toBe(bytesToHex(keys.voting.publicKey))
    const otherSeed = deriveNodeKeys(seedFromMnemonicSync(mnemonicFromEntropy(new Uint8Array(32).fill(1))))
    expect(bytesToHex(otherSeed.identity.publicKey)).not.toBe(bytesToHex(keys.identity.publicKey))
    expect(() => deriveNodeKeys(new Uint8Array(16))).toThrow()
    expect(() => deriveNodeKeys(seed, -1)).toThrow()
  })

  it('give libp2p the same PeerId through privateKeyFromRaw and from the seed form', async () => {
    const raw = libp2pRawPrivateKey(keys.identity)
    expect(raw).toHaveLength(64)
    const fromRaw = privateKeyFromRaw(raw)
    expect(fromRaw.type).toBe('Ed25519')
    expect(peerIdFromPrivateKey(fromRaw).toString()).toBe(peerIdOf(keys.identity.publicKey))
    const fromSeed = await generateKeyPairFromSeed('Ed25519', keys.identity.secretKey)
    expect(peerIdFromPrivateKey(fromSeed).toString()).toBe(peerIdOf(keys.identity.publicKey))
    expect(() => libp2pRawPrivateKey({ secretKey: keys.identity.secretKey, publicKey: keys.agreement.publicKey })).toThrow()
  })

  it('sign envelopes with the identity key', () => {
    const signer = signingIdentityOf(keys)
    const message = new TextEncoder().encode('hello')
    expect(ed25519.verify(signer.sign(message), message, keys.identity.publicKey)).toBe(true)
  })

  it('prove possession of the BLS key for this identity only', () => {
    const proof = blsProofOfPossession(keys.voting.secretKey, keys.voting.publicKey, keys.identity.publicKey)
    expect(verifyBlsProofOfPossession(keys.voting.publicKey, keys.identity.publicKey, proof)).toBe(true)
    const other = deriveNodeKeys(seed, 1)
    expect(verifyBlsProofOfPossession(other.voting.publicKey, keys.identity.publicKey, proof)).toBe(false)
    expect(verifyBlsProofOfPossession(keys.voting.publicKey, other.identity.publicKey, proof)).toBe(false)
    expect(verifyBlsProofOfPossession(keys.voting.publicKey, keys.identity.publicKey, new Uint8Array(96))).toBe(false)
  })
})

function entropyPhrase(): string {
  return mnemonicFromEntropy(Uint8Array.from({ length: 32 }, (_, i) => i))
}

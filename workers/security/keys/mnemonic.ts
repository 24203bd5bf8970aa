import { entropyToMnemonic, mnemonicToEntropy, mnemonicToSeed, mnemonicToSeedSync, validateMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'

/** 256 bits of entropy: a 24-word phrase. */
export const MNEMONIC_ENTROPY_BYTES = 32

/**
 * The backup phrase for a node's seed. Entropy is injected (the caller passes
 * crypto.getRandomValues output) so that the function stays deterministic under test.
 */
export function mnemonicFromEntropy(entropy: Uint8Array): string {
  if (entropy.length !== MNEMONIC_ENTROPY_BYTES)
    throw new Error(`mnemonic entropy is ${MNEMONIC_ENTROPY_BYTES} bytes, got ${entropy.length}`)
  return entropyToMnemonic(entropy, wordlist)
}

export function generateMnemonic(random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  return mnemonicFromEntropy(random(MNEMONIC_ENTROPY_BYTES))
}

/** Tolerates the spacing and capitalisation a person types when restoring a phrase. */
export function normalizeMnemonic(phrase: string): string {
  return phrase.trim().toLowerCase().split(/\s+/).join(' ')
}

export function isValidMnemonic(phrase: string): boolean {
  return validateMnemonic(normalizeMnemonic(phrase), wordlist)
}

/** The phrase's entropy: the compact form to persist (the phrase is recomputed from it to show again). */
export function entropyFromMnemonic(phrase: string): Uint8Array {
  return mnemonicToEntropy(normalizeMnemonic(phrase), wordlist)
}

/**
 * BIP-39 seed (PBKDF2-HMAC-SHA512, 2048 rounds; 64 bytes). The async form yields to the
 * event loop, which the page needs: the sync form blocks for tens of milliseconds.
 */
export function seedFromMnemonic(phrase: string, passphrase = ''): Promise<Uint8Array> {
  const normalized = normalizeMnemonic(phrase)
  if (!validateMnemonic(normalized, wordlist))
    return Promise.reject(new Error('not a valid BIP-39 English phrase (a word is misspelt or the checksum fails)'))
  return mnemonicToSeed(normalized, passphrase)
}

export function seedFromMnemonicSync(phrase: string, passphrase = ''): Uint8Array {
  const normalized = normalizeMnemonic(phrase)
  if (!validateMnemonic(normalized, wordlist))
    throw new Error('not a valid BIP-39 English phrase (a word is misspelt or the checksum fails)')
  return mnemonicToSeedSync(normalized, passphrase)
}

// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata
// polyfill loaded first; every use of the library goes through this module for that reason.
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'

x509.cryptoProvider.set(globalThis.crypto)

export { x509 }

export const ED25519 = { name: 'Ed25519' } as const

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the 32 key bytes follow. */
const ED25519_SPKI_PREFIX = new Uint8Array([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00])

export function ed25519KeyFromSpki(spki: Uint8Array): Uint8Array | undefined {
  if (spki.length !== ED25519_SPKI_PREFIX.length + 32) return undefined
  for (let i = 0; i < ED25519_SPKI_PREFIX.length; i++) if (spki[i] !== ED25519_SPKI_PREFIX[i]) return undefined
  return spki.slice(ED25519_SPKI_PREFIX.length)
}

export function importEd25519PublicKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, ED25519, true, ['verify'])
}

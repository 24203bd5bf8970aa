import { ed25519 } from '@noble/curves/ed25519.js'
import { hex } from '../common/bytes'

export interface SignatureCheck {
  readonly publicKey: Uint8Array
  readonly message: Uint8Array
  readonly signature: Uint8Array
}

/** Checks many Ed25519 signatures at once; batching lets a worker amortise the hop. */
export type BatchVerifier = (checks: readonly SignatureCheck[]) => Promise<boolean[]>

const importedKeys = new Map<string, Promise<CryptoKey | null>>()
const MAX_CACHED_KEYS = 4096

function importEd25519(publicKey: Uint8Array): Promise<CryptoKey | null> {
  const id = hex(publicKey)
  let key = importedKeys.get(id)
  if (!key) {
    key = crypto.subtle.importKey('raw', publicKey as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify']).catch(() => null)
    if (importedKeys.size >= MAX_CACHED_KEYS) importedKeys.delete(importedKeys.keys().next().value!)
    importedKeys.set(id, key)
  }
  return key
}

let webCryptoWorks: boolean | undefined

/**
 * Verifies with the platform's native Ed25519 (WebCrypto in Node 22 and Chromium), which is
 * many times faster than pure JS; falls back to @noble where WebCrypto lacks Ed25519.
 */
export const verifyEd25519Batch: BatchVerifier = async (checks) => {
  if (webCryptoWorks !== false) {
    try {
      const results = await Promise.all(
        checks.map(async (c) => {
          if (c.publicKey.length !== 32 || c.signature.length !== 64) return false
          const key = await importEd25519(c.publicKey)
          if (!key) return false
          return crypto.subtle.verify('Ed25519', key, c.signature as Uint8Array<ArrayBuffer>, c.message as Uint8Array<ArrayBuffer>)
        }),
      )
      webCryptoWorks = true
      return results
    } catch {
      if (webCryptoWorks === true) throw new Error('WebCrypto Ed25519 verification failed unexpectedly')
      webCryptoWorks = false
    }
  }
  return checks.map((c) => {
    try {
      return ed25519.verify(c.signature, c.message, c.publicKey)
    } catch {
      return false
    }
  })
}

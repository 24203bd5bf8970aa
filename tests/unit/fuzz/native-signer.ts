import { createPrivateKey, sign } from 'node:crypto'
import { identityFromSeed, type SigningIdentity } from '../../../workers/identity/ed25519'

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

/**
 * The same identity as `identityFromSeed(seed)`, signing with Node's native Ed25519 (tens of
 * times faster than pure JS), so the fuzz suites can sign thousands of honest messages.
 */
export function nativeIdentity(seed: Uint8Array): SigningIdentity {
  const slow = identityFromSeed(seed)
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' })
  return { ...slow, sign: (message) => new Uint8Array(sign(null, message, key)) }
}

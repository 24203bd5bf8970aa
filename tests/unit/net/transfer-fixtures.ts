import { identityFromSeed } from '../../../workers/identity/ed25519'
import { createEnvelopeSigner } from '../../../workers/protocol/envelope'
import { InboundValidator } from '../../../workers/protocol/inbound'
import { verifyEd25519Batch } from '../../../workers/protocol/verify'
import { webCryptoSha256 } from '../../../workers/net/blob-store'
import type { TransferDeps } from '../../../workers/net/transfer'
import { silentLogger } from '../../../workers/log'
import { messageKinds } from '../../../workers/kinds'

/** The serving and the fetching side of the transfer tests. */
export const transferServer = identityFromSeed(new Uint8Array(32).fill(7))
export const transferClient = identityFromSeed(new Uint8Array(32).fill(8))

/** What one side of a transfer needs: the real inbound gate, signer and SHA-256, no logging. */
export function transferDeps(identity: typeof transferServer): TransferDeps {
  return {
    validator: new InboundValidator({ kinds: messageKinds, verify: verifyEd25519Batch }),
    signer: createEnvelopeSigner(identity, messageKinds),
    sha256: webCryptoSha256,
    log: silentLogger,
  }
}

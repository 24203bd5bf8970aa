import { encodeMessage } from 'protons-runtime'
import { CommitSignBytes } from './wire.pb'
import { signingDomains } from '../../common/domains'

/** What each validator's vote key signs when it precommits `valueId` at (height, round); a certificate aggregates exactly these. */
export function commitSignBytes(chainId: string, height: number, round: number, valueId: Uint8Array): Uint8Array {
  return encodeMessage(
    { domain: signingDomains.bftCommit, chainId, height: BigInt(height), round, valueId } as CommitSignBytes,
    CommitSignBytes.codec(),
  )
}

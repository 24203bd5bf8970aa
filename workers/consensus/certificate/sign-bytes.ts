import { encodeMessage } from 'protons-runtime'
import { CommitSignBytes } from './wire'

const COMMIT_DOMAIN = 'agent-mesh/bft/commit/v1'

/** What each validator's vote key signs when it precommits `valueId` at (height, round); a certificate aggregates exactly these. */
export function commitSignBytes(chainId: string, height: number, round: number, valueId: Uint8Array): Uint8Array {
  return encodeMessage({ domain: COMMIT_DOMAIN, chainId, height: BigInt(height), round, valueId } as CommitSignBytes, CommitSignBytes.codec())
}

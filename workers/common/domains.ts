import { concatBytes } from '@noble/hashes/utils.js'

/**
 * Every tag the mesh signs under, one list, so no two purposes can ever share one: a
 * signature made for one kind of statement never verifies as another. Changing a tag
 * invalidates every signature made under it (stored audit logs, credentials' grants).
 */
export const signingDomains = {
  envelope: 'agent-mesh/envelope/v1',
  grant: 'agent-mesh/grant/v1',
  revocation: 'agent-mesh/revocation/v1',
  auditEntry: 'agent-mesh/audit/v1',
  auditHead: 'agent-mesh/audit-head/v1',
  sealedAssociatedData: 'agent-mesh/sealed-ad/v1',
  validatorSetChange: 'agent-mesh/validator-set-change/v1',
  flValidatorSet: 'agent-mesh/fl-validator-set/v1',
  // Carried inside the signed protobuf's own `domain` field rather than as a prefix.
  bftVote: 'agent-mesh/bft/vote/v1',
  bftProposal: 'agent-mesh/bft/proposal/v1',
  bftCommit: 'agent-mesh/bft/commit/v1',
} as const

export type SigningDomain = keyof typeof signingDomains

const prefixes = new Map<SigningDomain, Uint8Array>()

/** The domain's tag, a NUL, then the body: what a prefixed-domain signature covers. */
export function withDomain(domain: SigningDomain, body: Uint8Array): Uint8Array {
  let prefix = prefixes.get(domain)
  if (!prefix) prefixes.set(domain, (prefix = new TextEncoder().encode(`${signingDomains[domain]}\0`)))
  return concatBytes(prefix, body)
}

/**
 * BLS12-381 hash-to-curve tags of the IETF BLS signature draft's proof-of-possession
 * ciphersuite: votes under one, proofs of possession under the other.
 */
export const BLS_VOTE_DST = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_'
export const BLS_POP_DST = 'BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_'

/** What a proof of possession signs: the BLS public key followed by the node's Ed25519 identity key. */
export function blsPossessionMessage(voteKey: Uint8Array, identityKey: Uint8Array): Uint8Array {
  return concatBytes(voteKey, identityKey)
}

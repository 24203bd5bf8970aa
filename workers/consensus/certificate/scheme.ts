/**
 * The signature operations BFT consensus needs, behind one interface so that bulk
 * simulations can swap the slow real crypto (Ed25519 + BLS12-381, see real-scheme.ts) for
 * a fast stand-in with the same unforgeability inside the simulation.
 *
 * Two key kinds per validator:
 *  - the identity key (Ed25519 in production) signs every consensus message, so messages
 *    can be forwarded and checked one by one;
 *  - the vote key (BLS12-381 in production) additionally signs non-nil precommits, so that
 *    a quorum of them folds into one aggregate signature: the commit certificate.
 */
/** Verification never throws: malformed bytes verify as false. */
export interface SignatureScheme {
  /** Shown in reports and certificates' debug output; not part of any signed bytes. */
  readonly name: string
  verifyMessage(identityKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean
  verifyVote(voteKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean
  /** Folds signatures over the same message into one; the order must not matter. */
  aggregateVotes(signatures: readonly Uint8Array[]): Uint8Array
  /** Checks an aggregate of signatures by every one of `voteKeys` over one message. */
  verifyAggregateVote(voteKeys: readonly Uint8Array[], message: Uint8Array, aggregate: Uint8Array): boolean
  /**
   * Proof that the holder of `voteKey` knows its secret, bound to `identityKey`. Without it a
   * rogue key (chosen as someone else's key subtracted from one's own) could forge aggregates.
   */
  verifyPossession(identityKey: Uint8Array, voteKey: Uint8Array, proof: Uint8Array): boolean
}

/** One validator's private side. */
export interface ValidatorSigner {
  readonly identityKey: Uint8Array
  readonly voteKey: Uint8Array
  signMessage(message: Uint8Array): Uint8Array
  signVote(message: Uint8Array): Uint8Array
  /** The proof that verifyPossession accepts for this signer's keys. */
  proofOfPossession(): Uint8Array
}

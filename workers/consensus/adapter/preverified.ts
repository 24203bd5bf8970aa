import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { equalBytes } from '../../common/bytes'
import type { BatchVerifier, SignatureCheck } from '../../protocol/verify'
import type { SignatureScheme, ValidatorSet } from '../certificate'
import type { BftMessage, Proposal, Vote } from '../bft/types'
import { proposalSignBytes, voteSignBytes } from '../bft/sign-bytes'

/** Checks confirmed but not yet taken by the core; more means messages the core never stepped. */
const MAX_CONFIRMED = 4096

/**
 * The consensus core checks each proposal's and vote's Ed25519 signature synchronously (its
 * SignatureScheme is), which in a browser means pure JS on the page's thread, about 1 ms each.
 * The adapter checks them first with an asynchronous verifier (the page's crypto worker, native
 * WebCrypto there) and records each (key, bytes, signature) that verified; the core's scheme
 * then finds it and skips its own check. Anything not confirmed here (a check that failed, or
 * bytes the core signs differently) still goes through the core's own verification, so this
 * only ever saves work: it cannot make a bad signature pass.
 */
export class PreverifiedSignatures {
  /** By signature (hex); the key and bytes must match too, so a valid signature cannot vouch for other bytes. */
  private readonly confirmed = new Map<string, { readonly key: Uint8Array; readonly message: Uint8Array }>()
  hits = 0

  constructor(
    private readonly verify: BatchVerifier,
    private readonly chainId: string,
  ) {}

  /** `inner` with its Ed25519 check answered from what was confirmed, else by `inner`. */
  scheme(inner: SignatureScheme): SignatureScheme {
    return {
      ...inner,
      verifyMessage: (key, message, signature) => this.take(key, message, signature) || inner.verifyMessage(key, message, signature),
    }
  }

  /** Verifies the signatures `message` carries (a proposal's, its justification's, a vote's) against `set`. */
  async confirm(message: BftMessage, set: ValidatorSet): Promise<void> {
    const checks = this.checksOf(message, set)
    if (checks.length === 0) return
    const results = await this.verify(checks)
    checks.forEach((check, i) => {
      if (!results[i]) return
      if (this.confirmed.size >= MAX_CONFIRMED) this.confirmed.delete(this.confirmed.keys().next().value!)
      this.confirmed.set(bytesToHex(check.signature), { key: check.publicKey, message: check.message })
    })
  }

  private take(key: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    const id = bytesToHex(signature)
    const entry = this.confirmed.get(id)
    if (!entry || !equalBytes(entry.key, key) || !equalBytes(entry.message, message)) return false
    this.confirmed.delete(id)
    this.hits++
    return true
  }

  private checksOf(message: BftMessage, set: ValidatorSet): SignatureCheck[] {
    if (message.kind === 'vote') return this.voteChecks([message], set)
    if (message.kind !== 'proposal') return []
    const proposer = set.validators[message.proposer]
    if (!proposer) return []
    return [
      { publicKey: proposer.identityKey, message: this.proposalBytes(message), signature: message.signature },
      ...this.voteChecks(message.justification, set),
    ]
  }

  private voteChecks(votes: readonly Vote[], set: ValidatorSet): SignatureCheck[] {
    return votes.flatMap((vote) => {
      const signer = set.validators[vote.validator]
      return signer ? [{ publicKey: signer.identityKey, message: voteSignBytes(this.chainId, vote), signature: vote.signature }] : []
    })
  }

  private proposalBytes(proposal: Proposal): Uint8Array {
    return proposalSignBytes(this.chainId, { ...proposal, valueId: sha256(proposal.value) })
  }
}

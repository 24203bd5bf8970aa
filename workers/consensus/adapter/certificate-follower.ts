import { sha256 } from '@noble/hashes/sha2.js'
import { bitmapSigners, decodeCertificate, ValidatorChain, type CommitCertificate, type SetChange } from '../certificate'
import type { SignatureScheme, ValidatorSet } from '../certificate'

/** What a follower made of one decided height. */
export type FollowVerdict =
  | { readonly ok: true; readonly height: number; readonly signers: readonly string[]; readonly setSize: number }
  | { readonly ok: false; readonly height: number; readonly reason: string }

/**
 * A node's own check of a chain's certificates from the validator set it pinned at join: each
 * decided height, in order, must carry a certificate of its value signed by a quorum of the set
 * in force at that height, which the follower derives by applying each committed set change
 * (decided at h, in force from h + delay) to the pinned set. It never takes a set from anyone:
 * a relay that served another set later cannot make it accept a certificate.
 *
 * A height that fails stops the follower there (later sets would derive from an unchecked
 * value); it reports the reason. Pure: no I/O.
 */
export class CertificateFollower {
  private readonly chain: ValidatorChain
  private problem: { readonly height: number; readonly reason: string } | null = null
  verifiedCount = 0

  constructor(
    pinned: ValidatorSet,
    scheme: SignatureScheme,
    private readonly chainId: string,
    private readonly setChangeOf: (value: Uint8Array) => SetChange | null,
  ) {
    this.chain = new ValidatorChain(pinned, scheme)
  }

  /** The highest height whose certificate verified. */
  get height(): number {
    return this.chain.height
  }

  /** The first height that did not verify, and why (null: none). */
  get failure(): { readonly height: number; readonly reason: string } | null {
    return this.problem
  }

  /** The set the follower expects to decide `height` (null beyond what the checked chain determines). */
  setAt(height: number): ValidatorSet | null {
    return this.chain.setAt(height)
  }

  lastChange(): ReturnType<ValidatorChain['lastChange']> {
    return this.chain.lastChange()
  }

  /**
   * Checks the next height. Heights already checked are answered again without work (a
   * decision may reach a node twice: from its own votes and from the store); a gap is refused.
   */
  follow(height: number, value: Uint8Array, certificate: CommitCertificate | Uint8Array): FollowVerdict {
    if (this.problem) return { ok: false, height, reason: `stopped at height ${this.problem.height}: ${this.problem.reason}` }
    if (height <= this.chain.height) return { ok: false, height, reason: `height ${height} was already checked` }
    if (height !== this.chain.height + 1)
      return { ok: false, height, reason: `height ${height} arrived before height ${this.chain.height + 1}` }
    let decoded: CommitCertificate
    if (certificate instanceof Uint8Array) {
      const result = decodeCertificate(certificate)
      if (!result.ok) return this.fail(height, `certificate does not decode: ${result.reason}`)
      decoded = result.certificate
    } else decoded = certificate
    const set = this.chain.setAt(height)!
    const verdict = this.chain.verify(decoded, { chainId: this.chainId, height, valueId: sha256(value) })
    if (!verdict.ok) return this.fail(height, verdict.reason)
    const recorded = this.chain.record(height, this.setChangeOf(value))
    if (recorded) return this.fail(height, `its set change does not apply: ${recorded}`)
    this.verifiedCount++
    const indices = bitmapSigners(decoded.signers, set.validators.length)
    const signers = Array.isArray(indices) ? indices.map((i) => set.validators[i].id) : []
    return { ok: true, height, signers, setSize: set.validators.length }
  }

  private fail(height: number, reason: string): FollowVerdict {
    this.problem = { height, reason }
    return { ok: false, height, reason }
  }
}

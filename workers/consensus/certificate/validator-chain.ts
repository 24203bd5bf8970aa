import { createValidatorSet, type Validator, type ValidatorSet } from './validator-set'
import { verifyCertificate, type CertificateExpectation, type CommitCertificate, type Verdict } from './certificate'
import type { SignatureScheme } from './scheme'

/** One validator joins or leaves; a decided value carries at most one. */
export type SetChange = { readonly kind: 'add'; readonly validator: Validator } | { readonly kind: 'remove'; readonly id: string }

/** Heights from a decided change to the first height the new set decides: the next height is already under way when a height is decided. */
export const DEFAULT_SET_CHANGE_DELAY = 2

/**
 * The validator set of every height, derived from the committed chain alone, as CometBFT
 * does: a change decided at height h takes effect from h + delay, and a change may be decided
 * only when no earlier one is still pending, so consecutive sets differ by one validator.
 *
 * Why one at a time: a quorum of a set of n is more than 2n/3 of it. For sets S (n members)
 * and S' = S plus or minus one validator, any quorum of S and any quorum of S' share more
 * than 2n/3 + 2(n ± 1)/3 - (n + 1) >= (n - 1)/3 >= f validators, so at least f + 1: one of
 * them honest. Whoever trusted S can therefore trust S' once a quorum of S certified the
 * change, and an honest validator's locks and votes carry across the boundary.
 *
 * Any node (validator, relay or browser) keeps one, starting from the set it pinned: it checks
 * each decided height's certificate against the set for that height and then records the
 * height's change, if any. Pure: no I/O, no clock.
 */
export class ValidatorChain {
  /** Sets by first height, ascending; the first is the pinned one. */
  private readonly epochs: { from: number; set: ValidatorSet; change: SetChange | null; decidedAt: number }[]
  private decided: number

  constructor(
    pinned: ValidatorSet,
    private readonly scheme: SignatureScheme,
    /** The first height the pinned set decides (a node that joins later pins the set of the height it starts from). */
    readonly pinnedFrom = 1,
    readonly delay = DEFAULT_SET_CHANGE_DELAY,
  ) {
    if (!Number.isSafeInteger(pinnedFrom) || pinnedFrom < 1) throw new Error(`bad pinned height ${pinnedFrom}`)
    if (!Number.isSafeInteger(delay) || delay < 2)
      throw new Error(`a set change takes effect at least 2 heights after its decision, got ${delay}`)
    this.epochs = [{ from: pinnedFrom, set: pinned, change: null, decidedAt: pinnedFrom - 1 }]
    this.decided = pinnedFrom - 1
  }

  /** The highest height recorded. */
  get height(): number {
    return this.decided
  }

  /** The set deciding `height`, or null when it is before the pinned height or beyond what the recorded chain determines. */
  setAt(height: number): ValidatorSet | null {
    if (!Number.isSafeInteger(height) || height < this.epochs[0].from || height > this.decided + this.delay) return null
    for (let i = this.epochs.length - 1; i >= 0; i--) if (this.epochs[i].from <= height) return this.epochs[i].set
    return null
  }

  /** The change decided last, with the height from which it applies (for status displays). */
  lastChange(): { readonly change: SetChange; readonly decidedAt: number; readonly from: number } | null {
    const last = this.epochs[this.epochs.length - 1]
    return last.change ? { change: last.change, decidedAt: last.decidedAt, from: last.from } : null
  }

  /** Why `change` cannot be decided at the next height (null: it can); the validity rule every validator applies to a proposal carrying one. */
  changeProblem(change: SetChange): string | null {
    const next = this.apply(change)
    return typeof next === 'string' ? next : null
  }

  /** Records the decision of the next height, with its change if it carried one; returns why not, or null. */
  record(height: number, change: SetChange | null): string | null {
    if (height !== this.decided + 1) return `heights are recorded in order: expected ${this.decided + 1}, got ${height}`
    if (change) {
      const next = this.apply(change)
      if (typeof next === 'string') return next
      this.epochs.push({ from: height + this.delay, set: next, change, decidedAt: height })
    }
    this.decided = height
    return null
  }

  /** Checks a decided height's certificate against the set of its height: record the heights before it first. */
  verify(certificate: CommitCertificate, expect: CertificateExpectation = {}): Verdict {
    const set = typeof certificate?.height === 'number' ? this.setAt(certificate.height) : null
    if (!set)
      return { ok: false, reason: `no validator set known for height ${certificate?.height} (the chain is followed up to ${this.decided})` }
    return verifyCertificate(certificate, set, this.scheme, expect)
  }

  private apply(change: SetChange): ValidatorSet | string {
    const next = this.decided + 1
    const last = this.epochs[this.epochs.length - 1]
    if (last.from > next) return `a set change is pending until height ${last.from}: one change at a time`
    const set = last.set
    if (change?.kind === 'add') {
      if (set.indexOf(change.validator.id) >= 0) return `${change.validator.id} is already a validator`
      const created = createValidatorSet([...set.validators, change.validator], this.scheme)
      return created.ok ? created.set : created.reason
    }
    if (change?.kind === 'remove') {
      if (set.indexOf(change.id) < 0) return `${change.id} is not a validator`
      if (set.validators.length <= 1) return 'the last validator cannot be removed'
      const created = createValidatorSet(
        set.validators.filter((v) => v.id !== change.id),
        this.scheme,
      )
      return created.ok ? created.set : created.reason
    }
    return 'unknown set change'
  }
}

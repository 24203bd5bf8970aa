/**
 * Safety properties, checked as a run goes (every violation is recorded, none thrown):
 *  - agreement: no two honest validators decide different values at one height;
 *  - validity: honest validators decide only values the application accepts;
 *  - certificates: every decision's certificate verifies and has at least a quorum of
 *    distinct signers;
 *  - order: each validator decides heights one by one, each once;
 *  - no honest equivocation: an honest validator never signs two different proposals or
 *    two different votes for one (height, round, type), across crashes and restarts too.
 */
import {
  bitmapSigners,
  encodeCertificate,
  verifyCertificate,
  type SetChange,
  type SignatureScheme,
  type ValidatorChain,
  type ValidatorSet,
  type Verdict,
} from '../../../workers/consensus/certificate'
import type { Decision, Proposal, Vote } from '../../../workers/consensus/bft'
import { hex } from '../../../workers/common/bytes'

function hexOrNil(bytes: Uint8Array | null): string {
  return bytes === null ? 'nil' : hex(bytes)
}

export class SafetyChecker {
  readonly violations: string[] = []
  /** First honest decision per height: value (as text) and who made it. */
  readonly decided = new Map<number, { value: string; by: number }>()
  /** Highest height each honest validator has decided. */
  readonly decidedUpTo = new Map<number, number>()
  decisionCount = 0
  private readonly signedSlots = new Map<string, string>()
  private readonly verdicts = new Map<string, Verdict>()

  constructor(
    private readonly chainId: string,
    private readonly set: ValidatorSet,
    private readonly scheme: SignatureScheme,
    private readonly isValid: (value: Uint8Array) => boolean,
    /** With set changes: an observer that pinned `set` and follows the decided chain checks each certificate against its height's set. */
    private follow?: { readonly chain: ValidatorChain; changeOf(value: Uint8Array): SetChange | null },
  ) {}

  get safe(): boolean {
    return this.violations.length === 0
  }

  onDecision(validator: number, decision: Decision): void {
    this.decisionCount++
    const value = new TextDecoder().decode(decision.value)
    const previous = this.decidedUpTo.get(validator) ?? 0
    if (decision.height !== previous + 1) this.violations.push(`validator ${validator} decided height ${decision.height} after ${previous}`)
    this.decidedUpTo.set(validator, Math.max(previous, decision.height))
    const first = this.decided.get(decision.height)
    const set = this.follow ? this.follow.chain.setAt(decision.height) : this.set
    if (!first) this.decided.set(decision.height, { value, by: validator })
    else if (first.value !== value)
      this.violations.push(
        `agreement: at height ${decision.height} validator ${first.by} decided "${first.value}", validator ${validator} decided "${value}"`,
      )
    if (!this.isValid(decision.value))
      this.violations.push(`validity: validator ${validator} decided invalid value "${value}" at height ${decision.height}`)
    // Validators that saw the same precommits build byte-identical certificates: check each distinct one once.
    const encoded = hexOrNil(encodeCertificate(decision.certificate))
    if (!set) {
      this.violations.push(`certificate at height ${decision.height}: the observer knows no validator set for it`)
      return
    }
    let verdict = this.verdicts.get(encoded)
    if (!verdict) {
      verdict = verifyCertificate(decision.certificate, set, this.scheme, { chainId: this.chainId, height: decision.height })
      this.verdicts.set(encoded, verdict)
    }
    if (!verdict.ok) this.violations.push(`certificate of validator ${validator} at height ${decision.height}: ${verdict.reason}`)
    const signers = bitmapSigners(decision.certificate.signers, set.validators.length)
    if (typeof signers === 'string' || new Set(signers).size < set.quorum)
      this.violations.push(`certificate at height ${decision.height} has too few signers`)
    // The observer moves on once the first honest decision of the next height is checked.
    if (this.follow && !first && decision.height === this.follow.chain.height + 1)
      this.follow.chain.record(decision.height, this.follow.changeOf(decision.value))
  }

  /** The observer's chain (null without set changes): which change it followed, and up to where. */
  get chain(): ValidatorChain | null {
    return this.follow?.chain ?? null
  }

  /** Negative control: from now on check certificates against the pinned set, as an observer that does not follow changes would. */
  ignoreChanges(): void {
    if (this.follow) this.follow = { chain: this.follow.chain, changeOf: () => null }
  }

  /** Every message an honest validator sends passes through here. */
  onSigned(validator: number, message: Proposal | Vote): void {
    const slot =
      message.kind === 'proposal'
        ? `${validator}/${message.height}/${message.round}/proposal`
        : `${validator}/${message.height}/${message.round}/${message.type}`
    const content = message.kind === 'proposal' ? `${hexOrNil(message.value)}/${message.validRound}` : hexOrNil(message.valueId)
    const earlier = this.signedSlots.get(slot)
    if (earlier === undefined) this.signedSlots.set(slot, content)
    else if (earlier !== content) this.violations.push(`honest validator ${validator} equivocated at ${slot}`)
  }
}

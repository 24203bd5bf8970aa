/**
 * The aggregator side of one secure-aggregation round, as a pure state machine. The host passes
 * in each client message with the cohort index of its authenticated sender (from the signed
 * envelope), and calls closePhase() when the phase's deadline passes or `complete` says every
 * expected client has answered. Bad input is refused with a reason and changes nothing.
 *
 * Sets, as in the paper: U1 advertised keys, U2 shared keys, U3 sent masked input (their inputs
 * are in the sum), U4 signed the survivor set, U5 revealed shares. Each must have at least
 * minClients members or the round aborts with a reason. The aggregator sees only masked vectors,
 * ciphertexts, and for each client either self-seed shares (U3) or mask-key shares (U2 \ U3).
 */
import { combine } from 'shamir-secret-sharing'
import type {
  AdvertiseKeys,
  ConsistencySignature,
  EncryptedShare,
  KeyRoster,
  MaskedInput,
  ShareDelivery,
  ShareKeys,
  SurvivorList,
  UnmaskRequest,
  UnmaskResponse,
} from './secagg.pb'
import { advertisementTranscript, maskSeedAgreement, selfMaskSeed, selfSeedCommitment, survivorTranscript } from './keys'
import { checkParams, minClients, neighbourLists, type RoundParams } from './params'
import { addRing, applyMask } from './prg'
import { noblePrimitives, type SecAggPrimitives } from './primitives'
import { decodeSum, quantization, sumErrorBound } from './quantize'
import { bytes, bytesToRing, isStrictlyIncreasing } from './wire-util'
import { equalBytes } from '../common/bytes'

export type AggregatorPhase = 'advertise' | 'share' | 'mask' | 'consistency' | 'unmask' | 'finishing' | 'done' | 'aborted'

export type Receipt = { readonly ok: true; readonly complete: boolean } | { readonly ok: false; readonly reason: string }

export interface SecAggResult {
  /** Σ over `included` of the clamped inputs, within `errorBound` per coordinate. */
  readonly sum: Float64Array
  /** U3: the clients whose inputs are in the sum. */
  readonly included: readonly number[]
  readonly errorBound: number
}

export type AggregatorStep =
  | { readonly kind: 'broadcast-roster'; readonly to: readonly number[]; readonly message: KeyRoster }
  | { readonly kind: 'deliver-shares'; readonly deliveries: readonly ShareDelivery[] }
  | { readonly kind: 'broadcast-survivors'; readonly to: readonly number[]; readonly message: SurvivorList }
  | { readonly kind: 'request-unmask'; readonly to: readonly number[]; readonly message: UnmaskRequest }
  | { readonly kind: 'done'; readonly result: SecAggResult }
  | { readonly kind: 'aborted'; readonly reason: string }

const SHARE_BYTES = 33
/** Two 33-byte shares and the Poly1305 tag at least (the plaintext also names round and parties). */
const MIN_SHARE_CIPHERTEXT = 2 * SHARE_BYTES + 16

export class SecAggAggregator {
  private phaseNow: AggregatorPhase = 'advertise'
  private abortReason: string | null = null
  private readonly params: RoundParams
  private readonly crypto: SecAggPrimitives
  private readonly neighbours: readonly number[][]
  private readonly advertisements = new Map<number, AdvertiseKeys>()
  private readonly shareKeys = new Map<number, ShareKeys>()
  /** Who holds shares of whom: the recipients of each U2 member's encrypted shares. */
  private readonly shareRecipients = new Map<number, ReadonlySet<number>>()
  private readonly maskedFrom = new Set<number>()
  private sum: Uint32Array
  private survivors: number[] = []
  private readonly signatures = new Map<number, ConsistencySignature>()
  private readonly responses = new Map<number, UnmaskResponse>()

  /** Throws on bad parameters: that is the host's programming error, not a network input. */
  constructor(params: RoundParams, options: { readonly primitives?: SecAggPrimitives } = {}) {
    const problem = checkParams(params)
    if (problem) throw new RangeError(problem)
    this.params = params
    this.crypto = options.primitives ?? noblePrimitives
    this.neighbours = neighbourLists(params)
    this.sum = new Uint32Array(params.vectorLength)
  }

  get phase(): AggregatorPhase {
    return this.phaseNow
  }

  get reason(): string | null {
    return this.abortReason
  }

  /** The clients expected to answer in the current phase. */
  expected(): readonly number[] {
    switch (this.phaseNow) {
      case 'advertise':
        return this.params.cohort.map((_, i) => i)
      case 'share':
        return [...this.advertisements.keys()].sort((a, b) => a - b)
      case 'mask':
        return [...this.shareKeys.keys()].sort((a, b) => a - b)
      case 'consistency':
      case 'unmask':
        return this.survivors
      default:
        return []
    }
  }

  receiveAdvertisement(from: number, message: AdvertiseKeys): Receipt {
    const problem =
      this.checkCommon('advertise', from, message, this.advertisements) ??
      (message.encryptionPublicKey.length === 32 && message.maskPublicKey.length === 32 ? null : 'keys must be 32 bytes') ??
      (this.crypto.ed25519Verify(
        message.signature,
        advertisementTranscript(this.params.roundId, from, message.encryptionPublicKey, message.maskPublicKey),
        this.params.cohort[from],
      )
        ? null
        : 'bad signature')
    if (problem) return refuse(from, problem)
    this.advertisements.set(from, message)
    return this.accepted(this.advertisements.size)
  }

  receiveShareKeys(from: number, message: ShareKeys): Receipt {
    const problem =
      this.checkCommon('share', from, message, this.shareKeys) ??
      (this.advertisements.has(from) ? null : 'did not advertise keys') ??
      (message.selfSeedCommitment.length === 32 ? null : 'commitment must be 32 bytes') ??
      this.checkShareAddressing(from, message.shares)
    if (problem) return refuse(from, problem)
    this.shareKeys.set(from, message)
    this.shareRecipients.set(from, new Set(message.shares.map((s) => s.recipient)))
    return this.accepted(this.shareKeys.size)
  }

  receiveMaskedInput(from: number, message: MaskedInput): Receipt {
    const problem =
      this.checkCommon('mask', from, message, this.maskedFrom) ??
      (this.shareKeys.has(from) ? null : 'did not share keys') ??
      (message.length === this.params.vectorLength && message.masked.length === 4 * message.length
        ? null
        : `masked input must be ${this.params.vectorLength} words`)
    if (problem) return refuse(from, problem)
    // Summed on arrival so the aggregator never holds more than one masked vector.
    addRing(this.sum, bytesToRing(message.masked))
    this.maskedFrom.add(from)
    return this.accepted(this.maskedFrom.size)
  }

  receiveConsistencySignature(from: number, message: ConsistencySignature): Receipt {
    const problem =
      this.checkCommon('consistency', from, message, this.signatures) ??
      (this.maskedFrom.has(from) ? null : 'is not a survivor') ??
      (this.crypto.ed25519Verify(message.signature, survivorTranscript(this.params.roundId, this.survivors), this.params.cohort[from])
        ? null
        : 'signature does not verify over the survivor set')
    if (problem) return refuse(from, problem)
    this.signatures.set(from, message)
    return this.accepted(this.signatures.size)
  }

  receiveUnmaskResponse(from: number, message: UnmaskResponse): Receipt {
    const problem =
      this.checkCommon('unmask', from, message, this.responses) ??
      (this.signatures.has(from) ? null : 'did not sign the survivor set') ??
      this.checkRevealed(from, message.selfSeedShares, (owner) => this.maskedFrom.has(owner), 'self-seed') ??
      this.checkRevealed(from, message.maskKeyShares, (owner) => this.shareKeys.has(owner) && !this.maskedFrom.has(owner), 'mask-key')
    if (problem) return refuse(from, problem)
    this.responses.set(from, message)
    return this.accepted(this.responses.size)
  }

  /** Ends the current phase: the next broadcast, the result, or an abort with its reason. */
  async closePhase(): Promise<AggregatorStep> {
    const min = minClients(this.params)
    switch (this.phaseNow) {
      case 'advertise': {
        if (this.advertisements.size < min) return this.abort(`only ${this.advertisements.size} clients advertised keys; need ${min}`)
        this.phaseNow = 'share'
        const keys = [...this.advertisements.values()].sort((a, b) => a.sender - b.sender)
        return { kind: 'broadcast-roster', to: keys.map((k) => k.sender), message: { roundId: bytes(this.params.roundId), keys } }
      }
      case 'share': {
        if (this.shareKeys.size < min) return this.abort(`only ${this.shareKeys.size} clients shared keys; need ${min}`)
        this.phaseNow = 'mask'
        const inbox = new Map<number, EncryptedShare[]>([...this.shareKeys.keys()].map((k) => [k, []]))
        for (const message of [...this.shareKeys.values()].sort((a, b) => a.sender - b.sender)) {
          for (const share of message.shares) inbox.get(share.recipient)?.push(share)
        }
        const deliveries = [...inbox]
          .sort((a, b) => a[0] - b[0])
          .map(([recipient, shares]) => ({ roundId: bytes(this.params.roundId), recipient, shares }))
        return { kind: 'deliver-shares', deliveries }
      }
      case 'mask': {
        if (this.maskedFrom.size < min) return this.abort(`only ${this.maskedFrom.size} clients sent masked input; need ${min}`)
        this.phaseNow = 'consistency'
        this.survivors = [...this.maskedFrom].sort((a, b) => a - b)
        return {
          kind: 'broadcast-survivors',
          to: this.survivors,
          message: { roundId: bytes(this.params.roundId), survivors: this.survivors },
        }
      }
      case 'consistency': {
        if (this.signatures.size < min) return this.abort(`only ${this.signatures.size} survivors signed the survivor set; need ${min}`)
        this.phaseNow = 'unmask'
        const signers = [...this.signatures.keys()].sort((a, b) => a - b)
        const dropped = [...this.shareKeys.keys()].filter((c) => !this.maskedFrom.has(c)).sort((a, b) => a - b)
        return {
          kind: 'request-unmask',
          to: signers,
          message: {
            roundId: bytes(this.params.roundId),
            survivors: this.survivors,
            dropped,
            signatures: signers.map((s) => this.signatures.get(s)!),
          },
        }
      }
      case 'unmask': {
        if (this.responses.size < min) return this.abort(`only ${this.responses.size} survivors revealed shares; need ${min}`)
        this.phaseNow = 'finishing'
        return this.unmask()
      }
      default:
        return this.abort(`closePhase in phase ${this.phaseNow}`)
    }
  }

  private async unmask(): Promise<AggregatorStep> {
    const selfShares = new Map<number, Uint8Array[]>()
    const keyShares = new Map<number, Uint8Array[]>()
    for (const response of [...this.responses.values()].sort((a, b) => a.sender - b.sender)) {
      for (const r of response.selfSeedShares) push(selfShares, r.owner, r.share)
      for (const r of response.maskKeyShares) push(keyShares, r.owner, r.share)
    }
    const t = this.params.threshold
    // Self masks of every client whose input is in the sum.
    for (const owner of this.survivors) {
      const seed = await reconstruct(selfShares.get(owner) ?? [], t, (s) =>
        equalBytes(selfSeedCommitment(this.params.roundId, owner, s), this.shareKeys.get(owner)!.selfSeedCommitment),
      )
      if (typeof seed === 'string') return this.abort(`cannot rebuild the self-mask seed of client ${owner}: ${seed}`)
      applyMask(this.sum, selfMaskSeed(seed, this.params.roundId), -1, this.crypto)
    }
    // Pairwise masks that survivors added against clients that shared keys and then dropped.
    for (const owner of [...this.shareKeys.keys()].filter((c) => !this.maskedFrom.has(c)).sort((a, b) => a - b)) {
      const maskPublicKey = this.advertisements.get(owner)!.maskPublicKey
      const secret = await reconstruct(keyShares.get(owner) ?? [], t, (s) => equalBytes(this.crypto.x25519PublicKey(s), maskPublicKey))
      if (typeof secret === 'string') return this.abort(`cannot rebuild the mask key of dropped client ${owner}: ${secret}`)
      const maskSeedWith = maskSeedAgreement(this.crypto, secret, this.params.roundId)
      for (const peer of this.neighbours[owner]) {
        // A survivor masked against `owner` exactly when it was delivered owner's share.
        if (!this.maskedFrom.has(peer) || !this.wasDelivered(owner, peer)) continue
        const seed = maskSeedWith(this.advertisements.get(peer)!.maskPublicKey)
        if (!seed) return this.abort(`client ${peer} has an unusable mask key`)
        applyMask(this.sum, seed, peer < owner ? -1 : 1, this.crypto)
      }
    }
    const q = quantization(this.params.bound, this.params.cohort.length)
    this.phaseNow = 'done'
    return {
      kind: 'done',
      result: { sum: decodeSum(this.sum, q), included: this.survivors, errorBound: sumErrorBound(q, this.survivors.length) },
    }
  }

  private wasDelivered(owner: number, recipient: number): boolean {
    return this.shareRecipients.get(owner)?.has(recipient) ?? false
  }

  private checkCommon(
    phase: AggregatorPhase,
    from: number,
    message: { roundId: Uint8Array; sender: number },
    received: { has(k: number): boolean },
  ): string | null {
    if (this.phaseNow !== phase) return `${phase} message in phase ${this.phaseNow}`
    if (!Number.isInteger(from) || from < 0 || from >= this.params.cohort.length) return 'sender outside the cohort'
    if (message.sender !== from) return `claims to be client ${message.sender}`
    if (!equalBytes(message.roundId, this.params.roundId)) return 'message for another round'
    if (received.has(from)) return `second ${phase} message`
    return null
  }

  /** A client must send exactly one share to each neighbour that advertised keys, and no other. */
  private checkShareAddressing(from: number, shares: readonly EncryptedShare[]): string | null {
    const expected = new Set(this.neighbours[from].filter((j) => this.advertisements.has(j)))
    const seen = new Set<number>()
    for (const share of shares) {
      if (share.sender !== from) return 'share names another sender'
      if (!expected.has(share.recipient) || seen.has(share.recipient)) return `unexpected or repeated share for ${share.recipient}`
      if (share.ciphertext.length < MIN_SHARE_CIPHERTEXT) return 'share ciphertext too short'
      seen.add(share.recipient)
    }
    return seen.size === expected.size ? null : `shares for ${seen.size} of ${expected.size} neighbours`
  }

  private checkRevealed(
    from: number,
    shares: readonly { owner: number; share: Uint8Array }[],
    allowed: (owner: number) => boolean,
    what: string,
  ): string | null {
    const owners = shares.map((s) => s.owner)
    if (!isStrictlyIncreasing(owners)) return `${what} shares must be in increasing owner order`
    for (const s of shares) {
      if (!allowed(s.owner)) return `${what} share for client ${s.owner} was not asked for`
      if (s.owner !== from && !this.wasDelivered(s.owner, from)) return `holds no share of client ${s.owner}`
      if (s.share.length !== SHARE_BYTES) return `${what} share for ${s.owner} has the wrong length`
    }
    return null
  }

  private accepted(count: number): Receipt {
    return { ok: true, complete: count === this.expected().length }
  }

  private abort(reason: string): AggregatorStep {
    this.phaseNow = 'aborted'
    this.abortReason = reason
    this.sum = new Uint32Array(0)
    return { kind: 'aborted', reason }
  }
}

function refuse(from: number, reason: string): Receipt {
  return { ok: false, reason: `from ${from}: ${reason}` }
}

function push(map: Map<number, Uint8Array[]>, key: number, value: Uint8Array): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

/**
 * Rebuilds a secret from Shamir shares and checks it against its public commitment. The first
 * t shares are tried, then all of them; a revealer that lied is caught by the check, not trusted.
 */
async function reconstruct(shares: Uint8Array[], t: number, matches: (secret: Uint8Array) => boolean): Promise<Uint8Array | string> {
  if (shares.length < t) return `${shares.length} shares, threshold ${t}`
  for (const attempt of shares.length > t ? [shares.slice(0, t), shares] : [shares]) {
    try {
      const secret = await combine(attempt)
      if (matches(secret)) return secret
    } catch {
      // malformed or duplicated x-coordinates; try the next selection
    }
  }
  return 'shares do not rebuild a secret matching its commitment'
}

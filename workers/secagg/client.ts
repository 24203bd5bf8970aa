/**
 * The client side of one secure-aggregation round, as a pure state machine: the host feeds it
 * the aggregator's messages and sends back what it returns. Every input is checked before any
 * state changes; a bad one is refused with a reason and leaves the client where it was, so the
 * genuine message can still arrive. Randomness comes from the injected source.
 *
 *   start()                    → AdvertiseKeys           (phase 0)
 *   handleRoster(KeyRoster)    → ShareKeys               (phase 1, async: Shamir split)
 *   handleShares(ShareDelivery)→ MaskedInput             (phase 2, the PRG expansion)
 *   handleSurvivors(SurvivorList) → ConsistencySignature (phase 3)
 *   handleUnmaskRequest(UnmaskRequest) → UnmaskResponse  (phase 4)
 *
 * The rule that protects the input: for any one client the aggregator gets either a share of its
 * self-mask seed (it is in the signed survivor set) or a share of its mask key (it is not), never
 * both, and a client answers at most one unmask request.
 */
import { split } from 'shamir-secret-sharing'
import {
  AdvertiseKeys,
  ConsistencySignature,
  EncryptedShare,
  KeyRoster,
  MaskedInput,
  ShareDelivery,
  ShareKeys,
  SharePlaintext,
  SurvivorList,
  UnmaskRequest,
  UnmaskResponse,
  type RevealedShare,
} from './secagg.pb'
import {
  advertisementTranscript,
  decryptShare,
  encryptShare,
  maskSeedAgreement,
  selfMaskSeed,
  selfSeedCommitment,
  shareKeyAgreement,
  survivorTranscript,
} from './keys'
import { checkParams, minClients, neighbourLists, type RoundParams } from './params'
import { applyMask } from './prg'
import { noblePrimitives, type SecAggPrimitives } from './primitives'
import { encode, quantization } from './quantize'
import type { RandomSource } from './random'
import { bytes, isStrictlyIncreasing, ringToBytes } from './wire-util'
import { decodeExact } from '../protocol/exact-decode'
import { equalBytes, hex } from '../common/bytes'

export type ClientPhase = 'created' | 'advertised' | 'sharing' | 'shared' | 'masked' | 'signed' | 'revealed'

export type Step<T> = { readonly ok: true; readonly message: T } | { readonly ok: false; readonly reason: string }

export interface ClientOptions {
  readonly params: RoundParams
  readonly index: number
  /** The 32-byte Ed25519 secret key matching params.cohort[index]. */
  readonly identitySecretKey: Uint8Array
  readonly input: Float32Array
  readonly random: RandomSource
  /** Curve and cipher implementations; @noble unless the host brings faster ones (node-primitives.ts). */
  readonly primitives?: SecAggPrimitives
}

interface PeerKeys {
  readonly encryptionPublicKey: Uint8Array
  readonly maskPublicKey: Uint8Array
}

interface HeldShare {
  readonly maskKeyShare: Uint8Array
  readonly selfSeedShare: Uint8Array
}

const SHARE_BYTES = 33

export class SecAggClient {
  readonly index: number
  /** Coordinates that fell outside [−bound, bound] and were clamped (known once masked). */
  clampedCoordinates = 0
  private phaseNow: ClientPhase = 'created'
  private readonly params: RoundParams
  private readonly neighbours: ReadonlySet<number>
  private readonly identitySecretKey: Uint8Array
  private input: Float32Array | null
  private readonly random: RandomSource
  private readonly crypto: SecAggPrimitives
  private encryptionSecret: Uint8Array | null = null
  private maskSecret: Uint8Array | null = null
  private selfSeed: Uint8Array | null = null
  private advertisement: AdvertiseKeys | null = null
  private peers = new Map<number, PeerKeys>()
  private shareKeys = new Map<number, Uint8Array>()
  /** Shares this client holds, by owner: its own and those delivered to it (its view of U2). */
  private held = new Map<number, HeldShare>()
  private signedSurvivors: number[] | null = null
  private answered: { request: Uint8Array; response: UnmaskResponse } | null = null

  /** Throws on a bad configuration: that is the host's programming error, not a network input. */
  constructor(options: ClientOptions) {
    const problem =
      checkParams(options.params) ??
      (Number.isInteger(options.index) && options.index >= 0 && options.index < options.params.cohort.length
        ? null
        : 'index outside the cohort') ??
      (options.input.length === options.params.vectorLength ? null : 'input length differs from vectorLength')
    if (problem) throw new RangeError(problem)
    this.params = options.params
    this.index = options.index
    this.neighbours = new Set(neighbourLists(options.params)[options.index])
    this.identitySecretKey = options.identitySecretKey
    this.input = options.input
    this.random = options.random
    this.crypto = options.primitives ?? noblePrimitives
  }

  get phase(): ClientPhase {
    return this.phaseNow
  }

  start(): Step<AdvertiseKeys> {
    if (this.phaseNow !== 'created') return refuse(`start in phase ${this.phaseNow}`)
    this.encryptionSecret = this.random(32).slice()
    this.maskSecret = this.random(32).slice()
    const encryptionPublicKey = this.crypto.x25519PublicKey(this.encryptionSecret)
    const maskPublicKey = this.crypto.x25519PublicKey(this.maskSecret)
    const transcript = advertisementTranscript(this.params.roundId, this.index, encryptionPublicKey, maskPublicKey)
    this.advertisement = {
      roundId: bytes(this.params.roundId),
      sender: this.index,
      encryptionPublicKey: bytes(encryptionPublicKey),
      maskPublicKey: bytes(maskPublicKey),
      signature: bytes(this.crypto.ed25519Sign(transcript, this.identitySecretKey)),
    }
    this.phaseNow = 'advertised'
    return { ok: true, message: this.advertisement }
  }

  async handleRoster(roster: KeyRoster): Promise<Step<ShareKeys>> {
    if (this.phaseNow !== 'advertised') return refuse(`key roster in phase ${this.phaseNow}`)
    if (!equalBytes(roster.roundId, this.params.roundId)) return refuse('key roster for another round')
    const n = this.params.cohort.length
    const peers = new Map<number, PeerKeys>()
    const listed = new Set<number>()
    let sawSelf = false
    for (const ad of roster.keys) {
      if (!(ad.sender < n)) return refuse(`roster names client ${ad.sender} outside the cohort`)
      if (listed.has(ad.sender)) return refuse(`roster names client ${ad.sender} twice`)
      listed.add(ad.sender)
      if (!equalBytes(ad.roundId, this.params.roundId)) return refuse(`advertisement of ${ad.sender} is for another round`)
      if (ad.sender === this.index) {
        const own = this.advertisement!
        if (!equalBytes(ad.encryptionPublicKey, own.encryptionPublicKey) || !equalBytes(ad.maskPublicKey, own.maskPublicKey)) {
          return refuse('roster carries keys for this client that it did not advertise')
        }
        sawSelf = true
        continue
      }
      // Only neighbours matter (all others under the complete graph); the rest are not checked.
      if (!this.neighbours.has(ad.sender)) continue
      const transcript = advertisementTranscript(this.params.roundId, ad.sender, ad.encryptionPublicKey, ad.maskPublicKey)
      if (!this.crypto.ed25519Verify(ad.signature, transcript, this.params.cohort[ad.sender]))
        return refuse(`advertisement of ${ad.sender} has a bad signature`)
      peers.set(ad.sender, { encryptionPublicKey: ad.encryptionPublicKey, maskPublicKey: ad.maskPublicKey })
    }
    if (!sawSelf) return refuse('roster leaves out this client')
    // As the paper asks: every key in play is distinct, so no client can reflect another's key
    // back and make a pairwise mask or share key that a third party also knows.
    const keysInPlay = new Map<string, number>()
    for (const [owner, keys] of [[this.index, this.advertisement!] as const, ...peers]) {
      for (const key of [keys.encryptionPublicKey, keys.maskPublicKey]) {
        const id = hex(key)
        if (keysInPlay.has(id)) return refuse(`client ${owner} advertised a public key that client ${keysInPlay.get(id)} also uses`)
        keysInPlay.set(id, owner)
      }
    }
    if (roster.keys.length < minClients(this.params))
      return refuse(`roster has ${roster.keys.length} clients, fewer than ${minClients(this.params)}`)
    const holders = [this.index, ...peers.keys()].sort((a, b) => a - b)
    if (holders.length < this.params.threshold) return refuse(`only ${holders.length} share holders, threshold is ${this.params.threshold}`)
    const shareKeys = new Map<number, Uint8Array>()
    const shareKeyWith = shareKeyAgreement(this.crypto, this.encryptionSecret!, this.params.roundId)
    for (const [peer, keys] of peers) {
      const key = shareKeyWith(keys.encryptionPublicKey)
      if (!key) return refuse(`client ${peer} advertised an unusable encryption key`)
      shareKeys.set(peer, key)
    }

    this.phaseNow = 'sharing'
    const selfSeed = this.random(32).slice()
    const [maskKeyShares, selfSeedShares] = await Promise.all([
      split(this.maskSecret!, holders.length, this.params.threshold),
      split(selfSeed, holders.length, this.params.threshold),
    ])
    const shares: EncryptedShare[] = []
    holders.forEach((holder, i) => {
      const share = { maskKeyShare: maskKeyShares[i], selfSeedShare: selfSeedShares[i] }
      if (holder === this.index) return void this.held.set(holder, share)
      const plaintext = SharePlaintext.encode({
        roundId: bytes(this.params.roundId),
        sender: this.index,
        recipient: holder,
        maskKeyShare: bytes(share.maskKeyShare),
        selfSeedShare: bytes(share.selfSeedShare),
      })
      const ciphertext = encryptShare(shareKeys.get(holder)!, this.params.roundId, this.index, holder, plaintext)
      shares.push({ sender: this.index, recipient: holder, ciphertext: bytes(ciphertext) })
    })
    this.peers = peers
    this.shareKeys = shareKeys
    this.selfSeed = selfSeed
    this.phaseNow = 'shared'
    return {
      ok: true,
      message: {
        roundId: bytes(this.params.roundId),
        sender: this.index,
        shares,
        selfSeedCommitment: bytes(selfSeedCommitment(this.params.roundId, this.index, selfSeed)),
      },
    }
  }

  handleShares(delivery: ShareDelivery): Step<MaskedInput> {
    if (this.phaseNow !== 'shared') return refuse(`share delivery in phase ${this.phaseNow}`)
    if (!equalBytes(delivery.roundId, this.params.roundId)) return refuse('share delivery for another round')
    if (delivery.recipient !== this.index) return refuse('share delivery addressed to another client')
    const received = new Map<number, HeldShare>()
    for (const share of delivery.shares) {
      const key = this.shareKeys.get(share.sender)
      if (!key) return refuse(`share from ${share.sender}, who is not a neighbour in the roster`)
      if (share.recipient !== this.index) return refuse(`share from ${share.sender} is addressed to ${share.recipient}`)
      if (received.has(share.sender)) return refuse(`two shares from ${share.sender}`)
      const plaintext = decryptShare(key, this.params.roundId, share.sender, this.index, share.ciphertext)
      if (!plaintext) return refuse(`share from ${share.sender} fails authentication`)
      let decoded: SharePlaintext
      try {
        decoded = decodeExact(plaintext, SharePlaintext.codec())
      } catch {
        return refuse(`share from ${share.sender} does not decode`)
      }
      if (!equalBytes(decoded.roundId, this.params.roundId) || decoded.sender !== share.sender || decoded.recipient !== this.index) {
        return refuse(`share from ${share.sender} names another round, sender or recipient`)
      }
      if (decoded.maskKeyShare.length !== SHARE_BYTES || decoded.selfSeedShare.length !== SHARE_BYTES)
        return refuse(`share from ${share.sender} has the wrong length`)
      received.set(share.sender, { maskKeyShare: decoded.maskKeyShare, selfSeedShare: decoded.selfSeedShare })
    }
    if (received.size + 1 < this.params.threshold)
      return refuse(`only ${received.size + 1} clients shared with this one, threshold is ${this.params.threshold}`)
    const pairSeeds = new Map<number, Uint8Array>()
    const maskSeedWith = maskSeedAgreement(this.crypto, this.maskSecret!, this.params.roundId)
    for (const peer of received.keys()) {
      const seed = maskSeedWith(this.peers.get(peer)!.maskPublicKey)
      if (!seed) return refuse(`client ${peer} advertised an unusable mask key`)
      pairSeeds.set(peer, seed)
    }

    const { ring, clamped } = encode(this.input!, quantization(this.params.bound, this.params.cohort.length))
    applyMask(ring, selfMaskSeed(this.selfSeed!, this.params.roundId), 1, this.crypto)
    for (const [peer, seed] of pairSeeds) applyMask(ring, seed, this.index < peer ? 1 : -1, this.crypto)
    for (const [owner, share] of received) this.held.set(owner, share)
    this.clampedCoordinates = clamped
    this.input = null
    this.phaseNow = 'masked'
    return {
      ok: true,
      message: { roundId: bytes(this.params.roundId), sender: this.index, length: ring.length, masked: ringToBytes(ring) },
    }
  }

  handleSurvivors(list: SurvivorList): Step<ConsistencySignature> {
    if (this.phaseNow !== 'masked') return refuse(`survivor list in phase ${this.phaseNow}`)
    if (!equalBytes(list.roundId, this.params.roundId)) return refuse('survivor list for another round')
    const problem = this.checkSurvivors(list.survivors)
    if (problem) return refuse(problem)
    this.signedSurvivors = [...list.survivors]
    this.phaseNow = 'signed'
    const signature = this.crypto.ed25519Sign(survivorTranscript(this.params.roundId, list.survivors), this.identitySecretKey)
    return { ok: true, message: { roundId: bytes(this.params.roundId), sender: this.index, signature: bytes(signature) } }
  }

  handleUnmaskRequest(request: UnmaskRequest): Step<UnmaskResponse> {
    const encoded = UnmaskRequest.encode(request)
    if (this.phaseNow === 'revealed') {
      // A retransmission gets the same answer; any other request is refused, because answering
      // two different ones could hand out both shares of one client.
      return equalBytes(encoded, this.answered!.request)
        ? { ok: true, message: this.answered!.response }
        : refuse('already answered a different unmask request')
    }
    if (this.phaseNow !== 'signed') return refuse(`unmask request in phase ${this.phaseNow}`)
    if (!equalBytes(request.roundId, this.params.roundId)) return refuse('unmask request for another round')
    const survivors = this.signedSurvivors!
    if (request.survivors.length !== survivors.length || request.survivors.some((s, i) => s !== survivors[i])) {
      return refuse('unmask request names a survivor set other than the one this client signed')
    }
    if (!isStrictlyIncreasing(request.dropped)) return refuse('dropped list must be strictly increasing')
    const survivorSet = new Set(survivors)
    for (const d of request.dropped) {
      if (survivorSet.has(d)) return refuse(`unmask request asks for both shares of client ${d}`)
    }
    const transcript = survivorTranscript(this.params.roundId, survivors)
    const signers = new Set<number>()
    for (const s of request.signatures) {
      if (signers.size >= minClients(this.params)) break
      if (!survivorSet.has(s.sender) || signers.has(s.sender))
        return refuse(`consistency signature from ${s.sender}, not a distinct survivor`)
      if (!equalBytes(s.roundId, this.params.roundId)) return refuse(`consistency signature of ${s.sender} is for another round`)
      if (!this.crypto.ed25519Verify(s.signature, transcript, this.params.cohort[s.sender]))
        return refuse(`consistency signature of ${s.sender} does not verify`)
      signers.add(s.sender)
    }
    if (signers.size < minClients(this.params))
      return refuse(`only ${signers.size} survivors signed the survivor set, need ${minClients(this.params)}`)

    const dropped = new Set(request.dropped)
    const selfSeedShares: RevealedShare[] = []
    const maskKeyShares: RevealedShare[] = []
    for (const [owner, share] of [...this.held].sort((a, b) => a[0] - b[0])) {
      if (survivorSet.has(owner)) selfSeedShares.push({ owner, share: bytes(share.selfSeedShare) })
      else if (dropped.has(owner)) maskKeyShares.push({ owner, share: bytes(share.maskKeyShare) })
    }
    const response: UnmaskResponse = { roundId: bytes(this.params.roundId), sender: this.index, selfSeedShares, maskKeyShares }
    this.answered = { request: encoded, response }
    this.phaseNow = 'revealed'
    return { ok: true, message: response }
  }

  private checkSurvivors(survivors: readonly number[]): string | null {
    if (!isStrictlyIncreasing(survivors)) return 'survivor list must be strictly increasing'
    if (survivors.some((s) => !(s < this.params.cohort.length))) return 'survivor list names a client outside the cohort'
    if (!survivors.includes(this.index)) return 'survivor list leaves out this client, which sent its input'
    // U3 ⊆ U2 (the paper's check): a neighbour whose shares never reached this client cannot have
    // sent a masked input, since this client did not mask against it.
    const stranger = survivors.find((s) => s !== this.index && this.neighbours.has(s) && !this.held.has(s))
    if (stranger !== undefined) return `survivor list names client ${stranger}, whose shares this client never received`
    if (survivors.length < minClients(this.params)) return `only ${survivors.length} survivors, fewer than ${minClients(this.params)}`
    return null
  }
}

function refuse<T>(reason: string): Step<T> {
  return { ok: false, reason }
}

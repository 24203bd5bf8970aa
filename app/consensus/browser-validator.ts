import {
  CertificateFollower,
  ConsensusAdapter,
  beaconSetChangeOf,
  createBeaconApplication,
  validatorEntry,
  type AdapterClock,
  type BftTransport,
  type ConsensusStore,
  type LoadedValidatorSet,
  type ValidatorEntryJson,
} from '../../workers/consensus/adapter'
import { decodeBftMessage, DEFAULT_BFT_TIMEOUTS, type BftTimeouts } from '../../workers/consensus/bft'
import { createSignerFromKeys, type BlsVoteBackend, type SignatureScheme, type ValidatorSigner } from '../../workers/consensus/certificate'
import { peerIdStringFromPublicKey } from '../../workers/identity/ed25519'
import type { NodeKeys } from '../../workers/security/keys/derive'
import type { Logger } from '../../workers/log'
import type { BatchVerifier } from '../../workers/protocol/verify'

/** Where this browser stands on the chain: outside the set (following), voting in it, or removed from it. */
export type DutyRole = 'following' | 'voting' | 'removed'

export interface LastCertificate {
  readonly height: number
  readonly round: number
  /** Validators whose signatures the certificate aggregates, of the set deciding its height. */
  readonly signers: number
  readonly setSize: number
  /** This browser signed it. */
  readonly mine: boolean
  /** It verified against the set this browser derived from its pinned set (see CertificateFollower). */
  readonly verified: boolean
}

export interface DutySnapshot {
  readonly chainId: string
  readonly role: DutyRole
  /** The height and round this node is deciding. */
  readonly height: number
  readonly round: number
  /** Size of the set deciding the current height. */
  readonly validators: number
  /** Distinct votes (prevotes, precommits) this browser signed and sent. */
  readonly votesCast: number
  /** Heights this browser decided whose certificates carry its signature. */
  readonly certificatesSigned: number
  /** Heights whose certificates this browser checked against its pinned set and the committed changes. */
  readonly verified: number
  readonly verifyFailure: { readonly height: number; readonly reason: string } | null
  readonly lastCertificate: LastCertificate | null
  readonly lastChange: { readonly kind: 'add' | 'remove'; readonly id: string; readonly decidedAt: number; readonly from: number } | null
  readonly equivocations: number
  /** Proposal and vote signatures verified in the crypto worker instead of on the page. */
  readonly signaturesInWorker: number
}

export interface BrowserValidatorOptions {
  /** The chain as pinned at join: its id, the set deciding height 1, and the admins whose orders change it. */
  readonly chain: LoadedValidatorSet
  /** The relays' beacon interval: proposers wait that long, so others wait that much longer for a proposal. */
  readonly intervalMs: number
  readonly keys: NodeKeys
  readonly scheme: SignatureScheme
  readonly bls?: BlsVoteBackend
  readonly transport: BftTransport
  readonly store: ConsensusStore
  readonly log: Logger
  /** Called with every validator key the chain knows (at start and after each set change), so RBAC admits their messages. */
  admitValidators(identityKeys: readonly Uint8Array[]): void
  readonly clock?: AdapterClock
  readonly timeouts?: Partial<BftTimeouts>
  /** The crypto worker's Ed25519 checks: proposals' and votes' signatures are verified there, not on the page. */
  readonly preverify?: BatchVerifier
}

/** The decided heights read per batch when a restarted browser re-checks its stored chain. */
const RECHECK_BATCH = 256

/**
 * A browser's validator duty: the BFT adapter on the chain's gossip topic with this browser's
 * keys (derived from its recovery phrase) and its store (Dexie), following the chain until a
 * committed change adds it, voting while it is in the set, and following again once removed.
 * Every decided height's certificate is checked against the set derived from the pinned one.
 *
 * The adapter persists its state before sending anything, so a tab closed at any point and
 * reopened resumes without signing two different values at one height and round.
 */
export class BrowserValidator {
  readonly id: string
  readonly signer: ValidatorSigner
  private adapter: ConsensusAdapter | null = null
  private readonly follower: CertificateFollower
  private readonly votes = new Set<string>()
  private votesCast = 0
  private certificatesSigned = 0
  private everMember = false
  private last: LastCertificate | null = null

  constructor(private readonly options: BrowserValidatorOptions) {
    const { keys } = options
    this.signer = createSignerFromKeys(
      { identitySeed: keys.identity.secretKey, voteSecretKey: keys.voting.secretKey },
      { bls: options.bls },
    )
    this.id = peerIdStringFromPublicKey(keys.identity.publicKey)
    this.follower = new CertificateFollower(options.chain.set, options.scheme, options.chain.chainId, beaconSetChangeOf)
  }

  /** This browser's line for `npm run relay -- validators add --entry FILE`. */
  entry(): ValidatorEntryJson {
    return validatorEntry(this.id, this.signer)
  }

  /** The entry for keys derived from a phrase, before any duty runs (what an admin pastes to add this browser). */
  static entryOf(keys: NodeKeys): ValidatorEntryJson {
    const signer = createSignerFromKeys({ identitySeed: keys.identity.secretKey, voteSecretKey: keys.voting.secretKey })
    return validatorEntry(peerIdStringFromPublicKey(keys.identity.publicKey), signer)
  }

  get running(): boolean {
    return this.adapter !== null
  }

  /** Re-checks the stored chain from the pinned set, then starts voting or following. */
  async start(): Promise<void> {
    if (this.adapter) return
    const { options } = this
    await this.recheckStored()
    const chain = options.chain
    const application = createBeaconApplication({
      selfId: this.id,
      validators: chain.set,
      intervalMs: options.intervalMs,
      wallNow: options.clock ? () => options.clock!.wallNow() : undefined,
      // A browser never proposes an order of its own (admins queue them on a relay), but it judges those others propose.
      setChanges: chain.admins.length > 0 ? { chainId: chain.chainId, admins: chain.admins, pendingOrder: () => null } : undefined,
    })
    const adapter = await ConsensusAdapter.start({
      chainId: chain.chainId,
      validators: chain.set,
      selfId: this.id,
      membership: { setChangeOf: beaconSetChangeOf },
      signer: this.signer,
      scheme: options.scheme,
      preverify: options.preverify,
      transport: this.countingVotes(options.transport),
      store: options.store,
      application,
      log: options.log,
      timeouts: options.timeouts ?? { proposeMs: DEFAULT_BFT_TIMEOUTS.proposeMs + options.intervalMs },
      clock: options.clock,
    })
    this.adapter = adapter
    options.admitValidators(adapter.knownValidatorKeys())
    adapter.onDecision((decision) => {
      const verdict = this.follower.follow(decision.height, decision.value, decision.certificate)
      this.noteCertificate(decision.height, decision.round, verdict)
      if (decision.setChange) options.admitValidators(adapter.knownValidatorKeys())
    })
    this.everMember ||= adapter.stats().member
  }

  async stop(): Promise<void> {
    const adapter = this.adapter
    this.adapter = null
    await adapter?.stop()
  }

  snapshot(): DutySnapshot {
    const stats = this.adapter?.stats()
    const member = stats?.member ?? false
    this.everMember ||= member
    return {
      chainId: this.options.chain.chainId,
      role: member ? 'voting' : this.everMember ? 'removed' : 'following',
      height: stats?.status.height ?? this.follower.height + 1,
      round: stats?.status.round ?? 0,
      validators: stats?.validators ?? this.follower.setAt(this.follower.height + 1)?.validators.length ?? 0,
      votesCast: this.votesCast,
      certificatesSigned: this.certificatesSigned,
      verified: this.follower.verifiedCount,
      verifyFailure: this.follower.failure,
      lastCertificate: this.last,
      lastChange: stats?.setChange ?? null,
      equivocations: stats?.equivocations ?? 0,
      signaturesInWorker: stats?.signaturesPreverified ?? 0,
    }
  }

  /** The stored decisions, checked again from the pinned set: a reopened tab trusts nothing it did not verify. */
  private async recheckStored(): Promise<void> {
    for (;;) {
      const records = await this.options.store.decisionsFrom(this.follower.height + 1, RECHECK_BATCH)
      if (records.length === 0) return
      for (const record of records) {
        const verdict = this.follower.follow(record.height, record.value, record.certificate)
        this.noteCertificate(record.height, record.round, verdict)
        if (!verdict.ok) return
      }
      // Long chains are checked in slices, letting the page paint between them.
      await new Promise((resolve) => setTimeout(resolve, 0))
    }
  }

  private noteCertificate(height: number, round: number, verdict: ReturnType<CertificateFollower['follow']>): void {
    if (verdict.ok) {
      const mine = verdict.signers.includes(this.id)
      if (mine) {
        this.certificatesSigned++
        this.everMember = true
      }
      this.last = { height, round, signers: verdict.signers.length, setSize: verdict.setSize, mine, verified: true }
    } else {
      this.options.log.error({ height, reason: verdict.reason }, 'a decided certificate did not verify against the pinned validator set')
      this.last = { height, round, signers: 0, setSize: 0, mine: false, verified: false }
    }
  }

  /** Counts each distinct vote this node signs (the core re-sends votes; a re-send is not another vote). */
  private countingVotes(transport: BftTransport): BftTransport {
    return {
      ...transport,
      publish: (payload, traceparent) => {
        const decoded = decodeBftMessage(payload)
        if (decoded.ok && decoded.message.kind === 'vote') {
          const vote = decoded.message
          const set = this.adapter?.setAt(vote.height)
          if (set && set.validators[vote.validator]?.id === this.id) {
            const key = `${vote.height}:${vote.round}:${vote.type}`
            if (!this.votes.has(key)) {
              this.votes.add(key)
              this.votesCast++
              if (this.votes.size > 64) this.votes.delete(this.votes.values().next().value!)
            }
          }
        }
        return transport.publish(payload, traceparent)
      },
    }
  }
}

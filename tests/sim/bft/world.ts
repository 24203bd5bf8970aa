/**
 * Everything one simulated BFT deployment shares: the validators' keys and set, the
 * application's values and validity rule, the safety checker, each node's "disk", and the
 * honest validator process that drives the real core inside the simulator.
 */
import {
  createBftNode,
  decodeBftMessage,
  encodeBftMessage,
  type BftMessage,
  type BftNode,
  type BftTimeouts,
  type PersistedBftState,
  type Proposal,
  type StepResult,
  type Vote,
} from '../../../workers/consensus/bft'
import {
  createRealScheme,
  createRealSigner,
  createValidatorSet,
  ValidatorChain,
  type BlsVoteBackend,
  type SetChange,
  type SignatureScheme,
  type Validator,
  type ValidatorSet,
  type ValidatorSigner,
} from '../../../workers/consensus/certificate'
import type { Rng } from '../../../workers/common/random'
import { nativeVerifyEd25519 } from '../../../workers/protocol/node/ed25519'
import type { SimContext, SimProcess } from '../simulator'
import { createSimSignatures } from './sim-scheme'
import { SafetyChecker } from './checker'

/** What travels on the simulated network: encoded bytes when a run exercises the codec, else the message object. */
export type Packet = Uint8Array | BftMessage

export type SchemeKind = 'sim' | 'real'

export const SIM_TIMEOUTS: BftTimeouts = { proposeMs: 300, prevoteMs: 200, precommitMs: 200, roundIncrementMs: 100, rebroadcastMs: 250 }

const text = new TextEncoder()

export function candidateValue(height: number, validator: number): Uint8Array {
  return text.encode(`v:${height}:${validator}`)
}

export function invalidValue(height: number, validator: number): Uint8Array {
  return text.encode(`bad:${height}:${validator}`)
}

/** The application's rule in these simulations: values starting with "v:" are acceptable. */
export function isValidValue(value: Uint8Array): boolean {
  return value.length > 2 && value[0] === 0x76 && value[1] === 0x3a
}

/** Real keys are slow to make, and which keys sign does not matter to a schedule: validator i always gets the same ones. */
let realSigners: ValidatorSigner[] = []
/** One instance for all runs, so that its cache of decoded BLS keys carries over. */
let realScheme: SignatureScheme | undefined
let realBls: BlsVoteBackend | undefined
function realSigner(index: number): ValidatorSigner {
  realSigners[index] ??= createRealSigner(
    { identitySeed: new Uint8Array(32).fill(index + 1), voteSeed: new Uint8Array(48).fill(index + 1) },
    { bls: realBls },
  )
  return realSigners[index]
}

/** Worlds with the real scheme made after this use `bls` for votes (e.g. the WebAssembly backend); default @noble. */
export function useRealBls(bls: BlsVoteBackend): void {
  realBls = bls
  realSigners = []
  realScheme = undefined
}

export interface WorldOptions {
  readonly validators: number
  readonly scheme: SchemeKind
  /** Send encoded protobuf bytes instead of objects. */
  readonly wire: boolean
  readonly random: Rng
  readonly timeouts?: BftTimeouts
  readonly chainId?: string
  /** How long the application takes to judge a proposed value (uniform in [min, max] ms). */
  readonly validityDelayMs?: readonly [number, number]
  /**
   * Validator-set changes by consensus: the first `members` identities form the pinned set (the
   * others start as followers), and proposers put `change` into their values from height
   * `fromHeight` until the chain has taken it. Every node derives each height's set from the
   * values it decided; the checker follows the chain from the pinned set.
   */
  readonly membership?: {
    readonly members: number
    readonly change: { readonly kind: 'add' | 'remove'; readonly target: number }
    readonly fromHeight: number
  }
}

const CHANGE_MARK = '|'

export class BftWorld {
  readonly chainId: string
  readonly scheme: SignatureScheme
  readonly signers: ValidatorSigner[]
  readonly set: ValidatorSet
  readonly ids: string[]
  readonly checker: SafetyChecker
  readonly disks: { state: PersistedBftState | null }[]
  readonly honest = new Set<number>()
  readonly wire: boolean
  readonly timeouts: BftTimeouts
  /** Latest core of each honest validator (for inspecting status in tests). */
  readonly cores = new Map<number, BftNode>()
  rejections = 0
  /** Every identity (the set's members and the followers), in id order: process i signs as identity i. */
  readonly entries: Validator[]
  readonly membership: WorldOptions['membership'] | null
  /** Values each node decided, in height order (its store): a restarted node rebuilds its validator chain from them. */
  readonly decidedValues: Uint8Array[][]
  /** The chain each node's current core follows. */
  readonly chains = new Map<number, ValidatorChain>()
  /** When each honest validator decided each height (virtual ms). */
  readonly decisionTimes: { validator: number; height: number; at: number }[] = []
  /** Highest round any honest validator's certificate shows per height (0: decided in round 0 by everyone). */
  readonly roundOf = new Map<number, number>()
  validityDelayMs: readonly [number, number]

  constructor(options: WorldOptions) {
    this.chainId = options.chainId ?? 'sim'
    this.wire = options.wire
    this.timeouts = options.timeouts ?? SIM_TIMEOUTS
    this.validityDelayMs = options.validityDelayMs ?? [0, 40]
    if (options.scheme === 'real') {
      realScheme ??= createRealScheme({ bls: realBls, verifyEd25519: nativeVerifyEd25519 })
      this.scheme = realScheme
      this.signers = Array.from({ length: options.validators }, (_, i) => realSigner(i))
    } else {
      const sim = createSimSignatures()
      this.scheme = sim.scheme
      this.signers = Array.from({ length: options.validators }, () => sim.createSigner(options.random))
    }
    this.entries = this.signers.map((s, i) => ({
      id: `v${String(i).padStart(3, '0')}`,
      identityKey: s.identityKey,
      voteKey: s.voteKey,
      possession: s.proofOfPossession(),
    }))
    this.membership = options.membership ?? null
    const created = createValidatorSet(this.entries.slice(0, this.membership?.members ?? this.entries.length), this.scheme)
    if (!created.ok) throw new Error(created.reason)
    this.set = created.set
    // The set is ordered by id and ids are zero-padded indices, so signer i is validator i (of the pinned set, and identity i of all).
    this.ids = this.entries.map((v) => v.id)
    this.disks = this.ids.map(() => ({ state: null }))
    this.decidedValues = this.ids.map(() => [])
    const follow = this.membership
      ? { chain: new ValidatorChain(this.set, this.scheme), changeOf: (value: Uint8Array) => this.setChangeOf(value) }
      : undefined
    this.checker = new SafetyChecker(this.chainId, this.set, this.scheme, isValidValue, follow)
  }

  /** The set change a value carries: `v:…|+v004` adds identity v004, `v:…|-v001` removes v001. */
  setChangeOf(value: Uint8Array): SetChange | null {
    const text = new TextDecoder().decode(value)
    const at = text.indexOf(CHANGE_MARK)
    if (at < 0) return null
    const id = text.slice(at + 2)
    if (text[at + 1] === '-') return { kind: 'remove', id }
    const validator = this.entries.find((e) => e.id === id)
    return text[at + 1] === '+' && validator ? { kind: 'add', validator } : null
  }

  /** What validator `index` proposes at `height`: its candidate, with the planned change while the chain can take it. */
  proposalValue(index: number, height: number): Uint8Array {
    const base = candidateValue(height, index)
    const plan = this.membership
    const chain = this.chains.get(index)
    if (!plan || !chain || height < plan.fromHeight || chain.height !== height - 1) return base
    const target = this.ids[plan.change.target]
    const suffix = `${CHANGE_MARK}${plan.change.kind === 'add' ? '+' : '-'}${target}`
    const change = this.setChangeOf(new TextEncoder().encode(suffix))
    return change && chain.changeProblem(change) === null ? new TextEncoder().encode(new TextDecoder().decode(base) + suffix) : base
  }

  /** Whether identity `index` signed `m` (set indices shift when the set changes; identities do not). */
  signedBy(index: number, m: Proposal | Vote): boolean {
    const set = this.membership ? this.chains.get(index)?.setAt(m.height) : this.set
    const position = m.kind === 'vote' ? m.validator : m.proposer
    return set?.validators[position]?.id === this.ids[index]
  }

  /** Node `index`'s chain, derived again from the pinned set and the values it decided (as after a restart). */
  private chainFor(index: number): ValidatorChain {
    const chain = new ValidatorChain(this.set, this.scheme)
    this.decidedValues[index].forEach((value, i) => chain.record(i + 1, this.setChangeOf(value)))
    this.chains.set(index, chain)
    return chain
  }

  encode(message: BftMessage): Packet {
    return this.wire ? encodeBftMessage(message) : message
  }

  decode(packet: Packet): BftMessage | null {
    if (!(packet instanceof Uint8Array)) return packet
    const decoded = decodeBftMessage(packet)
    return decoded.ok ? decoded.message : null
  }

  indexOf(id: string): number {
    return this.membership ? this.ids.indexOf(id) : this.set.indexOf(id)
  }

  /** `followChanges: false` runs a core on the pinned set forever (a removed validator that never learns it was removed). */
  newCore(index: number, now: number, followChanges = true): BftNode {
    const membership =
      this.membership && followChanges
        ? { chain: this.chainFor(index), setChangeOf: (value: Uint8Array) => this.setChangeOf(value) }
        : undefined
    return createBftNode({
      membership,
      chainId: this.chainId,
      validators: this.set,
      signer: this.signers[index],
      scheme: this.scheme,
      now,
      timeouts: this.timeouts,
      restored: this.disks[index].state ?? undefined,
    })
  }

  honestFactory(index: number): (ctx: SimContext<Packet>) => SimProcess<Packet> {
    this.honest.add(index)
    return (ctx) => new HonestValidator(this, index, ctx)
  }

  /** A validator that never learns of set changes (its core keeps the pinned set): once removed it keeps voting. Not checked as honest. */
  zombieFactory(index: number): (ctx: SimContext<Packet>) => SimProcess<Packet> {
    return (ctx) => new HonestValidator(this, index, ctx, false)
  }
}

/** An honest node: the real core, a disk written before anything is sent, and an application that answers validity checks after a delay. */
export class HonestValidator implements SimProcess<Packet> {
  private readonly core: BftNode
  private lastTick: number

  constructor(
    private readonly world: BftWorld,
    private readonly index: number,
    private readonly ctx: SimContext<Packet>,
    /** false: a zombie (see zombieFactory), whose decisions and signatures the checker ignores. */
    private readonly observed = true,
  ) {
    this.core = world.newCore(index, ctx.now(), observed)
    if (observed) world.cores.set(index, this.core)
    this.lastTick = ctx.now()
    this.handle(this.core.step({ type: 'tick', now: ctx.now() }))
  }

  receive(from: string, packet: Packet): void {
    const message = this.world.decode(packet)
    if (!message) {
      this.world.rejections++
      return
    }
    this.tick()
    this.handle(this.core.step({ type: 'receive', from, message }))
  }

  wake(): void {
    this.tick()
  }

  private tick(): void {
    const now = this.ctx.now()
    if (now === this.lastTick) return
    this.lastTick = now
    this.handle(this.core.step({ type: 'tick', now }))
  }

  private handle(result: StepResult): void {
    const { world, ctx } = this
    if (!result.ok) world.rejections++
    if (result.persist) world.disks[this.index].state = result.persist
    for (const decision of result.decisions) {
      world.decidedValues[this.index].push(decision.value)
      if (!this.observed) continue
      world.checker.onDecision(this.index, decision)
      world.decisionTimes.push({ validator: this.index, height: decision.height, at: ctx.now() })
      world.roundOf.set(decision.height, Math.max(world.roundOf.get(decision.height) ?? 0, decision.certificate.round))
    }
    for (const out of result.messages) {
      const m = out.message
      if (this.observed && m.kind !== 'commit' && world.signedBy(this.index, m)) world.checker.onSigned(this.index, m)
      const packet = world.encode(out.message)
      if (out.to === null) ctx.broadcast(packet)
      else ctx.send(out.to, packet)
    }
    for (const request of result.validate) {
      ctx.schedule(ctx.now() + ctx.random.intBetween(...world.validityDelayMs), () =>
        this.handle(
          this.core.step({ type: 'validity', height: request.height, valueId: request.valueId, valid: isValidValue(request.value) }),
        ),
      )
    }
    if (result.needValue !== null) {
      const height = result.needValue
      ctx.schedule(ctx.now() + ctx.random.intBetween(0, 20), () =>
        this.handle(this.core.step({ type: 'value', height, value: world.proposalValue(this.index, height) })),
      )
    }
    ctx.setWake(result.wakeAt)
  }
}

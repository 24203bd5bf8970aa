/**
 * Everything one simulated BFT deployment shares: the validators' keys and set, the
 * application's values and validity rule, the safety checker, each node's "disk", and the
 * honest validator process that drives the real core inside the simulator.
 */
import { createBftNode, decodeBftMessage, encodeBftMessage, type BftMessage, type BftNode, type BftTimeouts, type PersistedBftState, type StepResult } from '../../../workers/consensus/bft'
import { createRealScheme, createRealSigner, createValidatorSet, type SignatureScheme, type ValidatorSet, type ValidatorSigner } from '../../../workers/consensus/certificate'
import type { Rng } from '../../../workers/common/random'
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
const realSigners: ValidatorSigner[] = []
/** One instance for all runs, so that its cache of decoded BLS keys carries over. */
let realScheme: SignatureScheme | undefined
function realSigner(index: number): ValidatorSigner {
  realSigners[index] ??= createRealSigner({ identitySeed: new Uint8Array(32).fill(index + 1), voteSeed: new Uint8Array(48).fill(index + 1) })
  return realSigners[index]
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
}

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
  /** When each honest validator decided each height (virtual ms). */
  readonly decisionTimes: { validator: number; height: number; at: number }[] = []
  readonly validityDelayMs: readonly [number, number]

  constructor(options: WorldOptions) {
    this.chainId = options.chainId ?? 'sim'
    this.wire = options.wire
    this.timeouts = options.timeouts ?? SIM_TIMEOUTS
    this.validityDelayMs = options.validityDelayMs ?? [0, 40]
    if (options.scheme === 'real') {
      realScheme ??= createRealScheme()
      this.scheme = realScheme
      this.signers = Array.from({ length: options.validators }, (_, i) => realSigner(i))
    } else {
      const sim = createSimSignatures()
      this.scheme = sim.scheme
      this.signers = Array.from({ length: options.validators }, () => sim.createSigner(options.random))
    }
    const entries = this.signers.map((s, i) => ({ id: `v${String(i).padStart(3, '0')}`, identityKey: s.identityKey, voteKey: s.voteKey, possession: s.proofOfPossession() }))
    const created = createValidatorSet(entries, this.scheme)
    if (!created.ok) throw new Error(created.reason)
    this.set = created.set
    // The set is ordered by id and ids are zero-padded indices, so signer i is validator i.
    this.ids = this.set.validators.map((v) => v.id)
    this.disks = this.ids.map(() => ({ state: null }))
    this.checker = new SafetyChecker(this.chainId, this.set, this.scheme, isValidValue)
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
    return this.set.indexOf(id)
  }

  newCore(index: number, now: number): BftNode {
    return createBftNode({
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
}

/** An honest node: the real core, a disk written before anything is sent, and an application that answers validity checks after a delay. */
export class HonestValidator implements SimProcess<Packet> {
  private readonly core: BftNode
  private lastTick: number

  constructor(
    private readonly world: BftWorld,
    private readonly index: number,
    private readonly ctx: SimContext<Packet>,
  ) {
    this.core = world.newCore(index, ctx.now())
    world.cores.set(index, this.core)
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
      world.checker.onDecision(this.index, decision)
      world.decisionTimes.push({ validator: this.index, height: decision.height, at: ctx.now() })
    }
    for (const out of result.messages) {
      const m = out.message
      if ((m.kind === 'vote' && m.validator === this.index) || (m.kind === 'proposal' && m.proposer === this.index)) world.checker.onSigned(this.index, m)
      const packet = world.encode(out.message)
      if (out.to === null) ctx.broadcast(packet)
      else ctx.send(out.to, packet)
    }
    for (const request of result.validate) {
      ctx.schedule(ctx.now() + ctx.random.intBetween(...world.validityDelayMs), () =>
        this.handle(this.core.step({ type: 'validity', height: request.height, valueId: request.valueId, valid: isValidValue(request.value) })),
      )
    }
    if (result.needValue !== null) {
      const height = result.needValue
      ctx.schedule(ctx.now() + ctx.random.intBetween(0, 20), () => this.handle(this.core.step({ type: 'value', height, value: candidateValue(height, this.index) })))
    }
    ctx.setWake(result.wakeAt)
  }
}

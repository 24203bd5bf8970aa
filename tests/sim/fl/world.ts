/**
 * A federated task in the deterministic simulator: trainers, rotating aggregators and BFT
 * validators, each running the production round core (workers/fl/round); validators also run
 * the production BFT core with the simulator's fast signatures. The model is a small vector
 * pulled towards a seeded target, so a round is microseconds of arithmetic: training is
 * `lr·(target − base)` plus per-trainer noise, aggregation is the production `aggregate()`,
 * and a validator's evaluation is the distance to the target (its "held-out loss").
 *
 * Blobs (updates and models) sit in one content-addressed store standing in for the transfer
 * protocol; each update records its author, standing in for the trainer's signature, so an
 * aggregator cannot pass off an input in a trainer's name.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import type { BftMessage, StepResult } from '../../../workers/consensus/bft'
import { decodeCertificate, encodeCertificate, verifyCertificate } from '../../../workers/consensus/certificate'
import { aggregate, type RuleConfig } from '../../../workers/fl/aggregation/aggregate'
import { gaussianNoise, signFlip } from '../../../workers/fl/attacks/attacks'
import { createRng } from '../../../workers/common/random'
import { float32LE, l2Norm, subtract } from '../../../workers/fl/update/delta'
import {
  chainIdFor,
  createRoundNode,
  decodeDescriptor,
  descriptorKey,
  encodeDescriptor,
  hashOf,
  type CommitProof,
  type Hash,
  type ProposalDescriptor,
  type RoundMessage,
  type RoundNode,
  type RoundOutput,
  type RoundParams,
  type Roster,
} from '../../../workers/fl/round'
import { BftWorld, SIM_TIMEOUTS } from '../bft/world'
import type { Rng as Random } from '../../../workers/common/random'
import type { SimContext, SimProcess } from '../simulator'

export type FlPacket = { readonly layer: 'round'; readonly message: RoundMessage } | { readonly layer: 'bft'; readonly message: BftMessage }

export type TrainerBehaviour = 'honest' | 'sign-flip' | 'gaussian' | 'gone'
/** Wrong aggregators compute another candidate than the descriptor's inputs and rule give. */
export type AggregatorBehaviour = 'honest' | 'wrong-rule' | 'drop-inputs' | 'scale'
export type ValidatorBehaviour = 'honest' | 'garbage'

export interface FlWorldOptions {
  readonly random: Random
  readonly params: RoundParams
  readonly rule: RuleConfig
  readonly trainers: readonly TrainerBehaviour[]
  readonly aggregators: readonly AggregatorBehaviour[]
  readonly validators: readonly ValidatorBehaviour[]
  /** A candidate whose loss exceeds the base model's by more than this gets no vote. */
  readonly lossThreshold?: number
  readonly dimension?: number
  readonly learningRate?: number
  readonly trainMs?: readonly [number, number]
  readonly verifyMs?: readonly [number, number]
  /** Standard deviation of an honest update's noise per coordinate (default 0.02). */
  readonly updateNoise?: number
  /** Passed to every round core (robust mode's rule; see RoundNodeConfig). */
  readonly freshUpdateAfterProposal?: boolean
}

export interface Adoption {
  readonly round: number
  readonly candidate: Hash
  readonly aggregator: string
  readonly attempt: number
  readonly at: number
}

export class FlWorld {
  readonly params: RoundParams
  readonly rule: RuleConfig
  readonly bft: BftWorld
  readonly roster: Roster
  readonly trainerIds: string[]
  readonly aggregatorIds: string[]
  readonly target: Float32Array
  readonly initialModel: Hash
  readonly blobs = new Map<Hash, Float32Array>()
  readonly authors = new Map<Hash, string>()
  readonly adoptions = new Map<string, Adoption[]>()
  readonly nodes = new Map<string, RoundNode>()
  /** Every certificate check a non-validator ran, and its outcome. */
  readonly certificateChecks: { node: string; round: number; ok: boolean }[] = []
  /** Every verdict an honest validator reached. */
  readonly verdicts: { validator: string; descriptor: ProposalDescriptor; valid: boolean }[] = []
  readonly refusals: { node: string; reason: string }[] = []
  private readonly options: FlWorldOptions

  constructor(options: FlWorldOptions) {
    this.options = options
    this.params = options.params
    this.rule = options.rule
    this.bft = new BftWorld({
      validators: options.validators.length,
      scheme: 'sim',
      wire: false,
      random: options.random,
      chainId: chainIdFor(options.params.taskId),
      timeouts: SIM_TIMEOUTS,
    })
    this.trainerIds = options.trainers.map((_, i) => `t${String(i).padStart(2, '0')}`)
    this.aggregatorIds = options.aggregators.map((_, i) => `a${i}`)
    this.roster = { aggregators: this.aggregatorIds, validators: this.bft.ids }
    const dimension = options.dimension ?? 16
    this.target = new Float32Array(dimension)
    const rng = createRng(options.random.intBetween(0, 2 ** 31))
    for (let i = 0; i < dimension; i++) this.target[i] = rng.normal()
    this.initialModel = this.store(new Float32Array(dimension))
  }

  store(vector: Float32Array): Hash {
    const hash = hashOf(float32LE(vector))
    this.blobs.set(hash, vector)
    return hash
  }

  loss(model: Hash): number {
    const vector = this.blobs.get(model)
    if (!vector) throw new Error(`no model ${model}`)
    return l2Norm(subtract(vector, this.target))
  }

  /** A trainer's update from `base`: honest ones step towards the target; Byzantine ones attack. */
  train(trainer: number, round: number, base: Hash, attempt = 0): Float32Array {
    // A fresh update for a later attempt draws other noise, as another batch order would.
    const rng = createRng(trainer * 7919 + round * 104_729 + attempt * 15_485_863 + 1)
    const model = this.blobs.get(base)!
    const lr = this.options.learningRate ?? 0.5
    const honest = new Float32Array(model.length)
    for (let i = 0; i < model.length; i++) honest[i] = lr * (this.target[i] - model[i]) + (this.options.updateNoise ?? 0.02) * rng.normal()
    switch (this.options.trainers[trainer]) {
      case 'sign-flip':
        return signFlip(honest, 4)
      case 'gaussian':
        return gaussianNoise(model.length, 10, rng)
      default:
        return honest
    }
  }

  /** The task's aggregation of a descriptor's inputs, as every honest party computes it; null when an input is missing or not its trainer's. */
  reexecute(base: Hash, inputs: ProposalDescriptor['inputs'], rule: RuleConfig = this.rule): Float32Array | null {
    const vectors: { id: string; vector: Float32Array; weight: number }[] = []
    for (const input of inputs) {
      const vector = this.blobs.get(input.update)
      if (!vector || this.authors.get(input.update) !== input.trainer) return null
      vectors.push({ id: input.trainer, vector, weight: 1 })
    }
    const result = aggregate(vectors, { rule })
    if (!result.ok) return null
    const model = this.blobs.get(base)!
    const next = new Float32Array(model.length)
    for (let i = 0; i < next.length; i++) next[i] = model[i] + result.vector[i]
    return next
  }

  verify(d: ProposalDescriptor): boolean {
    const candidate = this.reexecute(d.baseModel, d.inputs)
    if (!candidate || hashOf(float32LE(candidate)) !== d.candidate) return false
    this.store(candidate)
    return this.loss(d.candidate) <= this.loss(d.baseModel) + (this.options.lossThreshold ?? 0.05)
  }

  /** What a non-validator checks before adopting: the certificate, for this chain, height and descriptor. */
  certify(node: string, proof: CommitProof): boolean {
    const decoded = decodeCertificate(proof.certificate)
    const ok =
      decoded.ok &&
      verifyCertificate(decoded.certificate, this.bft.set, this.bft.scheme, {
        chainId: chainIdFor(this.params.taskId),
        height: proof.descriptor.round,
        valueId: sha256(encodeDescriptor(proof.descriptor)),
      }).ok
    this.certificateChecks.push({ node, round: proof.descriptor.round, ok })
    return ok
  }

  adopt(node: string, proof: CommitProof, at: number): void {
    const list = this.adoptions.get(node) ?? []
    const d = proof.descriptor
    list.push({ round: d.round, candidate: d.candidate, aggregator: d.aggregator, attempt: d.attempt, at })
    this.adoptions.set(node, list)
  }

  newRoundNode(self: string, trainer: boolean, now: number): RoundNode {
    const node = createRoundNode({
      self,
      trainer,
      params: this.params,
      roster: this.roster,
      now,
      committedRound: 0,
      baseModel: this.initialModel,
      freshUpdateAfterProposal: this.options.freshUpdateAfterProposal,
    })
    this.nodes.set(self, node)
    return node
  }

  trainerFactory(index: number): (ctx: SimContext<FlPacket>) => SimProcess<FlPacket> {
    return (ctx) => new TrainerProcess(this, index, ctx)
  }

  aggregatorFactory(index: number): (ctx: SimContext<FlPacket>) => SimProcess<FlPacket> {
    return (ctx) => new AggregatorProcess(this, index, ctx)
  }

  validatorFactory(index: number): (ctx: SimContext<FlPacket>) => SimProcess<FlPacket> {
    return (ctx) => new ValidatorProcess(this, index, this.options.validators[index], ctx)
  }

  get trainMs(): readonly [number, number] {
    return this.options.trainMs ?? [200, 800]
  }

  get verifyMs(): readonly [number, number] {
    return this.options.verifyMs ?? [20, 120]
  }

  trainerBehaviour(index: number): TrainerBehaviour {
    return this.options.trainers[index]
  }

  aggregatorBehaviour(index: number): AggregatorBehaviour {
    return this.options.aggregators[index]
  }
}

/** Shared plumbing: one round core, its messages on the simulated network, its requests answered after a delay. */
abstract class RoundProcess implements SimProcess<FlPacket> {
  protected readonly core: RoundNode
  protected roundWake = Infinity

  constructor(
    protected readonly world: FlWorld,
    protected readonly ctx: SimContext<FlPacket>,
    trainer: boolean,
  ) {
    this.core = world.newRoundNode(ctx.id, trainer, ctx.now())
  }

  receive(from: string, packet: FlPacket): void {
    this.tick()
    if (packet.layer === 'round') this.handleRound(this.core.step({ type: 'receive', from, message: packet.message }))
    else this.onBft(from, packet.message)
  }

  wake(): void {
    this.tick()
  }

  protected tick(): void {
    this.handleRound(this.core.step({ type: 'tick', now: this.ctx.now() }))
  }

  protected onBft(_from: string, _message: BftMessage): void {}

  protected handleRound(out: RoundOutput): void {
    const { ctx, world } = this
    if (!out.ok) world.refusals.push({ node: ctx.id, reason: out.reason ?? '' })
    for (const m of out.messages) {
      const packet: FlPacket = { layer: 'round', message: m.message }
      if (m.to === null) ctx.broadcast(packet)
      else ctx.send(m.to, packet)
    }
    for (const proof of out.certify) {
      ctx.schedule(ctx.now() + 1, () => {
        const ok = world.certify(ctx.id, proof)
        this.handleRound(
          this.core.step(ok ? { type: 'decided', proof } : { type: 'certify-failed', proof, reason: 'certificate does not verify' }),
        )
      })
    }
    if (out.adopt) world.adopt(ctx.id, out.adopt, ctx.now())
    this.onRequests(out)
    this.roundWake = out.wakeAt
    this.setWake()
  }

  protected onRequests(_out: RoundOutput): void {}

  protected setWake(): void {
    this.ctx.setWake(this.roundWake)
  }
}

class TrainerProcess extends RoundProcess {
  constructor(
    world: FlWorld,
    private readonly index: number,
    ctx: SimContext<FlPacket>,
  ) {
    super(world, ctx, true)
    this.tick()
  }

  protected override onRequests(out: RoundOutput): void {
    const request = out.train
    if (!request || this.world.trainerBehaviour(this.index) === 'gone') return
    const { ctx, world } = this
    ctx.schedule(ctx.now() + ctx.random.intBetween(...world.trainMs), () => {
      const update = world.train(this.index, request.round, request.baseModel, request.attempt)
      const hash = world.store(update)
      world.authors.set(hash, ctx.id)
      this.handleRound(
        this.core.step({
          type: 'trained',
          round: request.round,
          submission: { trainer: ctx.id, update: hash, samples: 100, signature: new Uint8Array(0) },
        }),
      )
    })
  }
}

class AggregatorProcess extends RoundProcess {
  constructor(
    world: FlWorld,
    private readonly index: number,
    ctx: SimContext<FlPacket>,
  ) {
    super(world, ctx, false)
    // The adapter's view of who is in the mesh: every trainer, including any that will never answer.
    this.handleRound(this.core.step({ type: 'presence', trainers: world.trainerIds }))
  }

  protected override onRequests(out: RoundOutput): void {
    const request = out.aggregate
    if (!request) return
    const { ctx, world } = this
    ctx.schedule(ctx.now() + ctx.random.intBetween(10, 50), () => {
      const behaviour = world.aggregatorBehaviour(this.index)
      const inputs = behaviour === 'drop-inputs' ? request.inputs.slice(0, world.params.quorum) : request.inputs
      const candidate = world.reexecute(request.baseModel, inputs, behaviour === 'wrong-rule' ? { rule: 'fedavg' } : world.rule)
      if (candidate && behaviour === 'scale') for (let i = 0; i < candidate.length; i++) candidate[i] *= 3
      const result = candidate
        ? ({ ok: true, candidate: world.store(candidate) } as const)
        : ({ ok: false, reason: 'inputs unavailable' } as const)
      this.handleRound(this.core.step({ type: 'aggregated', round: request.round, attempt: request.attempt, result }))
    })
  }
}

/**
 * A validator: the round core judges candidates, the BFT core agrees on one per round. A
 * 'garbage' validator runs both cores but proposes a made-up candidate whenever it leads and
 * tells its BFT core that every value is valid, so it prevotes and precommits for anything.
 */
class ValidatorProcess extends RoundProcess {
  private readonly bft
  private bftWake = Infinity
  private lastBftTick: number
  /** BFT validity questions waiting for the round core's verdict, by descriptor key. */
  private readonly pending = new Map<string, { height: number; valueId: Uint8Array }[]>()

  constructor(
    world: FlWorld,
    private readonly index: number,
    private readonly behaviour: 'honest' | 'garbage',
    ctx: SimContext<FlPacket>,
  ) {
    super(world, ctx, false)
    this.bft = world.bft.newCore(index, ctx.now())
    this.lastBftTick = ctx.now()
    this.handleBft(this.bft.step({ type: 'tick', now: ctx.now() }))
    this.tick()
  }

  protected override tick(): void {
    super.tick()
    const now = this.ctx.now()
    if (this.bft && now !== this.lastBftTick) {
      this.lastBftTick = now
      this.handleBft(this.bft.step({ type: 'tick', now }))
    }
  }

  protected override onBft(from: string, message: BftMessage): void {
    this.handleBft(this.bft.step({ type: 'receive', from, message }))
  }

  protected override setWake(): void {
    this.ctx.setWake(Math.min(this.roundWake, this.bftWake))
  }

  protected override onRequests(out: RoundOutput): void {
    const { ctx, world } = this
    for (const d of out.verify) {
      ctx.schedule(ctx.now() + ctx.random.intBetween(...world.verifyMs), () => {
        const valid = world.verify(d)
        world.verdicts.push({ validator: ctx.id, descriptor: d, valid })
        this.handleRound(this.core.step({ type: 'verified', descriptor: d, valid }))
        this.answerPending(d, valid)
      })
    }
    // Offer consensus the first candidate this validator found valid for the round.
    const first = out.candidates[0]
    if (first && this.behaviour === 'honest')
      this.handleBft(this.bft.step({ type: 'value', height: first.round, value: encodeDescriptor(first) }))
  }

  private answerPending(d: ProposalDescriptor, valid: boolean): void {
    const key = descriptorKey(d)
    const waiting = this.pending.get(key) ?? []
    this.pending.delete(key)
    for (const w of waiting) this.handleBft(this.bft.step({ type: 'validity', height: w.height, valueId: w.valueId, valid }))
  }

  private handleBft(result: StepResult): void {
    const { ctx, world } = this
    for (const out of result.messages) {
      const packet: FlPacket = { layer: 'bft', message: out.message }
      if (out.to === null) ctx.broadcast(packet)
      else ctx.send(out.to, packet)
    }
    for (const decision of result.decisions) {
      const decoded = decodeDescriptor(decision.value)
      if (!decoded.ok) throw new Error(`consensus decided something that is not a descriptor: ${decoded.reason}`)
      this.handleRound(
        this.core.step({ type: 'decided', proof: { descriptor: decoded.value, certificate: encodeCertificate(decision.certificate) } }),
      )
    }
    for (const request of result.validate) {
      const decoded = decodeDescriptor(request.value)
      if (this.behaviour === 'garbage' || !decoded.ok) {
        const valid = this.behaviour === 'garbage'
        ctx.schedule(ctx.now(), () =>
          this.handleBft(this.bft.step({ type: 'validity', height: request.height, valueId: request.valueId, valid })),
        )
        continue
      }
      const d = decoded.value
      let verdict = this.core.verdict(d)
      if (verdict === null) {
        this.handleRound(this.core.step({ type: 'judge', descriptor: d }))
        verdict = this.core.verdict(d)
      }
      if (verdict === 'pending') {
        const key = descriptorKey(d)
        this.pending.set(key, [...(this.pending.get(key) ?? []), { height: request.height, valueId: request.valueId }])
        continue
      }
      // Known, or refused by the core (another round, a wrong frame): answer at once.
      const valid = verdict === true
      ctx.schedule(ctx.now(), () =>
        this.handleBft(this.bft.step({ type: 'validity', height: request.height, valueId: request.valueId, valid })),
      )
    }
    if (result.needValue !== null && this.behaviour === 'garbage') {
      const height = result.needValue
      const garbage: ProposalDescriptor = {
        taskId: world.params.taskId,
        round: height,
        attempt: 0,
        aggregator: ctx.id,
        baseModel: world.initialModel,
        inputs: [],
        candidate: bytesToHex(sha256(new TextEncoder().encode(`garbage ${height} ${ctx.now()}`))),
      }
      ctx.schedule(ctx.now(), () => this.handleBft(this.bft.step({ type: 'value', height, value: encodeDescriptor(garbage) })))
    }
    this.bftWake = result.wakeAt
    this.setWake()
  }
}

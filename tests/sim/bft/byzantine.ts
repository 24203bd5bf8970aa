/**
 * Byzantine validators. Each holds only its own keys (the simulated scheme cannot sign for
 * anyone else), and most run a real core so that they look alive while they misbehave:
 *  - silent: never sends anything (a dead proposer, a missing voter);
 *  - equivocate: as proposer sends different values to different halves of the network,
 *    and sends conflicting votes to different halves;
 *  - double-vote: sends every vote and then a conflicting one, to everyone;
 *  - invalid: proposes values the application rejects and votes for anything;
 *  - forge: adds votes signed with its key in other validators' names, random signatures,
 *    tampered copies of honest votes, fake proposals and fake commit certificates;
 *  - replay: re-sends old messages it has seen (earlier rounds and heights) to anyone;
 *  - bad-share: behaves, except that its precommits carry a BLS share over another message or
 *    random bytes, correctly signed with its identity key: the aggregate of a quorum that
 *    includes it fails, and the others must find it and build the certificate without it.
 * The colluder (negative control only) plays two sides of a partition at once.
 */
import { commitSignBytes } from '../../../workers/consensus/certificate'
import {
  proposalSignBytes,
  voteSignBytes,
  type BftMessage,
  type BftNode,
  type Proposal,
  type StepResult,
  type Vote,
  type VoteType,
} from '../../../workers/consensus/bft'
import { sha256 } from '@noble/hashes/sha2.js'
import type { SimContext, SimProcess } from '../simulator'
import { BftWorld, candidateValue, invalidValue, type Packet } from './world'

export const BEHAVIOURS = ['silent', 'equivocate', 'double-vote', 'invalid', 'forge', 'replay', 'bad-share'] as const
export type Behaviour = (typeof BEHAVIOURS)[number]

const text = new TextEncoder()
const EMPTY = new Uint8Array(0)

export function craftVote(
  world: BftWorld,
  signerIndex: number,
  fields: { height: number; round: number; type: VoteType; valueId: Uint8Array | null; claimedValidator?: number },
): Vote {
  const signer = world.signers[signerIndex]
  const commitSignature =
    fields.type === 'precommit' && fields.valueId
      ? signer.signVote(commitSignBytes(world.chainId, fields.height, fields.round, fields.valueId))
      : EMPTY
  const unsigned = {
    height: fields.height,
    round: fields.round,
    type: fields.type,
    valueId: fields.valueId,
    validator: fields.claimedValidator ?? signerIndex,
    commitSignature,
  }
  return { kind: 'vote', ...unsigned, signature: signer.signMessage(voteSignBytes(world.chainId, unsigned)) }
}

export function craftProposal(
  world: BftWorld,
  signerIndex: number,
  fields: { height: number; round: number; value: Uint8Array; claimedProposer?: number },
): Proposal {
  const proposer = fields.claimedProposer ?? signerIndex
  const signed = proposalSignBytes(world.chainId, {
    height: fields.height,
    round: fields.round,
    valueId: sha256(fields.value),
    validRound: -1,
    proposer,
  })
  return {
    kind: 'proposal',
    height: fields.height,
    round: fields.round,
    value: fields.value,
    validRound: -1,
    proposer,
    justification: [],
    signature: world.signers[signerIndex].signMessage(signed),
  }
}

export class SilentValidator implements SimProcess<Packet> {
  receive(): void {}
  wake(): void {}
}

/** A real core whose outgoing traffic a behaviour rewrites. */
export class ByzantineValidator implements SimProcess<Packet> {
  private readonly core: BftNode
  private lastTick: number
  private readonly seen: Packet[] = []

  constructor(
    private readonly world: BftWorld,
    private readonly index: number,
    private readonly behaviour: Exclude<Behaviour, 'silent'>,
    private readonly ctx: SimContext<Packet>,
  ) {
    this.core = world.newCore(index, ctx.now())
    this.lastTick = ctx.now()
    this.handle(this.core.step({ type: 'tick', now: ctx.now() }))
  }

  receive(from: string, packet: Packet): void {
    if (this.behaviour === 'replay') {
      if (this.seen.length < 400) this.seen.push(packet)
      else this.seen[this.ctx.random.intBetween(0, this.seen.length - 1)] = packet
    }
    const message = this.world.decode(packet)
    if (!message) return
    this.tick()
    this.handle(this.core.step({ type: 'receive', from, message }))
  }

  wake(): void {
    this.tick()
    if (this.behaviour === 'replay') this.replay()
  }

  private tick(): void {
    const now = this.ctx.now()
    if (now === this.lastTick) return
    this.lastTick = now
    this.handle(this.core.step({ type: 'tick', now }))
  }

  private others(): string[] {
    return this.world.ids.filter((_, i) => i !== this.index)
  }

  private send(to: string, message: BftMessage): void {
    this.ctx.send(to, this.world.encode(message))
  }

  private handle(result: StepResult): void {
    const { world, ctx } = this
    if (result.persist) world.disks[this.index].state = result.persist
    for (const out of result.messages) {
      if (out.to !== null) this.send(out.to, out.message)
      else this.misbehave(out.message)
    }
    for (const request of result.validate) {
      // It accepts anything, invalid values included.
      ctx.schedule(ctx.now() + 1, () =>
        this.handle(this.core.step({ type: 'validity', height: request.height, valueId: request.valueId, valid: true })),
      )
    }
    if (result.needValue !== null) {
      const height = result.needValue
      const value = this.behaviour === 'invalid' ? invalidValue(height, this.index) : candidateValue(height, this.index)
      ctx.schedule(ctx.now() + 1, () => this.handle(this.core.step({ type: 'value', height, value })))
    }
    ctx.setWake(result.wakeAt)
  }

  private conflicting(message: Proposal | Vote): Proposal | Vote {
    const { world, index, ctx } = this
    const altValue = text.encode(`v:${message.height}:evil${index}:${message.round}:${ctx.random.intBetween(0, 3)}`)
    if (message.kind === 'proposal') return craftProposal(world, index, { height: message.height, round: message.round, value: altValue })
    const valueId = message.valueId === null || ctx.random.chance(0.5) ? sha256(altValue) : null
    return craftVote(world, index, { height: message.height, round: message.round, type: message.type, valueId })
  }

  private misbehave(message: BftMessage): void {
    const { ctx } = this
    const others = this.others()
    if (this.behaviour === 'bad-share') {
      for (const to of others) this.send(to, message.kind === 'vote' ? this.badShare(message) : message)
      return
    }
    if (message.kind === 'commit' || this.behaviour === 'invalid' || this.behaviour === 'replay') {
      for (const to of others) this.send(to, message)
      return
    }
    if (this.behaviour === 'equivocate') {
      const alternative = this.conflicting(message)
      for (const to of others) this.send(to, ctx.random.chance(0.5) ? message : alternative)
      return
    }
    if (this.behaviour === 'double-vote') {
      const alternative = this.conflicting(message)
      for (const to of others) {
        const [first, second] = ctx.random.chance(0.5) ? [message, alternative] : [alternative, message]
        this.send(to, first)
        this.send(to, second)
      }
      return
    }
    // forge
    for (const to of others) this.send(to, message)
    for (const forged of this.forgeries(message)) this.send(ctx.random.pick(others), forged)
  }

  /** Its own precommit for a value, re-signed around a BLS share that does not verify (mixed into an aggregate, it spoils it). */
  private badShare(vote: Vote): Vote {
    if (vote.type !== 'precommit' || vote.valueId === null) return vote
    const { world, index, ctx } = this
    const signer = world.signers[index]
    const commitSignature = ctx.random.chance(0.5)
      ? signer.signVote(commitSignBytes(world.chainId, vote.height, vote.round + 1, vote.valueId))
      : Uint8Array.from(vote.commitSignature, () => ctx.random.intBetween(0, 255))
    const unsigned = {
      height: vote.height,
      round: vote.round,
      type: vote.type,
      valueId: vote.valueId,
      validator: vote.validator,
      commitSignature,
    }
    return { kind: 'vote', ...unsigned, signature: signer.signMessage(voteSignBytes(world.chainId, unsigned)) }
  }

  private forgeries(message: Proposal | Vote): BftMessage[] {
    const { world, index, ctx } = this
    const n = world.ids.length
    const victim = (index + 1 + ctx.random.intBetween(0, n - 2)) % n
    const height = message.height
    const round = message.round
    const valueId = sha256(text.encode(`v:${height}:forged`))
    const out: BftMessage[] = []
    // Its own key, someone else's name.
    out.push(
      craftVote(world, index, {
        height,
        round,
        type: ctx.random.pick<VoteType>(['prevote', 'precommit']),
        valueId,
        claimedValidator: victim,
      }),
    )
    // Someone else's name, random signature bytes.
    const honestish = craftVote(world, index, { height, round, type: 'prevote', valueId, claimedValidator: victim })
    out.push({ ...honestish, signature: Uint8Array.from(honestish.signature, () => ctx.random.intBetween(0, 255)) })
    // A real vote of its own with the value swapped after signing.
    if (message.kind === 'vote') out.push({ ...message, valueId })
    // A proposal in the name of whoever proposes this round.
    out.push(craftProposal(world, index, { height, round, value: text.encode(`v:${height}:forged`), claimedProposer: victim }))
    // A commit for a value nobody voted for: every signer bit set, an aggregate of just its own signature.
    const own = world.signers[index].signVote(commitSignBytes(world.chainId, height, round, valueId))
    out.push({
      kind: 'commit',
      value: text.encode(`v:${height}:forged`),
      certificate: {
        chainId: world.chainId,
        height,
        round,
        valueId,
        validatorSetHash: world.set.hash,
        signers: Uint8Array.from({ length: Math.ceil(n / 8) }, (_, i) => (i === Math.ceil(n / 8) - 1 && n % 8 ? (1 << (n % 8)) - 1 : 0xff)),
        aggregateSignature: world.scheme.aggregateVotes([own]),
      },
    })
    return out
  }

  private replay(): void {
    const { ctx } = this
    if (this.seen.length === 0 || !ctx.random.chance(0.5)) return
    for (let i = ctx.random.intBetween(1, 4); i > 0; i--) ctx.send(ctx.random.pick(this.others()), ctx.random.pick(this.seen))
  }
}

export function byzantineFactory(world: BftWorld, index: number, behaviour: Behaviour): (ctx: SimContext<Packet>) => SimProcess<Packet> {
  return (ctx) => (behaviour === 'silent' ? new SilentValidator() : new ByzantineValidator(world, index, behaviour, ctx))
}

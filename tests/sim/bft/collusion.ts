/**
 * Negative control: f+1 colluding validators, more than the protocol tolerates. The honest
 * validators are split into two partitions that cannot reach each other; the colluders
 * reach both and tell each side a different story (their own proposals differ per side, and
 * they prevote and precommit whatever each side is voting for). Each side then sees a
 * quorum and decides a different value, which the safety checker must catch. If it did
 * not, the checker would be unable to fail.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import type { BftMessage } from '../../../workers/consensus/bft'
import { createRng } from '../../../workers/common/random'
import { Simulation, type SimContext, type SimProcess } from '../simulator'
import { craftProposal, craftVote } from './byzantine'
import { BftWorld, type Packet } from './world'

const text = new TextEncoder()

class Colluder implements SimProcess<Packet> {
  private readonly done = new Set<string>()

  constructor(
    private readonly world: BftWorld,
    private readonly index: number,
    private readonly colluders: ReadonlySet<number>,
    private readonly sides: readonly (readonly number[])[],
    private readonly ctx: SimContext<Packet>,
  ) {}

  wake(): void {}

  receive(from: string, packet: Packet): void {
    const message = this.world.decode(packet)
    const sender = this.world.indexOf(from)
    if (!message || message.kind === 'commit' || this.colluders.has(sender)) return
    const side = this.sides.findIndex((s) => s.includes(sender))
    if (side < 0) return
    const { height, round } = message
    const n = this.world.ids.length
    const proposer = (height + round) % n
    let valueId: Uint8Array | null
    if (this.colluders.has(proposer)) {
      const value = text.encode(`v:${height}:side${side}`)
      valueId = sha256(value)
      if (proposer === this.index && this.once(`${side}/${height}/${round}/proposal`))
        this.tell(side, craftProposal(this.world, this.index, { height, round, value }))
    } else if (this.sides[side].includes(proposer)) {
      // Back whatever this side's honest proposer proposed, once it is seen.
      if (message.kind !== 'proposal') return
      valueId = sha256(message.value)
    } else {
      // This side cannot hear its proposer: vote nil so that its rounds keep turning.
      valueId = null
    }
    if (!this.once(`${side}/${height}/${round}/votes`)) return
    this.tell(side, craftVote(this.world, this.index, { height, round, type: 'prevote', valueId }))
    this.tell(side, craftVote(this.world, this.index, { height, round, type: 'precommit', valueId }))
  }

  private once(key: string): boolean {
    if (this.done.has(key)) return false
    this.done.add(key)
    return true
  }

  private tell(side: number, message: BftMessage): void {
    for (const i of this.sides[side]) this.ctx.send(this.world.ids[i], this.world.encode(message))
  }
}

export interface CollusionReport {
  readonly violations: readonly string[]
  readonly decisions: number
}

/** n validators, `colluding` of them (default f+1) colluding, the rest split in two partitions bridged only by the colluders. */
export function runCollusion(seed: number, validators: number, colluding?: number, durationMs = 10_000): CollusionReport {
  const random = createRng(seed)
  const world = new BftWorld({ validators, scheme: 'sim', wire: false, random })
  const f = world.set.maxFaulty
  const order = random.shuffle(Array.from({ length: validators }, (_, i) => i))
  const count = colluding ?? f + 1
  const colluders = new Set(order.slice(0, count))
  const honest = order.slice(count)
  const half = Math.ceil(honest.length / 2)
  const sides = [honest.slice(0, half), honest.slice(half)]
  const sim = new Simulation<Packet>(seed, { delayMs: [1, 50], dropRate: 0, duplicateRate: 0 })
  world.ids.forEach((id, i) =>
    sim.add(id, colluders.has(i) ? (ctx) => new Colluder(world, i, colluders, sides, ctx) : world.honestFactory(i)),
  )
  sim.partition(
    sides.map((s) => s.map((i) => world.ids[i])),
    [...colluders].map((i) => world.ids[i]),
  )
  sim.run(durationMs, () => !world.checker.safe)
  return { violations: world.checker.violations, decisions: world.checker.decisionCount }
}

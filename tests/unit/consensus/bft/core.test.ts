import { describe, expect, it } from 'vitest'
import { sha256 } from '@noble/hashes/sha2.js'
import {
  createBftNode,
  decodeBftMessage,
  encodeBftMessage,
  type BftMessage,
  type BftNode,
  type StepResult,
  type Vote,
} from '../../../../workers/consensus/bft'
import { verifyCertificate } from '../../../../workers/consensus/certificate'
import { createRng } from '../../../../workers/common/random'
import { craftProposal, craftVote } from '../../../sim/bft/byzantine'
import { BftWorld, SIM_TIMEOUTS, candidateValue } from '../../../sim/bft/world'

const text = new TextEncoder()

/** Validators wired by hand: each step's messages are delivered at once, in order, to everyone; no time passes unless a test ticks. */
function setup(validators = 4) {
  const world = new BftWorld({ validators, scheme: 'sim', wire: true, random: createRng(7) })
  const nodes = world.ids.map((_, i) => world.newCore(i, 0))
  const results: StepResult[][] = nodes.map(() => [])
  const deliver = (from: number, result: StepResult, skip: ReadonlySet<number> = new Set()) => {
    const queue: { from: number; result: StepResult }[] = [{ from, result }]
    while (queue.length > 0) {
      const { from: sender, result: r } = queue.shift()!
      results[sender].push(r)
      for (const request of r.validate)
        queue.push({
          from: sender,
          result: nodes[sender].step({ type: 'validity', height: request.height, valueId: request.valueId, valid: true }),
        })
      // Only height 1 gets values, so the synchronous exchange ends there.
      if (r.needValue === 1)
        queue.push({
          from: sender,
          result: nodes[sender].step({ type: 'value', height: r.needValue, value: candidateValue(r.needValue, sender) }),
        })
      for (const out of r.messages) {
        const targets = out.to === null ? nodes.map((_, i) => i).filter((i) => i !== sender) : [world.indexOf(out.to)]
        for (const to of targets) {
          if (skip.has(to)) continue
          const decoded = decodeBftMessage(encodeBftMessage(out.message))
          if (!decoded.ok) throw new Error(decoded.reason)
          queue.push({ from: to, result: nodes[to].step({ type: 'receive', from: world.ids[sender], message: decoded.message }) })
        }
      }
    }
  }
  const start = (skip: ReadonlySet<number> = new Set()) =>
    nodes.forEach((node, i) => !skip.has(i) && deliver(i, node.step({ type: 'tick', now: 1 }), skip))
  const decisions = (i: number) => results[i].flatMap((r) => r.decisions)
  return { world, nodes, deliver, start, decisions, results }
}

describe('BFT core', () => {
  it('decides height 1 with a certificate any node can verify, then moves to height 2', () => {
    const { world, nodes, start, decisions } = setup()
    start()
    for (let i = 0; i < 4; i++) {
      const [decision] = decisions(i)
      expect(decision.height).toBe(1)
      // Proposer of height 1, round 0 is validator (1 + 0) % 4.
      expect(new TextDecoder().decode(decision.value)).toBe('v:1:1')
      expect(
        verifyCertificate(decision.certificate, world.set, world.scheme, {
          chainId: world.chainId,
          height: 1,
          valueId: sha256(decision.value),
        }),
      ).toEqual({ ok: true })
      expect(nodes[i].status().height).toBe(2)
    }
  })

  it('asks the application for validity and prevotes nil for a value it rejects', () => {
    const { world, nodes } = setup()
    const proposal = craftProposal(world, 1, { height: 1, round: 0, value: text.encode('bad:value') })
    const result = nodes[0].step({ type: 'receive', from: world.ids[1], message: proposal })
    expect(result.ok).toBe(true)
    expect(result.validate).toHaveLength(1)
    expect(result.messages.filter((m) => m.message.kind === 'vote')).toHaveLength(0)
    const judged = nodes[0].step({ type: 'validity', height: 1, valueId: result.validate[0].valueId, valid: false })
    const votes = judged.messages.map((m) => m.message).filter((m): m is Vote => m.kind === 'vote')
    expect(votes).toHaveLength(1)
    expect(votes[0].type).toBe('prevote')
    expect(votes[0].valueId).toBeNull()
  })

  it('rejects forged, misattributed and out-of-turn messages without changing state', () => {
    const { world, nodes } = setup()
    const node = nodes[0]
    const before = JSON.stringify(node.persisted())
    const valueId = sha256(text.encode('v:1:x'))
    const cases: [string, BftMessage][] = [
      [
        'vote signed by validator 2 in the name of validator 3',
        craftVote(world, 2, { height: 1, round: 0, type: 'prevote', valueId, claimedValidator: 3 }),
      ],
      [
        'vote with its value swapped after signing',
        { ...craftVote(world, 2, { height: 1, round: 0, type: 'prevote', valueId: null }), valueId },
      ],
      ['proposal from a validator that is not the proposer', craftProposal(world, 2, { height: 1, round: 0, value: text.encode('v:1:2') })],
      [
        "proposal in the proposer's name, signed by another",
        craftProposal(world, 2, { height: 1, round: 0, value: text.encode('v:1:2'), claimedProposer: 1 }),
      ],
      [
        'vote from a validator index outside the set',
        { ...craftVote(world, 2, { height: 1, round: 0, type: 'prevote', valueId }), validator: 9 },
      ],
      [
        'precommit without its commit signature',
        { ...craftVote(world, 2, { height: 1, round: 0, type: 'precommit', valueId }), commitSignature: new Uint8Array(0) },
      ],
      ['vote far in the future', craftVote(world, 2, { height: 5, round: 0, type: 'prevote', valueId })],
    ]
    for (const [label, message] of cases) {
      const result = node.step({ type: 'receive', from: world.ids[2], message })
      expect(result.ok, label).toBe(false)
      expect(result.reason, label).toBeTruthy()
      expect(result.messages, label).toEqual([])
    }
    expect(node.step({ type: 'tick', now: -5 }).ok).toBe(false)
    expect(node.step({ type: 'receive', from: 'x', message: { kind: 'nonsense' } as never }).ok).toBe(false)
    expect(JSON.stringify(node.persisted())).toBe(before)
  })

  it('reports a double vote as an equivocation and counts only the first', () => {
    const { world, nodes } = setup()
    const first = craftVote(world, 2, { height: 1, round: 0, type: 'prevote', valueId: sha256(text.encode('a')) })
    const second = craftVote(world, 2, { height: 1, round: 0, type: 'prevote', valueId: sha256(text.encode('b')) })
    expect(nodes[0].step({ type: 'receive', from: world.ids[2], message: first }).ok).toBe(true)
    const result = nodes[0].step({ type: 'receive', from: world.ids[2], message: second })
    expect(result.ok).toBe(false)
    expect(result.equivocations).toHaveLength(1)
    expect(result.equivocations[0].validator).toBe(2)
    // The same vote again is a harmless duplicate.
    expect(nodes[0].step({ type: 'receive', from: world.ids[3], message: first }).ok).toBe(true)
  })

  it('asks for a value when it must propose and has none', () => {
    const { world } = setup()
    const proposer = world.newCore(1, 0)
    const result = proposer.step({ type: 'tick', now: 1 })
    expect(result.needValue).toBe(1)
    const proposed = proposer.step({ type: 'value', height: 1, value: text.encode('v:1:mine') })
    expect(proposed.messages.map((m) => m.message.kind)).toEqual(['proposal', 'vote'])
  })

  it('moves to the next round when the proposer is silent, and the next proposer decides', () => {
    const { nodes, start, decisions, deliver } = setup()
    const silent = new Set([1])
    start(silent)
    expect(decisions(0)).toHaveLength(0)
    for (let now = 2; now < 5000 && decisions(0).length === 0; now += 50)
      nodes.forEach((node, i) => !silent.has(i) && deliver(i, node.step({ type: 'tick', now }), silent))
    expect(decisions(0)).toHaveLength(1)
    expect(decisions(0)[0].certificate.round).toBeGreaterThan(0)
    expect(new TextDecoder().decode(decisions(0)[0].value)).toBe('v:1:2')
  })

  it('after a restart re-sends the vote it signed instead of signing another, and keeps its lock', () => {
    const { world } = setup()
    const node = world.newCore(0, 0)
    const valueA = text.encode('v:1:1')
    node.step({ type: 'receive', from: world.ids[1], message: craftProposal(world, 1, { height: 1, round: 0, value: valueA }) })
    const validity = node.step({ type: 'validity', height: 1, valueId: sha256(valueA), valid: true })
    expect(validity.persist).not.toBeNull()
    for (const v of [1, 2])
      node.step({
        type: 'receive',
        from: world.ids[v],
        message: craftVote(world, v, { height: 1, round: 0, type: 'prevote', valueId: sha256(valueA) }),
      })
    const state = node.persisted()
    expect(state.locked?.round).toBe(0)
    const precommit = state.signed.find((m) => m.kind === 'vote' && m.type === 'precommit') as Vote
    expect(precommit.valueId).toEqual(sha256(valueA))

    world.disks[0].state = state
    const restarted: BftNode = createBftNode({
      chainId: world.chainId,
      validators: world.set,
      signer: world.signers[0],
      scheme: world.scheme,
      now: 100,
      timeouts: SIM_TIMEOUTS,
      restored: state,
    })
    expect(restarted.status()).toMatchObject({ height: 1, round: 0, step: 'precommit', lockedRound: 0 })
    const resent = restarted.step({ type: 'tick', now: 100 }).messages.map((m) => m.message)
    expect(resent).toContainEqual(precommit)
    // Round 1's proposer offers another value with no justification: a validator locked on A prevotes nil.
    for (const v of [1, 2])
      restarted.step({
        type: 'receive',
        from: world.ids[v],
        message: craftVote(world, v, { height: 1, round: 1, type: 'prevote', valueId: null }),
      })
    const valueB = text.encode('v:1:2')
    const result = restarted.step({
      type: 'receive',
      from: world.ids[2],
      message: craftProposal(world, 2, { height: 1, round: 1, value: valueB }),
    })
    const judged = restarted.step({ type: 'validity', height: 1, valueId: sha256(valueB), valid: true })
    const prevote = [...result.messages, ...judged.messages]
      .map((m) => m.message)
      .find((m): m is Vote => m.kind === 'vote' && m.round === 1 && m.type === 'prevote')
    expect(prevote?.valueId).toBeNull()
  })

  it("a validator that missed a height catches up from a peer's commit", () => {
    const { world, nodes, start, decisions } = setup()
    start(new Set([3]))
    expect(decisions(0)).toHaveLength(1)
    const laggard = nodes[3]
    const stale = laggard.step({ type: 'tick', now: 2 })
    expect(laggard.status().height).toBe(1)
    const ownVote = craftVote(world, 3, { height: 1, round: 0, type: 'prevote', valueId: null })
    // Right after deciding, a vote for the height is taken for a validator deciding it as well: no answer yet.
    const early = nodes[0].step({ type: 'receive', from: world.ids[3], message: ownVote })
    expect(early.ok).toBe(true)
    expect(early.messages.filter((m) => m.message.kind === 'commit')).toEqual([])
    // Half a rebroadcast interval later, the same vote comes from one that is stuck: answered with the commit.
    nodes[0].step({ type: 'tick', now: 1 + SIM_TIMEOUTS.rebroadcastMs / 2 })
    const reply = nodes[0].step({ type: 'receive', from: world.ids[3], message: ownVote })
    const commit = reply.messages.find((m) => m.message.kind === 'commit')
    expect(commit?.to).toBe(world.ids[3])
    const caughtUp = laggard.step({ type: 'receive', from: world.ids[0], message: commit!.message })
    expect(caughtUp.ok).toBe(true)
    expect(caughtUp.decisions.map((d) => d.height)).toEqual([1])
    expect(laggard.status().height).toBe(2)
    expect(stale.ok).toBe(true)
  })

  it('a late vote is answered by f + 1 of the decided validators, a different f + 1 at each re-send', () => {
    const { world, nodes, start, decisions } = setup(7)
    start(new Set([6]))
    expect(decisions(0)).toHaveLength(1)
    const lateVote = craftVote(world, 6, { height: 1, round: 0, type: 'prevote', valueId: null })
    const answering = (now: number) =>
      [0, 1, 2, 3, 4, 5].filter((i) => {
        nodes[i].step({ type: 'tick', now })
        return nodes[i].step({ type: 'receive', from: world.ids[6], message: lateVote }).messages.some((m) => m.message.kind === 'commit')
      })
    const first = answering(1 + SIM_TIMEOUTS.rebroadcastMs / 2)
    expect(first).toHaveLength(3) // f + 1 with n = 7
    const next = answering(1 + SIM_TIMEOUTS.rebroadcastMs * 1.5)
    expect(next).toHaveLength(3)
    expect(next).not.toEqual(first)
  })

  it('a member silent at a height past round 0 is handed the commits held, and decides with them', () => {
    const { world, nodes, deliver, start, decisions, results } = setup()
    const silent = new Set([3])
    start(silent)
    expect(decisions(0).map((d) => d.height)).toEqual([1])
    // Height 2 gets no value here, so its rounds fail; validator 3 never speaks and so is never answered with a commit.
    for (let now = 100; now <= 2000 && nodes[0].status().round < 2; now += 100) {
      for (let i = 0; i < 3; i++) deliver(i, nodes[i].step({ type: 'tick', now }), silent)
    }
    expect(nodes[0].status()).toMatchObject({ height: 2 })
    expect(nodes[0].status().round).toBeGreaterThan(0)
    const handed = results[0].flatMap((r) => r.messages).filter((m) => m.to === world.ids[3] && m.message.kind === 'commit')
    expect(handed.length).toBeGreaterThan(0)
    const caughtUp = nodes[3].step({ type: 'receive', from: world.ids[0], message: handed[0].message })
    expect(caughtUp.ok).toBe(true)
    expect(caughtUp.decisions.map((d) => d.height)).toEqual([1])
    expect(nodes[3].status().height).toBe(2)
  })

  it('refuses a commit whose certificate does not verify', () => {
    const { world, nodes, start, decisions } = setup()
    start(new Set([3]))
    const good = decisions(0)[0]
    const tampered = { ...good.certificate, signers: new Uint8Array([0b0011]) }
    const result = nodes[3].step({
      type: 'receive',
      from: world.ids[0],
      message: { kind: 'commit', certificate: tampered, value: good.value },
    })
    expect(result.ok).toBe(false)
    const wrongValue = nodes[3].step({
      type: 'receive',
      from: world.ids[0],
      message: { kind: 'commit', certificate: good.certificate, value: text.encode('v:1:other') },
    })
    expect(wrongValue.ok).toBe(false)
    expect(nodes[3].status().height).toBe(1)
  })
})

describe('BFT codec', () => {
  it('round-trips every message kind and refuses garbage without throwing', () => {
    const { world, decisions, start } = setup()
    start()
    const vote = craftVote(world, 2, { height: 3, round: 4, type: 'precommit', valueId: sha256(text.encode('x')) })
    const proposal = craftProposal(world, 1, { height: 1, round: 0, value: text.encode('v:1:1') })
    const commit: BftMessage = { kind: 'commit', certificate: decisions(0)[0].certificate, value: decisions(0)[0].value }
    for (const message of [vote, proposal, commit]) expect(decodeBftMessage(encodeBftMessage(message))).toEqual({ ok: true, message })
    for (const bytes of [
      new Uint8Array([0xff, 0xff, 0xff]),
      new Uint8Array(0),
      encodeBftMessage({ ...vote, round: 1, type: 'prevote' }).slice(0, 5),
    ]) {
      const decoded = decodeBftMessage(bytes)
      expect(decoded.ok).toBe(false)
    }
  })
})

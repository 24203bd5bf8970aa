/**
 * Random schedules around one validator-set change decided by consensus, each determined by
 * its seed: a validator added (it follows the chain until the change takes effect, then
 * votes), one removed, the removed one being the proposer that proposes its own removal, or a
 * removed validator that never learns of it and keeps voting (a zombie), with up to f
 * Byzantine validators (f of the smaller set), message loss, duplication, delays, crashes and
 * partitions before GST, so that the change is often decided or takes effect during a
 * partition. Every honest node (followers too) must decide every height after GST, and an
 * observer that pinned the first set must verify every certificate by following the chain.
 */
import { createRng as seededRandom } from '../../../workers/common/random'
import type { NetworkConditions } from '../simulator'
import { BEHAVIOURS } from './byzantine'
import type { ScheduleOptions } from './schedule'

export const MEMBERSHIP_SCENARIOS = ['add', 'remove', 'remove-proposer', 'zombie'] as const
export type MembershipScenario = (typeof MEMBERSHIP_SCENARIOS)[number]

export function randomMembershipSchedule(seed: number, scenario?: MembershipScenario): ScheduleOptions {
  const random = seededRandom(seed ^ 0x5e7c)
  const kind = scenario ?? random.pick(MEMBERSHIP_SCENARIOS)
  const members = random.pick(kind === 'add' ? [4, 4, 5, 7] : [4, 5, 5, 7])
  const identities = kind === 'add' ? members + 1 : members
  const fromHeight = random.intBetween(1, 3)
  // Remove-proposer: the validator whose turn it is at the first height the change may be proposed proposes its own removal.
  const target = kind === 'add' ? members : kind === 'remove-proposer' ? fromHeight % members : random.intBetween(0, members - 1)
  const smaller = kind === 'add' ? members : members - 1
  const f = Math.floor((smaller - 1) / 3)
  const bystanders = random.shuffle(Array.from({ length: members }, (_, i) => i).filter((i) => i !== target))
  const byzantine = bystanders.slice(0, random.intBetween(0, f)).map((index) => ({ index, behaviour: random.pick(BEHAVIOURS) }))
  const honest = Array.from({ length: identities }, (_, i) => i).filter(
    (i) => !byzantine.some((b) => b.index === i) && !(kind === 'zombie' && i === target),
  )
  const gstMs = random.pick([0, 1500, 3000, 5000])
  const beforeGst: NetworkConditions = {
    delayMs: [1, random.pick([20, 50, 150])],
    dropRate: random.pick([0, 0, 0.05, 0.2]),
    duplicateRate: random.pick([0, 0.05, 0.2]),
  }
  const partitions: { at: number; groups: number[][] }[] = []
  if (gstMs > 0 && random.chance(0.5)) {
    for (let i = random.intBetween(1, 3); i > 0; i--) {
      const groups: number[][] = [[], []]
      for (let v = 0; v < identities; v++) groups[random.intBetween(0, 1)].push(v)
      partitions.push({ at: random.intBetween(0, gstMs), groups })
    }
  }
  const crashes: { index: number; at: number; restartAt: number }[] = []
  if (gstMs > 0 && random.chance(0.3)) {
    for (let i = random.intBetween(1, 2); i > 0; i--) {
      const at = random.intBetween(0, gstMs)
      crashes.push({ index: random.pick(honest), at, restartAt: random.intBetween(at, gstMs) })
    }
  }
  return {
    seed,
    validators: identities,
    heights: fromHeight + 5,
    byzantine,
    scheme: 'sim',
    wire: random.chance(0.1),
    gstMs,
    beforeGst,
    afterGst: { delayMs: [1, 50], dropRate: 0, duplicateRate: random.pick([0, 0.05]) },
    partitions: partitions.sort((a, b) => a.at - b.at),
    crashes,
    livenessBoundMs: 30_000,
    membership: { members, change: { kind: kind === 'add' ? 'add' : 'remove', target }, fromHeight },
    ...(kind === 'zombie' ? { zombie: target } : {}),
  }
}

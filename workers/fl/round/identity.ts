/**
 * One definition of how the round names things (README, "Federated round"): who aggregates
 * an attempt, a trainer's cohort index and shard, a round's BFT height and chain, and how a
 * hash is written. The adapter, the validators' re-execution and the dashboard all use these.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import type { Hash, ProposalDescriptor, Roster } from './types'

/** Attempt `attempt` of round `round` is run by this aggregator: rotation over the sorted aggregator set. */
export function aggregatorFor(roster: Roster, round: number, attempt: number): string {
  const sorted = [...roster.aggregators].sort()
  if (sorted.length === 0) throw new RangeError('the task has no aggregator')
  return sorted[(round + attempt) % sorted.length]
}

/** A cohort is a sorted, duplicate-free list of trainer PeerIds. */
export function canonicalCohort(trainers: Iterable<string>): string[] {
  return [...new Set(trainers)].sort()
}

/** The trainer's position in the announced cohort (its data shard and secure-aggregation position), or -1. */
export function cohortIndex(cohort: readonly string[], peerId: string): number {
  return cohort.indexOf(peerId)
}

/** FL round r of a task is BFT height r on the task's own chain. */
export function bftHeight(round: number): number {
  return round
}

export function chainIdFor(taskId: string): string {
  return `fl:${taskId}`
}

/** The one written form of a hash: lowercase hex SHA-256. */
export function hashOf(bytes: Uint8Array): Hash {
  return bytesToHex(sha256(bytes))
}

export function hashToBytes(hash: Hash): Uint8Array {
  return hexToBytes(hash)
}

export function isHash(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value)
}

/** Two descriptors with the same key name the same candidate from the same inputs. */
export function descriptorKey(d: ProposalDescriptor): string {
  const inputs = d.inputs.map((i) => `${i.trainer}=${i.update}/${i.samples}`).join(',')
  return `${d.taskId}|${d.round}|${d.attempt}|${d.aggregator}|${d.baseModel}|${d.candidate}|${d.transcript ?? ''}|${inputs}`
}

/**
 * Secure mode: the public randomness that fixes a round's buckets (planBuckets' seed). It is
 * the round's committed base model, bound to task and round, so nobody can steer who shares a
 * bucket with whom.
 */
export function bucketSeed(taskId: string, round: number, baseModel: Hash): Uint8Array {
  const head = new TextEncoder().encode(`agent-mesh/fl/buckets/v1\0${taskId}\0${round}\0`)
  const bytes = new Uint8Array(head.length + 32)
  bytes.set(head)
  bytes.set(hashToBytes(baseModel), head.length)
  return sha256(bytes)
}

/** A trainer's place in secure aggregation: its bucket, and its index within that bucket's cohort (planBuckets' members order). */
export function secaggPosition(buckets: readonly (readonly number[])[], cohortIndex: number): { bucket: number; index: number } | null {
  for (const [bucket, members] of buckets.entries()) {
    const index = members.indexOf(cohortIndex)
    if (index >= 0) return { bucket, index }
  }
  return null
}

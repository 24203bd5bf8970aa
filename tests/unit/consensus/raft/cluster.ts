/**
 * A deterministic test driver for the Raft core: seeded randomness, a virtual clock that
 * advances in fixed ticks, and an in-memory network that can drop, delay (and so reorder)
 * messages and cut links. Every message goes through the protobuf codec. It checks Raft's
 * safety properties as it runs and throws on the first violation.
 */
import { createRaftNode, type RaftNode } from '../../../../workers/consensus/raft/node'
import { decodeRaftMessage, encodeRaftMessage } from '../../../../workers/consensus/raft/codec'
import { applyPersistOps, EMPTY_PERSISTED_STATE } from '../../../../workers/consensus/raft/storage'
import { createRng, type Rng } from '../../../../workers/common/random'
import type {
  LogEntry,
  NodeId,
  PersistedState,
  RaftEvent,
  RaftMessage,
  RaftStatus,
  StepResult,
} from '../../../../workers/consensus/raft/types'

export interface ClusterOptions {
  readonly ids: readonly NodeId[]
  readonly seed: number
  readonly tickMs?: number
  readonly delayMs?: readonly [number, number]
  readonly dropRate?: number
  readonly heartbeatIntervalMs?: number
  readonly electionTimeoutMinMs?: number
  readonly electionTimeoutMaxMs?: number
  readonly maxEntriesPerAppend?: number
  /** Nodes that start outside the bootstrap voter set (they join by membership change). */
  readonly joiners?: readonly NodeId[]
  /** Gives this node the shortest election timer from the start (see favour). */
  readonly favour?: NodeId
}

interface InFlight {
  readonly deliverAt: number
  readonly seq: number
  readonly from: NodeId
  readonly to: NodeId
  readonly bytes: Uint8Array
}

export interface Member {
  readonly id: NodeId
  node: RaftNode | null
  stored: PersistedState
  /** The application state machine: every applied entry by index, as a comparable key. */
  applied: Map<number, string>
  lastApplied: number
  randomOverride: number | null
}

export function entryKey(entry: LogEntry): string {
  return `${entry.term}/${entry.kind}/${new TextDecoder().decode(entry.command)}/${entry.voters.join(',')}`
}

export class Cluster {
  now = 0
  readonly members = new Map<NodeId, Member>()
  /** Every message delivered, for tests that count traffic. */
  readonly delivered: { from: NodeId; to: NodeId; message: RaftMessage }[] = []
  /** Refusals of tick/receive events: a correct cluster never produces any. */
  readonly refusals: string[] = []
  /** Entry key at each committed index, as first applied anywhere (state machine safety reference). */
  readonly committed = new Map<number, string>()
  readonly leadersByTerm = new Map<number, NodeId>()
  /** Applied at delivery: returns the message to deliver (possibly altered), or null to drop it. */
  linkFilter: (from: NodeId, to: NodeId, message: RaftMessage) => RaftMessage | null = (_from, _to, message) => message
  dropRate: number
  delayMs: readonly [number, number]
  /** Chance that a node crashes and restarts right after handling a message (so only its persisted writes survive). */
  bounceRate = 0
  bounces = 0
  /** Chance that a message is held back ten times longer than usual (a stale message from an old term). */
  straggleRate = 0
  /** Chance that a message is delivered a second time, later. */
  duplicateRate = 0

  private readonly random: Rng
  private queue: InFlight[] = []
  private seq = 0
  private blocked = new Set<string>()
  private readonly options: ClusterOptions

  constructor(options: ClusterOptions) {
    this.options = options
    this.random = createRng(options.seed)
    this.dropRate = options.dropRate ?? 0
    this.delayMs = options.delayMs ?? [5, 15]
    for (const id of [...options.ids, ...(options.joiners ?? [])]) {
      const member: Member = { id, node: null, stored: EMPTY_PERSISTED_STATE, applied: new Map(), lastApplied: 0, randomOverride: null }
      this.members.set(id, member)
    }
    if (options.favour) this.favour(options.favour)
    for (const member of this.members.values()) this.start(member)
  }

  get tickMs(): number {
    return this.options.tickMs ?? 10
  }

  member(id: NodeId): Member {
    const member = this.members.get(id)
    if (!member) throw new Error(`no member ${id}`)
    return member
  }

  status(id: NodeId): RaftStatus {
    const node = this.member(id).node
    if (!node) throw new Error(`${id} is down`)
    return node.status()
  }

  up(): Member[] {
    return [...this.members.values()].filter((m) => m.node !== null)
  }

  /** The leader of the highest term among running nodes, if any. */
  leader(): NodeId | null {
    let best: RaftStatus | null = null
    for (const member of this.up()) {
      const status = member.node!.status()
      if (status.role === 'leader' && (!best || status.term > best.term)) best = status
    }
    return best?.id ?? null
  }

  /** Makes `id`'s election timer the shortest from its next reset on (others draw near the maximum). */
  favour(id: NodeId | null): void {
    for (const member of this.members.values()) member.randomOverride = id === null ? null : member.id === id ? 0 : 0.999
  }

  // ------------------------------------------------------------ faults

  crash(id: NodeId): void {
    this.member(id).node = null
  }

  restart(id: NodeId): void {
    const member = this.member(id)
    if (member.node) return
    this.start(member)
  }

  /** Cuts every link between different groups; nodes not named form their own group each. */
  partition(...groups: NodeId[][]): void {
    const groupOf = new Map<NodeId, number>()
    groups.forEach((group, i) => group.forEach((id) => groupOf.set(id, i)))
    let next = groups.length
    for (const id of this.members.keys()) if (!groupOf.has(id)) groupOf.set(id, next++)
    this.blocked.clear()
    for (const a of this.members.keys())
      for (const b of this.members.keys()) if (groupOf.get(a) !== groupOf.get(b)) this.blocked.add(`${a}>${b}`)
  }

  isolate(id: NodeId): void {
    this.partition(
      [...this.members.keys()].filter((other) => other !== id),
      [id],
    )
  }

  heal(): void {
    this.blocked.clear()
  }

  // ------------------------------------------------------------ driving

  step(id: NodeId, event: RaftEvent): StepResult {
    const member = this.member(id)
    if (!member.node) throw new Error(`${id} is down`)
    const result = member.node.step(event)
    if (!result.ok && (event.type === 'tick' || event.type === 'receive')) this.refusals.push(`${id} at ${this.now}: ${result.reason}`)
    // Durable first, then effects.
    member.stored = applyPersistOps(member.stored, result.persist)
    if (result.restoreSnapshot) this.restoreApp(member, result.restoreSnapshot.data, result.restoreSnapshot.index)
    for (const entry of result.committed) this.apply(member, entry)
    this.checkLeader(member)
    for (const { to, message } of result.messages) this.send(id, to, message)
    return result
  }

  propose(id: NodeId, command: string): StepResult {
    return this.step(id, { type: 'propose', command: new TextEncoder().encode(command) })
  }

  /** The application snapshots everything it has applied. */
  snapshot(id: NodeId): StepResult {
    const member = this.member(id)
    const data = new TextEncoder().encode(JSON.stringify([...member.applied].filter(([index]) => index <= member.lastApplied)))
    return this.step(id, { type: 'snapshot', index: member.lastApplied, data })
  }

  run(ms: number): void {
    const end = this.now + ms
    while (this.now < end) this.advance()
  }

  runUntil(condition: () => boolean, maxMs: number): boolean {
    const end = this.now + maxMs
    while (!condition()) {
      if (this.now >= end) return false
      this.advance()
    }
    return true
  }

  private advance(): void {
    this.now += this.tickMs
    for (const member of this.members.values()) if (member.node) this.step(member.id, { type: 'tick', now: this.now })
    const due = this.queue.filter((m) => m.deliverAt <= this.now).sort((a, b) => a.deliverAt - b.deliverAt || a.seq - b.seq)
    this.queue = this.queue.filter((m) => m.deliverAt > this.now)
    for (const inFlight of due) {
      const target = this.members.get(inFlight.to)
      if (!target?.node || this.blocked.has(`${inFlight.from}>${inFlight.to}`)) continue
      const decoded = decodeRaftMessage(inFlight.bytes)
      if (!decoded.ok) throw new Error(`codec round trip failed: ${decoded.reason}`)
      const message = this.linkFilter(inFlight.from, inFlight.to, decoded.message)
      if (!message) continue
      this.delivered.push({ from: inFlight.from, to: inFlight.to, message })
      this.step(inFlight.to, { type: 'receive', from: inFlight.from, message })
      if (this.bounceRate > 0 && this.random.next() < this.bounceRate) {
        this.crash(inFlight.to)
        this.restart(inFlight.to)
        this.bounces++
      }
    }
  }

  private send(from: NodeId, to: NodeId, message: RaftMessage): void {
    if (this.blocked.has(`${from}>${to}`)) return
    if (this.dropRate > 0 && this.random.next() < this.dropRate) return
    const [min, max] = this.delayMs
    const delay = () =>
      (min + Math.floor(this.random.next() * (max - min + 1))) * (this.straggleRate > 0 && this.random.next() < this.straggleRate ? 10 : 1)
    const bytes = encodeRaftMessage(message)
    this.queue.push({ deliverAt: this.now + delay(), seq: this.seq++, from, to, bytes })
    if (this.duplicateRate > 0 && this.random.next() < this.duplicateRate)
      this.queue.push({ deliverAt: this.now + delay() * 3, seq: this.seq++, from, to, bytes })
  }

  private start(member: Member): void {
    const own = createRng(this.options.seed * 31 + [...this.members.keys()].indexOf(member.id) + 1)
    const joiner = this.options.joiners?.includes(member.id) ?? false
    member.node = createRaftNode({
      id: member.id,
      voters: joiner ? [] : this.options.ids,
      random: () => member.randomOverride ?? own.next(),
      now: this.now,
      heartbeatIntervalMs: this.options.heartbeatIntervalMs ?? 50,
      electionTimeoutMinMs: this.options.electionTimeoutMinMs ?? 300,
      electionTimeoutMaxMs: this.options.electionTimeoutMaxMs ?? 600,
      maxEntriesPerAppend: this.options.maxEntriesPerAppend,
      restored: member.stored,
    })
    // A restarted application rebuilds its state from the snapshot; the core re-delivers the rest.
    member.applied = new Map()
    member.lastApplied = 0
    if (member.stored.snapshot) this.restoreApp(member, member.stored.snapshot.data, member.stored.snapshot.index)
  }

  // ------------------------------------------------------------ safety checks

  private restoreApp(member: Member, data: Uint8Array, index: number): void {
    const pairs = JSON.parse(new TextDecoder().decode(data)) as [number, string][]
    member.applied = new Map(pairs)
    member.lastApplied = index
    for (const [i, key] of pairs) this.checkCommitted(member.id, i, key)
  }

  private apply(member: Member, entry: LogEntry): void {
    if (entry.index !== member.lastApplied + 1) throw new Error(`${member.id} applied ${entry.index} after ${member.lastApplied}`)
    const key = entryKey(entry)
    this.checkCommitted(member.id, entry.index, key)
    member.applied.set(entry.index, key)
    member.lastApplied = entry.index
  }

  /** State machine safety: no two nodes apply different entries at one index. */
  private checkCommitted(id: NodeId, index: number, key: string): void {
    const known = this.committed.get(index)
    if (known === undefined) this.committed.set(index, key)
    else if (known !== key) throw new Error(`state machine safety: ${id} applied ${key} at ${index}, others ${known}`)
  }

  private checkLeader(member: Member): void {
    const status = member.node!.status()
    if (status.role !== 'leader') return
    const known = this.leadersByTerm.get(status.term)
    if (known === member.id) return
    if (known !== undefined) throw new Error(`election safety: ${known} and ${member.id} both lead term ${status.term}`)
    this.leadersByTerm.set(status.term, member.id)
    // Leader completeness: a new leader holds every entry committed before it was elected.
    for (const [index, key] of this.committed) {
      if (index <= status.snapshotIndex) continue
      const entry = member.node!.entries(index, index)[0]
      if (!entry || entryKey(entry) !== key)
        throw new Error(`leader completeness: ${member.id} (term ${status.term}) lacks committed entry ${index}`)
    }
  }

  /** Log matching: if two logs hold an entry with the same index and term, they agree up to it. */
  checkLogMatching(): void {
    const logs = [...this.members.values()].map((m) => ({ id: m.id, base: m.stored.snapshot?.index ?? 0, entries: m.stored.entries }))
    for (let a = 0; a < logs.length; a++) {
      for (let b = a + 1; b < logs.length; b++) {
        const x = logs[a]
        const y = logs[b]
        const from = Math.max(x.base, y.base) + 1
        const to = Math.min(x.base + x.entries.length, y.base + y.entries.length)
        let highestSameTerm = 0
        for (let i = to; i >= from; i--) {
          if (x.entries[i - x.base - 1].term === y.entries[i - y.base - 1].term) {
            highestSameTerm = i
            break
          }
        }
        for (let i = from; i <= highestSameTerm; i++) {
          if (entryKey(x.entries[i - x.base - 1]) !== entryKey(y.entries[i - y.base - 1])) {
            throw new Error(`log matching: ${x.id} and ${y.id} share term at ${highestSameTerm} but differ at ${i}`)
          }
        }
      }
    }
  }
}

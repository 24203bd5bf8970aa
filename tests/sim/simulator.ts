/**
 * A deterministic discrete-event simulator for message-passing protocols, generic over the
 * message type: a virtual clock, one seeded random stream, and an in-memory network that
 * drops, delays (and so reorders), duplicates and partitions messages. Processes crash
 * (losing everything but what their own factory keeps as "disk") and restart.
 *
 * A protocol plugs in through SimProcess: the simulator calls receive/wake, the process
 * answers through its SimContext (send, broadcast, setWake, schedule). Given the same seed
 * and the same process code, a run is identical event for event.
 */
import { EventQueue } from './heap'
import { createRng, type Rng } from '../../workers/common/random'

export interface SimContext<M> {
  readonly id: string
  now(): number
  /** This process's own random stream (stable across restarts of the same node). */
  readonly random: Rng
  send(to: string, message: M): void
  /** To every other node. */
  broadcast(message: M): void
  /** Asks for wake() at this virtual time; replaces the previous request. */
  setWake(at: number): void
  /** Runs `action` at `at` unless the process crashes first (e.g. an asynchronous validity check finishing). */
  schedule(at: number, action: () => void): void
}

export interface SimProcess<M> {
  receive(from: string, message: M): void
  wake(): void
}

/** Makes a node's process at boot and at every restart; durable state is whatever the factory keeps per node. */
export type ProcessFactory<M> = (ctx: SimContext<M>) => SimProcess<M>

export interface NetworkConditions {
  /** Delivery delay drawn uniformly from [min, max] ms per copy, which reorders messages. */
  delayMs: readonly [number, number]
  dropRate: number
  duplicateRate: number
}

export interface SimStats {
  sent: number
  delivered: number
  dropped: number
  duplicated: number
}

type SimEvent<M> =
  | { readonly at: number; readonly seq: number; readonly kind: 'deliver'; readonly from: string; readonly to: string; readonly message: M }
  | { readonly at: number; readonly seq: number; readonly kind: 'wake'; readonly node: string; readonly incarnation: number }
  | {
      readonly at: number
      readonly seq: number
      readonly kind: 'action'
      readonly node: string
      readonly incarnation: number
      readonly action: () => void
    }

interface NodeSlot<M> {
  readonly id: string
  readonly random: Rng
  process: SimProcess<M> | null
  /** Bumped at each crash, so a dead incarnation's wakes and actions are dropped. */
  incarnation: number
  wakeAt: number
}

export class Simulation<M> {
  readonly random: Rng
  readonly stats: SimStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0 }
  conditions: NetworkConditions
  /** Optional tap on every delivery (after faults): tests count or inspect traffic here. */
  onDeliver: ((from: string, to: string, message: M) => void) | null = null
  private clock = 0
  private seq = 0
  private readonly queue = new EventQueue<SimEvent<M>>()
  private readonly nodes = new Map<string, NodeSlot<M>>()
  private readonly factories = new Map<string, ProcessFactory<M>>()
  /** Node id to partition group; messages between different groups are lost. Empty: connected. */
  private groups = new Map<string, number>()
  private bridges = new Set<string>()

  constructor(seed: number, conditions: NetworkConditions) {
    this.random = createRng(seed)
    this.conditions = conditions
  }

  get now(): number {
    return this.clock
  }

  get ids(): string[] {
    return [...this.nodes.keys()]
  }

  isUp(id: string): boolean {
    return this.nodes.get(id)?.process != null
  }

  add(id: string, factory: ProcessFactory<M>): void {
    if (this.nodes.has(id)) throw new Error(`node ${id} exists`)
    const slot: NodeSlot<M> = { id, random: this.random.fork(), process: null, incarnation: 0, wakeAt: Infinity }
    this.nodes.set(id, slot)
    this.factories.set(id, factory)
    this.boot(slot)
  }

  crash(id: string): void {
    const slot = this.slot(id)
    if (!slot.process) return
    slot.process = null
    slot.incarnation++
    slot.wakeAt = Infinity
  }

  restart(id: string): void {
    const slot = this.slot(id)
    if (slot.process) return
    this.boot(slot)
  }

  /**
   * Splits the network: nodes in different groups cannot reach each other, nodes in no group
   * are cut off from everyone, and `bridges` reach (and are reached by) every node.
   */
  partition(groups: readonly (readonly string[])[], bridges: readonly string[] = []): void {
    this.groups = new Map()
    this.bridges = new Set(bridges)
    groups.forEach((group, g) => group.forEach((id) => this.groups.set(id, g)))
  }

  heal(): void {
    this.groups = new Map()
    this.bridges = new Set()
  }

  get partitioned(): boolean {
    return this.groups.size > 0 || this.bridges.size > 0
  }

  connected(from: string, to: string): boolean {
    if (this.groups.size === 0 && this.bridges.size === 0) return true
    if (this.bridges.has(from) || this.bridges.has(to)) return true
    const a = this.groups.get(from)
    return a !== undefined && a === this.groups.get(to)
  }

  /** Runs events in time order until `until` (inclusive) or until `stop` returns true after an event. */
  run(until: number, stop: () => boolean = () => false): void {
    for (;;) {
      const next = this.queue.peek()
      if (!next || next.at > until) break
      this.queue.pop()
      this.clock = next.at
      this.dispatch(next)
      if (stop()) return
    }
    this.clock = Math.max(this.clock, until)
  }

  private slot(id: string): NodeSlot<M> {
    const slot = this.nodes.get(id)
    if (!slot) throw new Error(`no node ${id}`)
    return slot
  }

  private boot(slot: NodeSlot<M>): void {
    const incarnation = slot.incarnation
    const live = () => slot.incarnation === incarnation && slot.process !== null
    const ctx: SimContext<M> = {
      id: slot.id,
      now: () => this.clock,
      random: slot.random,
      send: (to, message) => {
        if (live()) this.transmit(slot.id, to, message)
      },
      broadcast: (message) => {
        if (!live()) return
        for (const to of this.nodes.keys()) if (to !== slot.id) this.transmit(slot.id, to, message)
      },
      setWake: (requested) => {
        const at = Math.max(requested, this.clock)
        if (!live() || at === slot.wakeAt) return
        slot.wakeAt = at
        if (Number.isFinite(at)) this.queue.push({ at, seq: this.seq++, kind: 'wake', node: slot.id, incarnation })
      },
      schedule: (at, action) => {
        if (live()) this.queue.push({ at: Math.max(at, this.clock), seq: this.seq++, kind: 'action', node: slot.id, incarnation, action })
      },
    }
    // Set before the factory runs so that a process may send or schedule from its constructor.
    slot.process = { receive: () => {}, wake: () => {} }
    slot.process = this.factories.get(slot.id)!(ctx)
  }

  private transmit(from: string, to: string, message: M): void {
    this.stats.sent++
    const { delayMs, dropRate, duplicateRate } = this.conditions
    if (!this.connected(from, to) || this.random.chance(dropRate)) {
      this.stats.dropped++
      return
    }
    const copies = this.random.chance(duplicateRate) ? 2 : 1
    if (copies === 2) this.stats.duplicated++
    for (let i = 0; i < copies; i++) {
      const at = this.clock + delayMs[0] + this.random.next() * (delayMs[1] - delayMs[0])
      this.queue.push({ at, seq: this.seq++, kind: 'deliver', from, to, message })
    }
  }

  private dispatch(event: SimEvent<M>): void {
    if (event.kind === 'deliver') {
      const slot = this.nodes.get(event.to)
      // A partition that starts while a message is in flight loses it too.
      if (!slot?.process || !this.connected(event.from, event.to)) {
        this.stats.dropped++
        return
      }
      this.stats.delivered++
      this.onDeliver?.(event.from, event.to, event.message)
      slot.process.receive(event.from, event.message)
      return
    }
    const slot = this.nodes.get(event.node)
    if (!slot?.process || slot.incarnation !== event.incarnation) return
    if (event.kind === 'action') {
      event.action()
      return
    }
    if (event.at !== slot.wakeAt) return
    slot.wakeAt = Infinity
    slot.process.wake()
  }
}

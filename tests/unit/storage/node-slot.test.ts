import { describe, expect, it } from 'vitest'
import { claimNodeSlot, MAX_NODE_SLOTS, nodeSlot, type SlotLocks } from '../../../app/storage/node-slot'

/** Web Locks as one browser profile holds them: a lock is free again once its holder lets go. */
class ProfileLocks implements SlotLocks {
  readonly held = new Map<string, () => void>()

  async request(name: string, _options: { ifAvailable: true }, callback: (lock: unknown) => Promise<void> | void): Promise<unknown> {
    if (this.held.has(name)) return callback(null)
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    this.held.set(name, release)
    void callback({ name })
    await released
    this.held.delete(name)
    return undefined
  }

  /** The tab holding `name` closes. */
  close(name: string): void {
    this.held.get(name)?.()
  }
}

describe('node slots: each tab of one profile is its own node', () => {
  it('gives each open tab the lowest free slot, and a closed tab its slot back to the next tab', async () => {
    const locks = new ProfileLocks()
    const tabs = [await claimNodeSlot(locks), await claimNodeSlot(locks), await claimNodeSlot(locks)]
    expect(tabs.map((t) => t.index)).toEqual([0, 1, 2])
    locks.close('agent-mesh-node-slot-1')
    await Promise.resolve()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect((await claimNodeSlot(locks)).index).toBe(1)
    expect((await claimNodeSlot(locks)).index).toBe(3)
  })

  it('names each slot its own databases, slot 0 keeping the names a single tab always used', () => {
    expect(nodeSlot(0).databaseName('agent-mesh')).toBe('agent-mesh')
    expect(nodeSlot(2).databaseName('agent-mesh')).toBe('agent-mesh-tab2')
    expect(nodeSlot(2).databaseName('agent-mesh-tasks')).not.toBe(nodeSlot(1).databaseName('agent-mesh-tasks'))
  })

  it('falls back to one shared node without Web Locks, and refuses a tab beyond the last slot with the fix', async () => {
    expect((await claimNodeSlot(null)).index).toBe(0)
    const locks = new ProfileLocks()
    for (let i = 0; i < MAX_NODE_SLOTS; i++) await claimNodeSlot(locks)
    await expect(claimNodeSlot(locks)).rejects.toThrow(/close one and reload/)
  })
})

/**
 * Which mesh node this tab is. Every open tab of one browser profile is its own node, so that
 * a person with one machine can open several tabs and have each take part (README, "Trying it
 * on one machine"): a tab holds the lowest free slot for as long as it is open (a Web Lock,
 * released by the browser when the tab closes or crashes), and each slot has its own
 * databases (identity, credential, audit chain, rounds and tasks), so two tabs never sign with
 * one key or append to one audit chain. Slot 0 uses the databases' plain names, which is what
 * a single tab has always used; reopening a tab usually takes its slot (and identity) back.
 */

/** How many tabs of one profile can be nodes at once; one more is refused with a message saying so. */
export const MAX_NODE_SLOTS = 32

export interface NodeSlot {
  /** 0 for the first open tab, 1 for the second, … */
  readonly index: number
  /** The name of one of this node's IndexedDB databases. */
  databaseName(base: string): string
}

export function nodeSlot(index: number): NodeSlot {
  return { index, databaseName: (base) => (index === 0 ? base : `${base}-tab${index}`) }
}

/** The part of the Web Locks API this uses, so tests can pass their own. */
export interface SlotLocks {
  request(name: string, options: { ifAvailable: true }, callback: (lock: unknown) => Promise<void> | void): Promise<unknown>
}

/**
 * Claims the lowest free slot and holds it until the tab goes. Without Web Locks (a page
 * served over plain HTTP to another device is not a secure context) every tab is slot 0 and
 * tabs share one node, as the README says.
 */
export async function claimNodeSlot(locks: SlotLocks | null = globalThis.navigator?.locks ?? null): Promise<NodeSlot> {
  if (!locks) return nodeSlot(0)
  for (let index = 0; index < MAX_NODE_SLOTS; index++) if (await hold(locks, `agent-mesh-node-slot-${index}`)) return nodeSlot(index)
  throw new Error(`more than ${MAX_NODE_SLOTS} tabs of this browser are already mesh nodes; close one and reload`)
}

/** True once the lock is ours; the callback's promise never settles, so the lock stays held until the tab closes. */
function hold(locks: SlotLocks, name: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    locks
      .request(name, { ifAvailable: true }, (lock) => {
        if (lock === null) return resolve(false)
        resolve(true)
        return new Promise<void>(() => {})
      })
      .catch(reject)
  })
}

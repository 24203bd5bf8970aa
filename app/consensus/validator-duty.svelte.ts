import type { MeshClient } from '../mesh/client.svelte'
import { ConsensusDatabase, DexieConsensusStore } from '../storage/consensus-store'
import { BrowserValidator, type DutySnapshot } from './browser-validator'
import {
  gossipBftTransport,
  parseValidatorEntry,
  parseValidatorSetFile,
  setChangeRequestOf,
  type ChangeOrderSummary,
  type DecisionRecord,
  type ValidatorEntryJson,
} from '../../workers/consensus/adapter'
import type { SetChangeRequest } from '../../workers/consensus/adapter/set-change.pb'
import { peerIdFromString } from '@libp2p/peer-id'
import { loadRealScheme } from '../../workers/consensus/certificate'
import { dutyAction, type DutyStatus } from './duty-plan'

const WATCH_MS = 1_000
const RETRY_MS = 15_000

/**
 * The page's validator duty (README, "Browser validators"): once this node holds the validator
 * role (an admin's grant through the credential authority) it pins the relay's chain, runs the
 * BFT adapter over the mesh's gossip with its store in this tab's own IndexedDB, and votes
 * while a committed set change has it in the set; without the role it stops. The dashboard
 * shows its entry (for the admin's `validators add`) and its duty.
 */
export class ValidatorDutyClient {
  status = $state<DutyStatus>('no-role')
  detail = $state('')
  duty = $state.raw<DutySnapshot | null>(null)
  /** This browser's line for `npm run relay -- validators add --entry FILE`. */
  entry = $state.raw<ValidatorEntryJson | null>(null)
  /** Whether this node holds the admin role: it may then ask the admin relays for a validator-set change. */
  isAdmin = $state(false)
  /** The relay's latest validator-set change orders, shown to an admin (/api/consensus/orders). */
  orders = $state.raw<ChangeOrderSummary[]>([])
  private validator: BrowserValidator | null = null
  private db: ConsensusDatabase | null = null
  private timer: ReturnType<typeof setInterval> | undefined
  private busy = false
  /** After a failed start (no chain on this relay, relay unreachable) the next try waits this long. */
  private retryAt = 0

  constructor(private readonly client: MeshClient) {}

  watch(): void {
    this.timer ??= setInterval(() => void this.check(), WATCH_MS)
    void this.check()
  }

  /** Stops the duty and the watch. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.halt()
  }

  private async check(): Promise<void> {
    if (this.busy) return
    this.busy = true
    try {
      // A revoked or expired credential still lists its roles; one being renewed ('requesting') still counts.
      const security = this.client.security
      const hasRole = !!security && !['revoked', 'expired', 'refused'].includes(security.status) && security.roles.includes('validator')
      const action = dutyAction({ hasRole, running: this.validator !== null, ready: this.client.runtime !== undefined })
      if (action === 'start' && Date.now() >= this.retryAt) {
        this.retryAt = Date.now() + RETRY_MS
        await this.start()
      } else if (action === 'stop') {
        await this.halt()
        this.status = 'no-role'
      }
      if (!this.entry && this.client.identity) this.entry = this.keysEntry()
      this.isAdmin = !!security && !['revoked', 'expired', 'refused'].includes(security.status) && security.roles.includes('admin')
      if (this.isAdmin) await this.refreshOrders()
      this.duty = this.validator?.snapshot() ?? null
    } catch (error) {
      this.status = 'error'
      this.detail = (error as Error).message
      await this.halt()
    } finally {
      this.busy = false
    }
  }

  /**
   * An admin's request that the admin relays add a validator (its entry, as the panel of the
   * joining node shows it) or remove one (its PeerId): checked here first, then gossiped to
   * every validator relay; each relay holding an admin key of the chain orders it through the
   * same checks as `npm run relay -- validators` (README, "Validators"). Resolves to what was
   * sent; the relay's verdict shows in `orders`.
   */
  async requestChange(change: { readonly add: string } | { readonly remove: string }): Promise<string> {
    const runtime = this.client.runtime
    if (!runtime) throw new Error('not connected to the mesh yet')
    if (!this.isAdmin) throw new Error('only a node holding the admin role can ask for a validator-set change')
    const chainId = await this.chainId()
    let request: SetChangeRequest
    if ('add' in change) {
      let json: unknown
      try {
        json = JSON.parse(change.add)
      } catch {
        throw new Error("the entry is not JSON: paste what the joining node's panel shows under its validator keys")
      }
      request = setChangeRequestOf(chainId, { kind: 'add', validator: parseValidatorEntry(json, 'the entry').validator })
    } else {
      const id = change.remove.trim()
      try {
        peerIdFromString(id)
      } catch {
        throw new Error(`'${id}' is not a PeerId`)
      }
      request = setChangeRequestOf(chainId, { kind: 'remove', id })
    }
    runtime.gossip.join(['bft.setchange.request'])
    const recipients = await runtime.gossip.publish('bft.setchange.request', request)
    const what = request.add ? `add ${request.add.id}` : `remove ${request.removeId}`
    return `asked the admin relays to ${what} on ${chainId} (sent to ${recipients} peer${recipients === 1 ? '' : 's'})`
  }

  private async chainId(): Promise<string> {
    if (this.duty) return this.duty.chainId
    const response = await fetch('/api/consensus', { cache: 'no-store', signal: AbortSignal.timeout(10_000) })
    const served = response.ok ? ((await response.json()) as { chainId: string } | null) : null
    if (!served) throw new Error('this relay runs no validator set (start it with --validator-set FILE)')
    return served.chainId
  }

  private async refreshOrders(): Promise<void> {
    const response = await fetch('/api/consensus/orders', { cache: 'no-store', signal: AbortSignal.timeout(5_000) }).catch(() => null)
    if (response?.ok) this.orders = (await response.json()) as ChangeOrderSummary[]
  }

  private keysEntry(): ValidatorEntryJson | null {
    const keys = this.client.identity?.keys
    return keys ? BrowserValidator.entryOf(keys) : null
  }

  /** The duty now (the `duty` rune is refreshed once a second). */
  current(): DutySnapshot | null {
    return this.validator?.snapshot() ?? this.duty
  }

  /** Every decision this node stored for the chain it runs, in height order (the test hooks read them). */
  async storedDecisions(): Promise<DecisionRecord[]> {
    if (!this.db || !this.duty) return []
    return new DexieConsensusStore(this.db, this.duty.chainId).decisionsFrom(1, 1_000_000)
  }

  private async start(): Promise<void> {
    const runtime = this.client.runtime!
    const keys = this.client.identity!.keys
    this.status = 'starting'
    const response = await fetch('/api/consensus', { cache: 'no-store', signal: AbortSignal.timeout(10_000) })
    if (!response.ok) throw new Error(`the relay answered ${response.status} for its consensus chain`)
    const served = (await response.json()) as { chainId: string; validators: unknown[]; admins: string[]; intervalMs: number } | null
    if (!served) {
      this.status = 'no-chain'
      this.detail = 'this relay runs no validator set (start it with --validator-set FILE)'
      return
    }
    this.db ??= new ConsensusDatabase(this.client.slot.databaseName('agent-mesh-consensus'))
    const pinned = JSON.parse(await this.db.pinChain(JSON.stringify(served))) as typeof served
    const { scheme, bls } = await loadRealScheme()
    const chain = parseValidatorSetFile(JSON.stringify(pinned), scheme)
    const security = this.client.security
    const validator = new BrowserValidator({
      chain,
      intervalMs: pinned.intervalMs ?? 0,
      keys,
      scheme,
      bls,
      transport: gossipBftTransport(runtime.gossip, chain.chainId),
      preverify: this.client.verify,
      store: new DexieConsensusStore(this.db, chain.chainId),
      log: this.client.childLog('consensus'),
      // The chain's validators may send consensus messages whichever CA issued their credentials, as on a relay.
      admitValidators: (identityKeys) => identityKeys.forEach((key) => security?.peers.registry.pinRoles(key, ['validator'])),
    })
    await validator.start()
    this.validator = validator
    this.entry = validator.entry()
    this.status = 'running'
    this.detail = ''
  }

  private async halt(): Promise<void> {
    const validator = this.validator
    this.validator = null
    await validator?.stop()
  }
}

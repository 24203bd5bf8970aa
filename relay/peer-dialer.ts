import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from '@libp2p/interface'
import type { Logger } from '../workers/log'

const FIRST_RETRY_MS = 500
const MAX_RETRY_MS = 10_000

/**
 * Keeps this relay connected to the given peers (other relays, fellow validators): dials each
 * with exponential backoff until it answers, and again whenever its connection drops.
 */
export function keepPeersConnected(node: Libp2p, addresses: readonly string[], log: Logger): { stop(): void } {
  const targets = new Map<string, { address: string; delay: number; timer: ReturnType<typeof setTimeout> | null }>()
  let stopped = false
  const self = node.peerId.toString()
  for (const address of new Set(addresses)) {
    const peer = multiaddr(address)
      .getComponents()
      .findLast((c) => c.name === 'p2p')?.value
    if (!peer || peer === self || targets.has(peer)) continue
    targets.set(peer, { address, delay: FIRST_RETRY_MS, timer: null })
  }

  const connected = (peer: string) => node.getConnections().some((c) => c.remotePeer.toString() === peer && c.status === 'open')

  const dial = (peer: string) => {
    const target = targets.get(peer)!
    target.timer = null
    if (stopped || connected(peer)) return
    node.dial(multiaddr(target.address)).then(
      () => {
        target.delay = FIRST_RETRY_MS
        log.info({ peer, address: target.address }, 'connected to configured peer')
      },
      (error: Error) => {
        if (stopped) return
        log.debug({ peer, address: target.address, err: error.message }, 'dial failed; retrying')
        target.timer = setTimeout(() => dial(peer), target.delay)
        target.delay = Math.min(MAX_RETRY_MS, target.delay * 2)
      },
    )
  }

  const onDisconnect = (event: CustomEvent<{ toString(): string }>) => {
    const peer = event.detail.toString()
    const target = targets.get(peer)
    if (!target || stopped || target.timer) return
    target.timer = setTimeout(() => dial(peer), target.delay)
  }
  node.addEventListener('peer:disconnect', onDisconnect as never)
  for (const peer of targets.keys()) dial(peer)

  return {
    stop() {
      stopped = true
      node.removeEventListener('peer:disconnect', onDisconnect as never)
      for (const target of targets.values()) if (target.timer) clearTimeout(target.timer)
    },
  }
}

import type { Bootstrap } from '../../workers/net/bootstrap'

export type { Bootstrap }

/** Asks the server this page came from how to reach its relay; nothing is hard-coded. */
export async function fetchBootstrap(signal?: AbortSignal): Promise<Bootstrap> {
  const response = await fetch('/api/bootstrap', { cache: 'no-store', signal })
  if (!response.ok) throw new Error(`relay answered /api/bootstrap with HTTP ${response.status}`)
  const body = (await response.json()) as Bootstrap
  if (!body.relayPeerId || !Array.isArray(body.relayMultiaddrs) || body.relayMultiaddrs.length === 0) {
    throw new Error('relay sent an incomplete bootstrap answer')
  }
  return body
}

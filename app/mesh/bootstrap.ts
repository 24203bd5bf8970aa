export interface Bootstrap {
  readonly relayPeerId: string
  readonly relayMultiaddrs: string[]
  readonly iceServers: string[]
  readonly version: string
  /** The relay CA's certificate (DER, base64): the trust anchor this page checks credentials against. */
  readonly caCertificate?: string
  /** The relay's own credential (DER, base64). */
  readonly relayCredential?: string
  /** The relay asks nodes that opted in for a metrics summary this often. */
  readonly nodeReportIntervalMs?: number
}

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

/** What `/api/bootstrap` answers: how a page reaches the relay it was loaded from, and whom to trust. */
export interface Bootstrap {
  readonly relayPeerId: string
  readonly relayMultiaddrs: string[]
  readonly iceServers: string[]
  readonly version: string
  /** The relay CA's certificate (DER, base64): the trust anchor for every credential. */
  readonly caCertificate?: string
  /** The relay's own credential (DER, base64), so nodes accept what it signs. */
  readonly relayCredential?: string
  /** The relay asks nodes that opted in for a metrics summary this often. */
  readonly nodeReportIntervalMs?: number
}

import { sealMessage, type EnvelopeSigner } from '../../workers/protocol/envelope'

const SHARE_KEY = 'agent-mesh.share-metrics'

export interface NodeSummary {
  readonly backend: string
  readonly samplesPerSecond: number
  readonly gateRejections: number
  readonly roundPhase: string
}

/** The person's choice to send the relay a metrics summary; off until they turn it on. */
export function loadShareMetrics(): boolean {
  try {
    return localStorage.getItem(SHARE_KEY) === 'on'
  } catch {
    return false
  }
}

export function saveShareMetrics(on: boolean): void {
  try {
    localStorage.setItem(SHARE_KEY, on ? 'on' : 'off')
  } catch {
    // Private mode without storage: the choice lasts for this page only.
  }
}

/** Signs a summary as an `ops.report` and posts it to the relay this page came from; returns the slot the relay gave it. */
export async function postNodeReport(signer: EnvelopeSigner, summary: NodeSummary, signal?: AbortSignal): Promise<number> {
  const body = sealMessage(signer, 'ops.report', {
    backend: summary.backend,
    samplesPerSecond: summary.samplesPerSecond,
    gateRejections: summary.gateRejections,
    roundPhase: summary.roundPhase,
  })
  const response = await fetch('/api/node-report', {
    method: 'POST',
    body: body as Uint8Array<ArrayBuffer>,
    headers: { 'Content-Type': 'application/octet-stream' },
    signal,
  })
  const answer = (await response.json()) as { slot?: number; error?: string }
  if (!response.ok || answer.slot === undefined) throw new Error(`relay refused the report: ${answer.error ?? response.status}`)
  return answer.slot
}

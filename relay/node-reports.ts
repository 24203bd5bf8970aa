import type { IncomingMessage, ServerResponse } from 'node:http'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import type { InboundValidator } from '../workers/protocol/inbound'
import type { NodeReport } from '../workers/protocol/wire.pb'
import type { RelayMetrics } from './metrics'
import type { Route } from './ops-http'

/** How often browsers that opted in are asked to report (sent to them in /api/bootstrap). */
export const NODE_REPORT_INTERVAL_MS = 30_000
const MAX_REPORT_BYTES = 2048

export interface NodeReportView {
  readonly slot: number
  readonly peerId: string
  readonly backend: string
  readonly samplesPerSecond: number
  readonly gateRejections: number
  readonly roundPhase: string
  readonly receivedAtMs: number
}

/**
 * Opt-in metrics summaries from browsers. Each reporting node holds one of a fixed number of
 * slots, and the slot number (not its PeerId) labels its series, so Prometheus' cardinality
 * stays bounded however many nodes come and go; `/api/node-reports` says which node holds
 * which slot. A node silent for ten intervals gives its slot up; when all are taken the
 * longest-silent node loses its slot.
 */
export class NodeReports {
  private readonly bySlot = new Map<number, NodeReportView>()

  constructor(
    private readonly validator: InboundValidator,
    private readonly metrics: RelayMetrics,
    private readonly slots = 32,
    private readonly now: () => number = Date.now,
  ) {}

  /** Checks a signed `ops.report` envelope at the inbound gate and records it; returns an HTTP status and answer. */
  async receive(body: Uint8Array, source: string): Promise<[number, unknown]> {
    const verdict = await this.validator.check(body, { carrier: 'http', source })
    if (!verdict.ok) return [400, { error: `${verdict.reason}: ${verdict.detail}` }]
    if (verdict.kind !== 'ops.report') return [400, { error: `expected an ops.report envelope, got ${verdict.kind}` }]
    const report = verdict.payload as NodeReport
    const peerId = peerIdFromPublicKey(publicKeyFromRaw(verdict.envelope.sender)).toString()
    this.expire()
    const slot = this.slotFor(peerId)
    const view: NodeReportView = {
      slot,
      peerId,
      backend: report.backend.slice(0, 16),
      samplesPerSecond: Number.isFinite(report.samplesPerSecond) ? Math.max(0, report.samplesPerSecond) : 0,
      gateRejections: report.gateRejections,
      roundPhase: report.roundPhase.slice(0, 16),
      receivedAtMs: this.now(),
    }
    this.bySlot.set(slot, view)
    this.metrics.browsers.report(slot, view)
    return [200, { slot, intervalMs: NODE_REPORT_INTERVAL_MS }]
  }

  list(): NodeReportView[] {
    this.expire()
    return [...this.bySlot.values()].sort((a, b) => a.slot - b.slot)
  }

  private slotFor(peerId: string): number {
    for (const [slot, view] of this.bySlot) if (view.peerId === peerId) return slot
    for (let slot = 0; slot < this.slots; slot++) if (!this.bySlot.has(slot)) return slot
    const oldest = [...this.bySlot.values()].sort((a, b) => a.receivedAtMs - b.receivedAtMs)[0]
    this.release(oldest.slot)
    return oldest.slot
  }

  private expire(): void {
    const cutoff = this.now() - 10 * NODE_REPORT_INTERVAL_MS
    for (const view of [...this.bySlot.values()]) if (view.receivedAtMs < cutoff) this.release(view.slot)
  }

  private release(slot: number): void {
    this.bySlot.delete(slot)
    this.metrics.browsers.forget(slot)
  }

  /** POST /api/node-report: the signed report bytes. */
  postRoute(): Route {
    return (req, res) => {
      if (req.method !== 'POST') return answer(res, 405, { error: 'POST a signed ops.report envelope (application/octet-stream)' })
      readLimited(req, MAX_REPORT_BYTES).then(
        async (body) => {
          if (!body) return answer(res, 413, { error: `report over ${MAX_REPORT_BYTES} bytes` })
          const [status, payload] = await this.receive(body, `http:/api/node-report from ${req.socket.remoteAddress ?? 'unknown'}`)
          answer(res, status, payload)
        },
        (err: Error) => answer(res, 400, { error: err.message }),
      )
    }
  }
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
  res.end(JSON.stringify(body))
}

function readLimited(req: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        resolve(undefined)
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))))
    req.on('error', reject)
  })
}

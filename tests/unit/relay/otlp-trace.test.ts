/**
 * A real relay in this process with `--otlp-endpoint` pointing at a tiny OTLP/HTTP collector
 * (below), coordinating and running an agent task on its own (one-member Raft, its own worker),
 * queued the way `npm run relay -- task run` queues it: what the collector receives is one
 * `task` trace with the initiator's, coordinator's and worker's spans, linked parent to child.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { resolveConfig } from '../../../relay/config'
import { startRelay, type RunningRelay } from '../../../relay/relay'
import { relayValidatorEntry } from '../../../relay/validator'
import { runTaskCommand } from '../../../relay/task-cli'

/** A span as the OTLP/HTTP JSON exporter sends it (ids in hex). */
interface OtlpSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId?: string
  readonly name: string
  readonly attributes: readonly { readonly key: string; readonly value: { readonly stringValue?: string } }[]
}

function attribute(span: OtlpSpan, key: string): string | undefined {
  return span.attributes.find((a) => a.key === key)?.value.stringValue
}

describe('relay OTLP export', () => {
  let relay: RunningRelay | undefined
  let collector: Server | undefined
  afterAll(async () => {
    await relay?.stop()
    collector?.close()
  }, 60_000)

  it('sends the spans of a task it coordinated and ran to the collector, as one trace', async () => {
    const received: OtlpSpan[] = []
    const logLines: Record<string, unknown>[] = []
    const contentTypes = new Set<string>()
    collector = createServer((request, response) => {
      const chunks: Buffer[] = []
      request.on('data', (chunk: Buffer) => chunks.push(chunk))
      request.on('end', () => {
        contentTypes.add(`${request.method} ${request.url} ${request.headers['content-type']}`)
        const body = JSON.parse(Buffer.concat(chunks).toString()) as {
          resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[]
        }
        for (const resource of body.resourceSpans) for (const scope of resource.scopeSpans) received.push(...scope.spans)
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      })
    })
    await new Promise<void>((resolve) => collector!.listen(0, '127.0.0.1', resolve))
    const address = collector.address()
    if (!address || typeof address === 'string') throw new Error('collector not listening')

    const dataDir = mkdtempSync(join(tmpdir(), 'mesh-otlp-'))
    const flags = { port: '0', 'ws-port': '0', 'data-dir': dataDir, dist: join(dataDir, 'no-dist') }
    const self = (await relayValidatorEntry(resolveConfig(flags, {}))).peerId
    relay = await startRelay(
      resolveConfig(
        {
          ...flags,
          'task-duty': 'coordinator,worker',
          'task-coordinators': self,
          'otlp-endpoint': `http://127.0.0.1:${address.port}/v1/traces`,
        },
        {},
      ),
      pino(
        { level: 'info' },
        new Writable({
          write: (chunk, _encoding, done) => (
            logLines.push(
              ...chunk
                .toString()
                .trim()
                .split('\n')
                .map((l: string) => JSON.parse(l)),
            ),
            done()
          ),
        }),
      ),
    )
    const lines: string[] = []
    const code = await runTaskCommand(
      ['run', '--kind', 'pixel-stats', '--param', 'samples=200', '--param', 'shards=4', '--timeout', '90', '--data-dir', dataDir, '--json'],
      {},
      (line) => lines.push(line),
    )
    expect(code, lines.join('\n')).toBe(0)
    // Stopping flushes the exporter's batch.
    await relay.stop()
    relay = undefined

    expect([...contentTypes]).toEqual(['POST /v1/traces application/json'])
    const roots = received.filter((s) => s.name === 'task')
    const byRole = new Map(roots.map((r) => [attribute(r, 'task.role'), r]))
    expect([...byRole.keys()].sort()).toEqual(['coordinator', 'initiator', 'worker'])
    const traceId = byRole.get('initiator')!.traceId
    const taskSpans = received.filter((s) => s.traceId === traceId)
    // Roots plus every phase: initiator 3, coordinator 5, worker 1.
    expect(taskSpans.map((s) => s.name).sort()).toEqual(
      ['task', 'task', 'task', 'announce', 'run', 'complete', 'announce', 'elect', 'assign', 'run', 'complete', 'run'].sort(),
    )
    expect(byRole.get('coordinator')!.parentSpanId).toBe(byRole.get('initiator')!.spanId)
    expect(byRole.get('worker')!.parentSpanId).toBe(byRole.get('coordinator')!.spanId)
    for (const root of roots) expect(attribute(root, 'mesh.node')).toBe(self)
    expect(attribute(byRole.get('coordinator')!, 'task.state')).toBe('done')
    // The relay's log line about the task carries the same trace id: grep finds spans and logs together.
    const finished = logLines.find((l) => l.msg === 'task finished')
    expect(finished?.traceId).toBe(traceId)
    expect(finished?.task).toBe(attribute(byRole.get('coordinator')!, 'task.id'))
  }, 180_000)
})

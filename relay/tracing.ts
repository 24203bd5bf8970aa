import { trace, type Tracer } from '@opentelemetry/api'
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import type { Logger } from '../workers/log'

export interface RelayTracing {
  readonly tracer: Tracer
  /** Flushes what is buffered to the collector. */
  shutdown(): Promise<void>
}

/**
 * The relay's tracer. With no OTLP endpoint it is OpenTelemetry's no-op tracer: nothing is
 * recorded, yet a traceparent that arrives in an envelope is still passed on in this relay's
 * own messages, so a trace stays whole across relays that do not export. With an endpoint,
 * spans go out in batches over OTLP/HTTP.
 */
export function createRelayTracing(options: {
  otlpEndpoint: string | null
  serviceName: string
  instance: string
  log: Logger
}): RelayTracing {
  if (!options.otlpEndpoint) return { tracer: trace.getTracer('agent-mesh'), shutdown: async () => {} }
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName, 'service.instance.id': options.instance }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: options.otlpEndpoint }) })],
  })
  options.log.info({ endpoint: options.otlpEndpoint }, 'exporting traces over OTLP')
  return {
    tracer: provider.getTracer('agent-mesh'),
    shutdown: () => provider.shutdown().catch((err) => options.log.warn({ err: (err as Error).message }, 'trace exporter did not flush')),
  }
}

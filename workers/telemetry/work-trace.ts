import {
  ROOT_CONTEXT,
  SpanStatusCode,
  TraceFlags,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import type { PhaseOf, WorkKind } from './phases'

const propagator = new W3CTraceContextPropagator()

/** The W3C `traceparent` of a context, or undefined when it holds no valid span (tracing off and no remote parent). */
export function traceparentOf(ctx: Context): string | undefined {
  const carrier: Record<string, string> = {}
  propagator.inject(ctx, carrier, defaultTextMapSetter)
  return carrier.traceparent
}

/** The context a received `traceparent` names, or undefined when it is absent or not well formed. */
export function contextFromTraceparent(traceparent: string | undefined): Context | undefined {
  if (!traceparent) return undefined
  const ctx = propagator.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter)
  return trace.getSpanContext(ctx) ? ctx : undefined
}

/**
 * One piece of multi-step work as this node sees it: a root span named after the kind
 * (`bft.height`, `fl.round`, `task`) and one child span per phase. Phases only move
 * forward in the kind's declared order; a message about an earlier phase arriving late
 * does not reopen it.
 */
export class Work<K extends WorkKind> {
  private current: { readonly index: number; readonly span: Span; readonly startedAt: number } | null = null
  private ended = false
  readonly traceparent: string | undefined
  readonly traceId: string | undefined

  constructor(
    private readonly tracer: Tracer,
    private readonly phases: readonly PhaseOf<K>[],
    readonly root: Span,
    private readonly rootContext: Context,
    readonly startedAt: number,
    private readonly now: () => number,
    /** Told how long each phase lasted, when the next one starts or the work ends (metrics). */
    private readonly onPhaseEnd?: (phase: PhaseOf<K>, seconds: number) => void,
  ) {
    this.traceparent = traceparentOf(rootContext)
    const spanContext = trace.getSpanContext(rootContext)
    this.traceId = spanContext && trace.isSpanContextValid(spanContext) ? spanContext.traceId : undefined
  }

  /** Enters `phase` (and leaves the one before); ignored when the work is already at or past it. */
  phase(phase: PhaseOf<K>, attributes?: Attributes): void {
    if (this.ended) return
    const index = this.phases.indexOf(phase)
    if (index < 0 || (this.current && index <= this.current.index)) return
    this.closePhase()
    const span = this.tracer.startSpan(phase, { attributes }, this.rootContext)
    this.current = { index, span, startedAt: this.now() }
  }

  get phaseName(): PhaseOf<K> | null {
    return this.current ? this.phases[this.current.index] : null
  }

  /** Seconds since this node first saw the work. */
  elapsedSeconds(): number {
    return (this.now() - this.startedAt) / 1000
  }

  end(attributes?: Attributes, failure?: string): void {
    if (this.ended) return
    this.ended = true
    this.closePhase()
    if (attributes) this.root.setAttributes(attributes)
    if (failure) this.root.setStatus({ code: SpanStatusCode.ERROR, message: failure })
    this.root.end()
  }

  get isEnded(): boolean {
    return this.ended
  }

  private closePhase(): void {
    if (!this.current) return
    this.current.span.end()
    this.onPhaseEnd?.(this.phases[this.current.index], (this.now() - this.current.startedAt) / 1000)
    this.current = null
  }
}

export interface WorkTracerOptions<K extends WorkKind> {
  readonly tracer: Tracer
  readonly kind: K
  readonly phases: readonly PhaseOf<K>[]
  /** Attributes on every root span (e.g. the chain or task family); never secrets. */
  readonly attributes?: Attributes
  /** Open pieces of work kept; the oldest is ended as abandoned beyond this. */
  readonly maxOpen?: number
  readonly now?: () => number
  /** How long each phase of the piece of work `id` lasted, when the next one starts or the work ends (metrics). */
  readonly onPhaseEnd?: (phase: PhaseOf<K>, seconds: number, id: string) => void
  /**
   * The trace id every node derives for a piece of work on its own (e.g. from chain and
   * height): 32 hex digits. A node that must act before any message with a traceparent
   * reaches it (a validator whose propose timer fires first) still joins the same trace.
   */
  readonly traceIdFor?: (id: string) => string
}

/**
 * Traces the pieces of one kind of work by id (a height, a round number, a task id). The
 * first message about a piece that carries a `traceparent` makes this node's root span a
 * child of the sender's, so every node's spans of one height, round or task share one trace.
 * The FL round layer and the task layer use this with their own phases:
 *
 *   const rounds = new WorkTracer({ tracer, kind: 'fl.round', phases: flRoundPhases })
 *   rounds.work(String(round), { 'fl.round': round }, envelope.traceparent).phase('train')
 */
export class WorkTracer<K extends WorkKind> {
  private readonly open = new Map<string, Work<K>>()
  private readonly now: () => number

  constructor(private readonly options: WorkTracerOptions<K>) {
    this.now = options.now ?? (() => performance.now())
  }

  work(id: string, attributes?: Attributes, remoteTraceparent?: string): Work<K> {
    const existing = this.open.get(id)
    if (existing) return existing
    const parent = contextFromTraceparent(remoteTraceparent) ?? this.derivedParent(id)
    const root = this.options.tracer.startSpan(this.options.kind, { attributes: { ...this.options.attributes, ...attributes } }, parent)
    const work = new Work<K>(
      this.options.tracer,
      this.options.phases,
      root,
      trace.setSpan(parent, root),
      this.now(),
      this.now,
      this.options.onPhaseEnd && ((phase, seconds) => this.options.onPhaseEnd!(phase, seconds, id)),
    )
    this.open.set(id, work)
    const max = this.options.maxOpen ?? 64
    while (this.open.size > max) {
      const [oldestId, oldest] = this.open.entries().next().value!
      oldest.end(undefined, 'abandoned')
      this.open.delete(oldestId)
    }
    return work
  }

  /** A remote parent with the derived trace id (its span id is derived too and never exported), or the root. */
  private derivedParent(id: string): Context {
    const traceId = this.options.traceIdFor?.(id)
    if (!traceId) return ROOT_CONTEXT
    return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: traceId.slice(0, 16), traceFlags: TraceFlags.SAMPLED, isRemote: true })
  }

  find(id: string): Work<K> | undefined {
    return this.open.get(id)
  }

  /** Ends and forgets a piece of work. */
  finish(id: string, attributes?: Attributes, failure?: string): Work<K> | undefined {
    const work = this.open.get(id)
    if (!work) return undefined
    this.open.delete(id)
    work.end(attributes, failure)
    return work
  }

  /** Ends every open piece (on shutdown), so exporters see them. */
  close(): void {
    for (const work of this.open.values()) work.end(undefined, 'shutdown')
    this.open.clear()
  }
}

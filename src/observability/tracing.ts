/**
 * @module The tracing port on OpenTelemetry: the Node SDK with the OTLP/HTTP (JSON) trace exporter,
 * started only when OTEL_EXPORTER_OTLP_ENDPOINT is set. The SDK reads the standard OTEL_* variables
 * itself (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_SAMPLER …).
 */
import { context, propagation, trace, SpanKind as OtelSpanKind, SpanStatusCode, type Context, type Span } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { NodeSDK } from '@opentelemetry/sdk-node'
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { noTracing, type SpanHandle, type SpanKind, type SpanOptions, type Tracing } from '../ports/tracing.js'

const kinds: Record<SpanKind, OtelSpanKind> = {
  server: OtelSpanKind.SERVER,
  client: OtelSpanKind.CLIENT,
  producer: OtelSpanKind.PRODUCER,
  consumer: OtelSpanKind.CONSUMER,
  internal: OtelSpanKind.INTERNAL,
}

const propagator = new W3CTraceContextPropagator()

function fromTraceparent(traceparent: string): Context {
  return propagator.extract(context.active(), { traceparent }, { get: (carrier, key) => carrier[key as 'traceparent'], keys: () => ['traceparent'] })
}

function toTraceparent(ctx: Context): string | undefined {
  const carrier: Record<string, string> = {}
  propagator.inject(ctx, carrier, { set: (c, key, value) => void (c[key] = value) })
  return carrier['traceparent']
}

function handle(span: Span, ctx: Context): SpanHandle {
  return {
    traceparent: toTraceparent(ctx),
    run: (fn) => context.with(ctx, fn),
    setAttribute: (key, value) => void span.setAttribute(key, value),
    fail: (error) => {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) })
    },
    end: () => span.end(),
  }
}

function otelTracing(): Tracing {
  const tracer = trace.getTracer('chat4all')
  return {
    enabled: true,
    start(name, options: SpanOptions = {}) {
      const parent = options.parent ? fromTraceparent(options.parent) : context.active()
      const span = tracer.startSpan(name, { kind: kinds[options.kind ?? 'internal'], ...(options.attributes ? { attributes: { ...options.attributes } } : {}) }, parent)
      return handle(span, trace.setSpan(parent, span))
    },
    current: () => toTraceparent(context.active()),
  }
}

export interface StartedTracing {
  readonly tracing: Tracing
  /** Flushes the spans still buffered and stops the SDK. */
  shutdown(): Promise<void>
}

/**
 * Starts the SDK when an OTLP endpoint (the full /v1/traces URL) is configured; otherwise tracing is
 * off and costs nothing.
 */
export function startTracing(otlpEndpoint: string | undefined, serviceName: string): StartedTracing {
  if (!otlpEndpoint) return { tracing: noTracing, shutdown: async () => undefined }
  const sdk = new NodeSDK({
    serviceName,
    // Spans only: metrics are Prometheus's, logs are pino's (carrying trace_id).
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpEndpoint }), { scheduledDelayMillis: 1_000 })],
    instrumentations: [],
    textMapPropagator: propagator,
  })
  sdk.start()
  return { tracing: otelTracing(), shutdown: () => sdk.shutdown() }
}

/** pino mixin: every log line written inside a span carries its trace_id and span_id. */
export function traceLogFields(): Record<string, string> {
  const span = trace.getActiveSpan()
  if (!span) return {}
  const { traceId, spanId } = span.spanContext()
  return { trace_id: traceId, span_id: spanId }
}

/**
 * @module The tracing port: spans that follow a message from its HTTP request through the store,
 * the outbox, the bus, the router and the live push. The context crosses process boundaries as a
 * W3C `traceparent` string carried inside the outbox event and the fan-out envelope. Implemented on
 * OpenTelemetry in src/observability; `noTracing` when no OTLP endpoint is configured.
 */

export type SpanKind = 'server' | 'client' | 'producer' | 'consumer' | 'internal'

export interface SpanOptions {
  /** The parent as a W3C traceparent; without it, the active span (if any) is the parent. */
  readonly parent?: string | undefined
  readonly kind?: SpanKind
  readonly attributes?: Readonly<Record<string, string | number | boolean>>
}

export interface SpanHandle {
  /** This span as a W3C traceparent, to carry to the next hop; undefined when not recording. */
  readonly traceparent: string | undefined
  /** Runs `fn` with this span active: spans started and logs written inside are its children. */
  run<T>(fn: () => T): T
  setAttribute(key: string, value: string | number | boolean): void
  fail(error: unknown): void
  end(): void
}

export interface Tracing {
  readonly enabled: boolean
  start(name: string, options?: SpanOptions): SpanHandle
  /** The active span as a W3C traceparent; undefined outside any span or when tracing is off. */
  current(): string | undefined
}

const noSpan: SpanHandle = {
  traceparent: undefined,
  run: (fn) => fn(),
  setAttribute: () => undefined,
  fail: () => undefined,
  end: () => undefined,
}

export const noTracing: Tracing = { enabled: false, start: () => noSpan, current: () => undefined }

/**
 * @module HTTP metrics and server spans. Requests are labelled by route pattern
 * (`/v1/conversations/:id/messages`), never by raw URL, so ids cannot blow up the label space;
 * a request that matched no route is `unmatched`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { PlatformMetrics } from '../../ports/metrics.js'
import type { SpanHandle, Tracing } from '../../ports/tracing.js'

const routeOf = (request: FastifyRequest): string => request.routeOptions.url ?? 'unmatched'

export function observeHttp(app: FastifyInstance, metrics: PlatformMetrics, tracing: Tracing): void {
  if (metrics.enabled) {
    app.addHook('onResponse', async (request, reply) => {
      metrics.httpRequestDuration.observe(reply.elapsedTime / 1000, {
        route: routeOf(request),
        method: request.method,
        status_code: String(reply.statusCode),
      })
    })
  }
  if (!tracing.enabled) return
  const spans = new WeakMap<FastifyRequest, SpanHandle>()
  app.addHook('onRequest', async (request) => {
    const traceparent = request.headers.traceparent
    const span = tracing.start(`${request.method} ${routeOf(request)}`, {
      kind: 'server',
      // A caller's trace goes on here (W3C Trace Context).
      ...(typeof traceparent === 'string' ? { parent: traceparent } : {}),
      attributes: { 'http.request.method': request.method, 'http.route': routeOf(request) },
    })
    spans.set(request, span)
    // Every log line of the request names its trace, also those written outside the span's context.
    const traceId = span.traceparent?.split('-')[1]
    if (traceId) request.log = request.log.child({ trace_id: traceId })
  })
  // The handler runs inside the span: the store write, and the trace the outbox event carries on.
  app.addHook('preHandler', (request, _reply, done) => {
    const span = spans.get(request)
    if (span) span.run(done)
    else done()
  })
  app.addHook('onResponse', async (request, reply) => {
    const span = spans.get(request)
    if (!span) return
    span.setAttribute('http.response.status_code', reply.statusCode)
    if (reply.statusCode >= 500) span.fail(`HTTP ${reply.statusCode}`)
    span.end()
  })
}

/**
 * @module The store port, measured: every method's duration goes to
 * `chat4all_store_query_duration_seconds{operation}` (the method name: a bounded label), and a
 * message appended inside a traced request carries that trace into its outbox event. Wrapped at the
 * port boundary in the composition root, so neither adapter knows about metrics.
 */
import type { NewMessage } from '../core/model.js'
import type { PlatformMetrics } from '../ports/metrics.js'
import type { Store } from '../ports/store.js'
import type { Tracing } from '../ports/tracing.js'

/** Methods that are not queries: registering a listener, closing. */
const unmeasured = new Set<string | symbol>(['onOutboxWrite', 'close', 'withLock', 'tryWithLock'])

export function instrumentStore(store: Store, metrics: PlatformMetrics, tracing: Tracing): Store {
  if (!metrics.enabled && !tracing.enabled) return store
  const wrapped = new Map<string | symbol, unknown>()
  const measure = (operation: string, method: (...args: unknown[]) => unknown) =>
    function measured(...args: unknown[]): unknown {
      const started = performance.now()
      const result = method(...args)
      if (!(result instanceof Promise)) return result
      const done = () => metrics.storeQueryDuration.observe((performance.now() - started) / 1000, { operation })
      return result.finally(done)
    }
  const appendMessage = (message: NewMessage) => {
    const traceparent = tracing.current()
    return store.appendMessage(traceparent ? { ...message, traceparent } : message).then((result) => {
      if (!traceparent || result.kind === 'not_found') return result
      // The trace context is for the outbox only, never part of the message handed back.
      const { traceparent: _dropped, ...plain } = result.message as typeof result.message & { traceparent?: string }
      return { ...result, message: plain }
    })
  }
  /** Each webhook attempt is recorded through the store: its outcome and duration are counted there. */
  const recordWebhookAttempt: Store['recordWebhookAttempt'] = (deliveryId, attempt, outcome) => {
    metrics.webhookDeliveries.inc({ outcome: outcome.kind })
    metrics.webhookDeliveryDuration.observe(attempt.durationMs / 1000, { outcome: outcome.kind })
    return store.recordWebhookAttempt(deliveryId, attempt, outcome)
  }
  const overrides = new Map<string | symbol, unknown>([
    ...(tracing.enabled ? [['appendMessage', appendMessage] as const] : []),
    ...(metrics.enabled ? [['recordWebhookAttempt', recordWebhookAttempt] as const] : []),
  ])
  return new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target)
      if (typeof value !== 'function' || unmeasured.has(key)) return value
      let method = wrapped.get(key)
      if (!method) {
        const base = (overrides.get(key) ?? value.bind(target)) as (...args: unknown[]) => unknown
        method = metrics.enabled ? measure(String(key), base) : base
        wrapped.set(key, method)
      }
      return method
    },
  })
}

/**
 * @module The bus port, measured and traced, wrapped in the composition root: publish counts and
 * durations; per consumer group the events consumed, redeliveries and handler time; a `relay` span
 * per published event and a `route <group>` span per consumed one, each the parent of the next hop
 * (the event's `traceparent` is rewritten to the span that handled it).
 */
import type { OutboxEvent } from '../core/model.js'
import type { BatchHandler, Bus, Delivery } from '../ports/bus.js'
import type { PlatformMetrics } from '../ports/metrics.js'
import type { SpanHandle, Tracing } from '../ports/tracing.js'
import { createDeliveryLatency } from './delivery-latency.js'

/** The group that sees every event: where receipts are measured against acceptance times. */
const latencyGroup = 'fanout'

function traced(tracing: Tracing, events: readonly OutboxEvent[], name: string, kind: 'producer' | 'consumer') {
  const spans: SpanHandle[] = []
  const out = events.map((event) => {
    if (!event.traceparent) return event
    const span = tracing.start(name, { parent: event.traceparent, kind, attributes: { 'chat4all.event.type': event.event.type } })
    spans.push(span)
    return span.traceparent ? { ...event, traceparent: span.traceparent } : event
  })
  return { out, end: (error?: unknown) => spans.forEach((span) => (error !== undefined && span.fail(error), span.end())) }
}

export function instrumentBus(bus: Bus, metrics: PlatformMetrics, tracing: Tracing): Bus {
  if (!metrics.enabled && !tracing.enabled) return bus
  const observeReceipt = metrics.enabled ? createDeliveryLatency(metrics) : undefined

  const wrapHandler = (group: string, handler: BatchHandler): BatchHandler => async (batch) => {
    const labels = { group }
    metrics.busConsumed.inc(labels, batch.length)
    const redelivered = batch.filter((delivery) => delivery.attempt > 1).length
    if (redelivered > 0) metrics.busRedeliveries.inc(labels, redelivered)
    if (group === latencyGroup && observeReceipt) for (const delivery of batch) observeReceipt(delivery.event.event)
    const spans = tracing.enabled ? traced(tracing, batch.map((d) => d.event), `route ${group}`, 'consumer') : undefined
    const deliveries: readonly Delivery[] = spans ? batch.map((d, i) => ({ ...d, event: spans.out[i]! })) : batch
    const started = performance.now()
    try {
      await handler(deliveries)
      spans?.end()
    } catch (error) {
      spans?.end(error)
      throw error
    } finally {
      metrics.busHandlerDuration.observe((performance.now() - started) / 1000, labels)
    }
  }

  return {
    async publish(events) {
      const spans = tracing.enabled ? traced(tracing, events, 'relay', 'producer') : undefined
      const started = performance.now()
      try {
        await bus.publish(spans ? spans.out : events)
        spans?.end()
      } catch (error) {
        spans?.end(error)
        throw error
      }
      metrics.busPublishDuration.observe((performance.now() - started) / 1000)
      metrics.busPublished.inc(undefined, events.length)
    },
    ...(bus.settled ? { settled: bus.settled.bind(bus) } : {}),
    consume: (group, handler, options) =>
      bus.consume(group, wrapHandler(group, handler), {
        ...options,
        deadLetters: async (letter) => {
          metrics.busDeadLetters.inc({ group: letter.group })
          await options.deadLetters(letter)
        },
      }),
    close: () => bus.close(),
  }
}

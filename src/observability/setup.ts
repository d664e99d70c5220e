/**
 * @module A process's observability, assembled for the composition root: the metrics (Prometheus,
 * or nothing with CHAT4ALL_METRICS=off), the tracing (OpenTelemetry when an OTLP endpoint is set),
 * the gauges read at scrape time, and this process's status for the admin summary.
 */
import { hostname } from 'node:os'
import type { ObservabilitySettings } from '../config/observability.js'
import type { ProcessStatus } from '../core/admin-stats.js'
import { noMetrics, type MetricsExposition, type PlatformMetrics } from '../ports/metrics.js'
import type { Store } from '../ports/store.js'
import type { Tracing } from '../ports/tracing.js'
import { createPrometheusMetrics } from './prometheus.js'
import { startTracing } from './tracing.js'

/** The breaker of each channel as a number Prometheus can alert on. */
const breakerValue: Readonly<Record<string, number>> = { closed: 0, half_open: 1, open: 2 }

export interface ScrapeSources {
  /** The process that relays the outbox reports its backlog (one aggregate per scrape). */
  readonly outbox?: Pick<Store, 'outboxBacklog'>
  /** The live connections of an API process. */
  readonly stream?: { readonly connections: number; readonly users: number }
  /** Each channel's breaker state (closed, half_open, open). */
  readonly breakers?: () => readonly { readonly channel: string; readonly state: string }[]
  readonly now: () => number
}

export interface Observability {
  readonly metrics: PlatformMetrics
  readonly tracing: Tracing
  /** What GET /metrics serves; undefined when metrics are off. */
  readonly exposition: MetricsExposition | undefined
  /** Registers the gauges computed when Prometheus scrapes. */
  watch(sources: ScrapeSources): void
  status(roles: readonly string[], connectedClients: () => number): () => ProcessStatus
  shutdown(): Promise<void>
}

/** Messages accepted in the last 60 seconds, in one-second slots. */
function createMinuteRate(now: () => number) {
  const slots = new Array<number>(60).fill(0)
  let slotSecond = Math.floor(now() / 1000)
  const advance = () => {
    const second = Math.floor(now() / 1000)
    for (let s = slotSecond + 1; s <= Math.min(second, slotSecond + 60); s++) slots[s % 60] = 0
    slotSecond = Math.max(slotSecond, second)
  }
  return {
    add(n: number) {
      advance()
      slots[slotSecond % 60]! += n
    },
    total() {
      advance()
      return slots.reduce((sum, n) => sum + n, 0)
    },
  }
}

export function startObservability(settings: ObservabilitySettings, now: () => number = Date.now): Observability {
  const { tracing, shutdown } = startTracing(settings.otlpEndpoint ?? undefined, settings.serviceName)
  const rate = createMinuteRate(now)
  const prometheus = settings.metrics ? createPrometheusMetrics() : undefined
  const metrics: PlatformMetrics = prometheus
    ? {
        ...prometheus.metrics,
        // Also feeds the admin summary's messages per minute.
        messagesAccepted: { inc: (labels, value = 1) => (rate.add(value), prometheus.metrics.messagesAccepted.inc(labels, value)) },
      }
    : noMetrics
  const startedAt = now()
  return {
    metrics,
    tracing,
    exposition: prometheus,
    watch(sources) {
      if (!prometheus) return
      const { outbox, stream, breakers } = sources
      if (outbox) {
        let backlog: Promise<Awaited<ReturnType<Store['outboxBacklog']>>> | undefined
        // Both gauges come from one query per scrape.
        const read = () => (backlog ??= outbox.outboxBacklog().finally(() => setTimeout(() => (backlog = undefined), 100)))
        prometheus.gaugeOnScrape('chat4all_outbox_events', 'Events accepted and not yet handed to the bus', [], async () => [{ value: (await read()).depth }])
        prometheus.gaugeOnScrape('chat4all_outbox_oldest_event_age_seconds', 'Age of the oldest event waiting in the outbox (0: empty)', [], async () => {
          const oldest = (await read()).oldestCreatedAt
          return [{ value: oldest === undefined ? 0 : Math.max(0, sources.now() - oldest) / 1000 }]
        })
      }
      if (stream) {
        prometheus.gaugeOnScrape('chat4all_stream_connections', 'Live connections (WebSocket and SSE) held by this process', [], () => [{ value: stream.connections }])
        prometheus.gaugeOnScrape('chat4all_stream_users', 'Users with at least one live connection to this process', [], () => [{ value: stream.users }])
      }
      if (breakers) {
        prometheus.gaugeOnScrape('chat4all_connector_breaker_state', 'Circuit breaker of each channel: 0 closed, 1 half open, 2 open', ['channel'], () =>
          breakers().map(({ channel, state }) => ({ value: breakerValue[state] ?? 2, labels: { channel } })),
        )
      }
    },
    status: (processRoles, connectedClients) => () => ({
      id: `${hostname()}:${process.pid}`,
      roles: processRoles,
      startedAt,
      connectedClients: connectedClients(),
      messagesLastMinute: prometheus ? rate.total() : null,
      residentBytes: process.memoryUsage.rss(),
    }),
    shutdown,
  }
}

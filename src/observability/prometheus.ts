/**
 * @module The metrics port on prom-client: one registry per process with the default Node.js
 * metrics, the platform's instruments (every name carries its unit) and gauges read at scrape time.
 */
import client from 'prom-client'
import type { Counter, Gauge, Histogram, Labels, PlatformMetrics } from '../ports/metrics.js'

/** Seconds: from a fraction of a millisecond (an in-memory append) to a minute (a stuck delivery). */
const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
/** End to end, where a receipt may come minutes or hours later (the recipient was offline). */
const deliveryBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600]

export interface PrometheusMetrics {
  readonly metrics: PlatformMetrics
  readonly registry: client.Registry
  /** A gauge computed when Prometheus scrapes (outbox depth, connections): nothing to keep current. */
  gaugeOnScrape(name: string, help: string, labelNames: readonly string[], read: () => Promise<readonly GaugeReading[]> | readonly GaugeReading[]): void
  /** The exposition text and its content type. */
  scrape(): Promise<{ readonly body: string; readonly contentType: string }>
}

export interface GaugeReading {
  readonly value: number
  readonly labels?: Labels
}

export function createPrometheusMetrics(defaultLabels: Labels = {}): PrometheusMetrics {
  const registry = new client.Registry()
  registry.setDefaultLabels({ ...defaultLabels })
  client.collectDefaultMetrics({ register: registry })

  const counter = (name: string, help: string, labelNames: readonly string[] = []): Counter => {
    const metric = new client.Counter({ name, help, labelNames, registers: [registry] })
    return { inc: (labels, value) => (labels ? metric.inc(labels, value ?? 1) : metric.inc(value ?? 1)) }
  }
  const histogram = (name: string, help: string, labelNames: readonly string[] = [], buckets = latencyBuckets): Histogram => {
    const metric = new client.Histogram({ name, help, labelNames, buckets, registers: [registry] })
    return { observe: (value, labels) => (labels ? metric.observe(labels, value) : metric.observe(value)) }
  }
  const gauge = (name: string, help: string, labelNames: readonly string[] = []): Gauge => {
    const metric = new client.Gauge({ name, help, labelNames, registers: [registry] })
    return {
      set: (value, labels) => (labels ? metric.set(labels, value) : metric.set(value)),
      inc: (labels, value) => (labels ? metric.inc(labels, value ?? 1) : metric.inc(value ?? 1)),
      dec: (labels, value) => (labels ? metric.dec(labels, value ?? 1) : metric.dec(value ?? 1)),
    }
  }

  const metrics: PlatformMetrics = {
    enabled: true,
    httpRequestDuration: histogram(
      'chat4all_http_request_duration_seconds',
      'HTTP requests by route pattern, method and status code, and how long they took',
      ['route', 'method', 'status_code'],
    ),
    messagesAccepted: counter('chat4all_messages_accepted_total', 'Messages accepted (durable and ordered)'),
    messagesRejected: counter('chat4all_messages_rejected_total', 'Sends refused, by error code', ['reason']),
    messageAcceptDuration: histogram('chat4all_message_accept_duration_seconds', 'From a send reaching the core to its durable acceptance'),
    messageDeliveryLatency: histogram(
      'chat4all_message_delivery_latency_seconds',
      'From acceptance to pushed to a live connection, to DELIVERED, to READ (per recipient)',
      ['stage'],
      deliveryBuckets,
    ),
    busPublished: counter('chat4all_bus_published_events_total', 'Events the outbox relay handed to the bus'),
    busPublishDuration: histogram('chat4all_bus_publish_duration_seconds', 'How long the bus took to hold a published batch'),
    busConsumed: counter('chat4all_bus_consumed_events_total', 'Events handed to a consumer group in this process', ['group']),
    busRedeliveries: counter('chat4all_bus_redeliveries_total', 'Deliveries after the first (a retry or a crashed consumer)', ['group']),
    busDeadLetters: counter('chat4all_bus_dead_letters_total', 'Events a consumer group gave up on', ['group']),
    busHandlerDuration: histogram('chat4all_bus_handler_duration_seconds', 'How long a consumer group took over one batch', ['group']),
    streamFramesSent: counter('chat4all_stream_frames_sent_total', 'Frames written to live connections (WebSocket and SSE)'),
    streamSlowConsumerCloses: counter('chat4all_stream_slow_consumer_closes_total', 'Live connections closed because they read too slowly'),
    webhookDeliveries: counter('chat4all_webhook_deliveries_total', 'Webhook delivery attempts by outcome', ['outcome']),
    webhookDeliveryDuration: histogram('chat4all_webhook_delivery_duration_seconds', 'Webhook delivery attempts: the receiver\'s answer time', ['outcome']),
    uploadsInProgress: gauge('chat4all_uploads_in_progress', 'Writes to the blob store under way (uploads and their parts)'),
    blobBytes: counter('chat4all_blob_bytes_total', 'Bytes written to (in) and read from (out) the blob store', ['direction']),
    uploadFailures: counter('chat4all_upload_failures_total', 'Writes to the blob store that failed', ['operation']),
    storeQueryDuration: histogram('chat4all_store_query_duration_seconds', 'Store operations (the store port method) and their duration', ['operation']),
    connectorSends: counter('chat4all_connector_sends_total', 'Connector sends by channel and outcome', ['channel', 'outcome']),
    connectorErrors: counter('chat4all_connector_errors_total', 'Connector send errors by channel and kind', ['channel', 'kind']),
    connectorCallbackLag: histogram('chat4all_connector_callback_lag_seconds', 'From a platform\'s status timestamp to its callback reaching the platform', ['channel'], deliveryBuckets),
  }

  return {
    metrics,
    registry,
    gaugeOnScrape(name, help, labelNames, read) {
      new client.Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        async collect() {
          this.reset()
          for (const reading of await read()) {
            if (reading.labels) this.set(reading.labels, reading.value)
            else this.set(reading.value)
          }
        },
      })
    },
    async scrape() {
      return { body: await registry.metrics(), contentType: registry.contentType }
    },
  }
}

/**
 * @module The metrics port: the platform's instruments, named once. Core, workers and transports
 * record through these interfaces; the composition root hands in the Prometheus implementation
 * (src/observability) or `noMetrics` when metrics are off. Label values are bounded by their
 * callers: a route pattern, a method, a status, a reason code, a channel, a consumer group — never a
 * user, conversation or message id.
 */

export type Labels = Readonly<Record<string, string>>

export interface Counter {
  inc(labels?: Labels, value?: number): void
}

export interface Histogram {
  /** One observation, in the unit of the metric's name (seconds, bytes). */
  observe(value: number, labels?: Labels): void
}

export interface Gauge {
  set(value: number, labels?: Labels): void
  inc(labels?: Labels, value?: number): void
  dec(labels?: Labels, value?: number): void
}

/** Where a message's end-to-end latency is measured from its acceptance. */
export type DeliveryStage = 'pushed' | 'delivered' | 'read'

export interface PlatformMetrics {
  /** Whether anything is recorded: callers may skip work that only feeds metrics. */
  readonly enabled: boolean
  /** labels: route (the pattern, e.g. /v1/conversations/:id/messages), method, status_code */
  readonly httpRequestDuration: Histogram
  readonly messagesAccepted: Counter
  /** labels: reason (the error code) */
  readonly messagesRejected: Counter
  readonly messageAcceptDuration: Histogram
  /** labels: stage (DeliveryStage) */
  readonly messageDeliveryLatency: Histogram
  readonly busPublished: Counter
  readonly busPublishDuration: Histogram
  /** labels: group */
  readonly busConsumed: Counter
  /** labels: group */
  readonly busRedeliveries: Counter
  /** labels: group */
  readonly busDeadLetters: Counter
  /** labels: group */
  readonly busHandlerDuration: Histogram
  readonly streamFramesSent: Counter
  readonly streamSlowConsumerCloses: Counter
  /** labels: outcome (delivered, retry, dead) */
  readonly webhookDeliveries: Counter
  /** labels: outcome */
  readonly webhookDeliveryDuration: Histogram
  readonly uploadsInProgress: Gauge
  /** labels: direction (in: written to the blob store, out: read from it) */
  readonly blobBytes: Counter
  /** labels: operation (put, part, complete) */
  readonly uploadFailures: Counter
  /** labels: operation (the store method) */
  readonly storeQueryDuration: Histogram
  /** labels: channel, outcome (sent, retry, failed) */
  readonly connectorSends: Counter
  /** labels: channel, kind */
  readonly connectorErrors: Counter
  /** labels: channel: seconds between the platform's status timestamp and its callback reaching us */
  readonly connectorCallbackLag: Histogram
}

const noCounter: Counter = { inc: () => undefined }
const noHistogram: Histogram = { observe: () => undefined }
const noGauge: Gauge = { set: () => undefined, inc: () => undefined, dec: () => undefined }

/** Metrics off (CHAT4ALL_METRICS=off), and the default of components built without metrics (tests). */
export const noMetrics: PlatformMetrics = {
  enabled: false,
  httpRequestDuration: noHistogram,
  messagesAccepted: noCounter,
  messagesRejected: noCounter,
  messageAcceptDuration: noHistogram,
  messageDeliveryLatency: noHistogram,
  busPublished: noCounter,
  busPublishDuration: noHistogram,
  busConsumed: noCounter,
  busRedeliveries: noCounter,
  busDeadLetters: noCounter,
  busHandlerDuration: noHistogram,
  streamFramesSent: noCounter,
  streamSlowConsumerCloses: noCounter,
  webhookDeliveries: noCounter,
  webhookDeliveryDuration: noHistogram,
  uploadsInProgress: noGauge,
  blobBytes: noCounter,
  uploadFailures: noCounter,
  storeQueryDuration: noHistogram,
  connectorSends: noCounter,
  connectorErrors: noCounter,
  connectorCallbackLag: noHistogram,
}

/** What `GET /metrics` serves: the exposition text of this process. */
export interface MetricsExposition {
  scrape(): Promise<{ readonly body: string; readonly contentType: string }>
}

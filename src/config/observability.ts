/** @module Metrics and tracing settings (docs/operations.md). */
import { ConfigError } from './config-error.js'

export interface ObservabilitySettings {
  /** Record metrics and serve GET /metrics (on by default). */
  readonly metrics: boolean
  /** When set, GET /metrics asks for `Authorization: Bearer <token>`. */
  readonly metricsToken: string | null
  /** Where spans go (OTLP over HTTP); tracing is off when null. */
  readonly otlpEndpoint: string | null
  /** The `service.name` of this process's spans (OTEL_SERVICE_NAME; default chat4all). */
  readonly serviceName: string
}

export const observabilityConfigDocs: Readonly<Record<string, string>> = {
  CHAT4ALL_METRICS: 'on (default) or off: record Prometheus metrics and serve GET /metrics on the HTTP port',
  CHAT4ALL_METRICS_TOKEN: 'When set, GET /metrics requires Authorization: Bearer <token> (default: open, like /health)',
}

export function observabilityConfig(env: NodeJS.ProcessEnv): ObservabilitySettings {
  const metrics = env['CHAT4ALL_METRICS'] || 'on'
  if (metrics !== 'on' && metrics !== 'off') throw new ConfigError(`CHAT4ALL_METRICS must be on or off, got '${metrics}'`)
  const token = env['CHAT4ALL_METRICS_TOKEN'] || null
  if (token !== null && token.length < 16) throw new ConfigError('CHAT4ALL_METRICS_TOKEN must be at least 16 characters')
  // The standard OpenTelemetry variable: the SDK reads the rest of OTEL_* itself.
  const endpoint = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_ENDPOINT'] || null
  if (endpoint !== null && !/^https?:\/\/[^/]+/.test(endpoint)) {
    throw new ConfigError(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL, got '${endpoint}'`)
  }
  return Object.freeze({
    metrics: metrics === 'on',
    metricsToken: token,
    otlpEndpoint: endpoint,
    serviceName: env['OTEL_SERVICE_NAME'] || 'chat4all',
  })
}

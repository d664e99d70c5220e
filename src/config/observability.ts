/** @module Metrics and tracing settings (docs/operations.md). */
import { ConfigError } from './config-error.js'

export interface ObservabilitySettings {
  /** Record metrics and serve GET /metrics (on by default). */
  readonly metrics: boolean
  /** When set, GET /metrics asks for `Authorization: Bearer <token>`. */
  readonly metricsToken: string | null
  /** Where spans are POSTed (OTLP over HTTP, the full /v1/traces URL); tracing is off when null. */
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
  // As the OTLP specification resolves them: the signal's own URL as given, or the base plus /v1/traces.
  const base = env['OTEL_EXPORTER_OTLP_ENDPOINT'] || null
  const own = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] || null
  for (const [key, value] of [['OTEL_EXPORTER_OTLP_ENDPOINT', base], ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', own]] as const) {
    if (value !== null && !/^https?:\/\/[^/]+/.test(value)) throw new ConfigError(`${key} must be an http(s) URL, got '${value}'`)
  }
  const endpoint = own ?? (base === null ? null : `${base.replace(/\/+$/, '')}/v1/traces`)
  return Object.freeze({
    metrics: metrics === 'on',
    metricsToken: token,
    otlpEndpoint: endpoint,
    serviceName: env['OTEL_SERVICE_NAME'] || 'chat4all',
  })
}

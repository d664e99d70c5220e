/**
 * @module `chat4all config check`: the effective configuration (secrets masked), then each dependency
 * it names — store, bus, blob store — contacted, and where metrics and traces go. Exits non-zero on a
 * configuration error or an unreachable dependency, so a deployment can run it before starting.
 */
import { channelSettingDocs, probeDependencies } from '../app.js'
import { ConfigError, describeConfig, loadConfig, type Config } from '../config/load.js'

/** Passwords in URLs are shown as ***. */
const masked = (url: string): string => url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@')

function observabilityLines(config: Config): string[] {
  const { metrics, metricsToken, otlpEndpoint, serviceName } = config.observability
  return [
    `  metrics  ${metrics ? `GET /metrics on the HTTP port (${metricsToken ? 'bearer token required' : 'open'})` : 'off'}`,
    `  traces   ${otlpEndpoint ? `OTLP/HTTP to ${masked(otlpEndpoint)} as ${serviceName}` : 'off (set OTEL_EXPORTER_OTLP_ENDPOINT)'}`,
  ]
}

export async function configCheck(env: NodeJS.ProcessEnv, write: (text: string) => void): Promise<number> {
  let loaded: ReturnType<typeof loadConfig>
  try {
    loaded = loadConfig(env, channelSettingDocs)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    write(`configuration error: ${error.message}\n`)
    return 1
  }
  const { config, warnings } = loaded
  write(`Effective configuration (secrets masked):\n${JSON.stringify(describeConfig(config), null, 2)}\n\n`)
  for (const warning of warnings) write(`warning: ${warning}\n`)
  const probes = await probeDependencies(config)
  write('Dependencies:\n')
  for (const probe of probes) {
    write(`  ${probe.name.padEnd(6)} ${masked(probe.target)}\n         ${probe.ok ? 'ok' : 'FAILED'}: ${probe.detail}\n`)
  }
  write(`Observability:\n${observabilityLines(config).join('\n')}\n`)
  const failed = probes.filter((probe) => !probe.ok)
  if (failed.length === 0) return 0
  write(`\nconfig check failed: ${failed.map((probe) => `${probe.name} (${probe.detail})`).join('; ')}\n`)
  return 1
}

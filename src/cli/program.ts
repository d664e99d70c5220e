/**
 * @module The `chat4all` command line: the client commands (login, send, history, upload, chat …)
 * and the operator commands (serve, cluster, config, simulate, admin). The server is imported only
 * by the commands that run it, so a client command starts without loading the platform.
 */
import { Command, CommanderError } from 'commander'
import { adminCommand } from './admin.js'
import { clientCommands } from './client/index.js'
import { withCommonOptions } from './client/context.js'
import { ExitCode } from './client/exit-codes.js'
import { simulateCommand } from './simulate.js'

function banner(url: string, db: string, grpcAddress: string | undefined): string {
  return [
    '',
    `  Chat4All is listening on ${url}`,
    ...(grpcAddress ? [`  gRPC API on ${grpcAddress} (grpcurl -plaintext ${grpcAddress} list)`] : []),
    `  Storage: ${db.startsWith('sqlite:') ? db : db.replace(/\/\/[^@]*@/, '//***@')}`,
    '',
    '  Create a first account and get a token:',
    `    curl -s -X POST ${url}/auth/register -H 'content-type: application/json' \\`,
    `      -d '{"username":"alice","password":"correct-horse-battery"}'`,
    `    curl -s -X POST ${url}/auth/token -H 'content-type: application/json' \\`,
    `      -d '{"username":"alice","password":"correct-horse-battery"}'`,
    '',
  ].join('\n')
}

async function serve(options: { role: string; channels?: string }): Promise<void> {
  const [{ default: pino }, { channelSettingDocs, parseRoles, startPlatform }, { loadConfig }, { traceLogFields }] = await Promise.all([
    import('pino'),
    import('../app.js'),
    import('../config/load.js'),
    import('../observability/tracing.js'),
  ])
  const roles = parseRoles(options.role, options.channels)
  const { config, warnings } = loadConfig(process.env, channelSettingDocs)
  // With tracing on, every log line written inside a span names its trace_id and span_id.
  const logger = pino({ level: config.logLevel, base: { service: 'chat4all' }, ...(config.observability.otlpEndpoint ? { mixin: traceLogFields } : {}) })
  for (const warning of warnings) logger.warn(warning)
  const platform = await startPlatform(config, logger, roles)
  process.stdout.write(`${banner(platform.url, config.db, platform.grpcAddress)}\n`)
  let signals = 0
  const shutdown = (signal: string) => {
    if (++signals > 1) process.exit(1)
    logger.info({ signal }, 'shutting down')
    const force = setTimeout(() => {
      logger.error('shutdown grace period over; exiting')
      process.exit(1)
    }, config.shutdownGraceMs)
    force.unref()
    platform.stop().then(
      () => {
        logger.info('stopped cleanly')
        process.exit(0)
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
  // While stopping, a driver may still settle work cut short by its connection closing (a NATS
  // publish in flight, say): the outbox keeps what it covered, so it must not fail a clean stop.
  process.on('unhandledRejection', (reason) => {
    if (signals > 0) return void logger.warn({ err: reason }, 'work cut short while stopping')
    logger.fatal({ err: reason }, 'unhandled promise rejection')
    process.exit(1)
  })
}

export async function runCli(argv: readonly string[]): Promise<void> {
  const program = new Command()
    .name('chat4all')
    .description('Chat4All: one API for messaging across Chat4All, WhatsApp, Instagram and Telegram')
  withCommonOptions(program)
  program.commandsGroup('Client commands:')
  for (const command of clientCommands()) program.addCommand(command)
  program.commandsGroup('Operator commands:')
  program
    .command('serve', { isDefault: true })
    .description('start the platform (all roles in one process by default)')
    .option('--role <roles>', 'all, or a comma-separated list of: api, worker, relay, connector', 'all')
    .option('--channels <channels>', 'with the connector role: send only on these channels (whatsapp,telegram …)')
    .action(serve)
  program
    .command('cluster')
    .description('start a scaled-out deployment on this machine: API processes on one port, workers and relays (PostgreSQL and NATS)')
    .option('--api <count>', 'API processes sharing the port', '2')
    .option('--workers <count>', 'bus consumer processes', '2')
    .option('--relays <count>', 'outbox relay processes (one active, the others standing by)', '2')
    .action(async (options: { api: string; workers: string; relays: string }) => {
      const count = (value: string, name: string) => {
        const n = Number(value)
        if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number ≥ 1, got '${value}'`)
        return n
      }
      const { runCluster } = await import('./cluster.js')
      await runCluster({ api: count(options.api, 'api'), workers: count(options.workers, 'workers'), relays: count(options.relays, 'relays') })
    })
  const config = program
    .command('config')
    .description('print the resolved configuration (secrets masked) and every setting; `config check` also contacts what it names')
    .action(async () => {
      const [{ channelSettingDocs }, { configDocs, describeConfig, loadConfig }] = await Promise.all([import('../app.js'), import('../config/load.js')])
      const { config, warnings } = loadConfig(process.env, channelSettingDocs)
      process.stdout.write(`${JSON.stringify({ resolved: describeConfig(config), settings: { ...configDocs, ...channelSettingDocs }, warnings }, null, 2)}\n`)
    })
  config
    .command('check')
    .description('print the effective configuration and check that the store, bus and blob store it names are reachable; exits 1 if not')
    .action(async () => {
      const { configCheck } = await import('./config-check.js')
      process.exitCode = await configCheck(process.env, (text) => process.stdout.write(text))
    })
  program.addCommand(adminCommand())
  program.addCommand(simulateCommand())
  program.addHelpText(
    'after',
    `
Client commands take --server URL (or CHAT4ALL_URL), --profile NAME and --json.
Exit codes: 0 ok, 1 error, 2 usage, 3 auth, 4 not found, 5 conflict, 6 server unreachable,
7 checksum mismatch, 8 rate limited, 130 interrupted. More: docs/cli.md`,
  )
  // A mistake on the command line exits 2 (usage), not commander's 1; help exits 0.
  const overrideExits = (command: Command) => {
    command.exitOverride()
    command.commands.forEach(overrideExits)
  }
  overrideExits(program)
  try {
    await program.parseAsync([...argv])
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error
    process.exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage
  }
}

/**
 * @module `chat4all simulate whatsapp|instagram|telegram`: one platform simulator as its own
 * process, for development and tests (docs/channels.md). It prints its URL and the connector
 * settings that point at it.
 */
import { Argument, Command, InvalidArgumentError } from 'commander'
import { isSimulatorName, simulators, startSimulator, type SimulatorName } from '../simulators/index.js'

/** Fixed ports by default, so connector settings written once keep working. */
const defaultPorts: Readonly<Record<SimulatorName, number>> = { whatsapp: 3101, instagram: 3102, telegram: 3103 }

interface SimulateFlags {
  readonly port?: number
  readonly host: string
  readonly webhook?: string
  readonly webhookSecret?: string
  readonly token?: string
  readonly appSecret?: string
  readonly account?: string
  readonly deliveredDelay?: number | null
  readonly readDelay?: number | null
}

const wholeNumber = (value: string) => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number ≥ 0')
  return n
}
const delay = (value: string) => (value === 'never' ? null : wholeNumber(value))

/** The connector settings (docs/channels.md) that point a Chat4All connector at this simulator. */
function connectorSettings(name: SimulatorName, url: string, flags: SimulateFlags): string[] {
  const upper = name.toUpperCase()
  const defaults: Readonly<Record<string, string>> = simulators[name].defaults
  const token = flags.token ?? defaults['accessToken'] ?? ''
  if (name === 'telegram') {
    return [`CHAT4ALL_TELEGRAM_BASE_URL=${url}`, `CHAT4ALL_TELEGRAM_BOT_TOKEN=${token}`, ...(flags.webhookSecret ? [`CHAT4ALL_TELEGRAM_WEBHOOK_SECRET=${flags.webhookSecret}`] : [])]
  }
  const account = flags.account ?? defaults['account'] ?? ''
  return [
    `CHAT4ALL_${upper}_BASE_URL=${url}`,
    `CHAT4ALL_${upper}_${name === 'whatsapp' ? 'PHONE_NUMBER_ID' : 'ACCOUNT_ID'}=${account}`,
    `CHAT4ALL_${upper}_ACCESS_TOKEN=${token}`,
    `CHAT4ALL_${upper}_APP_SECRET=${flags.appSecret ?? defaults['appSecret'] ?? ''}`,
  ]
}

async function simulate(name: string, flags: SimulateFlags): Promise<void> {
  // Commander already refused other names (Argument.choices); this narrows the type.
  if (!isSimulatorName(name)) throw new InvalidArgumentError(`unknown platform '${name}'`)
  const running = await startSimulator(name, {
    host: flags.host,
    port: flags.port ?? defaultPorts[name],
    ...(flags.webhook ? { webhookUrl: flags.webhook } : {}),
    ...(flags.webhookSecret ? { webhookSecret: flags.webhookSecret } : {}),
    ...(flags.token ? { accessToken: flags.token } : {}),
    ...(flags.appSecret ? { appSecret: flags.appSecret } : {}),
    ...(flags.account ? { account: flags.account } : {}),
    ...(flags.deliveredDelay !== undefined ? { deliveredDelayMs: flags.deliveredDelay } : {}),
    ...(flags.readDelay !== undefined ? { readDelayMs: flags.readDelay } : {}),
  })
  process.stdout.write(
    [
      '',
      `  ${name} simulator listening on ${running.url}`,
      `  Control API: ${running.url}/_sim   webhook: ${flags.webhook ?? 'none (PUT /_sim/webhook)'}`,
      '  The control API has no authentication: keep the simulator on a loopback or private address.',
      '  Point a connector at it:',
      ...connectorSettings(name, running.url, flags).map((line) => `    ${line}`),
      '',
    ].join('\n') + '\n',
  )
  const stop = () => void running.close().then(() => process.exit(0), () => process.exit(1))
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}

export function simulateCommand(): Command {
  return new Command('simulate')
    .description('run a local simulator of a messaging platform: whatsapp, instagram or telegram')
    .addArgument(new Argument('<platform>', 'the platform to simulate').choices(Object.keys(simulators)))
    .option('--port <port>', 'port to listen on (whatsapp 3101, instagram 3102, telegram 3103; 0 picks a free one)', wholeNumber)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--webhook <url>', 'where the platform calls back: Chat4All’s webhook for this channel')
    .option('--webhook-secret <secret>', 'telegram: the secret_token sent in X-Telegram-Bot-Api-Secret-Token')
    .option('--token <token>', 'the access token (bot token for telegram) sends must carry')
    .option('--app-secret <secret>', 'whatsapp, instagram: the app secret webhooks are signed with')
    .option('--account <id>', 'whatsapp: phone number id; instagram: account id')
    .option('--delivered-delay <ms>', 'from a send to its delivered callback, or "never"', delay)
    .option('--read-delay <ms>', 'from a send to its read callback, or "never"', delay)
    .action(simulate)
}

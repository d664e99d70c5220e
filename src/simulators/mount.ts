/**
 * @module The all-in-one shape's simulators: all three platforms mounted on the API's own server
 * under a prefix, each calling back the API's channel webhook, and the connector settings that
 * point a connector at each (`chat4all simulate` prints the same ones for a separate process).
 */
import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { simulators, type SimulatorName } from './index.js'

export interface MountedSimulators {
  /** The connector variables pointing `name`'s connector at its simulator, once the server listens at `url`. */
  settings(name: SimulatorName, url: string): Record<string, string>
  /** Tells each simulator where to call back: the API's channel webhook at `url`; not those in `polled`, which keep their updates for polling. */
  connect(url: string, polled?: readonly string[]): Promise<void>
}

export async function mountSimulators(http: FastifyInstance, prefix: string): Promise<MountedSimulators> {
  // Fresh per start: nothing outside this process needs them, and a leaked one is worth nothing next time.
  const verifyToken = randomBytes(16).toString('hex')
  const telegramSecret = randomBytes(16).toString('hex')
  const names = Object.keys(simulators) as SimulatorName[]
  await http.register(async (scope) => {
    // Stand-ins for the platforms' own APIs, not Chat4All's: kept out of its OpenAPI document.
    scope.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, hide: true }
    })
    for (const name of names) await scope.register(simulators[name].plugin, { prefix: `${prefix}/${name}` })
  })
  return {
    settings(name, url) {
      const base = `${url}${prefix}/${name}`
      const defaults: Readonly<Record<string, string>> = simulators[name].defaults
      if (name === 'telegram') {
        return { CHAT4ALL_TELEGRAM_BASE_URL: base, CHAT4ALL_TELEGRAM_BOT_TOKEN: defaults['accessToken'] ?? '', CHAT4ALL_TELEGRAM_WEBHOOK_SECRET: telegramSecret }
      }
      const upper = name.toUpperCase()
      return {
        [`CHAT4ALL_${upper}_BASE_URL`]: base,
        [`CHAT4ALL_${upper}_${name === 'whatsapp' ? 'PHONE_NUMBER_ID' : 'ACCOUNT_ID'}`]: defaults['account'] ?? '',
        [`CHAT4ALL_${upper}_ACCESS_TOKEN`]: defaults['accessToken'] ?? '',
        [`CHAT4ALL_${upper}_APP_SECRET`]: defaults['appSecret'] ?? '',
        [`CHAT4ALL_${upper}_VERIFY_TOKEN`]: verifyToken,
      }
    },
    async connect(url, polled = []) {
      for (const name of names) {
        if (polled.includes(name)) continue
        const answer = await http.inject({
          method: 'PUT',
          url: `${prefix}/${name}/_sim/webhook`,
          payload: { url: `${url}/v1/channels/${name}/webhook`, ...(name === 'telegram' ? { secret: telegramSecret } : {}) },
        })
        if (answer.statusCode !== 200) throw new Error(`the ${name} simulator refused its webhook: ${answer.statusCode} ${answer.body}`)
      }
    },
  }
}

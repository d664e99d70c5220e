/** `chat4all simulate whatsapp` as its own process: it starts, answers the Cloud API and calls the webhook back. */
import { afterAll, describe, expect, it } from 'vitest'
import { createWhatsAppConnector } from '../../src/adapters/connectors/whatsapp.js'
import { startWebhookReceiver } from '../../src/ports/connector-tools.contract.js'
import { whatsappSimulatorDefaults as sim } from '../../src/simulators/whatsapp.js'
import { spawnChat4all } from '../support/platform.js'

describe('chat4all simulate', () => {
  const stops: (() => Promise<unknown>)[] = []
  afterAll(async () => {
    for (const stop of stops) await stop()
  })

  it('runs the WhatsApp simulator: sends are accepted and statuses come back signed', async () => {
    const receiver = await startWebhookReceiver()
    stops.push(() => receiver.close())
    const simulator = await spawnChat4all(['simulate', 'whatsapp', '--port', '0', '--webhook', receiver.url, '--delivered-delay', '0', '--read-delay', '0'])
    stops.push(async () => {
      simulator.child.kill('SIGTERM')
      await simulator.exited
    })
    const { url } = simulator
    expect(simulator.output()).toContain(`CHAT4ALL_WHATSAPP_BASE_URL=${url}`)
    expect(await (await fetch(`${url}/_sim`)).json()).toMatchObject({ platform: 'whatsapp', webhook: receiver.url })

    const connector = createWhatsAppConnector({
      baseUrl: url,
      apiVersion: 'v23.0',
      phoneNumberId: sim.account,
      accessToken: sim.accessToken,
      appSecret: sim.appSecret,
      verifyToken: 'unused',
    })
    const { platformMessageId } = await connector.send({ to: '+5511999998888', content: { kind: 'text', text: 'hello from the CLI test' } })
    const requests = await receiver.waitForCount(3)
    const statuses = requests.flatMap((request) => {
      expect(connector.verifyWebhook(request)).toBe(true)
      return connector.parseWebhook(request)
    })
    expect(statuses.map((s) => s.kind === 'status' && s.target.kind === 'message' && s.target.platformMessageId)).toEqual([platformMessageId, platformMessageId, platformMessageId])
    expect(statuses.map((s) => s.kind === 'status' && s.status)).toEqual(['SENT', 'DELIVERED', 'READ'])
  })
})

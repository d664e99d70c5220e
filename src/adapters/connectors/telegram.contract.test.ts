import { describe, expect, it } from 'vitest'
import { connectorContract } from '../../ports/connector.contract.js'
import { startSimulator } from '../../simulators/index.js'
import { telegramSimulatorDefaults as sim } from '../../simulators/telegram.js'
import { createTelegramConnector } from './telegram.js'

const webhookSecret = 'contract-secret-token'

connectorContract('telegram', async () => {
  const simulator = await startSimulator('telegram')
  return {
    simulatorUrl: simulator.url,
    contact: '1111111111',
    webhookSecret,
    fixtures: new URL('../../../test/fixtures/channels/telegram/', import.meta.url),
    connector: (options = {}) =>
      createTelegramConnector({
        baseUrl: simulator.url,
        botToken: options.badCredentials ? '7000000001:revoked' : sim.accessToken,
        webhookSecret,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      }),
    close: () => simulator.close(),
  }
})

describe('Telegram connector: getUpdates long polling, for hosts no webhook reaches', () => {
  it('polls a contact’s messages in order, confirms them with the next offset, and resolves files', async () => {
    const simulator = await startSimulator('telegram')
    try {
      const connector = createTelegramConnector({ baseUrl: simulator.url, botToken: sim.accessToken, webhookSecret: '' })
      const contactSends = (body: unknown) =>
        fetch(`${simulator.url}/_sim/contacts/1111111111/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      await contactSends({ text: 'one' })
      await contactSends({ file: { url: 'https://files.example.com/f/a.pdf', mime_type: 'application/pdf', filename: 'a.pdf' } })
      const first = await connector.poll!(undefined, { waitSeconds: 0 })
      expect(first.events).toMatchObject([{ text: 'one' }, { media: { kind: 'document', filename: 'a.pdf' } }])
      const second = await connector.poll!(first.cursor, { waitSeconds: 0 })
      expect(second.events, 'confirmed updates do not come back').toEqual([])
      const [, file] = first.events
      const source = file?.kind === 'message' ? file.media?.source : undefined
      const resolved = source?.kind === 'platform' ? await connector.resolveMedia!(source.mediaId) : undefined
      const download = await fetch(resolved!.url, { redirect: 'manual' })
      expect(download.headers.get('location')).toBe('https://files.example.com/f/a.pdf')
    } finally {
      await simulator.close()
    }
  })
})

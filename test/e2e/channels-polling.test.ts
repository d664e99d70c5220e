/**
 * Inbound by long polling (`CHAT4ALL_CHANNEL_POLL=telegram`): the Telegram simulator keeps a
 * contact's message for `getUpdates` (no webhook is set), the connector process fetches it, and it
 * lands in the conversation like a webhook's.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient, newUser } from '../support/client.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'

let server: TestPlatform

beforeAll(async () => {
  server = await startTestPlatform({ CHAT4ALL_CHANNEL_POLL: 'telegram' })
})
afterAll(() => server.stop())

describe('telegram by getUpdates', () => {
  it('fetches a contact\'s message by polling and routes it to the conversation that wrote to them', async () => {
    const control = new ApiClient(server.url)
    expect((await control.get('/_sim/telegram/_sim')).body).toMatchObject({ webhook: null })
    const alice = await newUser(server.url, 'alice')
    const chatId = String(1_000_000_000 + Math.floor(Math.random() * 1e9))
    const created = await alice.post('/v1/conversations', { type: 'private', members: [`telegram:${chatId}`] })
    const conversationId = created.body.conversation_id as string
    await alice.post('/v1/messages', { message_id: randomUUID(), conversation_id: conversationId, payload: { type: 'text', text: 'olá bot' } })
    const text = `respondendo ${randomUUID()}`
    expect((await control.post(`/_sim/telegram/_sim/contacts/${chatId}/messages`, { text, name: 'Rui' })).status).toBe(201)
    let found: { sender_id: string } | undefined
    for (const deadline = Date.now() + 15_000; !found && Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      const history = await alice.get(`/v1/conversations/${conversationId}/messages`)
      found = (history.body.messages as { sender_id: string; content: string }[]).find((m) => m.content === text)
    }
    expect(found).toMatchObject({ sender_id: `telegram:${chatId}` })
  })
})

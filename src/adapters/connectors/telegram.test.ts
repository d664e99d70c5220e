import { describe, expect, it } from 'vitest'
import { fixtureRequest } from '../../../test/support/channel-fixtures.js'
import { createTelegramConnector, telegramAddresses } from './telegram.js'

const connector = createTelegramConnector({ baseUrl: 'http://127.0.0.1:9', botToken: '7000000001:AAH-test', webhookSecret: 'hook-secret' })
const parse = (name: string) => connector.parseWebhook(fixtureRequest('telegram', name))

describe('Telegram updates, as recorded', () => {
  it('maps a message to the chat it came from, deduplicated by update_id', () => {
    expect(parse('message-text')).toEqual([
      {
        kind: 'message',
        eventId: '879264815',
        platformMessageId: '1111111111:1365',
        account: '7000000001',
        from: '1111111111',
        fromName: 'Ana Souza',
        sentAt: 1749416383000,
        text: 'Olá! Vocês entregam no sábado?',
      },
    ])
  })

  it('keeps what a reply answers (reply_to_message), in our chat:message form', () => {
    expect(parse('message-reply')).toMatchObject([{ text: 'Perfeito, obrigada!', replyTo: '1111111111:1366' }])
  })

  it('takes the largest photo size and documents with their names', () => {
    expect(parse('message-photo')).toMatchObject([{ text: 'Este endereço', media: { kind: 'image', source: { kind: 'platform', mediaId: 'AgACAgEAAxkBAAIFUGZ1large' } } }])
    expect(parse('message-document')).toMatchObject([
      { media: { kind: 'document', filename: 'comprovante.pdf', mimeType: 'application/pdf', source: { mediaId: 'BQACAgEAAxkBAAIFUWZ1doc' } } },
    ])
  })

  it('leaves out updates it does not deliver (edits)', () => {
    expect(parse('message-text').length + parse('edited-message').length).toBe(1)
  })

  it('accepts only the secret token given to setWebhook, and nothing when none is set', () => {
    expect(connector.verifyWebhook(fixtureRequest('telegram', 'message-text', { 'x-telegram-bot-api-secret-token': 'hook-secret' }))).toBe(true)
    expect(connector.verifyWebhook(fixtureRequest('telegram', 'message-text', { 'x-telegram-bot-api-secret-token': 'hook-secreT' }))).toBe(false)
    const polling = createTelegramConnector({ baseUrl: 'http://127.0.0.1:9', botToken: '7:x', webhookSecret: '' })
    expect(polling.verifyWebhook(fixtureRequest('telegram', 'message-text', { 'x-telegram-bot-api-secret-token': '' }))).toBe(false)
  })
})

describe('Telegram addresses', () => {
  it('takes chat ids and public @usernames', () => {
    expect(telegramAddresses.parse('-1001234567890')).toEqual({ ok: true, id: '-1001234567890', sendable: true })
    expect(telegramAddresses.parse('@Chat4All_News')).toEqual({ ok: true, id: '@chat4all_news', sendable: true })
    for (const bad of ['@abc', 'chat', '12a']) expect(telegramAddresses.parse(bad).ok).toBe(false)
  })
})

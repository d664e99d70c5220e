import { describe, expect, it } from 'vitest'
import { fixtureBody, fixtureNames, fixtureRequest, metaSignature } from '../../../test/support/channel-fixtures.js'
import { createWhatsAppConnector, whatsappAddresses, whatsappConnector } from './whatsapp.js'

const connector = createWhatsAppConnector({
  baseUrl: 'http://127.0.0.1:9',
  apiVersion: 'v23.0',
  phoneNumberId: '106540352242922',
  accessToken: 'token',
  appSecret: 'app-secret',
  verifyToken: 'verify-me',
})
const parse = (name: string) => connector.parseWebhook(fixtureRequest('whatsapp', name))
const sent = 'wamid.HBgNNTUxMTk5OTk5ODg4OBUCABEYEjQ4QTZBMkYzQjE5NjFGMzBBAA=='

describe('WhatsApp webhooks, as recorded', () => {
  it('maps an inbound text with the contact’s name, in E.164', () => {
    expect(parse('inbound-text')).toEqual([
      {
        kind: 'message',
        eventId: 'wamid.HBgNNTUxMTk5OTk5ODg4OBUCABIYFjNFQjBDNzA5QkQxMDE3RTMwRjYzAA==',
        platformMessageId: 'wamid.HBgNNTUxMTk5OTk5ODg4OBUCABIYFjNFQjBDNzA5QkQxMDE3RTMwRjYzAA==',
        account: '106540352242922',
        from: '+5511999998888',
        fromName: 'Sheena Nelson',
        sentAt: 1749416383000,
        text: 'Does it come in another color?',
      },
    ])
  })

  it('keeps what a reply answers (context.id)', () => {
    expect(parse('inbound-reply')).toMatchObject([{ text: 'Yes, the blue one please', replyTo: sent }])
  })

  it('maps inbound media to a platform media id, with caption and file name', () => {
    expect(parse('inbound-image')).toMatchObject([
      { text: 'This one', media: { kind: 'image', mimeType: 'image/jpeg', source: { kind: 'platform', mediaId: '1003383421387256' } } },
    ])
    expect(parse('inbound-document')).toMatchObject([
      { media: { kind: 'document', filename: 'invoice-0042.pdf', mimeType: 'application/pdf', source: { kind: 'platform', mediaId: '2734729853389710' } } },
    ])
  })

  it('maps sent, delivered, read and failed statuses, each with its own dedup key', () => {
    const statuses = ['status-sent', 'status-delivered', 'status-read'].map((name) => parse(name)[0])
    expect(statuses).toMatchObject([
      { kind: 'status', status: 'SENT', eventId: `${sent}:SENT`, recipient: '+5511999998888', target: { kind: 'message', platformMessageId: sent }, at: 1749416370000 },
      { status: 'DELIVERED', eventId: `${sent}:DELIVERED` },
      { status: 'READ', eventId: `${sent}:READ` },
    ])
    expect(parse('status-failed')).toMatchObject([
      { status: 'FAILED', failure: { reason: 'policy', platformCode: '131047', detail: expect.stringContaining('24 hours') } },
    ])
  })

  it('accepts only bodies signed with the app secret, over the exact bytes', () => {
    for (const name of fixtureNames('whatsapp')) {
      const body = fixtureBody('whatsapp', name)
      expect(connector.verifyWebhook(fixtureRequest('whatsapp', name, { 'x-hub-signature-256': metaSignature(body, 'app-secret') }))).toBe(true)
      expect(connector.verifyWebhook(fixtureRequest('whatsapp', name, { 'x-hub-signature-256': metaSignature(body, 'other') }))).toBe(false)
    }
    expect(connector.verifyWebhook(fixtureRequest('whatsapp', 'inbound-text'))).toBe(false)
  })

  it('answers Meta’s handshake only with the right verify token', () => {
    const handshake = (token: string) =>
      connector.answerHandshake?.({ method: 'GET', headers: {}, rawBody: Buffer.alloc(0), query: { 'hub.mode': 'subscribe', 'hub.verify_token': token, 'hub.challenge': '1158201444' } })
    expect(handshake('verify-me')).toEqual({ status: 200, contentType: 'text/plain', body: '1158201444' })
    expect(handshake('guess')).toMatchObject({ status: 403 })
    expect(connector.answerHandshake?.(fixtureRequest('whatsapp', 'inbound-text'))).toBeUndefined()
  })
})

describe('WhatsApp addresses and settings', () => {
  it('normalises phone numbers to E.164 with a plus', () => {
    expect(whatsappAddresses.parse('+5511999998888')).toEqual({ ok: true, id: '+5511999998888', sendable: true })
    expect(whatsappAddresses.parse('5511999998888')).toEqual({ ok: true, id: '+5511999998888', sendable: true })
    for (const bad of ['+0511999998888', '+55 11 99999', 'abc', '+1234567']) expect(whatsappAddresses.parse(bad).ok).toBe(false)
  })

  it('names every missing required setting', () => {
    expect(() => whatsappConnector.create({})).toThrow(/CHAT4ALL_WHATSAPP_PHONE_NUMBER_ID.*CHAT4ALL_WHATSAPP_ACCESS_TOKEN/)
  })

  it('paces at the number’s throughput tier: 80/s by default, as configured when Meta raised it', () => {
    const required = {
      CHAT4ALL_WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
      CHAT4ALL_WHATSAPP_ACCESS_TOKEN: 'token',
      CHAT4ALL_WHATSAPP_APP_SECRET: 'secret',
      CHAT4ALL_WHATSAPP_VERIFY_TOKEN: 'verify',
    }
    expect(whatsappConnector.create(required).capabilities.pacing).toEqual([{ scope: 'account', perSecond: 80, burst: 80 }])
    const raised = whatsappConnector.create({ ...required, CHAT4ALL_WHATSAPP_MESSAGES_PER_SECOND: '1000' })
    expect(raised.capabilities.pacing).toEqual([{ scope: 'account', perSecond: 1000, burst: 1000 }])
    expect(() => whatsappConnector.create({ ...required, CHAT4ALL_WHATSAPP_MESSAGES_PER_SECOND: '0' })).toThrow(/CHAT4ALL_WHATSAPP_MESSAGES_PER_SECOND/)
  })
})

import { describe, expect, it } from 'vitest'
import { fixtureBody, fixtureNames, fixtureRequest, metaSignature } from '../../../test/support/channel-fixtures.js'
import { createInstagramConnector, instagramAddresses } from './instagram.js'

const connector = createInstagramConnector({
  baseUrl: 'http://127.0.0.1:9',
  apiVersion: 'v23.0',
  accountId: '17841405822304914',
  accessToken: 'token',
  appSecret: 'app-secret',
  verifyToken: 'verify-me',
})
const parse = (name: string) => connector.parseWebhook(fixtureRequest('instagram', name))
const earlier = 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDA1ODIyMzA0OTE0OjM0MDI4MjM2Njg0MTcxMDMwMTI0NDI3NjAxNzg3MDQ4NTk2NDI3MjozMTQ0NzMyOTQwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMAZDZD'

describe('Instagram webhooks, as recorded', () => {
  it('maps an inbound text from an IGSID to our account', () => {
    expect(parse('inbound-text')).toMatchObject([
      { kind: 'message', account: '17841405822304914', from: '1254459154682919', sentAt: 1569262485349, text: 'Hi! Is the jacket still available?' },
    ])
    const [message] = parse('inbound-text')
    expect(message?.kind === 'message' && message.eventId).toBe(message?.kind === 'message' && message.platformMessageId)
  })

  it('maps attachments to fetchable URLs and keeps reply_to.mid', () => {
    expect(parse('inbound-image')).toMatchObject([{ media: { kind: 'image', source: { kind: 'url', url: expect.stringContaining('ig_messaging_cdn') } } }])
    expect(parse('inbound-reply')).toMatchObject([{ text: 'Size M, please', replyTo: earlier }])
  })

  it('reads `read.mid` as a watermark: that message and every one before it', () => {
    expect(parse('read')).toEqual([
      {
        kind: 'status',
        eventId: `read:${earlier}`,
        account: '17841405822304914',
        recipient: '1254459154682919',
        status: 'READ',
        target: { kind: 'up_to_message', platformMessageId: earlier },
        at: 1569262515349,
      },
    ])
  })

  it('reads Messenger-style watermarks and deliveries too', () => {
    expect(parse('read-watermark')).toMatchObject([{ status: 'READ', target: { kind: 'up_to_time', at: 1458668856253 } }])
    expect(parse('delivery')).toMatchObject([{ status: 'DELIVERED', target: { kind: 'message', platformMessageId: 'mid.1458668856218:ed81099e15d3f4f233' } }])
  })

  it('leaves out echoes of our own sends', () => {
    expect(parse('echo')).toEqual([])
  })

  it('accepts only bodies signed with the app secret', () => {
    for (const name of fixtureNames('instagram')) {
      const body = fixtureBody('instagram', name)
      expect(connector.verifyWebhook(fixtureRequest('instagram', name, { 'x-hub-signature-256': metaSignature(body, 'app-secret') }))).toBe(true)
      expect(connector.verifyWebhook(fixtureRequest('instagram', name, { 'x-hub-signature-256': metaSignature(Buffer.concat([body, Buffer.from(' ')]), 'app-secret') }))).toBe(false)
    }
  })
})

describe('Instagram addresses', () => {
  it('sends to IGSIDs; keeps handles, lower case, as references to resolve', () => {
    expect(instagramAddresses.parse('1254459154682919')).toEqual({ ok: true, id: '1254459154682919', sendable: true })
    expect(instagramAddresses.parse('@Maria.Silva')).toEqual({ ok: true, id: '@maria.silva', sendable: false })
    expect(instagramAddresses.parse('maria_silva')).toEqual({ ok: true, id: '@maria_silva', sendable: false })
    expect(instagramAddresses.parse('not a handle').ok).toBe(false)
  })

  it('refuses to send to a handle, permanently', async () => {
    await expect(connector.send({ to: '@maria', content: { kind: 'text', text: 'hi' } })).rejects.toMatchObject({ reason: 'bad_recipient', permanent: true })
  })
})

import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { subscribableEvents, subscribes, testEvent, toWebhookEvent } from './events.js'
import { sign, webhookHeaders } from './signature.js'

const at = Date.UTC(2025, 0, 2, 3, 4, 5)

describe('webhook events', () => {
  it('accepts every domain event type and *', () => {
    expect(subscribableEvents).toEqual(expect.arrayContaining(['message.created', 'message.status', '*']))
    expect(subscribes(['message.status'], 'message.created')).toBe(false)
    expect(subscribes(['*'], 'member.left')).toBe(true)
  })

  it('makes a delivery job with the rendered body, and a seq for new messages only', () => {
    const render = (outbox: { id: string }) => `body of ${outbox.id}`
    const message = toWebhookEvent(
      {
        id: 'message.created:m1',
        createdAt: at,
        event: { type: 'message.created', messageId: 'm1', conversationId: 'c1', seq: 7, senderId: 'u1', payload: { type: 'text', text: 'hi' }, metadata: null, createdAt: at },
      },
      render,
    )
    expect(message).toMatchObject({ id: 'message.created:m1', type: 'message.created', conversationId: 'c1', seq: 7, body: 'body of message.created:m1' })
    const joined = toWebhookEvent(
      { id: 'e2', createdAt: at, event: { type: 'member.joined', conversationId: 'c1', members: [{ kind: 'user', id: 'u2', role: 'member', joinedAfterSeq: 3 }], at } },
      render,
    )
    expect(joined?.seq).toBeNull()
    expect(JSON.parse(testEvent('t1', 'w1', at).body)).toEqual({
      id: 't1',
      type: 'webhook.test',
      created_at: '2025-01-02T03:04:05.000Z',
      data: { webhook_id: 'w1' },
    })
  })

  it('signs timestamp.body with HMAC-SHA256, afresh for each attempt', () => {
    const body = '{"a":1}'
    const expected = `v1=${createHmac('sha256', 'key').update(`1735787045.${body}`).digest('hex')}`
    expect(sign('key', 1735787045, body)).toBe(expected)
    const delivery = { deliveryId: 'd', webhookId: 'w', url: 'https://x.test', secret: 'key', eventId: 'e', eventType: 't', body, attempt: 2 }
    const headers = webhookHeaders(delivery, at)
    expect(headers).toMatchObject({ 'chat4all-timestamp': '1735787045', 'chat4all-signature': expected, 'chat4all-attempt': '2' })
  })
})

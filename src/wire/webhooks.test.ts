import { Ajv } from 'ajv'
import addFormatsImport from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import type { DomainEvent, OutboxEvent } from '../core/model.js'
import { testEvent } from '../core/webhooks/events.js'
import { presentEventData } from './events.js'
import { streamFrames } from './frames.js'
import { webhookBody, webhookPayloads } from './webhooks.js'

const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default
const ajv = new Ajv({ strict: false, allErrors: true })
addFormats(ajv)

const at = Date.UTC(2026, 0, 2, 3, 4, 5)
const c = '0b6f8a4e-6d1f-4c3e-9a57-2f7f1f0c9d11'
const m = '5f2b3c1a-8e4d-4b6a-9c2e-7d1f0a3b5c6d'

/** One of each domain event, as the store writes them. */
const events: Record<DomainEvent['type'], DomainEvent> = {
  'message.created': { type: 'message.created', messageId: m, conversationId: c, seq: 7, senderId: 'u1', payload: { type: 'text', text: 'hi' }, metadata: { camelCase: 1 }, createdAt: at },
  'message.status': { type: 'message.status', conversationId: c, memberId: 'whatsapp:+5511999998888', status: 'FAILED', upToSeq: 7, messageId: m, at, reason: 'bad_recipient' },
  'conversation.created': { type: 'conversation.created', conversationId: c, conversationType: 'group', title: 't', metadata: null, createdBy: 'u1', members: [{ kind: 'user', id: 'u1', role: 'owner' }], at },
  'conversation.updated': { type: 'conversation.updated', conversationId: c, title: null, metadata: { a: 1 }, at },
  'member.joined': { type: 'member.joined', conversationId: c, members: [{ kind: 'external', id: 'telegram:42', role: 'member', joinedAfterSeq: 3 }], at },
  'member.left': { type: 'member.left', conversationId: c, memberId: 'u2', at },
}

describe('webhook payloads', () => {
  it('renders every domain event as its documented payload, customer data untouched', () => {
    for (const [type, event] of Object.entries(events)) {
      const outbox: OutboxEvent = { id: `${type}:1`, event, createdAt: at }
      const body = JSON.parse(webhookBody(outbox))
      const validate = ajv.compile(webhookPayloads[type as DomainEvent['type']])
      expect(validate(body), `${type}: ${ajv.errorsText(validate.errors)}`).toBe(true)
      expect(body).toMatchObject({ id: `${type}:1`, type, created_at: '2026-01-02T03:04:05.000Z' })
    }
    const message = JSON.parse(webhookBody({ id: 'e', event: events['message.created'], createdAt: at }))
    expect(message.data.message).toMatchObject({ message_id: m, seq: 7, metadata: { camelCase: 1 } })
    expect(JSON.parse(webhookBody({ id: 'e', event: events['message.status'], createdAt: at })).data).toMatchObject({ member_id: 'whatsapp:+5511999998888', reason: 'bad_recipient' })
  })

  it('documents the test ping the core sends', () => {
    const validate = ajv.compile(webhookPayloads['webhook.test'])
    expect(validate(JSON.parse(testEvent('t1', m, at).body)), ajv.errorsText(validate.errors)).toBe(true)
  })

  it('gives the stream frame of an event the same data as its webhook', () => {
    for (const [type, event] of Object.entries(events)) {
      const data = presentEventData(event)
      const frame = { type, position: type === 'message.created' ? { conversation_id: c, seq: 7 } : null, ...data }
      const validate = ajv.compile(streamFrames[type as DomainEvent['type']])
      expect(validate(frame), `${type}: ${ajv.errorsText(validate.errors)}`).toBe(true)
      expect(JSON.parse(webhookBody({ id: 'e', event, createdAt: at })).data).toEqual(data)
    }
  })
})

/**
 * @module What a webhook endpoint receives: `{id, type, created_at, data}` where `data` is the
 * event's wire shape (events.ts), the same object the stream carries. Documented in the OpenAPI
 * document's `webhooks` section.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import type { OutboxEvent } from '../core/model.js'
import { Timestamp, Uuid } from './common.js'
import { domainEventData, presentEventData } from './events.js'

const envelope = <K extends string, D extends TSchema>(type: K, data: D) =>
  Type.Object(
    {
      id: Type.String({ description: 'The event id: the same on every retry and replay, so receivers can drop duplicates' }),
      type: Type.Literal(type),
      created_at: Timestamp,
      data,
    },
    { title: `WebhookPayload<${type}>` },
  )

export const WebhookTestData = Type.Object({ webhook_id: Uuid }, { title: 'WebhookTestData' })

/** Every webhook payload, by event type (`webhook.test` is what `POST /v1/webhooks/{id}/test` sends). */
export const webhookPayloads = {
  'message.created': envelope('message.created', domainEventData['message.created']),
  'message.status': envelope('message.status', domainEventData['message.status']),
  'conversation.created': envelope('conversation.created', domainEventData['conversation.created']),
  'conversation.updated': envelope('conversation.updated', domainEventData['conversation.updated']),
  'member.joined': envelope('member.joined', domainEventData['member.joined']),
  'member.left': envelope('member.left', domainEventData['member.left']),
  'webhook.test': envelope('webhook.test', WebhookTestData),
} as const

export const WebhookPayload = Type.Union(Object.values(webhookPayloads), { title: 'WebhookPayload' })
export type WebhookPayload = Static<typeof WebhookPayload>
export type WebhookPayloadOf<K extends keyof typeof webhookPayloads> = Static<(typeof webhookPayloads)[K]>

/** The bytes a webhook endpoint receives for an outbox event. */
export function webhookBody(outbox: OutboxEvent): string {
  const payload = {
    id: outbox.id,
    type: outbox.event.type,
    created_at: new Date(outbox.createdAt).toISOString(),
    data: presentEventData(outbox.event),
  }
  return JSON.stringify(payload)
}

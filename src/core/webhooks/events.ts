/**
 * @module Which events a webhook may subscribe to, and the delivery job of each. The body (shaped by
 * the wire schema, rendered by the caller's `render`) is rendered once per event and stored, so every
 * retry and replay sends the same bytes.
 */
import type { DomainEvent, OutboxEvent } from '../model.js'
import type { WebhookEvent } from './model.js'

/**
 * Every domain event type. A Record over the union makes the compiler insist that a new event type
 * added to the model is listed here too, so webhooks can never silently miss one.
 */
const domainEventTypes: Readonly<Record<DomainEvent['type'], true>> = {
  'message.created': true,
  'message.status': true,
  'conversation.created': true,
  'conversation.updated': true,
  'member.joined': true,
  'member.left': true,
}

export const ALL_EVENTS = '*'

/** The names accepted in a webhook's `events`: each domain event type, and `*`. */
export const subscribableEvents: readonly string[] = [...Object.keys(domainEventTypes), ALL_EVENTS]

/** Sent by `POST /v1/webhooks/{id}/test`, whatever the webhook subscribes to. */
export const TEST_EVENT = 'webhook.test'

export function subscribes(events: readonly string[], type: string): boolean {
  return events.includes(type) || events.includes(ALL_EVENTS)
}

/** The bytes an endpoint receives for an event: the wire schema's payload (src/wire/webhooks.ts), handed in. */
export type RenderWebhookBody = (outbox: OutboxEvent) => string

function envelope(id: string, type: string, createdAt: number, data: Record<string, unknown>): string {
  return JSON.stringify({ id, type, created_at: new Date(createdAt).toISOString(), data })
}

/** The webhook form of an outbox event, or undefined for events that belong to no conversation. */
export function toWebhookEvent(outbox: OutboxEvent, render: RenderWebhookBody): WebhookEvent | undefined {
  const event = outbox.event
  const conversationId = 'conversationId' in event && typeof event.conversationId === 'string' ? event.conversationId : null
  if (conversationId === null) return undefined
  let body: string | undefined
  return {
    id: outbox.id,
    type: event.type,
    conversationId,
    seq: event.type === 'message.created' ? event.seq : null,
    // Rendered on first read: most events match no webhook, and the store reads only the matched ones.
    get body() {
      return (body ??= render(outbox))
    },
    createdAt: outbox.createdAt,
  }
}

/** The ping a customer asks for to check their endpoint (`webhook.test` in src/wire/webhooks.ts). */
export function testEvent(id: string, webhookId: string, now: number): WebhookEvent {
  return {
    id,
    type: TEST_EVENT,
    conversationId: null,
    seq: null,
    body: envelope(id, TEST_EVENT, now, { webhook_id: webhookId }),
    createdAt: now,
  }
}

/**
 * @module Which events a webhook may subscribe to, and the JSON body an endpoint receives for each.
 * The body is rendered once per event and stored, so every retry and replay sends the same bytes.
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

const snakeCase = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/** Times in the model are epoch milliseconds named `at` or `…At`; the wire has ISO-8601. */
const isTimeKey = (key: string): boolean => key === 'at' || key.endsWith('At')

/** Customer data travels exactly as given; only the model's own fields are renamed. */
const verbatimKeys = new Set(['payload', 'metadata'])

function presentValue(key: string, value: unknown): unknown {
  if (verbatimKeys.has(key)) return value
  if (isTimeKey(key) && typeof value === 'number') return new Date(value).toISOString()
  if (Array.isArray(value)) return value.map((item) => presentValue('', item))
  if (value !== null && typeof value === 'object') return presentObject(value as Record<string, unknown>)
  return value
}

/** The model's fields in the API's style: snake_case keys and ISO-8601 times, nested ones too. */
function presentObject(object: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const data: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(object)) data[snakeCase(key)] = presentValue(key, value)
  return data
}

function present(event: DomainEvent): Record<string, unknown> {
  const { type: _type, ...fields } = event
  return presentObject(fields)
}

function envelope(id: string, type: string, createdAt: number, data: Record<string, unknown>): string {
  return JSON.stringify({ id, type, created_at: new Date(createdAt).toISOString(), data })
}

/** The webhook form of an outbox event, or undefined for events that belong to no conversation. */
export function toWebhookEvent(outbox: OutboxEvent): WebhookEvent | undefined {
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
      return (body ??= envelope(outbox.id, event.type, outbox.createdAt, present(event)))
    },
    createdAt: outbox.createdAt,
  }
}

/** The ping a customer asks for to check their endpoint. */
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

/**
 * @module Outbound webhooks in domain terms: registrations, the events they hear, and the durable
 * delivery jobs (with every attempt) that carry those events to the customer's endpoint.
 */

export interface Webhook {
  readonly id: string
  /** The user who registered it; the webhook hears the conversations this user is a member of. */
  readonly ownerId: string
  readonly url: string
  /** Event type names, or `*` for every type. */
  readonly events: readonly string[]
  /** HMAC-SHA256 key for the `Chat4All-Signature` header. */
  readonly secret: string
  readonly createdAt: number
}

/** An event rendered for webhooks: what every subscribed endpoint receives, byte for byte. */
export interface WebhookEvent {
  /** The outbox event id: stable across retries and replays, so receivers deduplicate on it. */
  readonly id: string
  readonly type: string
  /** Null for events outside any conversation (a test ping). */
  readonly conversationId: string | null
  /** Set for a new message: only members who had joined before this seq hear it. */
  readonly seq: number | null
  /** The JSON body POSTed to the endpoint. */
  readonly body: string
  readonly createdAt: number
}

/** `pending` until a 2xx answer (`delivered`) or until the attempts run out (`dead`). */
export type WebhookDeliveryState = 'pending' | 'delivered' | 'dead'

export interface WebhookAttempt {
  /** 1, 2, 3 … */
  readonly number: number
  readonly at: number
  /** The endpoint's HTTP status; null when no answer came (refused, timed out, not allowed). */
  readonly statusCode: number | null
  /** Why the attempt failed; null when it succeeded. */
  readonly error: string | null
  readonly durationMs: number
}

export interface WebhookDelivery {
  readonly id: string
  readonly webhookId: string
  readonly eventId: string
  readonly eventType: string
  readonly conversationId: string | null
  readonly state: WebhookDeliveryState
  /** When it will be tried next; null when it is done, or waits for an earlier event of its conversation. */
  readonly nextAttemptAt: number | null
  readonly createdAt: number
  /** When it was delivered or dead-lettered. */
  readonly finishedAt: number | null
  /** The delivery this one sends again, for a replay. */
  readonly replayOf: string | null
  readonly attempts: readonly WebhookAttempt[]
}

/** A delivery claimed by a sender: everything it needs to make one attempt. */
export interface DueDelivery {
  readonly deliveryId: string
  readonly webhookId: string
  readonly url: string
  readonly secret: string
  readonly eventId: string
  readonly eventType: string
  readonly body: string
  /** The number this attempt will have. */
  readonly attempt: number
}

/** What happens to a delivery after an attempt. */
export type AttemptOutcome =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly at: number }
  | { readonly kind: 'dead' }

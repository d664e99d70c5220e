/**
 * @module Signing webhook requests. The receiver recomputes HMAC-SHA256(secret, timestamp + "." + body)
 * and compares; the timestamp is signed too, so an old request cannot be replayed as new
 * (docs/webhooks.md has the receiver's side).
 */
import { createHmac, randomBytes } from 'node:crypto'
import type { DueDelivery } from './model.js'

export const SIGNATURE_VERSION = 'v1'

/** A new secret: 32 random bytes, base64url. The text itself is the HMAC key. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url')
}

export function sign(secret: string, timestamp: number, body: string): string {
  return `${SIGNATURE_VERSION}=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/** The headers of one attempt. `nowMs` is when it is sent: each attempt is signed afresh. */
export function webhookHeaders(delivery: DueDelivery, nowMs: number): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000)
  return {
    'content-type': 'application/json',
    'user-agent': 'Chat4All-Webhooks/1',
    'chat4all-event-id': delivery.eventId,
    'chat4all-event-type': delivery.eventType,
    'chat4all-delivery-id': delivery.deliveryId,
    'chat4all-webhook-id': delivery.webhookId,
    'chat4all-attempt': String(delivery.attempt),
    'chat4all-timestamp': String(timestamp),
    'chat4all-signature': sign(delivery.secret, timestamp, delivery.body),
  }
}

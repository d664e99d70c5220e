/**
 * @module Turns events from the bus into webhook delivery jobs. The handler only writes the jobs
 * (one store write per batch): slow HTTP here would hold up each conversation's events. The webhook
 * sender does the sending, with its own durable retries.
 */
import { toWebhookEvent } from '../core/webhooks/events.js'
import { webhookBody } from '../wire/webhooks.js'
import type { Bus, ConsumeOptions, Consumer } from '../ports/bus.js'
import type { Store } from '../ports/store.js'

export interface WebhookDispatcherOptions {
  readonly store: Pick<Store, 'queueWebhookEvents'>
  readonly bus: Bus
  readonly consume: Omit<ConsumeOptions, 'batchSize'>
  /** Called after deliveries were queued, so a sender in this process starts at once. */
  readonly onQueued: () => void
  readonly now?: () => number
}

export function createWebhookDispatcher({ store, bus, consume, onQueued, now = Date.now }: WebhookDispatcherOptions): Consumer {
  return bus.consume(
    'webhooks',
    async (batch) => {
      const events = batch.flatMap((delivery) => toWebhookEvent(delivery.event, webhookBody) ?? [])
      if ((await store.queueWebhookEvents(events, now())) > 0) onQueued()
    },
    { ...consume, batchSize: 512 },
  )
}

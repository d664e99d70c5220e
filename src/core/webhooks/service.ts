/**
 * @module Webhook use cases: register, list, read, delete, test, and inspect or replay deliveries.
 * A webhook belongs to the user who registered it; to everyone else it does not exist (404).
 */
import { errors } from '../errors.js'
import type { Store } from '../../ports/store.js'
import { TEST_EVENT, subscribableEvents, testEvent } from './events.js'
import type { Webhook, WebhookDelivery, WebhookDeliveryState } from './model.js'
import { generateSecret } from './signature.js'
import type { UrlGuard } from './url-guard.js'

export interface WebhookServiceOptions {
  readonly store: Store
  readonly guard: UrlGuard
  readonly now: () => number
  readonly newId: () => string
  /** Called when a delivery was queued here, so a sender in this process can start at once. */
  readonly onQueued?: () => void
}

export interface NewWebhookInput {
  readonly url: string
  readonly events: readonly string[]
  readonly secret?: string | undefined
}

export interface DeliveryPageQuery {
  readonly limit: number
  readonly before?: string | undefined
  readonly state?: WebhookDeliveryState | undefined
}

export interface WebhookService {
  create(callerId: string, input: NewWebhookInput): Promise<Webhook>
  list(callerId: string): Promise<readonly Webhook[]>
  get(callerId: string, id: string): Promise<Webhook>
  remove(callerId: string, id: string): Promise<void>
  /** Queues a `webhook.test` event for the webhook, whatever it subscribes to. */
  sendTest(callerId: string, id: string): Promise<WebhookDelivery>
  /** Newest first; asks for one more than `limit` is up to the caller. */
  listDeliveries(callerId: string, id: string, query: DeliveryPageQuery): Promise<readonly WebhookDelivery[]>
  getDelivery(callerId: string, id: string, deliveryId: string): Promise<WebhookDelivery>
  replay(callerId: string, id: string, deliveryId: string): Promise<WebhookDelivery>
}

/** The events, each known and named once; `field` names the entry at fault. */
function checkEvents(events: readonly string[]): string[] {
  const known = new Set(subscribableEvents)
  for (const [index, name] of events.entries()) {
    if (!known.has(name)) {
      throw errors.validation(`events[${index}]`, `Unknown event '${name}'; known: ${subscribableEvents.join(', ')}`)
    }
  }
  return [...new Set(events)]
}

export function createWebhookService({ store, guard, now, newId, onQueued }: WebhookServiceOptions): WebhookService {
  const owned = async (callerId: string, id: string): Promise<Webhook> => {
    const webhook = await store.getWebhook(id)
    if (!webhook || webhook.ownerId !== callerId) throw errors.webhookNotFound(id)
    return webhook
  }

  return {
    async create(callerId, input) {
      const events = checkEvents(input.events)
      const url = await guard.checkUrl(input.url, 'url')
      const webhook: Webhook = {
        id: newId(),
        ownerId: callerId,
        url: url.toString(),
        events,
        secret: input.secret ?? generateSecret(),
        createdAt: now(),
      }
      await store.createWebhook(webhook)
      return webhook
    },

    list: (callerId) => store.listWebhooks(callerId),

    get: owned,

    async remove(callerId, id) {
      await owned(callerId, id)
      await store.deleteWebhook(id)
    },

    async sendTest(callerId, id) {
      const webhook = await owned(callerId, id)
      const at = now()
      const delivery = await store.queueWebhookDelivery(webhook.id, testEvent(`${TEST_EVENT}:${newId()}`, webhook.id, at), at)
      onQueued?.()
      return delivery
    },

    async listDeliveries(callerId, id, query) {
      await owned(callerId, id)
      return store.listWebhookDeliveries(id, {
        limit: query.limit,
        ...(query.before === undefined ? {} : { before: query.before }),
        ...(query.state === undefined ? {} : { state: query.state }),
      })
    },

    async getDelivery(callerId, id, deliveryId) {
      await owned(callerId, id)
      const delivery = await store.getWebhookDelivery(id, deliveryId)
      if (!delivery) throw errors.deliveryNotFound(deliveryId)
      return delivery
    },

    async replay(callerId, id, deliveryId) {
      await owned(callerId, id)
      const delivery = await store.replayWebhookDelivery(id, deliveryId, now())
      if (!delivery) throw errors.deliveryNotFound(deliveryId)
      onQueued?.()
      return delivery
    },
  }
}

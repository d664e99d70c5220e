/** @module Webhooks: register, list, inspect, delete, test; deliveries and replays. */
import type { HttpClient } from './http.js'
import type { CreateWebhookInput, Webhook, WebhookDelivery, WebhookDeliveryPage } from './types.js'

const path = (id: string) => `/v1/webhooks/${encodeURIComponent(id)}`

export class WebhooksApi {
  constructor(private readonly http: HttpClient) {}

  /** The answer carries the signing secret (generated when not given). */
  create(input: CreateWebhookInput): Promise<Webhook> {
    return this.http.request('POST', '/v1/webhooks', { body: input })
  }

  async list(): Promise<readonly Webhook[]> {
    return (await this.http.request<{ webhooks: readonly Webhook[] }>('GET', '/v1/webhooks')).webhooks
  }

  get(id: string): Promise<Webhook> {
    return this.http.request('GET', path(id))
  }

  async delete(id: string): Promise<void> {
    await this.http.request('DELETE', path(id))
  }

  test(id: string): Promise<WebhookDelivery> {
    return this.http.request('POST', `${path(id)}/test`)
  }

  deliveries(id: string, options: { limit?: number; cursor?: string; status?: WebhookDelivery['status'] } = {}): Promise<WebhookDeliveryPage> {
    return this.http.request('GET', `${path(id)}/deliveries`, { query: { limit: options.limit, cursor: options.cursor, status: options.status } })
  }

  /** Every delivery of the webhook, newest first, following the cursors. */
  async *allDeliveries(id: string, status?: WebhookDelivery['status']): AsyncGenerator<WebhookDelivery> {
    let cursor: string | undefined
    do {
      const page = await this.deliveries(id, { limit: 200, ...(cursor ? { cursor } : {}), ...(status ? { status } : {}) })
      yield* page.deliveries
      cursor = page.pagination.next_cursor ?? undefined
    } while (cursor)
  }

  replay(id: string, deliveryId: string): Promise<WebhookDelivery> {
    return this.http.request('POST', `${path(id)}/deliveries/${encodeURIComponent(deliveryId)}/replay`)
  }
}

/** @module /v1/webhooks: register, inspect and delete webhooks, test them, list and replay deliveries. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { CoreContext } from '../../../core/context.js'
import { errors } from '../../../core/errors.js'
import type { Webhook, WebhookDelivery, WebhookDeliveryState } from '../../../core/webhooks/model.js'
import type { WebhookService } from '../../../core/webhooks/service.js'
import { callerId, requireAuth } from '../auth.js'
import { rateLimit } from '../rate-limit.js'
import { decodeCursor, encodeCursor, iso } from '../present.js'

const Uuid = Type.String({ format: 'uuid' })

const CreateWebhookBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048, description: 'http(s) URL the events are POSTed to' }),
    events: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
      minItems: 1,
      maxItems: 50,
      description: 'Event types (message.created, message.status, conversation.created, …) or * for all',
    }),
    secret: Type.Optional(
      Type.String({ minLength: 16, maxLength: 256, description: 'Signing secret; 32 random bytes are generated when absent' }),
    ),
  },
  { additionalProperties: false },
)

const WebhookParams = Type.Object({ id: Uuid })
const DeliveryParams = Type.Object({ id: Uuid, delivery_id: Uuid })

const DeliveryQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    status: Type.Optional(Type.Unsafe<WebhookDeliveryState>({ type: 'string', enum: ['pending', 'delivered', 'dead'] })),
  },
  { additionalProperties: false },
)

function presentWebhook(webhook: Webhook, withSecret: boolean) {
  return {
    webhook_id: webhook.id,
    url: webhook.url,
    events: webhook.events,
    created_at: iso(webhook.createdAt),
    // Shown to its owner only, and never in lists, so a page of webhooks leaks no keys.
    ...(withSecret ? { secret: webhook.secret } : {}),
  }
}

function presentDelivery(delivery: WebhookDelivery) {
  return {
    delivery_id: delivery.id,
    webhook_id: delivery.webhookId,
    event_id: delivery.eventId,
    event_type: delivery.eventType,
    conversation_id: delivery.conversationId,
    status: delivery.state,
    attempt_count: delivery.attempts.length,
    next_attempt_at: iso(delivery.nextAttemptAt),
    created_at: iso(delivery.createdAt),
    finished_at: iso(delivery.finishedAt),
    replay_of: delivery.replayOf,
    attempts: delivery.attempts.map((a) => ({
      attempt: a.number,
      at: iso(a.at),
      status_code: a.statusCode,
      error: a.error,
      duration_ms: a.durationMs,
    })),
  }
}

function parseCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined
  const value = decodeCursor(cursor) as { before?: unknown } | undefined
  if (typeof value?.before !== 'string') throw errors.validation('querystring.cursor', 'The cursor is not one this API returned')
  return value.before
}

export const webhookRoutes =
  (ctx: CoreContext, webhooks: WebhookService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.addHook('preHandler', requireAuth(ctx.auth))

    app.post('/v1/webhooks', { schema: { body: CreateWebhookBody }, preHandler: rateLimit(ctx.rateLimits, 'webhook', 'caller', ctx.now) }, async (request, reply) => {
      const webhook = await webhooks.create(callerId(request), request.body)
      return reply.status(201).send(presentWebhook(webhook, true))
    })

    app.get('/v1/webhooks', async (request) => ({
      webhooks: (await webhooks.list(callerId(request))).map((w) => presentWebhook(w, false)),
    }))

    app.get('/v1/webhooks/:id', { schema: { params: WebhookParams } }, async (request) =>
      presentWebhook(await webhooks.get(callerId(request), request.params.id), true),
    )

    app.delete('/v1/webhooks/:id', { schema: { params: WebhookParams } }, async (request, reply) => {
      await webhooks.remove(callerId(request), request.params.id)
      return reply.status(204).send()
    })

    app.post('/v1/webhooks/:id/test', { schema: { params: WebhookParams } }, async (request, reply) => {
      const delivery = await webhooks.sendTest(callerId(request), request.params.id)
      return reply.status(202).send(presentDelivery(delivery))
    })

    app.get(
      '/v1/webhooks/:id/deliveries',
      { schema: { params: WebhookParams, querystring: DeliveryQuery } },
      async (request) => {
        const limit = request.query.limit ?? 50
        const page = await webhooks.listDeliveries(callerId(request), request.params.id, {
          limit: limit + 1,
          before: parseCursor(request.query.cursor),
          state: request.query.status,
        })
        const items = page.slice(0, limit)
        const hasMore = page.length > limit
        const last = items.at(-1)
        return {
          deliveries: items.map(presentDelivery),
          pagination: {
            limit,
            returned: items.length,
            has_more: hasMore,
            next_cursor: hasMore && last ? encodeCursor({ before: last.id }) : null,
          },
        }
      },
    )

    app.get('/v1/webhooks/:id/deliveries/:delivery_id', { schema: { params: DeliveryParams } }, async (request) =>
      presentDelivery(await webhooks.getDelivery(callerId(request), request.params.id, request.params.delivery_id)),
    )

    app.post(
      '/v1/webhooks/:id/deliveries/:delivery_id/replay',
      { schema: { params: DeliveryParams } },
      async (request, reply) => {
        const delivery = await webhooks.replay(callerId(request), request.params.id, request.params.delivery_id)
        return reply.status(202).send(presentDelivery(delivery))
      },
    )
  }

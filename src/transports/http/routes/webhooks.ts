/** @module /v1/webhooks: register, inspect and delete webhooks, test them, list and replay deliveries. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { CoreContext } from '../../../core/context.js'
import { errors } from '../../../core/errors.js'
import type { Webhook, WebhookDelivery } from '../../../core/webhooks/model.js'
import type { WebhookService } from '../../../core/webhooks/service.js'
import {
  authProblems,
  bodyProblems,
  CreateWebhookBody,
  DeliveryPage,
  DeliveryParams,
  DeliveryQuery,
  paramProblems,
  problems,
  Webhook as WebhookSchema,
  WebhookDelivery as DeliverySchema,
  WebhookList,
  WebhookParams,
  type Webhook as WireWebhook,
  type WebhookDelivery as WireDelivery,
} from '../../../wire/index.js'
import { callerId, requireAuth } from '../auth.js'
import { doc } from '../openapi-doc.js'
import { rateLimit } from '../rate-limit.js'
import { decodeCursor, encodeCursor, iso } from '../present.js'

const TAG = 'Webhooks'
const notFound = problems(authProblems, paramProblems, 'webhook_not_found')

function presentWebhook(webhook: Webhook, withSecret: boolean): WireWebhook {
  return {
    webhook_id: webhook.id,
    url: webhook.url,
    events: [...webhook.events],
    created_at: iso(webhook.createdAt),
    // Shown to its owner only, and never in lists, so a page of webhooks leaks no keys.
    ...(withSecret ? { secret: webhook.secret } : {}),
  }
}

function presentDelivery(delivery: WebhookDelivery): WireDelivery {
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

    app.post('/v1/webhooks', {
      schema: {
        ...doc(TAG, 'Register a webhook', 'Events are POSTed to `url`, signed with the secret (see the `webhooks` section for each payload).'),
        body: { ...CreateWebhookBody, examples: [{ url: 'https://example.com/chat4all', events: ['message.created', 'message.status'] }] },
        response: { 201: WebhookSchema, ...problems(authProblems, bodyProblems, 'url_not_allowed', 'url_unresolvable', 'rate_limited') },
      },
      preHandler: rateLimit(ctx.rateLimits, 'webhook', 'caller', ctx.now) }, async (request, reply) => {
      const webhook = await webhooks.create(callerId(request), request.body)
      return reply.status(201).send(presentWebhook(webhook, true))
    })

    app.get('/v1/webhooks', { schema: { ...doc(TAG, 'Your webhooks (without their secrets)'), response: { 200: WebhookList, ...problems(authProblems) } } }, async (request) => ({
      webhooks: (await webhooks.list(callerId(request))).map((w) => presentWebhook(w, false)),
    }))

    app.get('/v1/webhooks/:id', { schema: { ...doc(TAG, 'A webhook, with its secret'), params: WebhookParams, response: { 200: WebhookSchema, ...notFound } } }, async (request) =>
      presentWebhook(await webhooks.get(callerId(request), request.params.id), true),
    )

    app.delete('/v1/webhooks/:id', {
      schema: { ...doc(TAG, 'Delete a webhook'), params: WebhookParams, response: { 204: { description: 'Deleted' }, ...notFound } },
    }, async (request, reply) => {
      await webhooks.remove(callerId(request), request.params.id)
      return reply.status(204).send()
    })

    app.post('/v1/webhooks/:id/test', {
      schema: { ...doc(TAG, 'Send a webhook.test event now'), params: WebhookParams, response: { 202: DeliverySchema, ...notFound } },
    }, async (request, reply) => {
      const delivery = await webhooks.sendTest(callerId(request), request.params.id)
      return reply.status(202).send(presentDelivery(delivery))
    })

    app.get(
      '/v1/webhooks/:id/deliveries',
      {
        schema: {
          ...doc(TAG, 'A webhook’s deliveries, newest first'),
          params: WebhookParams,
          querystring: DeliveryQuery,
          response: { 200: DeliveryPage, ...notFound },
        },
      },
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

    app.get('/v1/webhooks/:id/deliveries/:delivery_id', {
      schema: { ...doc(TAG, 'One delivery and its attempts'), params: DeliveryParams, response: { 200: DeliverySchema, ...problems(authProblems, paramProblems, 'webhook_not_found', 'delivery_not_found') } },
    }, async (request) =>
      presentDelivery(await webhooks.getDelivery(callerId(request), request.params.id, request.params.delivery_id)),
    )

    app.post(
      '/v1/webhooks/:id/deliveries/:delivery_id/replay',
      {
        schema: {
          ...doc(TAG, 'Send a delivery’s event again', 'A new delivery of the same bytes, with `replay_of` naming the original.'),
          params: DeliveryParams,
          response: { 202: DeliverySchema, ...problems(authProblems, paramProblems, 'webhook_not_found', 'delivery_not_found') },
        },
      },
      async (request, reply) => {
        const delivery = await webhooks.replay(callerId(request), request.params.id, request.params.delivery_id)
        return reply.status(202).send(presentDelivery(delivery))
      },
    )
  }

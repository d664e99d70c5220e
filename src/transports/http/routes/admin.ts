/** @module /v1/admin: operating the platform — the bus consumers' dead letters. Admins only. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { listDeadLetters, replayDeadLetter } from '../../../core/admin.js'
import type { CoreContext } from '../../../core/context.js'
import type { OutboxEvent } from '../../../core/model.js'
import { toWebhookEvent } from '../../../core/webhooks/events.js'
import type { DeadLetter } from '../../../ports/store.js'
import { callerId, requireAuth } from '../auth.js'
import { iso } from '../present.js'

const DeadLetterQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    before: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'The next_cursor of the previous page' })),
    group: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Only this consumer group: fanout, webhooks …' })),
  },
  { additionalProperties: false },
)

const DeadLetterParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) })

/** The event as webhook endpoints receive it (one JSON shape for events across the API). */
function presentEvent(event: OutboxEvent): unknown {
  const body = toWebhookEvent(event)?.body
  return body === undefined ? event.event : (JSON.parse(body) as unknown)
}

function presentDeadLetter(letter: DeadLetter) {
  return {
    id: letter.id,
    group: letter.group,
    event_id: letter.event.id,
    event_type: letter.event.event.type,
    conversation_id: letter.event.event.conversationId,
    event: presentEvent(letter.event),
    error: letter.error,
    attempts: letter.attempts,
    at: iso(letter.at),
  }
}

export const adminRoutes =
  (ctx: CoreContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.addHook('preHandler', requireAuth(ctx.auth))

    app.get('/v1/admin/dead-letters', { schema: { querystring: DeadLetterQuery } }, async (request) => {
      const { limit = 50, before, group } = request.query
      const page = await listDeadLetters(ctx, callerId(request), {
        limit: limit + 1,
        ...(before === undefined ? {} : { before }),
        ...(group === undefined ? {} : { group }),
      })
      const items = page.slice(0, limit)
      const hasMore = page.length > limit
      return {
        dead_letters: items.map(presentDeadLetter),
        pagination: {
          limit,
          returned: items.length,
          has_more: hasMore,
          // A letter's id orders the pages: the store lists what came before it.
          next_cursor: hasMore ? (items.at(-1)?.id ?? null) : null,
        },
      }
    })

    app.post('/v1/admin/dead-letters/:id/replay', { schema: { params: DeadLetterParams } }, async (request, reply) => {
      const { replayEventId } = await replayDeadLetter(ctx, callerId(request), request.params.id)
      return reply.status(202).send({ status: 'queued' as const, replay_event_id: replayEventId })
    })
  }

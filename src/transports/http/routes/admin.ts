/** @module /v1/admin: operating the platform — the bus consumers' dead letters. Admins only. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { listDeadLetters, replayDeadLetter } from '../../../core/admin.js'
import type { CoreContext } from '../../../core/context.js'
import type { OutboxEvent } from '../../../core/model.js'
import type { DeadLetter } from '../../../ports/store.js'
import {
  authProblems,
  DeadLetterPage,
  DeadLetterParams,
  DeadLetterQuery,
  paramProblems,
  problems,
  ReplayQueued,
  webhookBody,
  type DeadLetter as WireDeadLetter,
} from '../../../wire/index.js'
import { callerId, requireAuth } from '../auth.js'
import { doc } from '../openapi-doc.js'
import { iso } from '../present.js'

/** The event as webhook endpoints receive it (one JSON shape for events across the API). */
function presentEvent(event: OutboxEvent): unknown {
  return JSON.parse(webhookBody(event)) as unknown
}

function presentDeadLetter(letter: DeadLetter): WireDeadLetter {
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

    app.get('/v1/admin/dead-letters', {
      schema: {
        ...doc('Admin', 'Events a consumer group gave up on, newest first', 'Admins only.'),
        querystring: DeadLetterQuery,
        response: { 200: DeadLetterPage, ...problems(authProblems, paramProblems, 'admin_required') },
      },
    }, async (request) => {
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

    app.post('/v1/admin/dead-letters/:id/replay', {
      schema: {
        ...doc('Admin', 'Hand a dead letter back to its consumer group', 'Admins only.'),
        params: DeadLetterParams,
        response: { 202: ReplayQueued, ...problems(authProblems, paramProblems, 'admin_required', 'dead_letter_not_found') },
      },
    }, async (request, reply) => {
      const { replayEventId } = await replayDeadLetter(ctx, callerId(request), request.params.id)
      return reply.status(202).send({ status: 'queued', replay_event_id: replayEventId })
    })
  }

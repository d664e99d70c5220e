/** @module /v1/conversations: create, list, read, and manage members. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { CoreContext } from '../../../core/context.js'
import {
  addMembers,
  createConversation,
  getConversation,
  listConversations,
  removeMember,
} from '../../../core/conversations.js'
import { errors } from '../../../core/errors.js'
import type { ConversationCursor } from '../../../ports/store.js'
import { callerId, requireAuth } from '../auth.js'
import { decodeCursor, encodeCursor, presentConversation, presentMember, presentMessage } from '../present.js'
import { AddMembersBody, ConversationParams, CreateConversationBody, ListConversationsQuery, MemberParams } from '../schemas.js'

function parseConversationCursor(cursor: string | undefined): ConversationCursor | undefined {
  if (cursor === undefined) return undefined
  const value = decodeCursor(cursor) as { t?: unknown; id?: unknown } | undefined
  if (typeof value?.t !== 'number' || typeof value.id !== 'string') {
    throw errors.validation('querystring.cursor', 'The cursor is not one this API returned')
  }
  return { lastActivityAt: value.t, id: value.id }
}

export const conversationRoutes =
  (ctx: CoreContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.addHook('preHandler', requireAuth(ctx.auth))

    app.post('/v1/conversations', { schema: { body: CreateConversationBody } }, async (request, reply) => {
      const view = await createConversation(ctx, callerId(request), request.body)
      return reply.status(view.created ? 201 : 200).send(presentConversation(view.conversation, view.members))
    })

    app.get('/v1/conversations', { schema: { querystring: ListConversationsQuery } }, async (request) => {
      const limit = request.query.limit ?? 50
      const cursor = parseConversationCursor(request.query.cursor)
      const page = await listConversations(ctx, callerId(request), { limit: limit + 1, ...(cursor ? { cursor } : {}) })
      const items = page.slice(0, limit)
      const last = items.at(-1)
      const hasMore = page.length > limit
      return {
        conversations: items.map((s) => ({
          ...presentConversation(s.conversation),
          last_message: s.lastMessage && presentMessage(s.lastMessage),
          unread_count: s.unreadCount,
        })),
        pagination: {
          limit,
          returned: items.length,
          has_more: hasMore,
          next_cursor: hasMore && last ? encodeCursor({ t: last.conversation.lastActivityAt, id: last.conversation.id }) : null,
        },
      }
    })

    app.get('/v1/conversations/:id', { schema: { params: ConversationParams } }, async (request) => {
      const view = await getConversation(ctx, callerId(request), request.params.id)
      return presentConversation(view.conversation, view.members)
    })

    app.post(
      '/v1/conversations/:id/members',
      { schema: { params: ConversationParams, body: AddMembersBody } },
      async (request, reply) => {
        const view = await addMembers(ctx, callerId(request), request.params.id, request.body.members, request.body.role)
        return reply.status(view.added.length > 0 ? 201 : 200).send({
          ...presentConversation(view.conversation, view.members),
          added: view.added.map(presentMember),
        })
      },
    )

    app.delete('/v1/conversations/:id/members/:member', { schema: { params: MemberParams } }, async (request, reply) => {
      await removeMember(ctx, callerId(request), request.params.id, request.params.member)
      return reply.status(204).send()
    })
  }

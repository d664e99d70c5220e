/** @module /v1/conversations: create, list, read, change, and manage members. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { CoreContext } from '../../../core/context.js'
import {
  addMembers,
  createConversation,
  getConversation,
  listConversations,
  removeMember,
  updateConversation,
} from '../../../core/conversations.js'
import { errors } from '../../../core/errors.js'
import type { ConversationCursor } from '../../../ports/store.js'
import {
  AddMembersBody,
  authProblems,
  bodyProblems,
  Conversation,
  ConversationPage,
  ConversationParams,
  CreateConversationBody,
  ListConversationsQuery,
  MemberParams,
  MembersAdded,
  paramProblems,
  presentConversation,
  presentMember,
  presentMessage,
  problems,
  UpdateConversationBody,
} from '../../../wire/index.js'
import { callerId, requireAuth } from '../auth.js'
import { doc } from '../openapi-doc.js'
import { decodeCursor, encodeCursor } from '../present.js'

const TAG = 'Conversations'

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

    app.post(
      '/v1/conversations',
      {
        schema: {
          ...doc(TAG, 'Create a conversation', 'A private conversation with the same member exists once: asking again answers 200 with it.'),
          body: {
            ...CreateConversationBody,
            examples: [
              { type: 'private', members: ['bob'] },
              { type: 'group', title: 'Launch', members: ['bob', 'whatsapp:+5511999998888'], metadata: { team: 'sales' } },
            ],
          },
          response: {
            201: Conversation,
            200: Conversation,
            ...problems(authProblems, bodyProblems, 'unknown_member', 'invalid_conversation', 'member_limit_reached'),
          },
        },
      },
      async (request, reply) => {
        const view = await createConversation(ctx, callerId(request), request.body)
        return reply.status(view.created ? 201 : 200).send(presentConversation(view.conversation, view.members))
      },
    )

    app.get(
      '/v1/conversations',
      {
        schema: {
          ...doc(TAG, 'List your conversations, most recent activity first'),
          querystring: ListConversationsQuery,
          response: { 200: ConversationPage, ...problems(authProblems, paramProblems) },
        },
      },
      async (request) => {
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
      },
    )

    app.get(
      '/v1/conversations/:id',
      {
        schema: {
          ...doc(TAG, 'A conversation and its members'),
          params: ConversationParams,
          response: { 200: Conversation, ...problems(authProblems, paramProblems, 'conversation_not_found') },
        },
      },
      async (request) => {
        const view = await getConversation(ctx, callerId(request), request.params.id)
        return presentConversation(view.conversation, view.members)
      },
    )

    app.patch(
      '/v1/conversations/:id',
      {
        schema: {
          ...doc(TAG, 'Change the title or metadata', 'Owners and admins only. Members hear of it as `conversation.updated` on the stream and in webhooks.'),
          params: ConversationParams,
          body: { ...UpdateConversationBody, examples: [{ title: 'Launch (final)', metadata: { team: 'sales', stage: 2 } }] },
          response: { 200: Conversation, ...problems(authProblems, paramProblems, bodyProblems, 'conversation_not_found', 'forbidden') },
        },
      },
      async (request) => {
        const view = await updateConversation(ctx, callerId(request), request.params.id, request.body)
        return presentConversation(view.conversation, view.members)
      },
    )

    app.post(
      '/v1/conversations/:id/members',
      {
        schema: {
          ...doc(TAG, 'Add members to a group', 'Owners and admins only. 201 when someone was added, 200 when all were members already.'),
          params: ConversationParams,
          body: AddMembersBody,
          response: {
            201: MembersAdded,
            200: MembersAdded,
            ...problems(authProblems, paramProblems, bodyProblems, 'conversation_not_found', 'forbidden', 'unknown_member', 'invalid_conversation', 'member_limit_reached'),
          },
        },
      },
      async (request, reply) => {
        const view = await addMembers(ctx, callerId(request), request.params.id, request.body.members, request.body.role)
        return reply.status(view.added.length > 0 ? 201 : 200).send({
          ...presentConversation(view.conversation, view.members),
          added: view.added.map(presentMember),
        })
      },
    )

    app.delete(
      '/v1/conversations/:id/members/:member',
      {
        schema: {
          ...doc(TAG, 'Remove a member, or leave', 'Anyone may leave; owners and admins may remove others (never the owner).'),
          params: MemberParams,
          response: {
            204: { description: 'Removed' },
            ...problems(authProblems, paramProblems, 'conversation_not_found', 'member_not_found', 'forbidden', 'invalid_conversation'),
          },
        },
      },
      async (request, reply) => {
        await removeMember(ctx, callerId(request), request.params.id, request.params.member)
        return reply.status(204).send()
      },
    )
  }

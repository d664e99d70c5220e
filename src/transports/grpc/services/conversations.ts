/** @module ConversationService: /v1/conversations over gRPC, on the same core functions. */
import type { UntypedServiceImplementation } from '@grpc/grpc-js'
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
import { decodeCursor, encodeCursor } from '../../http/present.js'
import { authenticate, unaryWith, type ReportFailure } from '../call.js'
import { enumValue, fromStruct, presentConversation, presentMember, presentMessage } from '../convert.js'
import { check, identifier, schemas, uuid } from '../validate.js'
import type {
  AddMembersRequest,
  ConversationIdRequest,
  CreateConversationRequest,
  ListConversationsRequest,
  RemoveMemberRequest,
  UpdateConversationRequest,
} from '../wire-types.js'

const DEFAULT_PAGE = 50

/** The REST API's conversation cursor (`{t, id}`, base64url JSON): a page token works on either transport. */
function parseCursor(cursor: string | undefined): ConversationCursor | undefined {
  if (cursor === undefined || cursor === '') return undefined
  const value = decodeCursor(cursor) as { t?: unknown; id?: unknown } | undefined
  if (typeof value?.t !== 'number' || typeof value.id !== 'string') throw errors.validation('cursor', 'The cursor is not one this API returned')
  return { lastActivityAt: value.t, id: value.id }
}

export function conversationService(ctx: CoreContext, report: ReportFailure): UntypedServiceImplementation {
  const unary = unaryWith(report)
  const caller = async (call: { metadata: Parameters<typeof authenticate>[1] }) => (await authenticate(ctx.auth, call.metadata)).userId

  return {
    CreateConversation: unary<CreateConversationRequest>(async (request, call) => {
      const userId = await caller(call)
      const body = check(schemas.createConversation, {
        type: enumValue('CONVERSATION_TYPE_', request.type, ['private', 'group'] as const, 'type'),
        members: request.members,
        title: request.title,
        metadata: request.metadata && fromStruct(request.metadata),
      })
      const view = await createConversation(ctx, userId, body)
      return { conversation: presentConversation(view.conversation, view.members), created: view.created }
    }),

    GetConversation: unary<ConversationIdRequest>(async (request, call) => {
      const userId = await caller(call)
      const view = await getConversation(ctx, userId, uuid(request.conversation_id, 'conversation_id'))
      return { conversation: presentConversation(view.conversation, view.members) }
    }),

    ListConversations: unary<ListConversationsRequest>(async (request, call) => {
      const userId = await caller(call)
      const query = check(schemas.listConversations, { limit: request.limit, cursor: request.cursor || undefined })
      const limit = query.limit ?? DEFAULT_PAGE
      const cursor = parseCursor(query.cursor)
      const page = await listConversations(ctx, userId, { limit: limit + 1, ...(cursor ? { cursor } : {}) })
      const items = page.slice(0, limit)
      const last = items.at(-1)
      const hasMore = page.length > limit
      return {
        conversations: items.map((summary) => ({
          conversation: presentConversation(summary.conversation),
          ...(summary.lastMessage ? { last_message: presentMessage(summary.lastMessage) } : {}),
          unread_count: summary.unreadCount,
        })),
        has_more: hasMore,
        next_cursor: hasMore && last ? encodeCursor({ t: last.conversation.lastActivityAt, id: last.conversation.id }) : '',
      }
    }),

    AddMembers: unary<AddMembersRequest>(async (request, call) => {
      const userId = await caller(call)
      const conversationId = uuid(request.conversation_id, 'conversation_id')
      const body = check(schemas.addMembers, {
        members: request.members,
        role: enumValue('MEMBER_ROLE_', request.role, ['owner', 'admin', 'member'] as const, 'role'),
      })
      const view = await addMembers(ctx, userId, conversationId, body.members, body.role)
      return { conversation: presentConversation(view.conversation, view.members), added: view.added.map(presentMember) }
    }),

    RemoveMember: unary<RemoveMemberRequest>(async (request, call) => {
      const userId = await caller(call)
      await removeMember(ctx, userId, uuid(request.conversation_id, 'conversation_id'), identifier(request.member, 'member'))
      return {}
    }),

    UpdateConversation: unary<UpdateConversationRequest>(async (request, call) => {
      const userId = await caller(call)
      const conversationId = uuid(request.conversation_id, 'conversation_id')
      if (request.title !== undefined && request.title.length > 200) throw errors.validation('title', "'title' must be at most 200 characters")
      const view = await updateConversation(ctx, userId, conversationId, {
        ...(request.title === undefined ? {} : { title: request.title === '' ? null : request.title }),
        ...(request.metadata === undefined ? {} : { metadata: fromStruct(request.metadata) }),
      })
      return { conversation: presentConversation(view.conversation, view.members) }
    }),
  }
}

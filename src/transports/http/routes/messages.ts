/** @module /v1/messages and conversation history. Handlers validate, call the core, shape output. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { CoreContext } from '../../../core/context.js'
import { errors } from '../../../core/errors.js'
import {
  getMessageDetail,
  markConversationRead,
  markMessageRead,
  readHistory,
  sendMessage,
} from '../../../core/messaging.js'
import type { HistoryQuery as StoreHistoryQuery } from '../../../ports/store.js'
import { callerId, requireAuth } from '../auth.js'
import {
  authProblems,
  bodyProblems,
  ConversationParams,
  ConversationRead,
  HistoryQuery,
  MessageAccepted,
  MessageDetail,
  MessagePage,
  MessageParams,
  MessageRead,
  paramProblems,
  presentAccepted,
  presentMessage,
  presentReceipt,
  problems,
  ReadUpToBody,
  SendMessageBody,
} from '../../../wire/index.js'
import { doc } from '../openapi-doc.js'
import { rateLimit } from '../rate-limit.js'
import { decodeCursor, encodeCursor } from '../present.js'
import { toSendInput } from './send-body.js'

const TAG = 'Messages'

const sendExamples = [
  { conversation_id: '0b6f8a4e-6d1f-4c3e-9a57-2f7f1f0c9d11', message_id: '5f2b3c1a-8e4d-4b6a-9c2e-7d1f0a3b5c6d', payload: { type: 'text', text: 'Hello!' } },
  { to: 'whatsapp:+5511999998888', payload: { type: 'file', file_id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', text: 'The contract' } },
  { conversation_id: '0b6f8a4e-6d1f-4c3e-9a57-2f7f1f0c9d11', content: 'Hello from the compact body' },
]

const DEFAULT_PAGE = 50

interface HistoryParams {
  readonly limit?: number | undefined
  readonly after_seq?: number | undefined
  readonly before_seq?: number | undefined
  readonly offset?: number | undefined
  readonly cursor?: string | undefined
}

/** `offset` is kept for the first API: seqs start at 1 without gaps, so offset N is after_seq N. */
function toStoreQuery(query: HistoryParams): StoreHistoryQuery {
  const limit = query.limit ?? DEFAULT_PAGE
  const given = (['after_seq', 'before_seq', 'offset', 'cursor'] as const).filter((k) => query[k] !== undefined)
  if (given.length > 1) throw errors.validation(`querystring.${given[1]!}`, `Use one of ${given.join(', ')}, not several`)
  if (query.cursor !== undefined) {
    const cursor = decodeCursor(query.cursor) as { after?: unknown; before?: unknown } | undefined
    if (typeof cursor?.after === 'number') return { limit, afterSeq: cursor.after }
    if (typeof cursor?.before === 'number') return { limit, beforeSeq: cursor.before }
    throw errors.validation('querystring.cursor', 'The cursor is not one this API returned')
  }
  const afterSeq = query.after_seq ?? query.offset
  if (afterSeq !== undefined) return { limit, afterSeq }
  return query.before_seq === undefined ? { limit } : { limit, beforeSeq: query.before_seq }
}

export const messageRoutes =
  (ctx: CoreContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.addHook('preHandler', requireAuth(ctx.auth))

    app.post('/v1/messages', {
      schema: {
        ...doc(TAG, 'Send a message', 'To a conversation (`conversation_id`) or a person (`to`: a user or a contact address, finding or creating the private conversation). 202 once durable; a retry with the same `message_id` answers 200 with the original.'),
        body: { ...SendMessageBody, examples: sendExamples },
        response: {
          202: MessageAccepted,
          200: MessageAccepted,
          ...problems(authProblems, bodyProblems, 'unknown_member', 'invalid_conversation', 'file_not_found', 'sender_mismatch', 'conversation_not_found', 'idempotency_conflict', 'rate_limited'),
        },
      },
      preHandler: rateLimit(ctx.rateLimits, 'send', 'caller', ctx.now) }, async (request, reply) => {
      const outcome = await sendMessage(ctx, callerId(request), toSendInput(request.body, callerId(request)))
      return reply.status(outcome.created ? 202 : 200).send(presentAccepted(outcome.message))
    })

    app.get(
      '/v1/conversations/:id/messages',
      {
        schema: {
          ...doc(TAG, 'Conversation history', 'Pages by seq: `after_seq` reads forward, `before_seq` (or nothing: the newest page) backward; `next_cursor` continues either way.'),
          params: ConversationParams,
          querystring: HistoryQuery,
          response: { 200: MessagePage, ...problems(authProblems, paramProblems, 'conversation_not_found') },
        },
      },
      async (request) => {
        const query = toStoreQuery(request.query)
        const page = await readHistory(ctx, callerId(request), request.params.id, query)
        const forward = query.afterSeq !== undefined
        const edge = forward ? page.messages.at(-1) : page.messages[0]
        return {
          conversation_id: request.params.id,
          messages: page.messages.map((m) => presentMessage(m, page.statuses.get(m.id) ?? 'SENT')),
          pagination: {
            limit: query.limit,
            returned: page.messages.length,
            has_more: page.hasMore,
            next_cursor: page.hasMore && edge ? encodeCursor(forward ? { after: edge.seq } : { before: edge.seq }) : null,
          },
        }
      },
    )

    app.get('/v1/messages/:id', {
      schema: {
        ...doc(TAG, 'A message with each member’s receipt'),
        params: MessageParams,
        response: { 200: MessageDetail, ...problems(authProblems, paramProblems, 'message_not_found') },
      },
    }, async (request) => {
      const detail = await getMessageDetail(ctx, callerId(request), request.params.id.toLowerCase())
      return { ...presentMessage(detail.message, detail.status), receipts: detail.receipts.map(presentReceipt) }
    })

    app.post('/v1/messages/:id/read', {
      schema: {
        ...doc(TAG, 'Mark one message read'),
        params: MessageParams,
        response: { 200: MessageRead, ...problems(authProblems, paramProblems, 'message_not_found') },
      },
    }, async (request) => {
      const messageId = request.params.id.toLowerCase()
      const receipt = await markMessageRead(ctx, callerId(request), messageId)
      return { message_id: messageId, ...presentReceipt(receipt) }
    })

    app.post(
      '/v1/conversations/:id/read',
      {
        schema: {
          ...doc(TAG, 'Mark everything up to a seq read'),
          params: ConversationParams,
          body: ReadUpToBody,
          response: { 200: ConversationRead, ...problems(authProblems, paramProblems, bodyProblems, 'conversation_not_found') },
        },
      },
      async (request) => {
        const marks = await markConversationRead(ctx, callerId(request), request.params.id, request.body.up_to_seq)
        return {
          conversation_id: request.params.id,
          read_up_to_seq: marks.readUpToSeq,
          delivered_up_to_seq: marks.deliveredUpToSeq,
        }
      },
    )
  }

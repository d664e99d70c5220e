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
import { rateLimit } from '../rate-limit.js'
import { decodeCursor, encodeCursor, presentAccepted, presentMessage, presentReceipt } from '../present.js'
import { ConversationParams, HistoryQuery, MessageParams, ReadUpToBody, SendMessageBody } from '../schemas.js'
import { toSendInput } from './send-body.js'

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

    app.post('/v1/messages', { schema: { body: SendMessageBody }, preHandler: rateLimit(ctx.rateLimits, 'send', 'caller', ctx.now) }, async (request, reply) => {
      const outcome = await sendMessage(ctx, callerId(request), toSendInput(request.body, callerId(request)))
      return reply.status(outcome.created ? 202 : 200).send(presentAccepted(outcome.message))
    })

    app.get(
      '/v1/conversations/:id/messages',
      { schema: { params: ConversationParams, querystring: HistoryQuery } },
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

    app.get('/v1/messages/:id', { schema: { params: MessageParams } }, async (request) => {
      const detail = await getMessageDetail(ctx, callerId(request), request.params.id.toLowerCase())
      return { ...presentMessage(detail.message, detail.status), receipts: detail.receipts.map(presentReceipt) }
    })

    app.post('/v1/messages/:id/read', { schema: { params: MessageParams } }, async (request) => {
      const messageId = request.params.id.toLowerCase()
      const receipt = await markMessageRead(ctx, callerId(request), messageId)
      return { message_id: messageId, ...presentReceipt(receipt) }
    })

    app.post(
      '/v1/conversations/:id/read',
      { schema: { params: ConversationParams, body: ReadUpToBody } },
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

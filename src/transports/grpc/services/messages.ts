/**
 * @module MessageService: sending, history and read receipts over gRPC. A send goes through what
 * POST /v1/messages and the stream's `send` use — the same body schema and normalisation, the same
 * per-caller rate limit and the same idempotency by message_id — so a retry over another transport
 * returns the original message.
 */
import type { UntypedServiceImplementation } from '@grpc/grpc-js'
import type { CoreContext } from '../../../core/context.js'
import { errors } from '../../../core/errors.js'
import { getMessageDetail, markConversationRead, markMessageRead, readHistory, sendMessage } from '../../../core/messaging.js'
import { enforceRate } from '../../../core/rate-limits.js'
import type { HistoryQuery as StoreHistoryQuery } from '../../../ports/store.js'
import { decodeCursor, encodeCursor } from '../../http/present.js'
import { readSendBody } from '../../send-input.js'
import { authenticate, unaryWith, type ReportFailure } from '../call.js'
import { enumValue, fromStruct, presentMessage, presentReceipt, timestamp } from '../convert.js'
import { check, identifier, schemas, uuid } from '../validate.js'
import type { ListMessagesRequest, MarkReadUpToRequest, MessageIdRequest, SendMessageRequest } from '../wire-types.js'

const DEFAULT_PAGE = 50

/** The JSON body POST /v1/messages would take for this request (unset fields left out). */
function restBody(request: SendMessageRequest): Record<string, unknown> {
  const payload = request.payload
  const body: Record<string, unknown> = {
    message_id: request.message_id || undefined,
    conversation_id: request.conversation_id || undefined,
    to: request.to || undefined,
    payload: payload && {
      type: enumValue('PAYLOAD_TYPE_', payload.type, ['text', 'file'] as const, 'payload.type'),
      ...(payload.text === undefined ? {} : { text: payload.text }),
      ...(payload.file_id === undefined ? {} : { file_id: payload.file_id }),
    },
    metadata: request.metadata && fromStruct(request.metadata),
    channels: request.channels.length > 0 ? request.channels : undefined,
  }
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined))
}

/** The REST history query and cursors (`{after}` / `{before}`, base64url JSON), with gRPC field names. */
function historyQuery(request: ListMessagesRequest): StoreHistoryQuery {
  const query = check(schemas.history, {
    limit: request.limit,
    after_seq: request.after_seq,
    before_seq: request.before_seq,
    cursor: request.cursor || undefined,
  })
  const limit = query.limit ?? DEFAULT_PAGE
  const given = (['after_seq', 'before_seq', 'cursor'] as const).filter((key) => query[key] !== undefined)
  if (given.length > 1) throw errors.validation(given[1]!, `Use one of ${given.join(', ')}, not several`)
  if (query.cursor !== undefined) {
    const cursor = decodeCursor(query.cursor) as { after?: unknown; before?: unknown } | undefined
    if (typeof cursor?.after === 'number') return { limit, afterSeq: cursor.after }
    if (typeof cursor?.before === 'number') return { limit, beforeSeq: cursor.before }
    throw errors.validation('cursor', 'The cursor is not one this API returned')
  }
  if (query.after_seq !== undefined) return { limit, afterSeq: query.after_seq }
  return query.before_seq === undefined ? { limit } : { limit, beforeSeq: query.before_seq }
}

export function messageService(ctx: CoreContext, report: ReportFailure): UntypedServiceImplementation {
  const unary = unaryWith(report)
  const caller = async (call: { metadata: Parameters<typeof authenticate>[1] }) => (await authenticate(ctx.auth, call.metadata)).userId

  return {
    SendMessage: unary<SendMessageRequest>(async (request, call) => {
      const userId = await caller(call)
      const input = readSendBody(restBody(request), userId)
      await enforceRate(ctx.rateLimits, 'send', userId, ctx.now)
      const { created, message } = await sendMessage(ctx, userId, input)
      return {
        message_id: message.id,
        conversation_id: message.conversationId,
        seq: message.seq,
        created_at: timestamp(message.createdAt),
        duplicate: !created,
      }
    }),

    GetMessage: unary<MessageIdRequest>(async (request, call) => {
      const userId = await caller(call)
      const detail = await getMessageDetail(ctx, userId, identifier(request.message_id, 'message_id').toLowerCase())
      return { message: presentMessage(detail.message, detail.status), receipts: detail.receipts.map(presentReceipt) }
    }),

    ListMessages: unary<ListMessagesRequest>(async (request, call) => {
      const userId = await caller(call)
      const conversationId = uuid(request.conversation_id, 'conversation_id')
      const query = historyQuery(request)
      const page = await readHistory(ctx, userId, conversationId, query)
      const forward = query.afterSeq !== undefined
      const edge = forward ? page.messages.at(-1) : page.messages[0]
      return {
        conversation_id: conversationId,
        messages: page.messages.map((m) => presentMessage(m, page.statuses.get(m.id) ?? 'SENT')),
        has_more: page.hasMore,
        next_cursor: page.hasMore && edge ? encodeCursor(forward ? { after: edge.seq } : { before: edge.seq }) : '',
      }
    }),

    MarkRead: unary<MessageIdRequest>(async (request, call) => {
      const userId = await caller(call)
      const messageId = identifier(request.message_id, 'message_id').toLowerCase()
      const receipt = await markMessageRead(ctx, userId, messageId)
      return { message_id: messageId, receipt: presentReceipt(receipt) }
    }),

    MarkReadUpTo: unary<MarkReadUpToRequest>(async (request, call) => {
      const userId = await caller(call)
      const conversationId = uuid(request.conversation_id, 'conversation_id')
      const body = check(schemas.readUpTo, { up_to_seq: request.up_to_seq ?? 0 })
      const marks = await markConversationRead(ctx, userId, conversationId, body.up_to_seq)
      return { conversation_id: conversationId, read_up_to_seq: marks.readUpToSeq, delivered_up_to_seq: marks.deliveredUpToSeq }
    }),
  }
}

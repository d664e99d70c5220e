/** @module Sending, reading history, receipts. The life of a message, step 1 (accept) and 3 (status). */
import { createHash } from 'node:crypto'
import { checkChannels } from './channels/routes.js'
import stringify from 'safe-stable-stringify'
import type { CoreContext } from './context.js'
import { AppError, errors } from './errors.js'
import type { DeliveryStatus, Message, MessagePayload, Receipt } from './model.js'
import { attachedFile } from './files/access.js'
import { resolveMember } from './members.js'
import { requireMembership } from './conversations.js'
import type { HistoryQuery } from '../ports/store.js'

export interface SendInput {
  readonly messageId?: string | undefined
  readonly conversationId?: string | undefined
  /** One user or external address; the private conversation with them is used. */
  readonly to?: string | undefined
  /** The request field `to` came from, for errors (`to`, `recipient_id` …). */
  readonly toField?: string
  readonly payload: MessagePayload
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
  /** Routes for Chat4All recipients' linked identities (`["whatsapp"]`, `["all"]`); see core/channels/routes.ts. */
  readonly channels?: readonly string[]
}

export type SendOutcome = { readonly created: boolean; readonly message: Message }

/** A send checked and resolved up to its append (see prepareSend). */
export interface PreparedSend {
  /** Hands the message to the store at once (before any await) and resolves once it is durable. */
  commit(): Promise<SendOutcome>
}

function checkPayloadSize(ctx: CoreContext, input: SendInput): void {
  const text = input.payload.text
  if (text !== undefined && Buffer.byteLength(text, 'utf8') > ctx.limits.maxTextBytes) {
    throw errors.payloadTooLarge('payload.text', `Text is limited to ${ctx.limits.maxTextBytes} bytes of UTF-8`)
  }
  if (input.metadata && Buffer.byteLength(JSON.stringify(input.metadata)) > ctx.limits.maxMetadataBytes) {
    throw errors.payloadTooLarge('metadata', `Metadata is limited to ${ctx.limits.maxMetadataBytes} bytes of JSON`)
  }
}

/**
 * A file message needs a ready file the sender may use: their own upload, or one shared with them
 * in a conversation (forwarding). The stored payload carries the file's metadata.
 */
async function checkAttachment(ctx: CoreContext, callerId: string, payload: MessagePayload): Promise<MessagePayload> {
  if (payload.type !== 'file') return payload
  const file = await ctx.store.getReadyFile(payload.file_id.toLowerCase())
  if (!file || (file.ownerId !== callerId && !(await ctx.store.canAccessFile(file.id, callerId)))) {
    throw errors.fileNotFound('payload.file_id', payload.file_id)
  }
  return { ...payload, file_id: file.id, file: attachedFile(file) }
}

/**
 * The conversation a send goes to. For the common case (a conversation id, nothing else to check)
 * no read happens here: the store checks membership inside the append transaction.
 */
async function targetConversation(
  ctx: CoreContext,
  callerId: string,
  input: SendInput,
  mustCheckMembership: boolean,
): Promise<string> {
  const toField = input.toField ?? 'to'
  const recipient = input.to === undefined ? undefined : await resolveMember(ctx, input.to, toField)
  if (input.conversationId !== undefined) {
    if (!recipient && !mustCheckMembership) return input.conversationId
    const { conversation } = await requireMembership(ctx, callerId, input.conversationId)
    if (recipient && !(await ctx.store.getMember(conversation.id, recipient.id))) {
      throw errors.unknownMember(toField, input.to ?? '')
    }
    return conversation.id
  }
  if (!recipient) throw errors.validation('conversation_id', 'Either conversation_id or to is required')
  if (recipient.id === callerId) throw errors.validation(toField, 'A private conversation needs someone other than you')
  // Every send after the first finds the conversation with a read; only the first one writes.
  const existing = await ctx.store.findPrivateConversation(callerId, recipient.id)
  if (existing) return existing.id
  const { conversation } = await ctx.store.createConversation({
    id: ctx.newId(),
    type: 'private',
    title: null,
    metadata: null,
    createdBy: callerId,
    createdAt: ctx.now(),
    members: [
      { kind: 'user', id: callerId, role: 'member' },
      { ...recipient, role: 'member' },
    ],
  })
  return conversation.id
}

/** Accepts a message: durable and ordered when this resolves; a repeated id returns the original. */
export async function sendMessage(ctx: CoreContext, callerId: string, input: SendInput): Promise<SendOutcome> {
  return (await prepareSend(ctx, callerId, input)).commit()
}

/**
 * Everything a send does before its append: limits, the attachment, the target conversation. The
 * append is left to `commit`, so a caller that prepares sends one after another and commits each
 * as soon as it is prepared, without waiting for the previous commit, gets seqs in that order and
 * its sends written together (the stream's pipelined sends).
 */
export async function prepareSend(ctx: CoreContext, callerId: string, input: SendInput): Promise<PreparedSend> {
  const metrics = ctx.metrics
  if (!metrics?.enabled) return prepareUnmeasured(ctx, callerId, input)
  const started = performance.now()
  const rejected = (error: unknown) => {
    metrics.messagesRejected.inc({ reason: error instanceof AppError ? error.code : 'internal' })
    throw error
  }
  const prepared = await prepareUnmeasured(ctx, callerId, input).catch(rejected)
  return {
    commit: async () => {
      const outcome = await prepared.commit().catch(rejected)
      if (outcome.created) metrics.messagesAccepted.inc()
      metrics.messageAcceptDuration.observe((performance.now() - started) / 1000)
      return outcome
    },
  }
}

async function prepareUnmeasured(ctx: CoreContext, callerId: string, input: SendInput): Promise<PreparedSend> {
  checkPayloadSize(ctx, input)
  const payload = await checkAttachment(ctx, callerId, input.payload)
  // Granting file access needs proven membership first; a plain text send leaves it to the store.
  const conversationId = await targetConversation(ctx, callerId, input, payload.type === 'file')
  // Granted before the message exists, so no reader ever sees a file message it cannot open.
  if (payload.type === 'file') await ctx.store.grantFileAccess(payload.file_id, conversationId, ctx.now())
  const channels = checkChannels(ctx, input.channels)
  const bodyHash = createHash('sha256')
    .update(stringify({ conversation: conversationId, payload: input.payload, metadata: input.metadata ?? null, ...(channels ? { channels } : {}) }) ?? '')
    .digest('base64url')
  const id = input.messageId ?? ctx.newId()
  // Before the append, which must be handed over without an await (pipelined sends keep their order).
  if (channels) await ctx.store.saveMessageRoutes(id, channels)
  const metadata = input.metadata ?? null
  return {
    commit: async () => {
      const result = await ctx.store.appendMessage({
        id,
        conversationId,
        senderId: callerId,
        payload,
        metadata,
        createdAt: ctx.now(),
        bodyHash,
      })
      if (result.kind === 'not_found') throw errors.conversationNotFound(conversationId)
      if (result.kind === 'conflict') throw errors.idempotencyConflict()
      return { created: result.kind === 'created', message: result.message }
    },
  }
}

export interface HistoryResult {
  readonly messages: readonly Message[]
  readonly statuses: ReadonlyMap<string, DeliveryStatus>
  readonly hasMore: boolean
}

/** A page of history in seq order. Fetching it counts as delivery to the caller. */
export async function readHistory(
  ctx: CoreContext,
  callerId: string,
  conversationId: string,
  query: HistoryQuery,
): Promise<HistoryResult> {
  const { membership } = await requireMembership(ctx, callerId, conversationId)
  const page = await ctx.store.listMessages(conversationId, query)
  const newestFromOthers = page.messages.reduce((max, m) => (m.senderId !== callerId && m.seq > max ? m.seq : max), 0)
  if (newestFromOthers > membership.deliveredUpToSeq) {
    await ctx.store.advanceWatermark({
      conversationId,
      memberId: callerId,
      status: 'DELIVERED',
      upToSeq: newestFromOthers,
      at: ctx.now(),
    })
  }
  const statuses = await ctx.store.aggregateStatuses(page.messages.map((m) => m.id))
  return { ...page, statuses }
}

export interface MessageDetail {
  readonly message: Message
  readonly receipts: readonly Receipt[]
  readonly status: DeliveryStatus
}

async function visibleMessage(ctx: CoreContext, callerId: string, messageId: string): Promise<Message> {
  const message = await ctx.store.getMessage(messageId)
  const membership = message && (await ctx.store.getMember(message.conversationId, callerId))
  if (!message || !membership) throw errors.messageNotFound(messageId)
  return message
}

export async function getMessageDetail(ctx: CoreContext, callerId: string, messageId: string): Promise<MessageDetail> {
  const message = await visibleMessage(ctx, callerId, messageId)
  const receipts = await ctx.store.getReceipts(messageId)
  const status = (await ctx.store.aggregateStatuses([messageId])).get(messageId) ?? 'SENT'
  return { message, receipts, status }
}

export async function markMessageRead(ctx: CoreContext, callerId: string, messageId: string): Promise<Receipt> {
  const message = await visibleMessage(ctx, callerId, messageId)
  if (message.senderId === callerId) {
    throw errors.validation('message_id', 'Only recipients mark a message read; you sent this one')
  }
  await ctx.store.markMessageRead(messageId, callerId, ctx.now())
  const receipt = (await ctx.store.getReceipts(messageId)).find((r) => r.memberId === callerId)
  // A member who joined after the message was sent has no receipt to mark.
  if (!receipt) throw errors.messageNotFound(messageId)
  return receipt
}

export async function markConversationRead(
  ctx: CoreContext,
  callerId: string,
  conversationId: string,
  upToSeq: number,
): Promise<{ readUpToSeq: number; deliveredUpToSeq: number }> {
  await requireMembership(ctx, callerId, conversationId)
  await ctx.store.advanceWatermark({ conversationId, memberId: callerId, status: 'READ', upToSeq, at: ctx.now() })
  const membership = await ctx.store.getMember(conversationId, callerId)
  return { readUpToSeq: membership?.readUpToSeq ?? 0, deliveredUpToSeq: membership?.deliveredUpToSeq ?? 0 }
}

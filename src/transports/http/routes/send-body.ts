/**
 * @module Normalises the two message bodies (current and compact) into one SendInput. The schema
 * (src/wire/requests.ts) already holds each body to its shape; what remains are rules across
 * values: a sender other than the caller, and recipients named twice that disagree.
 */
import { errors } from '../../../core/errors.js'
import type { MessagePayload } from '../../../core/model.js'
import type { SendInput } from '../../../core/messaging.js'
import type { CompactSendBody, SendMessageBody } from '../../../wire/index.js'

type Body = SendMessageBody

function checkSender(body: Body, callerId: string): void {
  for (const field of ['from', 'sender_id'] as const) {
    const claimed = body[field]
    if (claimed !== undefined && claimed !== callerId) throw errors.senderMismatch(field)
  }
}

const isCompact = (body: Body): body is CompactSendBody => !('payload' in body)

function recipientOf(body: Body): { to?: string; toField?: string } {
  const named = (['to', 'recipient_id', 'receiver_id'] as const).filter((field) => isCompact(body) ? body[field] !== undefined : field === 'to' && body.to !== undefined)
  const valueOf = (field: (typeof named)[number]) => (isCompact(body) ? body[field] : body.to)
  const values = new Set(named.map(valueOf))
  if (values.size > 1) {
    throw errors.validation(named[1]!, `Name the recipient once: ${named.join(' and ')} disagree`)
  }
  const field = named[0]
  return field === undefined ? {} : { to: valueOf(field)!, toField: field }
}

function payloadOf(body: Body): MessagePayload {
  if (!isCompact(body)) {
    const { payload } = body
    if (payload.type === 'text') return { type: 'text', text: payload.text }
    return { type: 'file', file_id: payload.file_id, ...(payload.text ? { text: payload.text } : {}) }
  }
  if (body.file_id !== undefined) return { type: 'file', file_id: body.file_id, ...(body.content ? { text: body.content } : {}) }
  // The schema requires content or file_id, and content to be non-empty.
  return { type: 'text', text: body.content ?? '' }
}

export function toSendInput(body: Body, callerId: string): SendInput {
  checkSender(body, callerId)
  return {
    messageId: body.message_id?.toLowerCase(),
    conversationId: body.conversation_id?.toLowerCase(),
    ...recipientOf(body),
    payload: payloadOf(body),
    metadata: body.metadata,
    ...(body.channels && body.channels.length > 0 ? { channels: body.channels } : {}),
  }
}

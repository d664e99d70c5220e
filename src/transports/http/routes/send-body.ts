/**
 * @module Normalises the two message bodies (current and compact) into one SendInput, refusing a
 * mix of both and any attempt to speak for someone else.
 */
import type { Static } from '@sinclair/typebox'
import { errors } from '../../../core/errors.js'
import type { MessagePayload } from '../../../core/model.js'
import type { SendInput } from '../../../core/messaging.js'
import type { SendMessageBody } from '../schemas.js'

type Body = Static<typeof SendMessageBody>

function checkSender(body: Body, callerId: string): void {
  for (const field of ['from', 'sender_id'] as const) {
    const claimed = body[field]
    if (claimed !== undefined && claimed !== callerId) throw errors.senderMismatch(field)
  }
}

function recipientOf(body: Body): { to?: string; toField?: string } {
  const named = (['to', 'recipient_id', 'receiver_id'] as const).filter((field) => body[field] !== undefined)
  const values = new Set(named.map((field) => body[field]))
  if (values.size > 1) {
    throw errors.validation(named[1]!, `Name the recipient once: ${named.join(' and ')} disagree`)
  }
  const field = named[0]
  return field === undefined ? {} : { to: body[field]!, toField: field }
}

function payloadOf(body: Body): MessagePayload {
  const { payload } = body
  if (payload) {
    const compactField = (['content', 'file_id'] as const).find((field) => body[field] !== undefined)
    if (compactField) throw errors.validation(compactField, `Use either payload or ${compactField}, not both`)
    if (payload.type === 'text') {
      if (payload.file_id !== undefined) throw errors.validation('payload.file_id', 'A text payload has no file_id; use type "file"')
      if (!payload.text) throw errors.validation('payload.text', 'A text payload needs a non-empty text')
      return { type: 'text', text: payload.text }
    }
    if (payload.file_id === undefined) throw errors.validation('payload.file_id', 'A file payload needs a file_id')
    return { type: 'file', file_id: payload.file_id, ...(payload.text ? { text: payload.text } : {}) }
  }
  if (body.file_id !== undefined) return { type: 'file', file_id: body.file_id, ...(body.content ? { text: body.content } : {}) }
  if (body.content) return { type: 'text', text: body.content }
  if (body.content === '') throw errors.validation('content', 'content must not be empty')
  throw errors.validation('payload', 'A message needs a payload (or content / file_id)')
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

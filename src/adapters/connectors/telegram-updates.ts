/**
 * @module Telegram Bot API updates into our events. Bots get no delivery or read receipts, so an
 * update is only ever an inbound message; the chat id is the contact's address (in a private chat
 * it is the person's user id), and message ids, unique only within a chat, are kept as
 * `<chat id>:<message id>`.
 */
import type { InboundMessage, InboundMedia, MediaKind } from '../../ports/connector.js'
import { asArray, asNumber, asObject, asString, defined, type JsonObject } from './json.js'

export const telegramMessageId = (chatId: string, messageId: string) => `${chatId}:${messageId}`

/** The inbound message an update carries, or undefined for updates we do not handle (edits, polls, joins). */
export function parseTelegramUpdate(update: JsonObject, account: string): InboundMessage | undefined {
  const updateId = asString(update['update_id'])
  const message = asObject(update['message'])
  const chatId = asString(asObject(message?.['chat'])?.['id'])
  const messageId = asString(message?.['message_id'])
  if (!updateId || !message || !chatId || !messageId) return undefined
  const media = mediaOf(message)
  const text = asString(message['text']) ?? asString(message['caption'])
  if (!media && text === undefined) return undefined
  const reply = asObject(message['reply_to_message'])
  const replyId = asString(reply?.['message_id'])
  const replyChat = asString(asObject(reply?.['chat'])?.['id']) ?? chatId
  return {
    kind: 'message',
    eventId: updateId,
    platformMessageId: telegramMessageId(chatId, messageId),
    account,
    from: chatId,
    sentAt: (asNumber(message['date']) ?? 0) * 1000,
    ...defined({
      fromName: nameOf(asObject(message['from'])),
      text,
      media,
      replyTo: replyId === undefined ? undefined : telegramMessageId(replyChat, replyId),
    }),
  }
}

const fileFields: readonly (readonly [string, MediaKind])[] = [
  ['document', 'document'],
  ['video', 'video'],
  ['audio', 'audio'],
  ['voice', 'audio'],
  ['animation', 'video'],
]

function mediaOf(message: JsonObject): InboundMedia | undefined {
  // A photo comes in several sizes, smallest first: the last is the original.
  const photo = asObject(asArray(message['photo']).at(-1))
  const photoId = asString(photo?.['file_id'])
  if (photoId) return { kind: 'image', source: { kind: 'platform', mediaId: photoId }, mimeType: 'image/jpeg' }
  for (const [field, kind] of fileFields) {
    const file = asObject(message[field])
    const fileId = asString(file?.['file_id'])
    if (file && fileId) {
      return { kind, source: { kind: 'platform', mediaId: fileId }, ...defined({ mimeType: asString(file['mime_type']), filename: asString(file['file_name']) }) }
    }
  }
  return undefined
}

function nameOf(from: JsonObject | undefined): string | undefined {
  const full = [asString(from?.['first_name']), asString(from?.['last_name'])].filter(Boolean).join(' ')
  return full || asString(from?.['username'])
}

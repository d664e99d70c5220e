/**
 * @module The Bot API's checks of the send methods a connector uses, with its error answers
 * (`{ok: false, error_code, description}`), and the `Message` it returns for a good one.
 */
import type { PlatformAnswer } from './shared/faults.js'
import type { ReceivedMessage } from './shared/state.js'

export const botError = (code: number, description: string, parameters?: Record<string, unknown>): PlatformAnswer => ({
  status: code,
  body: { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) },
})

/** The file field of each send method. */
export const fileMethods: Readonly<Record<string, string>> = { sendPhoto: 'photo', sendVideo: 'video', sendAudio: 'audio', sendDocument: 'document' }

type Checked = { readonly message: Omit<ReceivedMessage, 'id' | 'at'> } | { readonly error: PlatformAnswer }

const text = (value: unknown) => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined)

export function checkTelegramSend(method: string, params: Record<string, unknown>): Checked {
  const chat = text(params['chat_id'])
  if (!chat) return { error: botError(400, 'Bad Request: chat_id is empty') }
  if (!/^-?\d{1,20}$/.test(chat) && !/^@[A-Za-z0-9_]{5,32}$/.test(chat)) return { error: botError(400, 'Bad Request: chat not found') }
  const replyParameters = params['reply_parameters']
  const replyId = text(typeof replyParameters === 'object' && replyParameters !== null ? (replyParameters as Record<string, unknown>)['message_id'] : params['reply_to_message_id'])
  const base = { to: chat, ...(replyId ? { replyTo: `${chat}:${replyId}` } : {}) }
  if (method === 'sendMessage') {
    const content = text(params['text'])
    if (!content) return { error: botError(400, 'Bad Request: message text is empty') }
    if ([...content].length > 4096) return { error: botError(400, 'Bad Request: message is too long') }
    return { message: { ...base, type: 'text', text: content } }
  }
  const field = fileMethods[method] ?? 'document'
  const link = text(params[field])
  if (!link) return { error: botError(400, `Bad Request: there is no ${field} in the request`) }
  if (!/^https?:\/\//.test(link)) return { error: botError(400, 'Bad Request: wrong remote file identifier specified: Wrong string length') }
  const caption = text(params['caption'])
  if (caption && [...caption].length > 1024) return { error: botError(400, 'Bad Request: message caption is too long') }
  return { message: { ...base, type: field, link, ...(caption ? { caption } : {}) } }
}

/** The `Message` the Bot API returns for an accepted send. */
export function sentMessage(bot: { id: number; username: string }, chatId: number, messageId: number, message: Omit<ReceivedMessage, 'id' | 'at'>) {
  const fileId = `BQACAgEAAxkDAAI${messageId}`
  const file =
    message.type === 'photo'
      ? { photo: [{ file_id: fileId, file_unique_id: `AQAD${messageId}`, width: 800, height: 600, file_size: 51200 }] }
      : message.type === 'text'
        ? {}
        : { [message.type]: { file_id: fileId, file_unique_id: `AgAD${messageId}`, file_size: 51200 } }
  return {
    message_id: messageId,
    from: { id: bot.id, is_bot: true, first_name: 'Chat4All Simulator', username: bot.username },
    chat: chatId < 0 ? { id: chatId, title: message.to, type: message.to.startsWith('@') ? 'channel' : 'supergroup' } : { id: chatId, first_name: 'Contact', type: 'private' },
    date: Math.floor(Date.now() / 1000),
    ...(message.text ? { text: message.text } : {}),
    ...(message.caption ? { caption: message.caption } : {}),
    ...file,
  }
}

/**
 * @module A local Telegram Bot API: `/bot<token>/<method>` with the methods a connector uses
 * (sendMessage, sendPhoto/Video/Audio/Document by URL, sendChatAction, getUpdates, setWebhook,
 * deleteWebhook, getWebhookInfo, getFile, getMe), JSON or form bodies, the Bot API's answers and
 * errors. Bots get no receipts, so nothing is called back for sends; a contact's message goes to
 * the webhook with `X-Telegram-Bot-Api-Secret-Token`, or waits for `getUpdates` when none is set.
 */
import type { FastifyPluginAsync } from 'fastify'
import { createCallbacks } from './shared/callbacks.js'
import { registerControlRoutes, type ContactMessage, type SimulatedPlatform } from './shared/control-routes.js'
import { answer, answerWithFault, type FaultAnswers } from './shared/faults.js'
import type { SimulatorOptions } from './shared/options.js'
import { sendFaults, SimulatorState } from './shared/state.js'
import { botError, checkTelegramSend, fileMethods, sentMessage } from './telegram-send.js'
import { createUpdateQueue } from './telegram-updates.js'

export const telegramSimulatorDefaults = { accessToken: '7000000001:sim-telegram-token' } as const

const faults: FaultAnswers = {
  serverError: () => botError(500, 'Internal Server Error'),
  rateLimited: (seconds) => botError(429, `Too Many Requests: retry after ${seconds}`, { retry_after: seconds }),
  permanent: () => botError(403, 'Forbidden: bot was blocked by the user'),
}

const ok = (result: unknown, description?: string) => ({ status: 200, body: { ok: true, result, ...(description ? { description } : {}) } })

export const telegramSimulator: FastifyPluginAsync<SimulatorOptions> = async (app, options) => {
  const token = options.accessToken ?? telegramSimulatorDefaults.accessToken
  const bot = { id: Number(token.split(':', 1)[0]) || 7000000001, username: 'chat4all_sim_bot' }
  const state = new SimulatorState(
    { deliveredMs: null, readMs: null },
    [...sendFaults, 'duplicate', 'bad_signature'],
    options.webhookUrl ? { url: options.webhookUrl, ...(options.webhookSecret ? { secret: options.webhookSecret } : {}) } : undefined,
  )
  const callbacks = createCallbacks(state, (_body, valid): Record<string, string> => {
    const secret = state.webhook?.secret
    return secret ? { 'x-telegram-bot-api-secret-token': valid ? secret : `${secret}-not` } : {}
  })
  const updates = createUpdateQueue(state.stopping.signal)
  const chatCounters = new Map<string, number>()
  const files = new Map<string, string>()
  let nextUpdateId = 880_000_000
  app.addHook('preClose', async () => state.stopping.abort())

  // The Bot API takes application/x-www-form-urlencoded as well as JSON.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))))
  })

  /** Public @usernames stand for a channel or group: each gets a stable negative id, as on Telegram. */
  const usernameIds = new Map<string, number>()
  const chatIdOf = (chat: string): number => {
    if (/^-?\d+$/.test(chat)) return Number(chat)
    const key = chat.toLowerCase()
    if (!usernameIds.has(key)) usernameIds.set(key, -1_001_000_000_000 - usernameIds.size)
    return usernameIds.get(key) ?? 0
  }

  const nextMessageId = (chat: string) => {
    const id = (chatCounters.get(chat) ?? 0) + 1
    chatCounters.set(chat, id)
    return id
  }

  app.all<{ Params: { token: string; method: string } }>('/bot:token/:method', async (request, reply) => {
    const path = `/bot<token>/${request.params.method}`
    if (request.params.token !== token) return answer(state, path, reply, botError(401, 'Unauthorized'))
    const params = { ...(request.query as Record<string, unknown>), ...(typeof request.body === 'object' && request.body !== null ? (request.body as Record<string, unknown>) : {}) }
    const method = request.params.method
    if (method === 'sendMessage' || method in fileMethods) {
      if (await answerWithFault(state, path, faults, reply)) return
      const checked = checkTelegramSend(method, params)
      if ('error' in checked) return answer(state, path, reply, checked.error)
      const chatId = chatIdOf(checked.message.to)
      const messageId = nextMessageId(String(chatId))
      state.recordMessage({ id: `${chatId}:${messageId}`, at: Date.now(), ...checked.message })
      return answer(state, path, reply, ok(sentMessage(bot, chatId, messageId, checked.message)))
    }
    return answer(state, path, reply, await otherMethod(method, params))
  })

  async function otherMethod(method: string, params: Record<string, unknown>) {
    const text = (key: string) => (typeof params[key] === 'string' || typeof params[key] === 'number' ? String(params[key]) : undefined)
    switch (method) {
      case 'getMe':
        return ok({ id: bot.id, is_bot: true, first_name: 'Chat4All Simulator', username: bot.username, can_join_groups: true })
      case 'sendChatAction':
        return text('chat_id') ? ok(true) : botError(400, 'Bad Request: chat_id is empty')
      case 'setWebhook': {
        const url = text('url')
        if (!url) {
          state.webhook = undefined
          return ok(true, 'Webhook was deleted')
        }
        if (!/^https?:\/\//.test(url)) return botError(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook')
        const secret = text('secret_token')
        state.webhook = { url, ...(secret ? { secret } : {}) }
        return ok(true, 'Webhook was set')
      }
      case 'deleteWebhook':
        state.webhook = undefined
        return ok(true, 'Webhook was deleted')
      case 'getWebhookInfo':
        return ok({ url: state.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: updates.size })
      case 'getUpdates': {
        if (state.webhook) return botError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
        const offset = text('offset')
        return ok(await updates.take(offset === undefined ? undefined : Number(offset), Number(text('timeout') ?? 0), Number(text('limit') ?? 100)))
      }
      case 'getFile': {
        const fileId = text('file_id') ?? ''
        return files.has(fileId) ? ok({ file_id: fileId, file_unique_id: fileId.slice(-8), file_path: `files/${fileId}` }) : botError(400, 'Bad Request: invalid file_id')
      }
      default:
        return botError(404, 'Not Found')
    }
  }

  // Downloads of what contacts sent: the simulator holds no bytes, it points at the original link.
  app.get<{ Params: { token: string; '*': string } }>('/file/bot:token/*', async (request, reply) => {
    const url = files.get(request.params['*'].replace(/^files\//, ''))
    if (request.params.token !== token || !url) return reply.code(404).send({ ok: false, error_code: 404, description: 'Not Found' })
    return reply.redirect(url, 302)
  })

  const sim: SimulatedPlatform = {
    platform: 'telegram',
    account: String(bot.id),
    state,
    contactProblem: (contact) => (/^-?\d{1,20}$/.test(contact) ? undefined : `'${contact}' is not a Telegram chat id`),
    async contactSends(contact: string, message: ContactMessage) {
      const messageId = nextMessageId(contact)
      const chatId = Number(contact)
      const name = message.name ?? `Contact ${contact.slice(-4)}`
      const from = { id: chatId, is_bot: false, first_name: name }
      const chat = chatId < 0 ? { id: chatId, title: name, type: 'group' } : { id: chatId, first_name: name, type: 'private' }
      const replied = message.replyTo?.split(':')[1]
      const update = {
        update_id: nextUpdateId++,
        message: {
          message_id: messageId,
          from,
          chat,
          date: Math.floor(Date.now() / 1000),
          ...(replied ? { reply_to_message: { message_id: Number(replied), chat, date: Math.floor(Date.now() / 1000) } } : {}),
          ...(message.file ? fileContent(message.file, message.text, messageId) : { text: message.text ?? '' }),
        },
      }
      if (state.webhook) await callbacks.post('inbound', update)
      else updates.push(update)
      return { id: `${contact}:${messageId}` }
    },
  }

  function fileContent(file: NonNullable<ContactMessage['file']>, caption: string | undefined, messageId: number) {
    const fileId = `BQACAgEAAxkBAAI${messageId}${Date.now().toString(36)}`
    files.set(fileId, file.url)
    const described = { file_id: fileId, file_unique_id: fileId.slice(-8), file_size: 0 }
    const content = file.mimeType.startsWith('image/')
      ? { photo: [{ ...described, width: 800, height: 600 }] }
      : { document: { ...described, mime_type: file.mimeType, ...(file.filename ? { file_name: file.filename } : {}) } }
    return { ...content, ...(caption ? { caption } : {}) }
  }

  registerControlRoutes(app, sim)
}

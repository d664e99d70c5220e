/**
 * @module The Telegram Bot API connector: one bot. Sends with `sendMessage`, and files by URL with
 * `sendPhoto`, `sendVideo`, `sendAudio` or `sendDocument`; takes webhook updates authenticated by
 * `X-Telegram-Bot-Api-Secret-Token` (the `secret_token` given to `setWebhook`), or long-polls
 * `getUpdates` where no webhook can reach us. Bots get no receipts: DELIVERED means the Bot API
 * accepted the message, and READ never comes.
 */
import { timingSafeEqual } from 'node:crypto'
import { mediaKindOf } from '../../core/channels/media-kind.js'
import {
  DeliveryError,
  type AddressScheme,
  type CallOptions,
  type Connector,
  type ConnectorCapabilities,
  type ConnectorDefinition,
  type InboundEvent,
  type MediaKind,
  type OutboundMessage,
  type WebhookRequest,
} from '../../ports/connector.js'
import { callPlatform } from './http-call.js'
import { asNumber, asObject, asString, objectsOf, parseJsonObject } from './json.js'
import { readMillis, readSettings, trimBaseUrl } from './settings.js'
import { telegramDeliveryError } from './telegram-errors.js'
import { parseTelegramUpdate, telegramMessageId } from './telegram-updates.js'

export interface TelegramOptions {
  /** `https://api.telegram.org`, or a simulator. */
  readonly baseUrl: string
  /** `<bot id>:<secret>`, from @BotFather. */
  readonly botToken: string
  /** The `secret_token` registered with `setWebhook`; empty when only polling (then every webhook is refused). */
  readonly webhookSecret: string
  readonly timeoutMs?: number
}

/** A chat id (negative for groups), or the @username of a public channel or group. */
export const telegramAddresses: AddressScheme = {
  channel: 'telegram',
  describe: 'a chat id (123456789, -1001234567890) or a public @channelusername',
  parse(id) {
    if (/^-?\d{1,20}$/.test(id)) return { ok: true, id, sendable: true }
    if (/^@[A-Za-z0-9_]{5,32}$/.test(id)) return { ok: true, id: id.toLowerCase(), sendable: true }
    return { ok: false, reason: `'${id}' is not a Telegram chat id or @channelusername` }
  },
}

export const telegramCapabilities: ConnectorCapabilities = {
  delivered: 'on_accept',
  read: 'never',
  media: ['image', 'video', 'audio', 'document'],
  maxTextLength: 4096,
  textLengthUnit: 'characters',
  maxCaptionLength: 1024,
  replies: true,
  inbound: ['webhook', 'polling'],
  // Bot API FAQ: about one message per second in a chat, 30 per second overall.
  pacing: [
    { scope: 'recipient', perSecond: 1 },
    { scope: 'account', perSecond: 30, burst: 30 },
  ],
  typing: true,
  markRead: false,
}

const sendMethods: Readonly<Record<MediaKind, readonly [method: string, field: string]>> = {
  image: ['sendPhoto', 'photo'],
  video: ['sendVideo', 'video'],
  audio: ['sendAudio', 'audio'],
  document: ['sendDocument', 'document'],
}

export function createTelegramConnector(options: TelegramOptions): Connector {
  const base = trimBaseUrl(options.baseUrl)
  const token = options.botToken
  const secret = Buffer.from(options.webhookSecret)
  const account = token.split(':', 1)[0] ?? ''
  const timeoutMs = options.timeoutMs ?? 10_000

  const call = async (method: string, body: Record<string, unknown>, extra: CallOptions & { readonly timeoutMs?: number } = {}) => {
    const answer = await callPlatform({ method: 'POST', url: `${base}/bot${token}/${method}`, json: body, timeoutMs, ...extra })
    const ok = asObject(answer.body)?.['ok'] === true
    if (answer.status !== 200 || !ok) throw telegramDeliveryError(answer)
    return asObject(answer.body)?.['result']
  }

  return {
    channel: 'telegram',
    account,
    addresses: telegramAddresses,
    capabilities: telegramCapabilities,

    async send(message, callOptions = {}) {
      const [method, body] = request(message)
      const result = asObject(await call(method, body, callOptions))
      const chatId = asString(asObject(result?.['chat'])?.['id'])
      const messageId = asString(result?.['message_id'])
      if (!chatId || !messageId) throw new DeliveryError('unavailable', 'accepted without a message id', { outcomeUnknown: true })
      return { platformMessageId: telegramMessageId(chatId, messageId), status: 'DELIVERED' }
    },

    verifyWebhook(request: WebhookRequest) {
      const given = Buffer.from(request.headers['x-telegram-bot-api-secret-token'] ?? '')
      return secret.length > 0 && given.length === secret.length && timingSafeEqual(given, secret)
    },

    parseWebhook(request: WebhookRequest): InboundEvent[] {
      const update = parseTelegramUpdate(parseJsonObject(request.rawBody, 'Telegram update'), account)
      return update ? [update] : []
    },

    async poll(cursor, pollOptions = {}) {
      const waitSeconds = pollOptions.waitSeconds ?? 25
      const offset = cursor === undefined ? {} : { offset: Number(cursor) }
      const result = await call('getUpdates', { ...offset, timeout: waitSeconds, allowed_updates: ['message'] }, {
        ...(pollOptions.signal ? { signal: pollOptions.signal } : {}),
        timeoutMs: timeoutMs + waitSeconds * 1000,
      })
      const updates = objectsOf(result)
      // Every update moves the cursor on, including those we leave out, or they would come back forever.
      const last = Math.max(-1, ...updates.map((u) => asNumber(u['update_id']) ?? -1))
      const events = updates.flatMap((u) => parseTelegramUpdate(u, account) ?? [])
      return { events, cursor: last >= 0 ? String(last + 1) : (cursor ?? '0') }
    },

    async resolveMedia(fileId, callOptions = {}) {
      const path = asString(asObject(await call('getFile', { file_id: fileId }, callOptions))?.['file_path'])
      if (!path) throw new DeliveryError('content', `file ${fileId} cannot be downloaded (over 20 MB?)`)
      // The download URL embeds the bot token: never log it.
      return { url: `${base}/file/bot${token}/${path}`, headers: {} }
    },

    async sendTyping(to, callOptions = {}) {
      await call('sendChatAction', { chat_id: to, action: 'typing' }, callOptions)
    },
  }
}

function request(message: OutboundMessage): [method: string, body: Record<string, unknown>] {
  const reply = replyParameters(message)
  const content = message.content
  if (content.kind === 'text') {
    if ([...content.text].length > telegramCapabilities.maxTextLength) {
      throw new DeliveryError('content', `text longer than ${telegramCapabilities.maxTextLength} characters`)
    }
    return ['sendMessage', { chat_id: message.to, text: content.text, ...reply }]
  }
  const [method, field] = sendMethods[mediaKindOf(content.mimeType)]
  return [method, { chat_id: message.to, [field]: content.url, ...(content.caption ? { caption: content.caption } : {}), ...reply }]
}

/** Replies thread within the chat they were made in; a reply to a message that is gone still sends. */
function replyParameters(message: OutboundMessage): Record<string, unknown> {
  const [chat, id] = message.replyTo?.split(':') ?? []
  if (chat !== message.to || !id) return {}
  return { reply_parameters: { message_id: Number(id), allow_sending_without_reply: true } }
}

const settings = [
  { env: 'CHAT4ALL_TELEGRAM_BASE_URL', doc: 'Telegram Bot API base URL (a simulator in development)', default: 'https://api.telegram.org' },
  { env: 'CHAT4ALL_TELEGRAM_BOT_TOKEN', doc: 'The bot token from @BotFather (<bot id>:<secret>)', secret: true },
  { env: 'CHAT4ALL_TELEGRAM_WEBHOOK_SECRET', doc: 'secret_token given to setWebhook; unset when polling getUpdates', secret: true, default: '' },
  { env: 'CHAT4ALL_TELEGRAM_TIMEOUT_MS', doc: 'Timeout of one API call (a long poll adds its wait)', default: '10000' },
] as const

export const telegramConnector: ConnectorDefinition = {
  channel: 'telegram',
  addresses: telegramAddresses,
  settings,
  create(values) {
    const get = readSettings(settings, values)
    return createTelegramConnector({
      baseUrl: get('CHAT4ALL_TELEGRAM_BASE_URL'),
      botToken: get('CHAT4ALL_TELEGRAM_BOT_TOKEN'),
      webhookSecret: get('CHAT4ALL_TELEGRAM_WEBHOOK_SECRET'),
      timeoutMs: readMillis('CHAT4ALL_TELEGRAM_TIMEOUT_MS', get('CHAT4ALL_TELEGRAM_TIMEOUT_MS')),
    })
  },
}

/**
 * @module The WhatsApp Cloud API connector: one business phone number. Sends with
 * `POST /{version}/{phone_number_id}/messages` (text, and image/video/audio/document by link),
 * takes webhooks signed with `X-Hub-Signature-256`, and answers Meta's GET handshake.
 *
 * Outside the customer service window (the contact has not written in 24 hours) WhatsApp takes
 * only approved templates. With a template configured, such a send goes as that template, the
 * message's text as its one body parameter; without one it goes as it is and the platform fails
 * it (131047, FAILED with reason `policy`).
 */
import { mediaKindOf } from '../../core/channels/media-kind.js'
import {
  DeliveryError,
  type AddressScheme,
  type CallOptions,
  type Connector,
  type ConnectorCapabilities,
  type ConnectorDefinition,
  type OutboundMessage,
  type WebhookRequest,
} from '../../ports/connector.js'
import { callPlatform } from './http-call.js'
import { asObject, asString, objectsOf, parseJsonObject } from './json.js'
import { answerHubChallenge, graphDeliveryError, verifyHubSignature } from './meta-graph.js'
import { readMillis, readPositive, readSettings, trimBaseUrl } from './settings.js'
import { whatsappReason } from './whatsapp-codes.js'
import { parseWhatsAppWebhook } from './whatsapp-webhook.js'

export interface WhatsAppOptions {
  /** `https://graph.facebook.com`, or a simulator. */
  readonly baseUrl: string
  /** Graph API version: `v23.0`. */
  readonly apiVersion: string
  readonly phoneNumberId: string
  /** A system-user access token with `whatsapp_business_messaging`. */
  readonly accessToken: string
  /** The app secret: webhooks are signed with it. */
  readonly appSecret: string
  /** The token we chose when subscribing the webhook, echoed in Meta's handshake. */
  readonly verifyToken: string
  readonly timeoutMs?: number
  /**
   * The number's Cloud API throughput: 80 messages per second by default; Meta raises it (up to
   * 1,000) for numbers that need it. Sends beyond it queue in the pacer instead of being refused.
   */
  readonly messagesPerSecond?: number
  /** An approved template with one body parameter (`{{1}}`), for sends outside the 24-hour window. */
  readonly template?: { readonly name: string; readonly language: string }
  readonly now?: () => number
}

/** The customer service window: after the contact's last message, a business may write freely this long. */
const replyWindowHours = 24
/** WhatsApp's limit on one template body parameter. */
const maxTemplateParameter = 1024

/** E.164: a plus (optional on input), a non-zero country digit, 8 to 15 digits in all. */
export const whatsappAddresses: AddressScheme = {
  channel: 'whatsapp',
  describe: 'an E.164 phone number (+5511999998888)',
  parse(id) {
    const digits = id.startsWith('+') ? id.slice(1) : id
    if (!/^[1-9]\d{7,14}$/.test(digits)) return { ok: false, reason: `'${id}' is not an E.164 phone number (+5511999998888)` }
    return { ok: true, id: `+${digits}`, sendable: true }
  },
}

export const whatsappCapabilities: ConnectorCapabilities = {
  delivered: 'callback',
  read: 'callback',
  media: ['image', 'video', 'audio', 'document'],
  maxTextLength: 4096,
  textLengthUnit: 'characters',
  maxCaptionLength: 1024,
  replies: true,
  inbound: ['webhook'],
  // Cloud API default throughput: 80 messages per second per business number.
  pacing: [{ scope: 'account', perSecond: 80, burst: 80 }],
  typing: false,
  markRead: true,
  replyWindowHours,
}

export function createWhatsAppConnector(options: WhatsAppOptions): Connector {
  const base = `${trimBaseUrl(options.baseUrl)}/${options.apiVersion}`
  const auth = { authorization: `Bearer ${options.accessToken}` }
  const timeoutMs = options.timeoutMs ?? 10_000

  const post = async (body: unknown, call: CallOptions) => {
    const answer = await callPlatform({ method: 'POST', url: `${base}/${options.phoneNumberId}/messages`, headers: auth, json: body, timeoutMs, ...call })
    if (answer.status !== 200) throw graphDeliveryError(answer, whatsappReason)
    return answer
  }

  return {
    channel: 'whatsapp',
    account: options.phoneNumberId,
    addresses: whatsappAddresses,
    capabilities: options.messagesPerSecond
      ? { ...whatsappCapabilities, pacing: [{ scope: 'account', perSecond: options.messagesPerSecond, burst: options.messagesPerSecond }] }
      : whatsappCapabilities,

    async send(message, call = {}) {
      const now = options.now ?? Date.now
      const windowOpen = message.lastInboundAt !== undefined && now() - message.lastInboundAt < replyWindowHours * 3_600_000
      const body = !windowOpen && options.template ? templateBody(message, options.template) : requestBody(message)
      const answer = await post(body, call)
      const id = asString(objectsOf(asObject(answer.body)?.['messages'])[0]?.['id'])
      if (!id) throw new DeliveryError('unavailable', 'accepted without a message id', { outcomeUnknown: true })
      return { platformMessageId: id, status: 'SENT' }
    },

    verifyWebhook: (request: WebhookRequest) => verifyHubSignature(request, options.appSecret),
    parseWebhook: (request: WebhookRequest) => parseWhatsAppWebhook(parseJsonObject(request.rawBody, 'WhatsApp webhook body')),
    answerHandshake: (request: WebhookRequest) => answerHubChallenge(request, options.verifyToken),

    async resolveMedia(mediaId, call = {}) {
      const answer = await callPlatform({ method: 'GET', url: `${base}/${encodeURIComponent(mediaId)}`, headers: auth, timeoutMs, ...call })
      if (answer.status !== 200) throw graphDeliveryError(answer, whatsappReason)
      const url = asString(asObject(answer.body)?.['url'])
      if (!url) throw new DeliveryError('content', `media ${mediaId} has no URL`)
      // Media URLs of the Cloud API are fetched with the same bearer token.
      return { url, headers: auth }
    },

    async markRead(platformMessageId, call = {}) {
      await post({ messaging_product: 'whatsapp', status: 'read', message_id: platformMessageId }, call)
    },
  }
}

const envelopeOf = (message: OutboundMessage) => ({
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  // The API takes the number without its plus.
  to: message.to.replace(/^\+/, ''),
  ...(message.replyTo ? { context: { message_id: message.replyTo } } : {}),
})

/** The message as the configured template: its text (or a file's caption and link) is the body parameter, cut to WhatsApp's limit. */
function templateBody(message: OutboundMessage, template: { readonly name: string; readonly language: string }): Record<string, unknown> {
  const content = message.content
  const full = content.kind === 'text' ? content.text : [content.caption, `${content.filename ?? 'file'}: ${content.url}`].filter(Boolean).join('\n')
  const characters = [...full]
  const text = characters.length > maxTemplateParameter ? `${characters.slice(0, maxTemplateParameter - 1).join('')}…` : full
  return {
    ...envelopeOf(message),
    type: 'template',
    template: { name: template.name, language: { code: template.language }, components: [{ type: 'body', parameters: [{ type: 'text', text }] }] },
  }
}

function requestBody(message: OutboundMessage): Record<string, unknown> {
  const envelope = envelopeOf(message)
  const content = message.content
  if (content.kind === 'text') {
    if ([...content.text].length > whatsappCapabilities.maxTextLength) {
      throw new DeliveryError('content', `text longer than ${whatsappCapabilities.maxTextLength} characters`)
    }
    return { ...envelope, type: 'text', text: { preview_url: false, body: content.text } }
  }
  const kind = mediaKindOf(content.mimeType)
  const media: Record<string, string> = { link: content.url }
  // Audio takes no caption; only documents carry a file name.
  if (content.caption && kind !== 'audio') media['caption'] = content.caption
  if (content.filename && kind === 'document') media['filename'] = content.filename
  return { ...envelope, type: kind, [kind]: media }
}

const settings = [
  { env: 'CHAT4ALL_WHATSAPP_BASE_URL', doc: 'WhatsApp Cloud API base URL (a simulator in development)', default: 'https://graph.facebook.com' },
  { env: 'CHAT4ALL_WHATSAPP_API_VERSION', doc: 'Graph API version of the calls', default: 'v23.0' },
  { env: 'CHAT4ALL_WHATSAPP_PHONE_NUMBER_ID', doc: 'The business phone number id messages are sent from' },
  { env: 'CHAT4ALL_WHATSAPP_ACCESS_TOKEN', doc: 'System-user access token (Bearer)', secret: true },
  { env: 'CHAT4ALL_WHATSAPP_APP_SECRET', doc: 'App secret: verifies X-Hub-Signature-256 of webhooks', secret: true },
  { env: 'CHAT4ALL_WHATSAPP_VERIFY_TOKEN', doc: 'Token of the GET webhook handshake (hub.verify_token)', secret: true },
  { env: 'CHAT4ALL_WHATSAPP_TIMEOUT_MS', doc: 'Timeout of one API call', default: '10000' },
  { env: 'CHAT4ALL_WHATSAPP_MESSAGES_PER_SECOND', doc: "The number's throughput tier: sends beyond it queue (Meta's default 80, raised up to 1000 on request)", default: '80' },
  {
    env: 'CHAT4ALL_WHATSAPP_TEMPLATE',
    doc: 'An approved template with one body parameter ({{1}}): sends to contacts who have not written in 24 hours go as it, the text as the parameter (unset: they fail with reason policy)',
    default: '',
  },
  { env: 'CHAT4ALL_WHATSAPP_TEMPLATE_LANGUAGE', doc: "The template's language code", default: 'en_US' },
] as const

export const whatsappConnector: ConnectorDefinition = {
  channel: 'whatsapp',
  addresses: whatsappAddresses,
  settings,
  create(values) {
    const get = readSettings(settings, values)
    return createWhatsAppConnector({
      baseUrl: get('CHAT4ALL_WHATSAPP_BASE_URL'),
      apiVersion: get('CHAT4ALL_WHATSAPP_API_VERSION'),
      phoneNumberId: get('CHAT4ALL_WHATSAPP_PHONE_NUMBER_ID'),
      accessToken: get('CHAT4ALL_WHATSAPP_ACCESS_TOKEN'),
      appSecret: get('CHAT4ALL_WHATSAPP_APP_SECRET'),
      verifyToken: get('CHAT4ALL_WHATSAPP_VERIFY_TOKEN'),
      timeoutMs: readMillis('CHAT4ALL_WHATSAPP_TIMEOUT_MS', get('CHAT4ALL_WHATSAPP_TIMEOUT_MS')),
      messagesPerSecond: readPositive('CHAT4ALL_WHATSAPP_MESSAGES_PER_SECOND', get('CHAT4ALL_WHATSAPP_MESSAGES_PER_SECOND'), 'messages per second'),
      ...(get('CHAT4ALL_WHATSAPP_TEMPLATE') ? { template: { name: get('CHAT4ALL_WHATSAPP_TEMPLATE'), language: get('CHAT4ALL_WHATSAPP_TEMPLATE_LANGUAGE') } } : {}),
    })
  },
}

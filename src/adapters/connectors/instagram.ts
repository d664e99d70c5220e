/**
 * @module The Instagram Messaging connector (Messenger Platform Send API): one Instagram
 * professional account. Sends with `POST /{version}/me/messages` to an IGSID (text, image, video
 * or audio by link), takes webhooks signed with `X-Hub-Signature-256`, answers Meta's handshake.
 * Instagram reports reads (`messaging_seen`) but no deliveries: acceptance by the Send API is
 * DELIVERED (the message is in the contact's inbox).
 */
import { mediaKindOf } from '../../core/channels/media-kind.js'
import {
  DeliveryError,
  type AddressScheme,
  type CallOptions,
  type Connector,
  type ConnectorCapabilities,
  type ConnectorDefinition,
  type DeliveryFailureReason,
  type OutboundMessage,
  type WebhookRequest,
} from '../../ports/connector.js'
import { callPlatform } from './http-call.js'
import { asObject, asString, parseJsonObject } from './json.js'
import { answerHubChallenge, graphDeliveryError, verifyHubSignature, type GraphError } from './meta-graph.js'
import { parseInstagramWebhook } from './instagram-webhook.js'
import { readMillis, readSettings, trimBaseUrl } from './settings.js'

export interface InstagramOptions {
  /** `https://graph.instagram.com` (Instagram Login) or `https://graph.facebook.com` (Facebook Login), or a simulator. */
  readonly baseUrl: string
  readonly apiVersion: string
  /** The Instagram professional account id (IGID) that sends and receives. */
  readonly accountId: string
  readonly accessToken: string
  readonly appSecret: string
  readonly verifyToken: string
  readonly timeoutMs?: number
}

/**
 * Contacts are IGSIDs, the numeric Instagram-scoped ids webhooks carry. A `@handle` is accepted as
 * a member reference but cannot be sent to until resolved to an IGSID (the API has no lookup by
 * handle for people who have not written to us). Handles are lower case on Instagram.
 */
export const instagramAddresses: AddressScheme = {
  channel: 'instagram',
  describe: 'an Instagram-scoped id (IGSID, digits) or an @handle',
  parse(id) {
    if (/^\d{1,32}$/.test(id)) return { ok: true, id, sendable: true }
    if (/^@?[A-Za-z0-9._]{1,30}$/.test(id)) return { ok: true, id: `@${id.replace(/^@/, '').toLowerCase()}`, sendable: false }
    return { ok: false, reason: `'${id}' is not an Instagram-scoped id (digits) or an @handle` }
  },
}

export const instagramCapabilities: ConnectorCapabilities = {
  delivered: 'on_accept',
  read: 'watermark',
  media: ['image', 'video', 'audio'],
  maxTextLength: 1000,
  textLengthUnit: 'utf8_bytes',
  // Attachments carry no text: a caption goes as a message of its own.
  maxCaptionLength: 0,
  replies: false,
  inbound: ['webhook'],
  // Send API: 100 calls per second per professional account for text and images.
  pacing: [{ scope: 'account', perSecond: 100, burst: 100 }],
  typing: true,
  markRead: false,
}

/** Instagram's documented Send API codes (developers.facebook.com/docs/messenger-platform/error-codes). */
function instagramReason(error: GraphError): DeliveryFailureReason | undefined {
  if (error.code === 551 || error.subcode === 2018001 || error.subcode === 2534014) return 'bad_recipient'
  if (error.code === 10 && error.subcode === 2018278) return 'policy' // outside the messaging window
  if (error.subcode === 2018047 || error.subcode === 2018008) return 'content' // attachment could not be fetched
  if (error.code === 1200) return 'unavailable' // temporary send failure
  return undefined
}

export function createInstagramConnector(options: InstagramOptions): Connector {
  const url = `${trimBaseUrl(options.baseUrl)}/${options.apiVersion}/me/messages`
  const auth = { authorization: `Bearer ${options.accessToken}` }
  const timeoutMs = options.timeoutMs ?? 10_000

  const post = async (body: unknown, call: CallOptions) => {
    const answer = await callPlatform({ method: 'POST', url, headers: auth, json: body, timeoutMs, ...call })
    if (answer.status !== 200) throw graphDeliveryError(answer, instagramReason)
    return answer
  }

  return {
    channel: 'instagram',
    account: options.accountId,
    addresses: instagramAddresses,
    capabilities: instagramCapabilities,

    async send(message, call = {}) {
      const answer = await post({ recipient: { id: recipientId(message.to) }, message: messageBody(message) }, call)
      const id = asString(asObject(answer.body)?.['message_id'])
      if (!id) throw new DeliveryError('unavailable', 'accepted without a message id', { outcomeUnknown: true })
      return { platformMessageId: id, status: 'DELIVERED' }
    },

    verifyWebhook: (request: WebhookRequest) => verifyHubSignature(request, options.appSecret),
    parseWebhook: (request: WebhookRequest) => parseInstagramWebhook(parseJsonObject(request.rawBody, 'Instagram webhook body')),
    answerHandshake: (request: WebhookRequest) => answerHubChallenge(request, options.verifyToken),

    async sendTyping(to, call = {}) {
      await post({ recipient: { id: recipientId(to) }, sender_action: 'typing_on' }, call)
    },
  }
}

function recipientId(to: string): string {
  if (to.startsWith('@')) throw new DeliveryError('bad_recipient', `${to} is a handle; Instagram sends only to IGSIDs`)
  return to
}

function messageBody(message: OutboundMessage): Record<string, unknown> {
  const content = message.content
  if (content.kind === 'text') {
    if (Buffer.byteLength(content.text) > instagramCapabilities.maxTextLength) {
      throw new DeliveryError('content', `text longer than ${instagramCapabilities.maxTextLength} UTF-8 bytes`)
    }
    return { text: content.text }
  }
  const kind = mediaKindOf(content.mimeType)
  if (!instagramCapabilities.media.includes(kind)) throw new DeliveryError('content', `Instagram does not take ${content.mimeType} attachments`)
  if (content.caption) throw new DeliveryError('content', 'Instagram attachments carry no caption; send it as a text of its own')
  return { attachment: { type: kind, payload: { url: content.url } } }
}

const settings = [
  { env: 'CHAT4ALL_INSTAGRAM_BASE_URL', doc: 'Instagram Graph API base URL (a simulator in development)', default: 'https://graph.instagram.com' },
  { env: 'CHAT4ALL_INSTAGRAM_API_VERSION', doc: 'Graph API version of the calls', default: 'v23.0' },
  { env: 'CHAT4ALL_INSTAGRAM_ACCOUNT_ID', doc: 'The Instagram professional account id (IGID)' },
  { env: 'CHAT4ALL_INSTAGRAM_ACCESS_TOKEN', doc: 'Access token with instagram_business_manage_messages', secret: true },
  { env: 'CHAT4ALL_INSTAGRAM_APP_SECRET', doc: 'App secret: verifies X-Hub-Signature-256 of webhooks', secret: true },
  { env: 'CHAT4ALL_INSTAGRAM_VERIFY_TOKEN', doc: 'Token of the GET webhook handshake (hub.verify_token)', secret: true },
  { env: 'CHAT4ALL_INSTAGRAM_TIMEOUT_MS', doc: 'Timeout of one API call', default: '10000' },
] as const

export const instagramConnector: ConnectorDefinition = {
  channel: 'instagram',
  addresses: instagramAddresses,
  settings,
  create(values) {
    const get = readSettings(settings, values)
    return createInstagramConnector({
      baseUrl: get('CHAT4ALL_INSTAGRAM_BASE_URL'),
      apiVersion: get('CHAT4ALL_INSTAGRAM_API_VERSION'),
      accountId: get('CHAT4ALL_INSTAGRAM_ACCOUNT_ID'),
      accessToken: get('CHAT4ALL_INSTAGRAM_ACCESS_TOKEN'),
      appSecret: get('CHAT4ALL_INSTAGRAM_APP_SECRET'),
      verifyToken: get('CHAT4ALL_INSTAGRAM_VERIFY_TOKEN'),
      timeoutMs: readMillis('CHAT4ALL_INSTAGRAM_TIMEOUT_MS', get('CHAT4ALL_INSTAGRAM_TIMEOUT_MS')),
    })
  },
}

/**
 * @module WhatsApp Cloud API webhooks into our events: the `entry[].changes[].value` envelope of
 * the `messages` field, with `messages` from contacts and `statuses` of what we sent.
 */
import type { DeliveryStatus, InboundEvent, InboundMessage, MediaKind, StatusUpdate } from '../../ports/connector.js'
import { asNumber, asObject, asString, defined, objectsOf, type JsonObject } from './json.js'
import { whatsappReason } from './whatsapp-codes.js'

const statuses: Readonly<Record<string, DeliveryStatus>> = { sent: 'SENT', delivered: 'DELIVERED', read: 'READ', failed: 'FAILED' }
const mediaKinds: Readonly<Record<string, MediaKind>> = { image: 'image', sticker: 'image', video: 'video', audio: 'audio', document: 'document' }

/** WhatsApp ids are digits; our addresses are E.164 with the plus. */
const toAddress = (waId: string) => (waId.startsWith('+') ? waId : `+${waId}`)
const millis = (seconds: unknown) => (asNumber(seconds) ?? 0) * 1000

export function parseWhatsAppWebhook(body: JsonObject): InboundEvent[] {
  const events: InboundEvent[] = []
  for (const entry of objectsOf(body['entry'])) {
    for (const change of objectsOf(entry['changes'])) {
      const value = asObject(change['value'])
      if (change['field'] !== 'messages' || !value) continue
      const account = asString(asObject(value['metadata'])?.['phone_number_id']) ?? ''
      const names = new Map(objectsOf(value['contacts']).map((c) => [asString(c['wa_id']), asString(asObject(c['profile'])?.['name'])]))
      for (const message of objectsOf(value['messages'])) {
        const parsed = inboundMessage(message, account, names)
        if (parsed) events.push(parsed)
      }
      for (const status of objectsOf(value['statuses'])) {
        const parsed = statusUpdate(status, account)
        if (parsed) events.push(parsed)
      }
    }
  }
  return events
}

function inboundMessage(message: JsonObject, account: string, names: ReadonlyMap<string | undefined, string | undefined>): InboundMessage | undefined {
  const id = asString(message['id'])
  const from = asString(message['from'])
  const type = asString(message['type']) ?? ''
  const content = contentOf(message, type)
  // Reactions, locations, system notices and `unsupported` carry nothing we deliver yet.
  if (!id || !from || !content) return undefined
  return {
    kind: 'message',
    eventId: id,
    platformMessageId: id,
    account,
    from: toAddress(from),
    sentAt: millis(message['timestamp']),
    ...content,
    ...defined({ fromName: names.get(from), replyTo: asString(asObject(message['context'])?.['id']) }),
  }
}

function contentOf(message: JsonObject, type: string): Pick<InboundMessage, 'text' | 'media'> | undefined {
  if (type === 'text') {
    const text = asString(asObject(message['text'])?.['body'])
    return text === undefined ? undefined : { text }
  }
  if (type === 'button') return textOnly(asString(asObject(message['button'])?.['text']))
  if (type === 'interactive') {
    const reply = asObject(message['interactive'])
    return textOnly(asString(asObject(reply?.['button_reply'])?.['title']) ?? asString(asObject(reply?.['list_reply'])?.['title']))
  }
  const kind = mediaKinds[type]
  const media = asObject(message[type])
  const mediaId = asString(media?.['id'])
  if (!kind || !media || !mediaId) return undefined
  return {
    media: { kind, source: { kind: 'platform', mediaId }, ...defined({ mimeType: asString(media['mime_type']), filename: asString(media['filename']) }) },
    ...defined({ text: asString(media['caption']) }),
  }
}

const textOnly = (text: string | undefined) => (text === undefined ? undefined : { text })

function statusUpdate(status: JsonObject, account: string): StatusUpdate | undefined {
  const id = asString(status['id'])
  const ours = statuses[asString(status['status']) ?? '']
  const recipient = asString(status['recipient_id'])
  if (!id || !ours || !recipient) return undefined
  const error = objectsOf(status['errors'])[0]
  const code = asNumber(error?.['code'])
  return {
    kind: 'status',
    eventId: `${id}:${ours}`,
    account,
    recipient: toAddress(recipient),
    status: ours,
    target: { kind: 'message', platformMessageId: id },
    at: millis(status['timestamp']),
    ...(ours === 'FAILED'
      ? {
          failure: {
            // A failed status with no code we know is final all the same: the platform gave up.
            reason: whatsappReason({ code }) ?? 'bad_recipient',
            detail: asString(asObject(error?.['error_data'])?.['details']) ?? asString(error?.['title']) ?? 'failed',
            ...defined({ platformCode: code === undefined ? undefined : String(code) }),
          },
        }
      : {}),
  }
}
